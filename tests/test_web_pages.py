"""The HTML pages in process (httpx over ASGI): every page, its key content, the live
update contract with the JSON API, security headers, and a hostile article that must
come out as inert text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from storyline.store.sqlite import SQLiteStore
from storyline.web.render import static_url
from tests.api_support import AUTH, jsonl, loaded_client, make_app

SCRIPT = "<script>alert(1)</script>"

# Every way the record below tries to get markup or script into a page.
HOSTILE = {
    "title": f"{SCRIPT} Kalinov bridge repairs <img src=x onerror=alert(2)>",
    "maintext": (
        f"Engineers at the Kalinov bridge began repairs on Monday. {SCRIPT} "
        '<a href="javascript:alert(3)">read more</a> javascript:alert(4) '
        '"<b onmouseover=alert(5)>The pillars are safe</b>," said Mayor Petra Ilic. '
        "The repairs will cost 4.2 million euros."
    ),
    "date_publish": "2024-05-04",
    "source_domain": 'evil"><script>alert(6)</script>.example',
    "url": "javascript:alert(document.domain)",
    "language": "en",
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    """A client over the three test events plus the hostile article; its story id."""
    with loaded_client(tmp_path_factory.mktemp("web")) as client:
        response = client.post("/api/articles", content=jsonl([HOSTILE]), headers=AUTH)
        assert response.status_code == 200 and response.json()["added"] == 1, response.text
        yield client, response.json()["stories"][0]


@pytest.fixture(scope="module")
def client(db: tuple[TestClient, str]) -> TestClient:
    return db[0]


@pytest.fixture(scope="module")
def hostile_story(db: tuple[TestClient, str]) -> str:
    return db[1]


def page(client: TestClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    return response.text


def story_id(client: TestClient, word: str) -> str:
    items = client.get("/api/stories", params={"q": word}).json()["items"]
    assert len(items) >= 1
    return str(items[0]["id"])


def hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


def assert_inert(html: str) -> None:
    """No markup from article text: scripts only from /static, no script links."""
    assert SCRIPT not in html
    assert re.findall(r"<script[^>]*>", html) == [
        f'<script src="{static_url("live.js")}" defer>'.replace("&", "&amp;")
    ]
    assert not re.search(r"<(img|b|a)\s[^>]*\bon\w+=", html, re.IGNORECASE)  # no handlers
    assert not re.search(r"<(img|b)\b", html)
    for href in hrefs(html):
        assert href.startswith(("/", "#", "https://", "http://", "data:")), href
        assert "javascript" not in href.lower()


def live_attributes(html: str) -> tuple[str, str]:
    url = re.search(r'data-live-url="([^"]+)"', html)
    etag = re.search(r'data-live-etag="([^"]+)"', html)
    assert url and etag
    return url.group(1).replace("&amp;", "&"), etag.group(1).replace("&#34;", '"')


def test_web_home_lists_stories_with_sparklines(client: TestClient) -> None:
    html = page(client, "/")
    assert "<h1>Today's stories</h1>" in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and its target
    for word in ("Kalinov", "Aster-3", "Port Elling"):
        assert word in html
    # The hostile article joined the bridge story: three stories.
    assert html.count('<svg class="spark"') == html.count('<li class="story">') == 3
    assert "2 sources" in html and "en" in html and "2024-05-02" in html


def test_web_home_etag_is_the_api_list_etag(client: TestClient) -> None:
    url, etag = live_attributes(page(client, "/"))
    assert url.startswith("/api/stories?")
    api = client.get(url)
    assert api.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_web_story_page_shows_chart_sources_facts_quotes_names_articles(
    client: TestClient,
) -> None:
    html = page(client, f"/stories/{story_id(client, 'Aster')}")
    assert "<h1>" in html and "Aster-3" in html
    for heading in ("Timeline", "Sources", "What the sources report", "Quotes", "Names"):
        assert f">{heading}</h2>" in html
    assert html.count('<rect class="bar') >= 1
    assert "first reported" in html
    assert "launch0.example" in html and "launch1.example" in html
    assert 'href="/names/' in html
    assert 'href="https://launch0.example/launch" rel="noopener noreferrer nofollow"' in html
    assert 'lang="en"' in html


def test_web_story_page_reports_corroborated_and_single_source_facts(client: TestClient) -> None:
    html = page(client, f"/stories/{story_id(client, 'Elling')}")
    assert "corroborated by 2 sources" in html
    assert "Only in strike" in html  # a statement one of the two reports alone carries


def test_web_story_etag_is_the_api_story_etag(client: TestClient) -> None:
    sid = story_id(client, "Aster")
    url, etag = live_attributes(page(client, f"/stories/{sid}"))
    assert url == f"/api/stories/{sid}"
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    url, etag = live_attributes(page(client, f"/stories/{sid}?lang=en"))
    assert url == f"/api/stories/{sid}?language=en"
    assert client.get(url).headers["etag"] == etag


def test_web_story_unknown_is_an_html_404(client: TestClient) -> None:
    html = page(client, "/stories/no-such-story", 404)
    assert "Not found" in html and "no-such-story" in html


def test_web_merged_story_redirects_to_the_story_it_joined(client: TestClient) -> None:
    sid = story_id(client, "Aster")
    store = SQLiteStore(client.app.state.storyline.settings.db)  # type: ignore[attr-defined]
    try:
        store.db.execute("INSERT INTO story_merges VALUES ('s-merged-away', ?)", (sid,))
    finally:
        store.close()
    response = client.get("/stories/s-merged-away", follow_redirects=False)
    assert response.status_code == 308 and response.headers["location"] == f"/stories/{sid}"


def test_web_entity_page_lists_the_stories_of_a_name(client: TestClient) -> None:
    html = page(client, f"/stories/{story_id(client, 'Elling')}")
    link = next(h for h in hrefs(html) if h.startswith("/names/"))
    entity = page(client, link)
    assert "Stories that mention" in entity and "Port Elling" in entity
    assert "No stories mention" not in page(client, "/names/Marta%20Sokol")
    assert "Not found" in page(client, "/names/Nobody%20Atall", 404)


def test_web_source_pages(client: TestClient) -> None:
    index = page(client, "/sources")
    assert 'href="/sources/bridge0.example"' in index
    detail = page(client, "/sources/bridge0.example")
    assert "<h1>bridge0.example</h1>" in detail and "Kalinov" in detail
    assert "Not found" in page(client, "/sources/nowhere.example", 404)


def test_web_search_finds_stories_and_articles(client: TestClient) -> None:
    html = page(client, "/search?q=satellite")
    assert "Aster-3" in html and 'id="article-results"' in html
    assert "Kalinov" not in html.split('id="results"')[1]


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("q=Kalinov&source=bridge1.example", "bridge1.example", "bridge0.example/bridge"),
        ("since=2024-05-03", "Port Elling", "Aster-3"),
        ("until=2024-05-02", "Aster-3", "Port Elling"),
        ("lang=de", "No stories", "Aster-3"),
    ],
)
def test_web_search_filters(client: TestClient, query: str, present: str, absent: str) -> None:
    html = page(client, f"/search?{query}")
    assert present in html and absent not in html


def test_web_search_without_words_lists_every_story_with_pages(client: TestClient) -> None:
    html = page(client, "/search")
    assert "<h1>All stories</h1>" in html and html.count('<li class="story">') == 3


def test_web_search_bad_date_is_a_400_page_with_the_reason(client: TestClient) -> None:
    html = page(client, "/search?since=yesterday", 400)
    assert "is not a date" in html and 'role="alert"' in html
    assert "not a cursor" in page(client, "/search?cursor=xyz", 400)


def test_web_hostile_article_is_inert_on_every_page(client: TestClient, hostile_story: str) -> None:
    story = page(client, f"/stories/{hostile_story}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in story
    assert "javascript:alert(document.domain)" not in story
    assert_inert(story)
    for url in ("/", "/sources", "/search?q=Kalinov", "/search?q=engineers+repairs"):
        assert_inert(page(client, url))
    hostile_source = 'evil"><script>alert(6)</script>.example'
    assert_inert(page(client, "/sources/" + hostile_source.replace("/", "%2F")))


def test_web_reflected_input_is_escaped(client: TestClient) -> None:
    html = page(client, f"/search?q={SCRIPT}&source=%22%3E%3Cb%3E", 200)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert_inert(html)
    assert_inert(page(client, "/names/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404))
    assert_inert(page(client, "/stories/%3Cscript%3Ealert(1)%3C%2Fscript%3E", 404))


def test_web_unknown_address_is_a_page_but_unknown_api_address_is_json(client: TestClient) -> None:
    assert "No page at this address" in page(client, "/no/such/page", 404)
    response = client.get("/api/no-such-route")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_web_static_files_and_api_docs(client: TestClient) -> None:
    js = client.get(static_url("live.js"))
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    css = client.get(static_url("storyline.css"))
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    docs = client.get("/docs")  # Swagger UI runs inline script: no policy there
    assert docs.status_code == 200 and "content-security-policy" not in docs.headers


def test_web_pages_stay_out_of_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert all(p.startswith("/api/") for p in paths)


def test_web_pages_closed_when_reads_need_the_token(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, read_token_required=True)) as client:
        for url in ("/", "/search", "/sources", "/stories/x", "/names/x", "/sources/x"):
            assert "This archive is private" in page(client, url, 403)


def test_web_empty_database_pages(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path)) as client:
        assert "No stories yet" in page(client, "/")
        assert "No sources yet" in page(client, "/sources")
        assert "No stories." in page(client, "/search?q=anything")
