"""WARC and WARC.gz input: article pages in, everything else skipped with a reason."""

from __future__ import annotations

import gzip
import io
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.config import Settings
from storyline.errors import InputError, TooLarge
from storyline.model import DatePrecision, DocKind, RawDocument
from storyline.pipeline import ingest
from storyline.sources.files import iter_documents
from storyline.sources.warc import SkippedRecord, iter_warc
from storyline.store.sqlite import SQLiteStore

CRAWLED = "2024-05-03T06:21:09Z"


def article_page(title: str, paragraphs: list[str], head: str = "") -> bytes:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | Varna Courier</title>
<meta property="og:site_name" content="Varna Courier">{head}
<link rel="stylesheet" href="/static/site.css"></head>
<body><header><a href="/">Varna Courier</a>
<nav><ul><li><a href="/local/">Local</a></li><li><a href="/business/">Business</a></li>
<li><a href="/sport/">Sport</a></li></ul></nav></header>
<main><article><h1>{title}</h1>
<div class="byline">By Petra Novak</div>
{body}
</article>
<aside><h3>Most read</h3><ul><li><a href="/local/x">Ferry timetable changes</a></li></ul></aside>
</main>
<footer><p>© 2024 Varna Courier. All rights reserved.</p></footer></body></html>""".encode()


PAGES = {
    "https://www.varna-courier.example/local/2024/05/02/kalinov-bridge-closed": article_page(
        "Kalinov bridge closes after cracks found",
        [
            "Engineers closed the Kalinov bridge over the Varna river on Thursday after "
            "inspectors found cracks in two support pillars.",
            "Mayor Petra Ilic said the crossing would stay shut for at least six weeks while "
            "repairs costing 4.2 million euros are planned.",
            "Around 18,000 vehicles use the bridge every day; the city has set up detours.",
        ],
        '\n<meta property="article:published_time" content="2024-05-02T14:05:00+02:00">',
    ),
    "https://www.varna-courier.example/business/port-elling-strike-4471": article_page(
        "Dock workers at Port Elling walk out over pay",
        [
            "Dock workers at Port Elling began a 48-hour strike on Friday, demanding a pay "
            "rise of nine percent.",
            "Union leader Marta Sokol said ships were already queuing outside the harbour.",
            "The port operator offered five percent and called the walkout premature.",
        ],
        '\n<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "NewsArticle", "datePublished": "2024-05-03T05:30:00Z"}</script>',
    ),
    # No date anywhere in the page: the crawl date stands in for it.
    "https://www.varna-courier.example/science/aster-3-reaches-orbit": article_page(
        "Weather satellite Aster-3 reaches orbit",
        [
            "The weather satellite Aster-3 was launched from the Solmar spaceport and "
            "reached its planned orbit 40 minutes later, the national space agency said.",
            "Director Jonas Brekke called the launch flawless.",
            "The satellite will measure cloud cover and sea temperatures for twelve years.",
        ],
    ),
}
NOT_ARTICLES = {
    "https://www.varna-courier.example/local/old-story-1234": (
        "404 Not Found",
        "text/html",
        b"<html><body><h1>Not found</h1>" + b" " * 600 + b"</body></html>",
        "HTTP status 404",
    ),
    "https://www.varna-courier.example/img/bridge-2024.jpg": (
        "200 OK",
        "image/jpeg",
        b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8,
        "content type image/jpeg",
    ),
    "https://www.varna-courier.example/robots.txt": (
        "200 OK",
        "text/plain",
        b"User-agent: *\nDisallow: /search\n",
        "robots.txt",
    ),
    "https://www.varna-courier.example/": (
        "200 OK",
        "text/html; charset=utf-8",
        article_page("Varna Courier: news from the Varna valley", ["Top stories today."] * 3),
        "home page",
    ),
}


def response(writer: WARCWriter, url: str, status: str, ctype: str, body: bytes) -> None:
    http = StatusAndHeaders(
        status, [("Content-Type", ctype), ("Content-Length", str(len(body)))], protocol="HTTP/1.1"
    )
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),  # with a length warcio streams the payload, without it buffers
        http_headers=http,
        warc_headers_dict={"WARC-Date": CRAWLED},
    )
    writer.write_record(record)


def write_warc(path: Path, gzipped: bool = True) -> Path:
    """A CC-NEWS-like file: warcinfo, then request/response pairs and non-article pages."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzipped)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for url, body in PAGES.items():
            request = StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "example")], is_http_request=True
            )
            writer.write_record(
                writer.create_warc_record(url, "request", length=0, http_headers=request)
            )
            response(writer, url, "200 OK", "text/html; charset=utf-8", body)
        for url, (status, ctype, body, _) in NOT_ARTICLES.items():
            response(writer, url, status, ctype, body)
    return path


def test_warc_ingested_end_to_end(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "CC-NEWS-20240503.warc.gz")
    settings = Settings(db=str(tmp_path / "warc.db"))
    store = SQLiteStore(settings.db)
    try:
        report = ingest(iter_documents([str(path)], settings), store, settings)
        stored = {s.article.url: s.article for s in store.articles()}
    finally:
        store.close()
    assert report.added == 3
    assert set(stored) == set(PAGES)
    bridge = stored["https://www.varna-courier.example/local/2024/05/02/kalinov-bridge-closed"]
    assert bridge.published == datetime(2024, 5, 2, 12, 5, tzinfo=UTC)
    assert bridge.date_precision is DatePrecision.MINUTE
    assert "six weeks" in bridge.text and "Most read" not in bridge.text
    assert bridge.source == "Varna Courier"
    satellite = stored["https://www.varna-courier.example/science/aster-3-reaches-orbit"]
    assert satellite.published == datetime(2024, 5, 3, tzinfo=UTC)  # the crawl day
    assert satellite.date_precision is DatePrecision.DAY
    reasons = {f.origin.split(" ", 1)[1]: f.reason for f in report.skipped}
    assert set(reasons) == set(NOT_ARTICLES)
    assert report.failed == 0  # pages that are not articles are skipped, not failed
    for url, (*_, reason) in NOT_ARTICLES.items():
        assert reason in reasons[url]
    assert all(f.origin.startswith(f"{path}#record-") for f in report.failures)


