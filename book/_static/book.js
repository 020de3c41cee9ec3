// "Download .ipynb" downloads the notebook instead of showing its JSON in a new tab
// (added to every page by book/_ext/page_fixes.py).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("a.btn-download-source-button").forEach((link) => {
    const name = link.getAttribute("href").split("/").pop();
    link.setAttribute("download", name);
    link.removeAttribute("target");
  });
});

// On a phone, the page's Contents (and the navigation) open as a modal dialog of
// pydata-sphinx-theme that stays open after a tap on an entry: the page scrolls to the section
// underneath while the drawer still covers most of the screen. Close it on a tap on any link.
document.addEventListener("click", (event) => {
  const link = event.target.closest("dialog#pst-secondary-sidebar-modal a, dialog#pst-primary-sidebar-modal a");
  if (link) {
    link.closest("dialog").close();
  }
});
