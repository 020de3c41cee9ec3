"""Open every page of the built book in headless Chromium, as a reader would, offline.

Checks, on every page: no console error, every image loaded with a non-zero natural size,
no resource fetched from the network, math typeset by the local MathJax (no raw ``$$``
left), every chapter listed in the sidebar; on notebook pages, Colab and Binder buttons
built from the repository URL in ``_config.yml`` and a download link for the ``.ipynb``.
Screenshots of two pages are saved under ``test-artifacts/``.

Needs Debian's ``chromium`` and ``chromium-driver``: found on the PATH, or installed with
apt-get when running as root; otherwise the test fails and says how to install them.
"""

import os
import shutil
import subprocess
import tempfile

import pytest

from book_files import ROOT, load_config, toc_files

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


@pytest.mark.parametrize("page", [PAGES[0], next(p for p in PAGES if p.name == "first_look.html")],
                         ids=lambda p: p.name)
def test_screenshot(browser, page):
    _open(browser, page)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(height, 12000))
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"{page.stem}.png"
    assert browser.save_screenshot(str(target)) and target.stat().st_size > 10_000
    browser.set_window_size(1400, 1000)
