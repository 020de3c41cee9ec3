"""Open every page of the built book in headless Chromium, as a reader would, offline.

Checks, on every page: no console error, every image loaded with a non-zero natural size,
no resource fetched from the network, math typeset by the local MathJax (no raw ``$$``
left), every chapter listed in the sidebar, nothing wider than a phone's 390 px; on notebook
pages, Colab and Binder buttons built from the repository URL in ``_config.yml`` and a link
that downloads the ``.ipynb``. On a phone (390 px, touch), tapping the visible menu button
opens the navigation drawer and the page-contents button opens the contents; on a laptop
(1400 px) the menu button collapses the sidebar; one search box per page; a click on a
solution's title opens it; a tap on a figure opens it at its natural size (and a tap, or Escape,
closes it). Every figure's smallest text is measured at 390 px, inline and opened, into
``test-artifacts/figure-text-390.md``. Screenshots at 1400 px and 390 px are saved under
``test-artifacts/``.

Needs Debian's ``chromium`` and ``chromium-driver``: found on the PATH, or installed with
apt-get when running as root; otherwise the test fails and says how to install them.
"""

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from book_files import ROOT, load_config, toc_files

pytestmark = pytest.mark.slow            # left out of `make unit`

BUILD = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "test-artifacts"
PAGES = [p.relative_to(ROOT).with_suffix(".html") for p in toc_files()]


def _find_browser():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return browser, driver


def _install_browser():
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"], env=env, capture_output=True)


@pytest.fixture(scope="module")
def browser(built_book):
    assert built_book.returncode == 0, "the book must build before it can be opened"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = _find_browser()
    if not (chromium and chromedriver):
        _install_browser()
        chromium, chromedriver = _find_browser()
    if not (chromium and chromedriver):
        pytest.fail("the browser test needs headless Chromium and its driver: install the Debian packages "
                    "'chromium' and 'chromium-driver' (sudo apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1400,1000", "--hide-scrollbars"):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="wsl-book-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


WAIT_FOR_PAGE = """
const done = arguments[arguments.length - 1];
const images = Array.from(document.images);
images.forEach(img => { img.loading = "eager"; });
const loaded = Promise.all(images.map(img => img.complete ? null
    : new Promise(resolve => { img.onload = img.onerror = resolve; })));
const typeset = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
Promise.all([loaded, typeset]).then(() => done(true), () => done(false));
"""


def _open(driver, page):
    driver.get((BUILD / page).as_uri())
    driver.execute_async_script(WAIT_FOR_PAGE)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_renders_offline(browser, page):
    browser.get_log("browser")                      # forget messages of earlier pages
    _open(browser, page)
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"console errors on {page}: {errors}"

    broken = browser.execute_script(
        "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
    assert not broken, f"images that did not load on {page}: {broken}"

    remote = browser.execute_script(
        "return performance.getEntriesByType('resource').map(r => r.name).filter(n => /^https?:/.test(n))")
    assert not remote, f"{page} fetched resources from the network (it must render offline): {remote}"

    scripts = browser.execute_script("return Array.from(document.scripts).map(s => s.src).filter(s => /mathjax/i.test(s))")
    assert len(scripts) <= 1 and all("_static/mathjax/" in s for s in scripts), \
        f"MathJax must be loaded at most once, and from the book itself: {scripts}"
    if 'class="math' in (BUILD / page).read_text():
        assert len(scripts) == 1, f"{page} has math but does not load MathJax"
        assert browser.execute_script("return document.querySelectorAll('mjx-container').length") > 0, \
            f"math on {page} was not typeset by MathJax"
    text = browser.execute_script("return document.querySelector('main').innerText")
    assert "$$" not in text and "\\begin{" not in text, f"raw LaTeX left on {page}"

    sidebar = browser.execute_script(
        "return Array.from(document.querySelectorAll('.bd-sidebar-primary a')).map(a => a.getAttribute('href'))")
    for other in PAGES[1:]:
        if other == page:
            continue
        assert any(href and href.split("#")[0].endswith(other.name) for href in sidebar), \
            f"the sidebar of {page} does not list {other}"


@pytest.mark.parametrize("page", [p for p in PAGES if (ROOT / p).with_suffix(".ipynb").exists()],
                         ids=lambda p: p.name)
def test_notebook_pages_have_launch_and_download_buttons(browser, page):
    _open(browser, page)
    links = browser.execute_script("return Array.from(document.querySelectorAll('a')).map(a => a.href)")
    config = load_config()
    repo = config["repository"]["url"].removeprefix("https://github.com/")
    branch = config["repository"]["branch"]
    notebook = page.with_suffix(".ipynb").as_posix()
    assert f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook}" in links
    assert f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=tree/{notebook}" in links
    assert any(link.endswith(f"_sources/{notebook}") for link in links), "no download link for the .ipynb"
    download = browser.execute_script(
        "const a = document.querySelector('a.btn-download-source-button'); return a && a.getAttribute('download')")
    assert download == page.with_suffix(".ipynb").name, \
        "'Download .ipynb' must download the notebook (a download attribute), not open its JSON in a tab"


