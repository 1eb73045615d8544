"""The HTML pages. Each calls the same ``storyline.services`` functions as the JSON
routes, and opens its store in the thread that uses it (SQLite connections cannot
cross threads): the home and story pages read on the event loop (``AppContext.read``)
and assemble and render what is not cached on a worker thread; the other pages run on
worker threads."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from storyline import services
from storyline.api.context import AppContext, context
from storyline.errors import InputError, NotFound
from storyline.store import Store
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


@router.get("/")
async def home(request: Request) -> Response:
    """The largest fresh stories, with a sparkline of their articles per day."""
    ctx = context(request)
    if denied := _private(ctx):
        return denied
    page = await ctx.read(
        lambda store: services.story_list(store, "recent", HOME_CANDIDATES, ctx.lists)
    )
    live: dict[str, Any] = {
        "live_url": f"/api/stories?order=recent&limit={HOME_CANDIDATES}",
        "etag": page.etag,
        "poll_seconds": ctx.settings.page_poll_seconds,
    }
    # To the minute, as the page shows it: within a minute the freshness ranking (half
    # life a day) cannot change, and the page stays cached while the time passes.
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    reference = views.reference_time(page.items, now)
    # The stories' rows (in the ETag) change whenever an article joins one, so they and
    # the reference time decide the sparklines and the whole page.
    key = (page.etag, reference)
    body = ctx.homes.get(key)
    if body is None:
        body = await run_in_threadpool(
            ctx.in_thread, lambda store: _home_page(store, page.items, reference, live)
        )
        ctx.homes.put(key, body)
    return HTMLResponse(body)


def _home_page(
    store: Store, items: list[dict[str, Any]], reference: datetime, live: dict[str, Any]
) -> bytes:
    top = views.rank(items, reference)[:HOME_STORIES]
    sparks = {
        s["id"]: charts.sparkline(
            charts.daily_counts(store.publication_times(s["id"]), reference.date(), SPARK_DAYS)
        )
        for s in top
    }
    response = render(
        "home.html", stories=top, sparks=sparks, reference=reference if top else None, **live
    )
    return bytes(response.body)


@router.get("/stories/{story_id}")
async def story(request: Request, story_id: str, lang: str | None = None) -> Response:
    """One story: chart, sources, facts, quotes, names and every article."""
    ctx = context(request)
    if denied := _private(ctx):
        return denied
    language = lang if lang and len(lang) <= 16 else None
    try:
        found = await ctx.read(
            lambda store: services.cached_view(store, story_id, language, ctx.views)
        )
        if found is None:  # assembly reads every article's text: on a worker thread
            found = await run_in_threadpool(
                ctx.in_thread,
                lambda store: services.story_view(store, story_id, language, ctx.views),
            )
    except NotFound as exc:
        return _not_found(exc)
    view = found.data
    if view["id"] != story_id:  # merged into another story: show it at its own address
        query = f"?{urlencode({'lang': language})}" if language else ""
        return RedirectResponse(f"/stories/{path_segment(view['id'])}{query}", 308)
    # The page is a function of the view and the language alone: render it once.
    page = ctx.pages.get((found.etag, language))
    if page is None:
        page = await run_in_threadpool(_story_page, ctx, found, language)
        ctx.pages.put((found.etag, language), page)
    return HTMLResponse(page)


def _story_page(ctx: AppContext, found: services.StoryView, language: str | None) -> bytes:
    view = found.data
    api = f"/api/stories/{path_segment(view['id'])}"
    if language:
        api += f"?{urlencode({'language': language})}"
    response = render(
        "story.html",
        story=view,
        language=language,
        chart=charts.timeline(view["timeline"]),
        corroborated=views.corroborated_facts(view["facts"]),
        single=views.single_source_facts(view["facts"], int(view["source_count"])),
        quote_groups=views.quotes_by_speaker(view["quotes"]),
        articles=views.article_rows(view["articles"]),
        live_url=api,
        etag=found.etag,
        poll_seconds=ctx.settings.page_poll_seconds,
    )
    return bytes(response.body)


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
