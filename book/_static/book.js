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

// A tap (click) on a figure opens it at its natural size, so that its text can be read on a phone
// (shown inline at 342 CSS px, a 1400 px wide figure's 10 pt text comes out at about 5 px). The
// figure becomes a link to its image (keyboard reachable; without scripts it opens the image
// itself); the script shows the image in a modal dialog, scrolled by touch or the keyboard, that a
// tap, Escape or the close button closes, returning the focus to the figure.
document.addEventListener("DOMContentLoaded", () => {
  // a figure's image, unless it links elsewhere (Sphinx links a scaled image to its file: that link is kept)
  const figures = Array.from(document.querySelectorAll("article.bd-article figure img"))
    .filter((img) => !img.closest("a") || img.closest("a").classList.contains("image-reference"));
  if (!figures.length) {
    return;
  }
  const dialog = document.createElement("dialog");
  dialog.className = "wsl-lightbox";
  dialog.setAttribute("aria-label", "Figure at full size");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "wsl-lightbox-close";
  close.setAttribute("aria-label", "Close the full-size figure");
  close.textContent = "\u00d7";
  const frame = document.createElement("div");
  frame.className = "wsl-lightbox-frame";
  const large = document.createElement("img");
  frame.appendChild(large);
  dialog.append(close, frame);
  document.body.appendChild(dialog);
  let opener = null;
  dialog.addEventListener("click", () => dialog.close());      // a tap anywhere closes it
  dialog.addEventListener("close", () => {
    if (dialog.open) {
      return;                                  // opened again before this event came: nothing to undo
    }
    document.documentElement.classList.remove("wsl-lightbox-open");
    large.removeAttribute("src");
    if (opener) {
      opener.focus();
    }
  });
  figures.forEach((img) => {
    let link = img.closest("a");
    if (!link) {
      link = document.createElement("a");
      link.href = img.getAttribute("src");
      img.replaceWith(link);
      link.appendChild(img);
    }
    link.classList.add("wsl-figure-link");
    link.title = "Open the figure at full size";
    link.addEventListener("click", (event) => {
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.button > 0) {
        return;                                                   // a new tab, as the reader asked
      }
      event.preventDefault();
      opener = link;
      large.src = img.currentSrc || img.src;
      large.alt = img.alt;                       // no width is set: it shows at its natural size
      document.documentElement.classList.add("wsl-lightbox-open");
      dialog.showModal();
      frame.scrollTo(0, 0);
      close.focus();
    });
  });
});

// Printing (the ".pdf" button prints the page): hidden code cells and folded outputs open for the
// printout and close again afterwards (solutions are opened by the print stylesheet, book.css).
window.addEventListener("beforeprint", () => {
  document.querySelectorAll("article.bd-article details:not([open])").forEach((details) => {
    details.dataset.wslOpenedForPrint = "";
    details.open = true;
  });
});
window.addEventListener("afterprint", () => {
  document.querySelectorAll("article.bd-article details[data-wsl-opened-for-print]").forEach((details) => {
    delete details.dataset.wslOpenedForPrint;
    details.open = false;
  });
});
