// "Download .ipynb" downloads the notebook instead of showing its JSON in a new tab
// (added to every page by book/_ext/page_fixes.py).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("a.btn-download-source-button").forEach((link) => {
    const name = link.getAttribute("href").split("/").pop();
    link.setAttribute("download", name);
    link.removeAttribute("target");
  });
});