PHONE = 390      # CSS pixels: the width of a common phone
LAPTOP = 1400


@contextlib.contextmanager
def phone(driver):
    """The page as a phone shows it: 390 CSS px wide, a mobile viewport, touch input."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": PHONE, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    try:
        yield driver
    finally:
        driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": False})
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _until(condition, seconds: float = 5.0) -> bool:
    """Wait for ``condition()`` to be true (polling every 50 ms), at most ``seconds``: a test waits
    for what it needs, never for a fixed time that a loaded machine may exceed."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def _tap(driver, element):
    from selenium.webdriver.common.actions import interaction
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.pointer_input import PointerInput

    actions = ActionBuilder(driver, mouse=PointerInput(interaction.POINTER_TOUCH, "finger"))
    actions.pointer_action.move_to(element).pointer_down().pointer_up()
    actions.perform()
    time.sleep(0.5)                                  # the drawer slides in


def _visible(driver, selector):
    return [e for e in driver.find_elements("css selector", selector) if e.is_displayed()]


SIDEBAR_SHOWN = """
const bar = document.querySelector(arguments[0]);
const box = bar.getBoundingClientRect();
return getComputedStyle(bar).visibility !== 'hidden' && box.width > 0
    && box.right > 10 && box.left < window.innerWidth - 10;
"""
CHAPTER = next(p for p in PAGES if p.name.startswith("ch03"))


def _save(driver, name):
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / name
    assert driver.save_screenshot(str(target)) and target.stat().st_size > 10_000
    return target


def test_phone_menu_and_contents_buttons_open_their_drawers(browser):
    with phone(browser):
        _open(browser, CHAPTER)
        assert not browser.execute_script(SIDEBAR_SHOWN, ".bd-sidebar-primary"), "the sidebar should start hidden"
        menu = _visible(browser, ".primary-toggle")
        assert len(menu) == 1, f"expected one visible menu button (☰) at {PHONE} px, found {len(menu)}"
        _tap(browser, menu[0])
        assert _until(lambda: browser.execute_script(SIDEBAR_SHOWN, ".bd-sidebar-primary")), \
            "tapping ☰ did not open the navigation"
        links = [a.text for a in _visible(browser, ".bd-sidebar-primary a")]
        assert any("Class activation maps" in text for text in links), f"the drawer shows no chapters: {links}"
        _save(browser, f"{CHAPTER.stem}-{PHONE}-menu.png")

        _open(browser, CHAPTER)
        contents = _visible(browser, ".secondary-toggle")
        assert len(contents) == 1, f"expected one visible page-contents button at {PHONE} px, found {len(contents)}"
        _tap(browser, contents[0])
        assert _until(lambda: browser.execute_script(SIDEBAR_SHOWN, ".bd-sidebar-secondary")), \
            "tapping the page-contents button did not open the contents"
        _save(browser, f"{CHAPTER.stem}-{PHONE}-contents.png")


