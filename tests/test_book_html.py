"""The built book, as a reader sees it: every page in headless Chromium.

``make test`` builds the book (``_build/html``) before running pytest; these tests open each page
listed in ``_toc.yml`` through a file:// URL and check that it renders: a title, no Python
traceback or warning in any cell output, every image loaded, every formula typeset by MathJax
(served from the book itself, see book/_ext/offline_mathjax.py), and a non-empty table in the
reproduction report. With ``LQG_SCREENSHOTS=1``, a full-page screenshot of each notebook page goes
to ``_build/screenshots/<notebook>.png`` for humans to look at.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them); without them, or
without a built book, the tests are skipped with the reason. ``LQG_CHROMIUM`` and
``LQG_CHROMEDRIVER`` override the two paths (``LQG_CHROMIUM=/nonexistent`` shows the skip).
Selenium is given both paths, so Selenium Manager never tries to download a browser or driver.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
HTML = REPO / "_build" / "html"
SCREENSHOTS = REPO / "_build" / "screenshots"
CHROMIUM = os.environ.get("LQG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LQG_CHROMEDRIVER", "/usr/bin/chromedriver")
NO_CHROMIUM = "Chromium not installed: apt-get install chromium chromium-driver"
REPORT_PAGE = "book/reproduction"
FIGURES_PAGE = "book/figures"

# what works as root on a machine with no network but the package registries
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,1000", "--hide-scrollbars"]
TIMEOUT = 60  # seconds, for a page load and for the wait for images, MathJax and fonts


def toc_pages(toc_file: Path = REPO / "_toc.yml") -> list[str]:
    """The pages of ``_toc.yml`` (root first), as paths without suffix relative to the repo."""
    toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    pages: list[str] = []

    def add(name) -> None:
        name = re.sub(r"\.(md|ipynb|rst)$", "", str(name))
        if name not in pages:
            pages.append(name)

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "file" in node:
                add(node["file"])
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key))

    add(toc["root"])
    walk(toc)
    return pages


PAGES = toc_pages()
NOTEBOOK_PAGES = [page for page in PAGES if page.startswith("notebooks/")]

# Wait for every image (lazy ones made eager), MathJax's first typesetting and the web fonts.
WAIT_JS = """
const done = arguments[arguments.length - 1];
const images = Array.from(document.images);
images.forEach(img => { if (img.loading === "lazy") img.loading = "eager"; });
const loaded = images.map(img => img.complete ? Promise.resolve() : new Promise(resolve => {
    img.addEventListener("load", resolve, {once: true});
    img.addEventListener("error", resolve, {once: true});
}));
const mj = window.MathJax;
const typeset = (mj && mj.startup && mj.startup.promise) ? mj.startup.promise.catch(() => null)
                                                         : Promise.resolve();
Promise.all(loaded).then(() => typeset).then(() => document.fonts.ready)
    .then(() => done(true), () => done(false));
"""

# Everything the tests look at, in one round trip per page.
COLLECT_JS = """
const texts = sel => Array.from(document.querySelectorAll(sel)).map(e => e.innerText.slice(0, 400));
const heading = h => { const c = h.cloneNode(true);
                       c.querySelectorAll(".headerlink").forEach(a => a.remove());
                       return c.textContent.trim(); };
