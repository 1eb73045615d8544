"""The HTML pages. Each calls the same ``storyline.services`` functions as the JSON
routes, and opens its store in the worker thread that uses it (SQLite connections
cannot cross threads)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from storyline import services
from storyline.api.context import AppContext, context
from storyline.api.responses import etag_of, json_bytes
from storyline.errors import InputError, NotFound
from storyline.web import charts, views
from storyline.web.render import SPARK_DAYS, render
from storyline.web.security import path_segment, safe_url

router = APIRouter(include_in_schema=False)

# Newest stories the home page ranks by size and freshness, and how many it shows:
# a day's news fits in the first hundred, and twenty is a page a reader scans.
HOME_CANDIDATES = 100
HOME_STORIES = 20

# Stories and articles per search page.
SEARCH_STORIES = 30
SEARCH_ARTICLES = 50

# Longest query text and filter values taken from a URL (the API's own limits).
MAX_QUERY = 500
MAX_FILTER = 200


def _private(ctx: AppContext) -> Response | None:
    """A 403 page when reads need the token: a browser cannot send it."""
    if not ctx.settings.read_token_required:
        return None
    return render(
        "error.html",
        403,
        title="This archive is private",
        message="Reading needs the server's token; use the API with "
        "`Authorization: Bearer <token>`.",
    )


def _not_found(exc: NotFound) -> Response:
    return render("error.html", 404, title="Not found", message=str(exc))


def _live(ctx: AppContext, url: str, data: Any) -> dict[str, Any]:
    """What live.js needs: the API address and the ETag that address now answers with."""
    return {
        "live_url": url,
        "etag": etag_of(json_bytes(data)),
        "poll_seconds": ctx.settings.page_poll_seconds,
    }


@router.get("/")
def home(request: Request) -> Response:
    """The largest fresh stories, with a sparkline of their articles per day."""
    ctx = context(request)
    if denied := _private(ctx):
        return denied
    with ctx.store() as store:
        page = services.list_stories(store, order="recent", limit=HOME_CANDIDATES)
        reference = views.reference_time(page.items, datetime.now(UTC))
        top = views.rank(page.items, reference)[:HOME_STORIES]
        sparks = {
            s["id"]: charts.sparkline(
                charts.daily_counts(store.publication_times(s["id"]), reference.date(), SPARK_DAYS)
            )
            for s in top
        }
    live = _live(
        ctx,
        f"/api/stories?order=recent&limit={HOME_CANDIDATES}",
        {"items": page.items, "next_cursor": page.next_cursor},
    )
    return render(
        "home.html", stories=top, sparks=sparks, reference=reference if top else None, **live
    )


@router.get("/stories/{story_id}")
def story(request: Request, story_id: str, lang: str | None = None) -> Response:
    """One story: chart, sources, facts, quotes, names and every article."""
    ctx = context(request)
    if denied := _private(ctx):
        return denied
    language = lang if lang and len(lang) <= 16 else None
    try:
        with ctx.store() as store:
            view = services.story_detail(store, story_id, language, ctx.details)
    except NotFound as exc:
        return _not_found(exc)
    if view["id"] != story_id:  # merged into another story: show it at its own address
        query = f"?{urlencode({'lang': language})}" if language else ""
        return RedirectResponse(f"/stories/{path_segment(view['id'])}{query}", 308)
    api = f"/api/stories/{path_segment(story_id)}"
    if language:
        api += f"?{urlencode({'language': language})}"
    return render(
        "story.html",
        story=view,
        language=language,
        chart=charts.timeline(view["timeline"]),
        corroborated=views.corroborated_facts(view["facts"]),
        single=views.single_source_facts(view["facts"], int(view["source_count"])),
        quote_groups=views.quotes_by_speaker(view["quotes"]),
        articles=views.article_rows(view["articles"]),
        **_live(ctx, api, view),
    )


@router.get("/names/{name:path}")
def name(request: Request, name: str) -> Response:
    """A person, place or organisation in any spelling, and its stories."""
    ctx = context(request)
    if denied := _private(ctx):
        return denied
    try:
        with ctx.store() as store:
            found = services.entity(store, name[:MAX_FILTER])
    except NotFound as exc:
        return _not_found(exc)
    return render("name.html", entity=found)


@router.get("/sources")
def sources(request: Request) -> Response:
    ctx = context(request)
    if denied := _private(ctx):
        return denied
    with ctx.store() as store:
        found = services.sources(store)
    return render("sources.html", sources=found)


@router.get("/sources/{source:path}")
def source(request: Request, source: str) -> Response:
    ctx = context(request)
    if denied := _private(ctx):
        return denied
    try:
        with ctx.store() as store:
            found = services.source_detail(store, source[:MAX_FILTER])
    except NotFound as exc:
        return _not_found(exc)
    return render("source.html", source=found)


def _day(value: str, end: bool) -> datetime | None:
    """A date field as the first (or last) moment of that day in UTC."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError("since" if not end else "until", f"{value!r} is not a date") from None
    return datetime.combine(day, time.max if end else time.min, UTC)


def _in_filters(article: dict[str, Any], filters: dict[str, str]) -> bool:
    published = str(article.get("published") or "")[:10]
    return (
        (not filters["lang"] or article["language"] == filters["lang"])
        and (not filters["source"] or article["source"] == filters["source"])
        and (not filters["since"] or (bool(published) and published >= filters["since"]))
        and (not filters["until"] or (bool(published) and published <= filters["until"]))
    )


@router.get("/search")
def search(
    request: Request,
    q: str = "",
    lang: str = "",
    source: str = "",
    since: str = "",
    until: str = "",
    cursor: str | None = None,
) -> Response:
    """Stories and articles matching words, filtered by language, source and dates;
    with no words, every story, latest first."""
    ctx = context(request)
    if denied := _private(ctx):
        return denied
    q = q.strip()[:MAX_QUERY]
    filters = {
        "lang": lang.strip()[:16],
        "source": source.strip()[:MAX_FILTER],
        "since": since.strip()[:10],
        "until": until.strip()[:10],
    }
    stories: list[dict[str, Any]] = []
    articles: list[dict[str, Any]] = []
    next_url = error = None
    with ctx.store() as store:
        source_names = [s["source"] for s in services.sources(store)]
        try:
            page = services.list_stories(
                store,
                since=_day(filters["since"], end=False),
                until=_day(filters["until"], end=True),
                language=filters["lang"] or None,
                source=filters["source"] or None,
                text=q or None,
                order="size" if q else "recent",
                limit=SEARCH_STORIES,
                cursor=cursor or None,
            )
            stories = page.items
            if page.next_cursor:
                params = {k: v for k, v in {"q": q, **filters}.items() if v}
                next_url = "/search?" + urlencode(params | {"cursor": page.next_cursor})
            if q:
                hits = services.search(store, q, SEARCH_ARTICLES)
                articles = [
                    a | {"link": safe_url(a.get("url"))} for a in hits if _in_filters(a, filters)
                ]
        except InputError as exc:
            error = f"{exc.origin}: {exc.reason}"
    return render(
        "search.html",
        400 if error else 200,
        q=q,
        filters=filters,
        source_names=source_names,
        stories=stories,
        articles=articles,
        next_url=next_url,
        error=error,
    )