MODAL_OPEN = "const d = document.getElementById(arguments[0]); return !!(d && d.open);"


def test_a_tap_on_a_contents_entry_closes_the_drawer(browser):
    with phone(browser):
        _open(browser, CHAPTER)
        _tap(browser, _visible(browser, ".secondary-toggle")[0])
        assert _until(lambda: browser.execute_script(MODAL_OPEN, "pst-secondary-sidebar-modal")), \
            "tapping the page-contents button did not open the contents"
        entries = _visible(browser, "#pst-secondary-sidebar-modal a")
        assert len(entries) > 3, f"the contents drawer shows {len(entries)} entries"
        _tap(browser, entries[-1])
        assert _until(lambda: not browser.execute_script(MODAL_OPEN, "pst-secondary-sidebar-modal")), \
            "the contents drawer stayed open after a tap on an entry"
        assert _until(lambda: browser.execute_script("return window.scrollY") > 0), \
            "the tap on the last entry of the contents did not scroll to its section"
        _save(browser, f"{CHAPTER.stem}-{PHONE}-after-contents-tap.png")


def test_laptop_menu_button_collapses_the_sidebar(browser):
    _open(browser, CHAPTER)
    assert browser.execute_script(SIDEBAR_SHOWN, ".bd-sidebar-primary"), f"the sidebar should show at {LAPTOP} px"
    menu = _visible(browser, ".primary-toggle")
    assert len(menu) == 1, f"expected one visible ☰ at {LAPTOP} px, found {len(menu)}"
    menu[0].click()
    assert _until(lambda: not browser.execute_script(SIDEBAR_SHOWN, ".bd-sidebar-primary")), \
        "☰ did not collapse the sidebar"
    menu[0].click()
    assert _until(lambda: browser.execute_script(SIDEBAR_SHOWN, ".bd-sidebar-primary")), \
        "☰ did not bring the sidebar back"


@pytest.mark.parametrize("page", PAGES + [Path("search.html")], ids=lambda p: p.name)
def test_no_page_is_wider_than_a_phone(browser, page):
    with phone(browser):
        _open(browser, page)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= PHONE, f"{page} is {width} px wide at {PHONE} px: the whole page scrolls sideways"


@pytest.mark.parametrize("page", [CHAPTER, Path("search.html")], ids=lambda p: p.name)
def test_one_search_box(browser, page):
    _open(browser, page)
    boxes = _visible(browser, ".search-button-field, form.bd-search")
    expected = 2 if page.name == "search.html" else 1      # the sidebar's, and the search page's own
    assert len(boxes) == expected, f"{len(boxes)} search boxes on {page} at {LAPTOP} px, expected {expected}"


def test_a_click_on_a_solutions_title_opens_it(browser):
    from selenium.webdriver.common.action_chains import ActionChains

    browser.get_log("browser")
    _open(browser, CHAPTER)
    url = browser.current_url
    solution = browser.find_element("css selector", "div.solution.dropdown")
    title = solution.find_element("css selector", ".admonition-title")
    hidden = lambda: "toggle-hidden" in solution.get_attribute("class")  # noqa: E731
    assert hidden(), "a solution should start closed"
    # the page's scripts are ready once sphinx-togglebutton has put its chevron into the title
    assert _until(lambda: title.find_elements("css selector", ".toggle-button")), \
        "the solution's title never got its toggle button (the page's scripts did not run)"
    rect = "const r = arguments[0].getBoundingClientRect(); return [r.left, r.top, r.width, r.height];"
    # on a loaded machine the page may still move (fonts, math, images) between where the click is
    # aimed and where it lands: aim once the title has stopped moving, and aim again (at most three
    # times) if a click landed elsewhere. A click that lands on the title and does nothing fails.
    for _ in range(3):
        browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", title)
        seen = [None]

        def still():
            now = browser.execute_script(rect, title)
            same, seen[0] = now == seen[0], now
            return same

        assert _until(still), "the solution's title never stopped moving"
        left = -title.size["width"] // 2 + 40            # on the title's words, not its empty middle
        ActionChains(browser).move_to_element_with_offset(title, left, 0).click().perform()
        if _until(lambda: not hidden(), seconds=2):
            break
        x, y = browser.execute_script(rect, title)[:2]
        landed = browser.execute_script("return arguments[0].contains(document.elementFromPoint(arguments[1], "
                                        "arguments[2]))", title, x + 40, y + browser.execute_script(rect, title)[3] / 2)
        assert not landed, "a click on the solution's title did not open it"
    assert not hidden(), "a click on the solution's title did not open it"
    assert browser.current_url == url, f"the title followed a link to {browser.current_url}"
    assert _until(lambda: solution.find_element("css selector", "section").is_displayed())
    ActionChains(browser).move_to_element(title.find_element("css selector", ".toggle-button")).click().perform()
    assert _until(hidden), "a click on the chevron did not close the solution"
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"console errors after clicking a solution's title: {errors}"