def test_warc_plain_and_single_gzip_stream_read_alike(tmp_path: Path) -> None:
    plain = write_warc(tmp_path / "a.warc", gzipped=False)
    # One gzip stream over all records (not one member per record) is read as well.
    whole = tmp_path / "b.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    members = write_warc(tmp_path / "c.warc.gz")
    results = [list(iter_warc(str(p), 10_000_000)) for p in (plain, whole, members)]
    urls = [[d.fields["url"] for d in items if isinstance(d, RawDocument)] for items in results]
    assert urls[0] == urls[1] == urls[2] == list(PAGES)
    docs = [d for d in results[0] if isinstance(d, RawDocument)]
    assert all(d.kind is DocKind.HTML and d.fields["crawled"] == CRAWLED for d in docs)
    assert all(d.origin.startswith(f"{plain}#record-") for d in docs)
    skipped = [d for d in results[0] if isinstance(d, InputError)]
    assert len(skipped) == len(NOT_ARTICLES)
    assert all(isinstance(s, SkippedRecord) for s in skipped)


def test_warc_folder_walk_reads_archives(tmp_path: Path) -> None:
    (tmp_path / "crawl").mkdir()
    write_warc(tmp_path / "crawl" / "x.warc.gz")
    items = list(iter_documents([str(tmp_path / "crawl")], Settings()))
    assert sum(isinstance(i, RawDocument) for i in items) == len(PAGES)


def _member(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9)


def _bomb_record(declared: int, actual: int) -> bytes:
    """A gzip member holding a response header and ``actual`` zero bytes, deflated."""
    header = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        "WARC-Target-URI: https://bomb.example/article-1\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [deflate.compress(header)]
    zeros = bytes(1 << 20)
    for _ in range(actual >> 20):
        parts.append(deflate.compress(zeros))
    parts.append(deflate.flush())
    return b"".join(parts)


@pytest.mark.parametrize(("declared", "actual"), [(200_000_000, 200_000_000), (600, 200_000_000)])
def test_warc_gzip_bomb_refused_and_next_record_read(
    tmp_path: Path, declared: int, actual: int
) -> None:
    good = write_warc(tmp_path / "good.warc.gz").read_bytes()
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(_bomb_record(declared, actual) + good)
    items = list(iter_warc(str(path), 1_000_000))
    assert [d.fields["url"] for d in items if isinstance(d, RawDocument)] == list(PAGES)
    first = items[0]
    assert isinstance(first, InputError) and "#record-1" in first.origin
    if declared > 1_000_000:
        assert isinstance(first, TooLarge) and "https://bomb.example/article-1" in first.origin


@pytest.mark.parametrize("gzipped", [False, True])
def test_warc_page_over_limit_and_cut_file(tmp_path: Path, gzipped: bool) -> None:
    path = write_warc(tmp_path / "x.warc", gzipped=gzipped)
    items = list(iter_warc(str(path), 1_000))  # each article record is over 1,000 bytes
    assert not any(isinstance(i, RawDocument) for i in items)
    too_large = {i.origin.split(" ", 1)[1] for i in items if isinstance(i, TooLarge)}
    assert set(PAGES) <= too_large
    cut = tmp_path / "cut.warc"
    cut.write_bytes(path.read_bytes()[:3000])
    items = list(iter_warc(str(cut), 10_000_000))
    assert isinstance(items[-1], InputError) and "cut short" in items[-1].reason


def test_warc_garbage_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.warc.gz"
    path.write_bytes(_member(b"not a warc file\n" * 100))
    items = list(iter_warc(str(path), 10_000_000))
    assert len(items) == 1 and "not a WARC record" in items[0].reason  # type: ignore[union-attr]


def test_warc_charset_label_and_utf8(tmp_path: Path) -> None:
    path = tmp_path / "enc.warc.gz"
    text = "Bürgermeisterin Ilić eröffnet die Brücke über die Warna wieder für den Verkehr."
    page = article_page("Brücke wieder offen", [text] * 3)
    with path.open("wb") as out:
        writer = WARCWriter(out)
        # a UTF-8 page sent with the server's default Latin-1 label stays UTF-8
        response(
            writer,
            "https://a.example/news/bruecke-1",
            "200 OK",
            "text/html; charset=ISO-8859-1",
            page,
        )
        latin = page.decode().replace("Ilić", "Ilic").encode("cp1252")
        response(
            writer,
            "https://a.example/news/bruecke-2",
            "200 OK",
            "text/html; charset=iso-8859-1",
            latin,
        )
    docs = [d for d in iter_warc(str(path), 10_000_000) if isinstance(d, RawDocument)]
    assert len(docs) == 2
    assert "Bürgermeisterin Ilić" in docs[0].content
    assert "Bürgermeisterin Ilic" in docs[1].content
