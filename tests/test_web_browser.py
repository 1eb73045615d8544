"""End-to-end: the pages in real headless Chromium (Debian's /usr/bin/chromium), driven
by Playwright, against uvicorn on loopback serving the demo corpus.

Skipped, with the reason, where Chromium or Playwright is not installed. No sleeps:
every wait is on an element or a condition, with a timeout.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from storyline import services
from storyline.api import create_app
from storyline.config import Settings
from storyline.pipeline import ingest
from storyline.sources.files import iter_documents
from storyline.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "test-output"
CHROMIUM = Path("/usr/bin/chromium")

# Flags that keep Chromium off the network it cannot reach here (updates, sync, QUIC);
# Playwright adds --headless and a fresh profile directory of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

WAIT_MS = 15_000
POLL_SECONDS = 0.5  # the live-update test waits a few polls, not thirty seconds

# Each payload would change the title, set a flag or open a dialog if it ever ran.
PWNED = "document.title='pwned';window.pwned=1"
HOSTILE = {
    "title": f'<script>{PWNED}</script> Lamp posts on Wharf Road <img src=x onerror="{PWNED}">',
    "maintext": (
        f"Workers replaced forty lamp posts on Wharf Road on Tuesday. <script>{PWNED}</script> "
        f'<svg onload="alert(7)"></svg> <iframe src="javascript:alert(8)"></iframe> '
        '<a href="javascript:alert(9)">details</a> javascript:alert(10) '
        f'"<b onmouseover="{PWNED}">The new lamps use half the power</b>," said engineer '
        "Ola Nilsen. The work cost 80,000 euros."
    ),
    "date_publish": "2024-03-29 08:00:00",
    "source_domain": "<i>evil</i>.example",
    "url": "javascript:alert(document.domain)",
    "language": "en",
}


def _playwright_or_skip() -> Any:
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's Chromium at {CHROMIUM}: "
            "apt-get install chromium chromium-driver"
        )
    if shutil.which("chromium") is None:
        pytest.skip("browser tests need chromium on PATH")
    return pytest.importorskip(
        "playwright.sync_api", reason="browser tests need playwright (pip install -e '.[test]')"
    )


@dataclass
class Site:
    base: str
    settings: Settings
    hostile_story: str


def _load(settings: Settings) -> str:
    store = SQLiteStore(settings.db)
    try:
        report = ingest(iter_documents([str(REPO / "demo" / "corpus")], settings), store, settings)
        assert report.failed == 0
        added = services.ingest_records(store, settings, json.dumps(HOSTILE))
        assert added["added"] == 1, added
        return str(added["stories"][0])
    finally:
        store.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """uvicorn on a free loopback port, in a thread, over the demo corpus."""
    _playwright_or_skip()
    import uvicorn

    settings = Settings(
        db=str(tmp_path_factory.mktemp("browser") / "demo.db"), page_poll_seconds=POLL_SECONDS
    )
    hostile_story = _load(settings)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings), log_level="warning", ws="none", http="h11", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(200):  # up to 10 s for the server to listen
        if server.started:
            started.set()
            break
        started.wait(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield Site(f"http://127.0.0.1:{port}", settings, hostile_story)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Browser]:
    sync_api = _playwright_or_skip()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Tab:
    page: Page
    dialogs: list[str]
    errors: list[str]


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    """A fresh browser context; every dialog and console error is recorded."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    tab = Tab(page, [], [])

    def on_dialog(dialog: Any) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: tab.errors.append(str(e)))
    yield tab
    context.close()


def test_web_browser_home_story_chart_entity_and_screenshot(site: Site, tab: Tab) -> None:
    page = tab.page
    page.goto(site.base + "/")
    page.wait_for_selector("ol.stories li.story")
    assert page.locator("h1").inner_text() == "Today's stories"
    assert page.locator("ol.stories li.story").count() >= 8
    assert page.locator("ol.stories svg.spark polyline").count() >= 8

    first = page.locator("ol.stories li.story h3 a").first
    headline = first.inner_text()
    first.click()
    page.wait_for_url("**/stories/*")
    assert page.locator("h1").inner_text() == headline

    bars = page.locator("#timeline-chart rect.bar")
    bars.first.wait_for(state="visible")
    assert bars.count() >= 2
    box = bars.first.bounding_box()
    assert box is not None and box["height"] > 0 and box["width"] > 0
    assert page.locator("ul.sources .badge.first").count() >= 1
    assert page.locator("ol.articles li").count() >= 4
    for rel in page.locator("ol.articles a[rel]").evaluate_all("as => as.map(a => a.rel)"):
        assert rel == "noopener noreferrer nofollow"

    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "story-page.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000

    story_url = page.url
    name = page.locator("ul.names a").first
    name_text = name.inner_text()
    name.click()
    page.wait_for_url("**/names/*")
    page.wait_for_selector("ol.stories li.story")
    assert name_text.split()[-1] in page.locator("h1").inner_text()
    assert page.locator(f'ol.stories a[href="{story_url.removeprefix(site.base)}"]').count() == 1
    assert tab.dialogs == [] and tab.errors == []


def test_web_browser_search_with_filters(site: Site, tab: Tab) -> None:
    page = tab.page
    page.goto(site.base + "/")
    page.fill("#site-q", "Hamburg")
    page.press("#site-q", "Enter")
    page.wait_for_selector("#results li.story")
    assert page.locator("h1").inner_text() == "Search: Hamburg"
    assert page.locator("#results li.story").count() >= 2
    assert page.locator("#article-results li").count() >= 2

    page.fill("#lang", "en")
    page.fill("#since", "2024-03-19")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**lang=en**")
    page.wait_for_selector("#results li.story")
    languages = page.locator("#article-results li .meta").all_inner_texts()
    assert languages and all(" en " in f" {m} " for m in languages)

    page.locator("#results li.story h3 a").first.click()
    page.wait_for_selector("#timeline-chart rect.bar")
    assert tab.dialogs == [] and tab.errors == []