const math = Array.from(document.querySelectorAll("span.math.notranslate, div.math.notranslate"));
return {
    h1: Array.from(document.querySelectorAll("h1")).map(heading),
    body_text: document.body.innerText,
    // myst-nb: an error output is a code block with classes "output traceback" and lexer ipythontb
    tracebacks: texts(".cell_output .output.traceback, .cell_output [class*='highlight-ipythontb']"),
    // and a stderr stream (warnings land there) is "output stderr"
    stderr: texts(".cell_output .output.stderr"),
    outputs_text: Array.from(document.querySelectorAll(".cell_output")).map(e => e.innerText).join("\\n"),
    images: Array.from(document.images).map(img => ({
        src: img.getAttribute("src"), complete: img.complete,
        naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight})),
    table_rows: Array.from(document.querySelectorAll("main table")).map(
        t => t.querySelectorAll("tbody tr").length),
    math_total: math.length,
    // formulas MathJax typeset inside table cells (the report's claims)
    math_in_cells: document.querySelectorAll("main td mjx-container").length,
    links: Array.from(document.querySelectorAll("main a[href]")).map(a => a.getAttribute("href")),
    table_texts: Array.from(document.querySelectorAll("main table")).map(t => t.innerText),
    math_raw: math.filter(e => !e.querySelector("mjx-container")).map(e => e.textContent.slice(0, 80)),
    // code blocks and outputs wider than their column (a horizontal scroll bar), longest line
    code_overflow: Array.from(document.querySelectorAll("article pre"))
        .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.textContent.split("\\n").reduce((a, b) => b.length > a.length ? b : a, "")),
    // tables wider than the text column
    table_overflow: Array.from(document.querySelectorAll("main table"))
        .filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
        .map(t => t.innerText.slice(0, 80)),
    mathjax: (window.MathJax && window.MathJax.version) || null,
};
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One headless Chromium for the whole module (a fresh, empty profile)."""
    if not (HTML / "index.html").is_file():
        pytest.skip(f"the built book is missing ({HTML / 'index.html'}): run `make book` first")
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            pytest.skip(f"{NO_CHROMIUM} ({exe} not found)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(TIMEOUT)
        driver.set_script_timeout(TIMEOUT)
        yield driver
    finally:
        driver.quit()


def _screenshot(driver, path: Path) -> None:
    """Full-page PNG (DevTools capture beyond the viewport; the viewport alone if that fails)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 30000), "scale": 1}
        shot = driver.execute_cdp_cmd("Page.captureScreenshot",
                                      {"format": "png", "captureBeyondViewport": True, "clip": clip})
        path.write_bytes(base64.b64decode(shot["data"]))
    except Exception:  # noqa: BLE001 - a screenshot is for humans; never fail the check for it
        driver.save_screenshot(str(path))


@pytest.fixture(scope="module")
def rendered(browser):
    """``rendered(page)``: what the page shows, loading each page once for all the tests."""
    cache: dict[str, dict] = {}

    def load(page: str) -> dict:
        if page not in cache:
            path = HTML / f"{page}.html"
            assert path.is_file(), f"{page} is in _toc.yml but was not built: {path} is missing"
            browser.get(path.as_uri())
            browser.execute_async_script(WAIT_JS)
            cache[page] = browser.execute_script(COLLECT_JS)
            if page.startswith("notebooks/") and os.environ.get("LQG_SCREENSHOTS"):
                name = page.removeprefix("notebooks/").replace("/", "__")
                _screenshot(browser, SCREENSHOTS / f"{name}.png")
        return cache[page]

    return load


def test_toc_lists_pages():
    assert PAGES and PAGES[0] == re.sub(r"\.(md|ipynb)$", "", yaml.safe_load(
        (REPO / "_toc.yml").read_text(encoding="utf-8"))["root"])


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_title(rendered, page):
    info = rendered(page)
    assert any(info["h1"]), f"{page}: no <h1> with text (h1 elements: {info['h1']!r})"


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_no_traceback(rendered, page):
    info = rendered(page)
    assert not info["tracebacks"], f"{page} shows an error output:\n" + "\n---\n".join(info["tracebacks"])
    assert "Traceback (most recent call last)" not in info["body_text"], f"{page} shows a Python traceback"


@pytest.mark.parametrize("page", PAGES)
def test_page_shows_no_warning(rendered, page):
    info = rendered(page)
    assert not info["stderr"], f"{page} shows stderr output:\n" + "\n---\n".join(info["stderr"])
    # a warning printed some other way: "...Warning" in a cell output, or the warnings module's
    # "file.py:12: RuntimeWarning: ..." anywhere on the page
    shown = re.findall(r"\b\w*Warning\b.*", info["outputs_text"])
    shown += re.findall(r":\d+: \w*Warning: .*", info["body_text"])
    assert not shown, f"{page} shows warnings:\n" + "\n".join(shown)


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebook_page_has_figure(rendered, page):
    assert rendered(page)["images"], f"{page}: no <img> (the notebook's figures are missing)"