HASH_OR_FILE = re.compile(r"[0-9a-f]{16,}|\.(png|jpe?g|svg|gif)$", re.I)


@pytest.mark.parametrize("page", [p for p in PAGES if (ROOT / p).with_suffix(".ipynb").exists()], ids=lambda p: p.name)
def test_every_figure_has_alt_text_and_a_numbered_caption(browser, page):
    _open(browser, page)
    alts = browser.execute_script(
        "return Array.from(document.querySelectorAll('article.bd-article img')).map(i => i.getAttribute('alt') || '')")
    bad = [alt for alt in alts if not alt.strip() or HASH_OR_FILE.search(alt)]
    assert not bad, f"{len(bad)} of {len(alts)} images on {page} lack alt text: {bad[:3]}"
    # every image a cell outputs sits in a figure with a numbered caption ("Fig. N ...")
    uncaptioned = browser.execute_script(
        "return Array.from(document.querySelectorAll('article.bd-article .cell_output img')).filter(i => {"
        " const f = i.closest('figure'); const c = f && f.querySelector('figcaption');"
        " return !(c && c.querySelector('.caption-number')); }).length")
    assert uncaptioned == 0, f"{uncaptioned} figures on {page} have no numbered caption"


@pytest.mark.parametrize("page", [PAGES[0], next(p for p in PAGES if p.name == "first_look.html"),
                                  next(p for p in PAGES if p.name == "running.html"), CHAPTER],
                         ids=lambda p: p.name)
def test_screenshot(browser, page):
    _open(browser, page)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(LAPTOP, min(height, 12000))
    _save(browser, f"{page.stem}-{LAPTOP}.png")
    browser.set_window_size(LAPTOP, 1000)
    with phone(browser):
        _open(browser, page)
        _save(browser, f"{page.stem}-{PHONE}.png")


# --- figures: a tap opens them at full size; how large their text is on a phone -----------------

FIGURE_PAGE = next(p for p in PAGES if p.name.startswith("ch04"))   # the widest multi-panel figures
LIGHTBOX_OPEN = "const d = document.querySelector('dialog.wsl-lightbox'); return !!(d && d.open);"
LIGHTBOX_IMAGE = """
const img = document.querySelector('dialog.wsl-lightbox img');
return img && img.complete && img.naturalWidth > 0
    ? [img.getBoundingClientRect().width, img.naturalWidth, img.getAttribute('src')] : null;
"""