def test_web_browser_hostile_article_runs_nothing(site: Site, tab: Tab) -> None:
    page = tab.page
    page.goto(f"{site.base}/stories/{site.hostile_story}")
    page.wait_for_selector("#timeline-chart rect.bar")
    heading = page.locator("h1").inner_text()
    assert heading.startswith("<script>") and "<img src=x" in heading  # shown as text
    assert page.title() == f"{heading} · Storyline"
    state = page.evaluate(
        """() => ({
            pwned: window.pwned === 1,
            title: document.title,
            injected: document.querySelectorAll(
                "main img, main iframe, main svg:not(#timeline-chart), main b, main i").length,
            handlers: document.querySelectorAll(
                "[onerror], [onload], [onmouseover], [onclick]").length,
            scriptLinks: [...document.querySelectorAll("a[href]")]
                .filter(a => !/^https?:$/.test(a.protocol)).length,
            scripts: [...document.scripts].map(s => s.getAttribute("src")),
        })"""
    )
    assert state == {
        "pwned": False,
        "title": f"{heading} · Storyline",
        "injected": 0,
        "handlers": 0,
        "scriptLinks": 0,
        "scripts": [state["scripts"][0]],
    }
    assert state["scripts"][0].startswith("/static/live.js")
    # The article is listed without a link: its URL is javascript:.
    assert page.locator("ol.articles li .title").count() == 1
    page.hover("main h1")
    page.hover("ol.articles li .title")
    assert tab.dialogs == []
    assert page.evaluate("window.pwned") is None and page.title() == f"{heading} · Storyline"


def test_web_browser_policy_blocks_inline_script(site: Site, tab: Tab) -> None:
    """Second layer: were markup ever injected, the Content-Security-Policy stops it."""
    page = tab.page
    page.goto(site.base + "/")
    page.wait_for_selector("ol.stories")
    ran = page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.inlineRan = true";
            document.body.appendChild(s);
            return window.inlineRan === true;
        }"""
    )
    assert ran is False
    assert any("Content Security Policy" in e for e in tab.errors)


def test_web_browser_keyboard_skip_link_and_focus(site: Site, tab: Tab) -> None:
    page = tab.page
    page.goto(site.base + "/")
    page.wait_for_selector("ol.stories")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('ol.stories') !== null")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    page.wait_for_url("**/stories/*")


def test_web_browser_phone_screen_has_no_sideways_scroll(site: Site, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        for path in ("/", f"/stories/{site.hostile_story}", "/search?q=Hamburg", "/sources"):
            page.goto(site.base + path)
            page.wait_for_selector("main h1")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (path, width)
    finally:
        context.close()


def test_web_browser_story_page_announces_new_articles(site: Site, tab: Tab) -> None:
    """Runs last: it adds an article to a story of the shared database."""
    page = tab.page
    page.goto(site.base + "/")
    link = page.locator("ol.stories li.story h3 a").first
    href = link.get_attribute("href")
    assert href
    story_id = href.rsplit("/", 1)[1]
    page.goto(site.base + href)
    page.wait_for_selector("#timeline-chart rect.bar")
    before = page.locator("ol.articles li").count()
    assert page.locator("#live-notice").is_hidden()

    store = SQLiteStore(site.settings.db)
    try:
        original = next(a for a in store.story_articles(story_id) if a.duplicate_of is None)
        copy = {
            "title": original.article.title,
            "maintext": original.article.text + " (Copied by the copy desk.)",
            "date_publish": original.article.published.isoformat()
            if original.article.published
            else None,
            "source_domain": "copydesk.example.net",
            "url": "https://copydesk.example.net/copy",
            "language": original.article.language,
        }
        report = services.ingest_records(store, site.settings, json.dumps(copy))
    finally:
        store.close()
    # A near-copy of the original: stored, linked as its duplicate, in the same story.
    assert report["duplicates"] == 1 and report["stories"] == [story_id], report

    notice = page.locator("#live-notice")
    notice.wait_for(state="visible")
    assert "new articles" in notice.inner_text()
    page.click("#live-notice .notice-reload")
    page.wait_for_function(f"document.querySelectorAll('ol.articles li').length === {before + 1}")
    assert tab.dialogs == [] and tab.errors == []


def test_web_browser_home_swaps_in_a_new_story(site: Site, tab: Tab) -> None:
    """Runs last: it adds a story to the shared database."""
    page = tab.page
    page.goto(site.base + "/")
    page.wait_for_selector("ol.stories li.story")
    headline = "Night ferry between Kiel and Oslo halted by engine fire"
    record = {
        "title": headline,
        "maintext": (
            "The night ferry between Kiel and Oslo was halted on Saturday after a small fire "
            "broke out in its engine room, the shipping line Nordfjell said. All 412 "
            "passengers were brought back to Kiel. Captain Ingrid Vold said nobody was hurt."
        ),
        "date_publish": "2024-03-30 06:00:00",
        "source_domain": "kieler-bote.example.org",
        "url": "https://kieler-bote.example.org/ferry",
        "language": "en",
    }
    store = SQLiteStore(site.settings.db)
    try:
        assert services.ingest_records(store, site.settings, json.dumps(record))["added"] == 1
    finally:
        store.close()
    page.locator("ol.stories h3 a", has_text=headline).wait_for()
    assert page.locator("#live-notice").inner_text().strip() == "Stories updated."
    assert page.locator("#live-notice .notice-reload").is_hidden()
    assert tab.dialogs == [] and tab.errors == []
