"""``create_app(settings)``: the FastAPI application of the API and the web pages."""

from __future__ import annotations

from fastapi import FastAPI

from storyline import __version__
from storyline.api.context import AppContext, FetcherFactory, StoreFactory
from storyline.api.errors import BodyLimit, install_handlers
from storyline.api.routes import articles, events, health, ingest, names, search, sources, stories
from storyline.config import Settings
from storyline.sources.fetch import Fetcher
from storyline.store import open_store

ROUTERS = (
    stories.router,
    articles.router,
    names.router,
    search.router,
    sources.router,
    ingest.router,
    health.router,
    events.router,
)


def create_app(
    settings: Settings,
    store_factory: StoreFactory | None = None,
    fetcher_factory: FetcherFactory = Fetcher,
) -> FastAPI:
    """The application over ``settings.db`` (or stores made by ``store_factory``, one per
    request); ``fetcher_factory`` makes the fetcher of ingest-by-URL (tests pass one
    with a mock transport)."""
    factory = store_factory or (lambda: open_store(settings.db))
    factory().close()  # create and migrate the database now, not in the first request
    app = FastAPI(
        title="Storyline",
        version=__version__,
        description="News articles grouped into stories: list, read, search and ingest.",
    )
    app.state.storyline = AppContext(settings, factory, fetcher_factory)
    install_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(BodyLimit, limit=settings.max_input_bytes)

    from storyline import web

    web.install(app)
    return app