def test_a_tap_on_a_figure_opens_it_full_size(browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.get_log("browser")
    with phone(browser):
        _open(browser, FIGURE_PAGE)
        assert _until(lambda: browser.find_elements("css selector", "figure a.wsl-figure-link img")), \
            "figures are not links that open them (book.js did not run)"
        link = browser.find_element("css selector", "figure a.wsl-figure-link")
        inline = link.find_element("css selector", "img")
        shown, natural = browser.execute_script(
            "return [arguments[0].getBoundingClientRect().width, arguments[0].naturalWidth]", inline)
        assert shown < natural, f"the first figure is shown at {shown} px, not smaller than its {natural} px"
        browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", link)
        _tap(browser, inline)
        assert _until(lambda: browser.execute_script(LIGHTBOX_OPEN)), "a tap on a figure did not open it"
        assert _until(lambda: browser.execute_script(LIGHTBOX_IMAGE)), "the full-size figure did not load"
        width, large_natural, src = browser.execute_script(LIGHTBOX_IMAGE)
        assert src.split("/")[-1] == inline.get_attribute("src").split("/")[-1], "it opened another image"
        assert large_natural == natural and abs(width - natural) < 1, \
            f"the figure opened at {width} CSS px, not at its natural {natural} px"
        assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE, \
            "the open figure widened the page (it should scroll inside its own frame)"
        _save(browser, f"{FIGURE_PAGE.stem}-{PHONE}-figure-open.png")
        _tap(browser, browser.find_element("css selector", "dialog.wsl-lightbox img"))
        assert _until(lambda: not browser.execute_script(LIGHTBOX_OPEN)), "a tap on the open figure did not close it"

        # the keyboard: the figure is a link (Tab reaches it), Enter opens it, Escape closes it and
        # the focus goes back to the figure
        browser.execute_script("arguments[0].focus()", link)
        ActionChains(browser).send_keys(Keys.ENTER).perform()
        assert _until(lambda: browser.execute_script(LIGHTBOX_OPEN)), "Enter on a focused figure did not open it"
        ActionChains(browser).send_keys(Keys.ESCAPE).perform()
        assert _until(lambda: not browser.execute_script(LIGHTBOX_OPEN)), "Escape did not close the open figure"
        assert browser.execute_script("return document.activeElement === arguments[0]", link), \
            "after closing, the focus is not back on the figure"
        assert browser.execute_script("return getComputedStyle(document.documentElement).overflow") != "hidden", \
            "the page stayed locked after the figure was closed"
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, f"console errors while opening a figure: {errors}"


MATPLOTLIB_DEFAULT_PT = 10.0           # matplotlib's default font size (tick labels, legends, axis labels)
SIZE_ARGUMENT = re.compile(r"\b(?:fontsize|labelsize)\s*=\s*(\d+(?:\.\d+)?)")
SMALLEST_LEGIBLE = 9.0                 # CSS px
FIGURES = """
return Array.from(document.querySelectorAll('article.bd-article figure img')).map(img => {
  const figure = img.closest('figure');
  const number = figure.querySelector('.caption-number');
  return [figure.id, number ? number.textContent.trim() : '', img.getAttribute('src').split('/').pop(),
          img.getBoundingClientRect().width, img.naturalWidth];
});
"""
OPEN_EACH_FIGURE = """
const done = arguments[arguments.length - 1];
const links = Array.from(document.querySelectorAll('article.bd-article figure a.wsl-figure-link'));
const widths = [];
(async () => {
  for (const link of links) {
    link.click();
    const dialog = document.querySelector('dialog.wsl-lightbox');
    const large = dialog.querySelector('img');
    if (!large.complete || !large.naturalWidth) {
      await new Promise(resolve => { large.onload = large.onerror = resolve; });
    }
    widths.push(dialog.open ? large.getBoundingClientRect().width : 0);
    dialog.close();
    await new Promise(resolve => setTimeout(resolve, 0));       // the dialog's close event removes it
  }
})().then(() => done(widths), () => done(null));
"""


# figures that are not drawn by a notebook cell: the smallest size their script asks for
FIGURES_FROM_SCRIPTS = {"fig-ch01-budget-spread": 9.0}    # scripts/robustness_tables.py: legend fontsize=9


def _smallest_font_pt() -> dict[str, float]:
    """Each figure's name -> the smallest font size (pt) its cell asks for: the smallest ``fontsize=``
    or ``labelsize=`` in the cell's code, or matplotlib's default 10 pt when that is smaller. (Titles
    drawn by wsl.viz.show_images are 10 pt.) An approximation: the size of the font, not of its
    capitals, and a size set inside a library call other than show_images is not seen."""
    import nbformat

    sizes = dict(FIGURES_FROM_SCRIPTS)
    for notebook in sorted((ROOT / "book").glob("*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            name = ((cell.metadata.get("mystnb") or {}).get("figure") or {}).get("name")
            if cell.cell_type == "code" and name:
                sizes[name] = min([MATPLOTLIB_DEFAULT_PT] + [float(s) for s in SIZE_ARGUMENT.findall(cell.source)])
    return sizes


def _dpi(image: Path) -> float:
    """The resolution the figure was saved at, from its PNG (matplotlib writes it: 150 or 100 dpi)."""
    from PIL import Image

    with Image.open(image) as png:
        return float(png.info.get("dpi", (100.0, 100.0))[0])


def test_figure_text_size_at_phone_width(browser):
    """Measures, for every figure of the book, the smallest text as a phone shows it inline (390 px)
    and as the full-size view shows it: rendered width / natural width x the text's height in the
    image (font size in pt x dpi / 72). The table goes to test-artifacts/figure-text-390.md, smallest
    first, with a laptop's (1400 px) inline size beside it. Fails only when the full-size view's text
    is under 9 CSS px: figures drawn for a phone's width are for a later change."""
    points = _smallest_font_pt()
    rows, laptop = [], {}
    for page in [p for p in PAGES if (ROOT / p).with_suffix(".ipynb").exists()]:
        _open(browser, page)
        for name, _, _, width, natural in browser.execute_script(FIGURES):
            laptop[name] = width / natural
        with phone(browser):
            _open(browser, page)
            assert _until(lambda: browser.execute_script(
                "return document.querySelectorAll('article.bd-article figure img').length === "
                "document.querySelectorAll('article.bd-article figure a.wsl-figure-link img').length")), \
                f"on {page}, not every figure is a link that opens it"
            figures = browser.execute_script(FIGURES)
            enlarged = browser.execute_async_script(OPEN_EACH_FIGURE)
            assert enlarged is not None and len(enlarged) == len(figures), f"could not open the figures of {page}"
            for (name, number, src, width, natural), large in zip(figures, enlarged):
                assert name in points, f"figure {name} on {page} is not a figure cell of its notebook"
                text_px = points[name] * _dpi(BUILD / "_images" / src) / 72
                rows.append({"figure": number.rstrip(" ."), "name": name, "page": page.stem, "pt": points[name],
                             "dpi": round(_dpi(BUILD / "_images" / src)), "natural": natural,
                             "shown": round(width), "inline": text_px * width / natural,
                             "laptop": text_px * laptop.get(name, 0), "enlarged": text_px * large / natural})
    assert rows, "no figures found"
    rows.sort(key=lambda r: r["inline"])
    ARTIFACTS.mkdir(exist_ok=True)
    lines = ["# Smallest figure text, in CSS px", "",
             f"Measured by {Path(__file__).name}::test_figure_text_size_at_phone_width. Text height = font size "
             "(pt, from the cell's code or matplotlib's 10 pt default) x dpi / 72, scaled by the width the "
             f"image is shown at. Inline at {PHONE} px and {LAPTOP} px; enlarged: the full-size view a tap opens. "
             f"Legible: at least {SMALLEST_LEGIBLE:g} CSS px.", "",
             "| figure | name | pt | dpi | natural px | shown px (390) | inline 390 | inline 1400 | enlarged |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r['figure']} | {r['name']} | {r['pt']:g} | {r['dpi']} | {r['natural']} | {r['shown']} | "
              f"{r['inline']:.1f} | {r['laptop']:.1f} | {r['enlarged']:.1f} |" for r in rows]
    small = sum(r["inline"] < SMALLEST_LEGIBLE for r in rows)
    lines += ["", f"{small} of {len(rows)} figures have text under {SMALLEST_LEGIBLE:g} CSS px inline at {PHONE} px."]
    (ARTIFACTS / "figure-text-390.md").write_text("\n".join(lines) + "\n")
    illegible = [(r["figure"], round(r["enlarged"], 1)) for r in rows if r["enlarged"] < SMALLEST_LEGIBLE]
    assert not illegible, f"figures whose text is under {SMALLEST_LEGIBLE:g} CSS px even at full size: {illegible}"


WRAPPED_OUTPUT_LINES = """
// every line of an output that the page's width wraps: [its text, the indent of its continuation in px]
const found = [];
document.querySelectorAll('article.bd-article .cell_output pre').forEach(pre => {
  const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let start = 0;
    for (const line of node.data.split('\\n')) {
      if (line.trim()) {
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, start + line.length);
        const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
        const tops = [...new Set(rects.map(r => Math.round(r.top)))];
        if (tops.length > 1) {
          // where the continuation starts, from the left edge of the output's text
          const next = Math.min(...rects.filter(r => Math.round(r.top) === tops[1]).map(r => r.left));
          const edge = pre.getBoundingClientRect().left + parseFloat(getComputedStyle(pre).paddingLeft)
                       + parseFloat(getComputedStyle(pre).borderLeftWidth);
          found.push([line.slice(0, 60), next - edge]);
        }
      }
      start += line.length + 1;
    }
  }
});
return found;
"""


@pytest.mark.parametrize("page", [p for p in PAGES if p.name.startswith(("ch04", "ch09"))], ids=lambda p: p.name)
def test_wrapped_output_lines_hang_at_phone_width(browser, page):
    """An output line that wraps at 390 px continues indented (a hanging indent), so that the
    continuation is not read as a new line; a screenshot of the first wrapped output is saved."""
    with phone(browser):
        _open(browser, page)
        wrapped = browser.execute_script(WRAPPED_OUTPUT_LINES)
        assert wrapped, f"no output line of {page} wraps at {PHONE} px: nothing to check"
        flush = [text for text, indent in wrapped if indent < 8]
        assert not flush, f"{len(flush)} of {len(wrapped)} wrapped output lines on {page} continue without " \
                          f"an indent: {flush[:3]}"
        pre = browser.execute_script(
            "return Array.from(document.querySelectorAll('article.bd-article .cell_output pre'))"
            ".find(p => p.textContent.includes(arguments[0]))", wrapped[0][0])
        browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", pre)
        _save(browser, f"{page.stem}-{PHONE}-wrapped-output.png")


PRINT_STATE = """
const shown = el => !!el && getComputedStyle(el).display !== 'none' && getComputedStyle(el).visibility !== 'hidden'
    && el.getBoundingClientRect().height > 0;
const title = document.querySelector('article.bd-article h1');
const solution = document.querySelector('article.bd-article div.solution.dropdown section, '
    + 'article.bd-article div.solution.dropdown .admonition-title ~ *');
const navigation = ['.bd-header', '.bd-sidebar-primary', '.bd-sidebar-secondary', '.prev-next-footer',
                    '.bd-header-article'].filter(s => shown(document.querySelector(s)));
return {title: shown(title) ? title.innerText : null,
        bareTitle: shown(document.querySelector('#jb-print-docs-body h1')),
        solution: shown(solution),
        figureNumbers: Array.from(document.querySelectorAll('article.bd-article figcaption .caption-number'))
            .filter(shown).length,
        figures: document.querySelectorAll('article.bd-article figure').length,
        navigation: navigation};
"""


def test_the_printed_page_keeps_numbers_opens_solutions_and_hides_navigation(browser):
    """The ".pdf" button prints the page: the printout keeps the chapter's number in its title and the
    figures' numbers, shows solutions and hidden code open (hidden code closes again after printing),
    and leaves the navigation out. The PDF and a screenshot of the print layout go to test-artifacts/."""
    import base64

    _open(browser, CHAPTER)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        state = browser.execute_script(PRINT_STATE)
        assert state["title"] and re.match(r"\d+\.\s", state["title"]), \
            f"the printed title has no chapter number: {state['title']!r}"
        assert not state["bareTitle"], "the print header's title (without the number) is printed too"
        assert state["solution"], "solutions stay closed in print"
        assert state["figures"] and state["figureNumbers"] == state["figures"], \
            f"{state['figureNumbers']} of {state['figures']} figure numbers are printed"
        assert not state["navigation"], f"navigation is printed: {state['navigation']}"
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(LAPTOP, min(height, 6000))
        _save(browser, f"{CHAPTER.stem}-print.png")
    finally:
        browser.set_window_size(LAPTOP, 1000)
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    closed = "return document.querySelectorAll('article.bd-article details:not([open])').length"
    before = browser.execute_script(closed)
    assert before > 0, f"{CHAPTER} has no hidden code cell to check"
    browser.execute_script(
        "window.wslPrint = []; const closed = () => document.querySelectorAll("
        "'article.bd-article details:not([open])').length;"
        "addEventListener('beforeprint', () => wslPrint.push(closed()));"
        "addEventListener('afterprint', () => wslPrint.push(closed()));")
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{CHAPTER.stem}-print.pdf").write_bytes(base64.b64decode(pdf["data"]))
    during, after = browser.execute_script("return window.wslPrint")
    assert during == 0, f"{during} of {before} hidden code cells stayed closed in the printout"
    assert after == before, "hidden code cells did not close again after printing"


@contextlib.contextmanager
def _served(directory: Path):
    """The built book over http on 127.0.0.1 (the search page fetches pages for its summaries, which
    a file:// page may not): its address; nothing leaves the machine."""
    import functools
    import http.server
    import threading

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


RAW_TEX = re.compile(r"\\[a-zA-Z]+|\\[()\[\]]|\$\$")


@pytest.mark.parametrize("query", ["identity", "softmax", "transition matrix"])
def test_search_summaries_show_math_as_text(browser, query):
    """The search page quotes each result's text around the words found; math comes out as plain
    text ("S_c = 1/Z Σ_x,y M_c(x, y)"), not as TeX ("\\frac{1}{Z}\\sum_{x,y}")."""
    browser.get_log("browser")
    with _served(BUILD) as root:
        browser.get(f"{root}/search.html?q={query.replace(' ', '+')}")
        summaries = lambda: browser.execute_script(  # noqa: E731
            "return Array.from(document.querySelectorAll('#search-results p.context')).map(p => p.textContent)")
        assert _until(lambda: len(summaries()) > 0, seconds=20), f"the search for {query!r} shows no summaries"
        assert _until(lambda: browser.execute_script(
            "return !!document.querySelector('#search-results > p') || "
            "document.querySelectorAll('#search-results li').length === "
            "document.querySelectorAll('#search-results li p.context').length"), seconds=20)
        found = summaries()
    raw = [s for s in found if RAW_TEX.search(s)]
    assert not raw, f"{len(raw)} of {len(found)} summaries for {query!r} show raw TeX: {raw[0][:200]!r}"
    errors = [e["message"] for e in browser.get_log("browser")
              if e["level"] == "SEVERE" and "favicon.ico" not in e["message"]]   # the test's server has none
    assert not errors, f"console errors on the search page: {errors}"


def test_a_page_in_dark_mode_prints_in_the_light_theme(browser):
    """A reader whose system is in dark mode prints dark text on paper, not the dark theme's light grey
    (backgrounds are not printed); the page is back in dark mode afterwards."""
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"media": "", "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        _open(browser, CHAPTER)
        assert _until(lambda: browser.execute_script("return document.documentElement.dataset.theme") == "dark"), \
            "the page did not follow the system's dark mode"
        browser.execute_script(
            "window.wslInk = []; const ink = () => { const [r, g, b] = getComputedStyle("
            "document.querySelector('article.bd-article p')).color.match(/\\d+/g).map(Number);"
            " return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; };"
            "addEventListener('beforeprint', () => wslInk.push(ink()));")
        browser.execute_cdp_cmd("Page.printToPDF", {})
        (luminance,) = browser.execute_script("return window.wslInk")
        assert luminance < 0.4, f"the printed text is light (luminance {luminance:.2f}): unreadable on paper"
        assert browser.execute_script("return document.documentElement.dataset.theme") == "dark", \
            "the page did not go back to dark mode after printing"
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})