@pytest.mark.parametrize("page", PAGES)
def test_images_load(rendered, page):
    broken = [img["src"] for img in rendered(page)["images"]
              if not (img["complete"] and img["naturalWidth"] > 0)]
    assert not broken, f"{page}: images that did not load: {broken}"


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(rendered, page):
    info = rendered(page)
    assert not info["math_raw"], (
        f"{page}: {len(info['math_raw'])} of {info['math_total']} formulas left as raw TeX "
        f"(MathJax {'version ' + info['mathjax'] if info['mathjax'] else 'did not load'}; it must come "
        f"from _static/mathjax, not a CDN): {info['math_raw'][:5]}")


@pytest.mark.parametrize("page", PAGES)
def test_code_fits_the_column(rendered, page):
    """Every visible code line, in a notebook cell or a page's code block, fits the book's code
    column at the test window's 1280 pixels (lines keep to 88 characters, book/_static/lqg.css
    sizes the code font), and so does every printed output (long lines wrap; tables are printed at
    most 95 characters wide)."""
    wide = rendered(page)["code_overflow"]
    assert not wide, f"{page}: code or outputs wider than the column, longest lines: {wide}"


@pytest.mark.parametrize("page", PAGES)
def test_tables_fit_the_column(rendered, page):
    wide = rendered(page)["table_overflow"]
    assert not wide, f"{page}: tables wider than the text column: {wide}"


def test_reproduction_report_has_table(rendered):
    assert REPORT_PAGE in PAGES, f"{REPORT_PAGE} is no longer in _toc.yml"
    rows = rendered(REPORT_PAGE)["table_rows"]
    assert rows and max(rows) >= 1, (
        f"{REPORT_PAGE}: no table with a row (tables and their body rows: {rows}); "
        "a Markdown table shown as raw '| ... |' text means the output was not parsed as a table")


def test_report_opens_with_a_summary_per_section(rendered):
    tables = rendered(REPORT_PAGE)["table_texts"]
    assert tables, f"{REPORT_PAGE}: no tables"
    summary = tables[0]
    for section in ("§2", "§3", "§4", "§5.1", "§5.2"):
        assert section in summary, f"the report's first table (the summary) lacks {section}:\n{summary}"
    assert all(icon in summary for icon in "✔◐✘"), "the summary counts verdicts with their icons"
    assert "reproduced" in rendered(REPORT_PAGE)["body_text"]         # the words, not only icons


def test_report_renders_math_inside_table_cells(rendered):
    info = rendered(REPORT_PAGE)
    assert info["math_in_cells"] > 0, "no MathJax output inside the report's table cells"


def test_report_links_to_the_notebook_sections_that_measure_each_claim(rendered):
    links = [h for h in rendered(REPORT_PAGE)["links"] if "notebooks/" in h and "#" in h]
    assert len(links) >= 30, f"the report should link every claim to its notebook section: {links}"
    base = (HTML / f"{REPORT_PAGE}.html").parent
    for href in set(links):
        target, anchor = href.split("#", 1)
        page = (base / target).resolve()
        assert page.is_file(), f"the report links to {href}, but {page} does not exist"
        assert f'id="{anchor}"' in page.read_text(encoding="utf-8"), \
            f"the report links to {href}, but that page has no element with id {anchor!r}"


def test_figures_page_shows_the_papers_figures(rendered):
    info = rendered(FIGURES_PAGE)
    loaded = [img for img in info["images"] if img["complete"] and img["naturalWidth"] > 0]
    assert len(loaded) >= 8, f"{FIGURES_PAGE}: {len(loaded)} figures shown, expected Figures 1-8 and more"
    for n in range(1, 9):
        assert f"Figure {n}" in info["body_text"], f"{FIGURES_PAGE} lacks Figure {n}"
    assert any("notebooks/" in h for h in info["links"]), "each figure links to its notebook"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebook_can_be_downloaded(rendered, page):
    """The download button offers the .ipynb, and the file is in the built book."""
    name = page.removeprefix("notebooks/")
    links = [h for h in rendered(page)["links"] if h.endswith(f"{name}.ipynb")]
    html = (HTML / f"{page}.html").read_text(encoding="utf-8")
    found = re.findall(r'href="([^"]*_sources/notebooks/[^"]*\.ipynb)"', html) or links
    assert found, f"{page}: no download link for {name}.ipynb"
    target = ((HTML / page).parent / found[0]).resolve()
    assert target.is_file(), f"{page}: the download link points at {target}, which is missing"
