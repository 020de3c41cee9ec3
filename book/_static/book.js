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
  dialog.append(close, frame);                 // in the page only while open (no empty image in it)
  let opener = null;
  dialog.addEventListener("click", () => dialog.close());      // a tap anywhere closes it
  dialog.addEventListener("close", () => {
    if (dialog.open) {
      return;                                  // opened again before this event came: nothing to undo
    }
    document.documentElement.classList.remove("wsl-lightbox-open");
    dialog.remove();
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
      document.body.appendChild(dialog);
      dialog.showModal();
      frame.scrollTo(0, 0);
      close.focus();
    });
  });
});

// Printing (the ".pdf" button prints the page): hidden code cells and folded outputs open for the
// printout and close again afterwards (solutions are opened by the print stylesheet, book.css); a
// page in dark mode prints in the light theme (its light grey text would be all but invisible on
// paper) and goes back to dark afterwards.
let themeBeforePrint = null;
window.addEventListener("beforeprint", () => {
  document.querySelectorAll("article.bd-article details:not([open])").forEach((details) => {
    details.dataset.wslOpenedForPrint = "";
    details.open = true;
  });
  const root = document.documentElement;
  if (root.dataset.theme === "dark") {
    themeBeforePrint = root.dataset.theme;
    root.dataset.theme = "light";
  }
});
window.addEventListener("afterprint", () => {
  document.querySelectorAll("article.bd-article details[data-wsl-opened-for-print]").forEach((details) => {
    delete details.dataset.wslOpenedForPrint;
    details.open = false;
  });
  if (themeBeforePrint) {
    document.documentElement.dataset.theme = themeBeforePrint;
    themeBeforePrint = null;
  }
});

// Search results quote each page's text around the words found; the page's math is still TeX there
// ("\(S_c = \frac{1}{Z}\sum_{x,y} M_c(x,y)\)"), since MathJax typesets it only on the page itself.
// The search page's summaries get the math as plain text instead ("S_c = 1/Z Σ_x,y M_c(x,y)").
(() => {
  const TEX_SYMBOLS = {
    alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ", eta: "η",
    theta: "θ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ", pi: "π", rho: "ρ", sigma: "σ",
    tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ", omega: "ω", Gamma: "Γ", Delta: "Δ",
    Theta: "Θ", Lambda: "Λ", Pi: "Π", Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω",
    sum: " Σ", prod: " Π", ell: "ℓ", times: "×", cdot: "·", le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠",
    neq: "≠", approx: "≈", in: "∈", notin: "∉", mid: "|", to: "→", rightarrow: "→", leftarrow: "←",
    infty: "∞", sim: "~", propto: "∝", partial: "∂", nabla: "∇", ldots: "…", dots: "…", cdots: "…",
    pm: "±", lvert: "|", rvert: "|", vert: "|", lVert: "‖", rVert: "‖", cup: "∪", cap: "∩",
    subset: "⊂", subseteq: "⊆", forall: "∀", exists: "∃", odot: "⊙", top: "T", underbrace: "", overbrace: "",
  };
  const TEX_ACCENTS = { tilde: "\u0303", hat: "\u0302", bar: "\u0304", widetilde: "\u0303", widehat: "\u0302" };

  function texToText(tex) {
    let text = tex.trim()
      .replace(/^\\\(|\\\)$|^\\\[|\\\]$|^\$\$|\$\$$/g, "")
      .replace(/\\(begin|end)\{[^{}]*\}/g, " ")
      .replace(/\\(left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])/g, "")
      .replace(/\\[,;:!]|\\q?quad(?![a-zA-Z])|~/g, " ")
      .replace(/\\\\/g, "; ")
      .replace(/\\\{/g, "\u0001").replace(/\\\}/g, "\u0002")          // a set's braces, kept
      .replace(/\\([|%#&_$])/g, "$1");
    for (let i = 0; i < 5; i += 1) {           // innermost first: \frac{\sum_k a}{b}
      text = text
        .replace(/\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}/g, (_, a, b) =>
          `${a.length > 1 ? `(${a})` : a}/${b.length > 1 ? `(${b})` : b}`)
        .replace(/\\(tilde|hat|bar|widetilde|widehat)\{([^{}]*)\}/g, (_, accent, x) => x + TEX_ACCENTS[accent])
        .replace(/\\(mathbf|mathrm|mathit|mathbb|mathcal|boldsymbol|operatorname|text|textrm|textbf)\{([^{}]*)\}/g, "$2")
        .replace(/([_^])\{([^{}]*)\}/g, (_, mark, x) => (/\s|\+|.-/.test(x.trim()) ? `${mark}(${x.trim()})` : mark + x));
    }
    return text
      .replace(/\\([a-zA-Z]+)/g, (_, name) => (Object.hasOwn(TEX_SYMBOLS, name) ? TEX_SYMBOLS[name] : ` ${name} `))
      .replace(/[{}]/g, "")
      .replace(/\u0001/g, "{").replace(/\u0002/g, "}")
      .replace(/\s+([_^),])/g, "$1")
      .replace(/\(\s+/g, "(")
      .replace(/&/g, " ")
      .replace(/\s+/g, " ")
      .trim();
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") {
      return;                                                       // not the search page
    }
    const original = Search.htmlToText;
    Search.htmlToText = (htmlString, anchor) => {
      try {
        const page = new DOMParser().parseFromString(htmlString, "text/html");
        page.querySelectorAll(".math").forEach((math) => {
          math.textContent = ` ${texToText(math.textContent)} `;
        });
        return original(page.documentElement.outerHTML, anchor);
      } catch (error) {
        return original(htmlString, anchor);                        // never lose a summary over math
      }
    };
  });
})();
