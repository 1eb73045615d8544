"""``create_app(settings)``: the FastAPI application of the API and the web pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from storyline import __version__
from storyline.api.context import AppContext, FetcherFactory, StoreFactory
from storyline.api.errors import BodyLimit, install_handlers
from storyline.api.routes import articles, events, health, ingest, names, search, sources, stories
from storyline.config import Settings, load_settings
from storyline.sources.fetch import Fetcher
from storyline.store import is_postgres, shared_store

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
    if store_factory is None:
        factory, release = shared_store(settings.db)
        inline = not is_postgres(settings.db)  # SQLite: quick reads run on the event loop
    else:
        factory, release = store_factory, _nothing
        factory().close()  # create and migrate the database now, not in the first request
        inline = False
    app = FastAPI(
        lifespan=_closing(release),
        title="Storyline",
        version=__version__,
        description="News articles grouped into stories: list, read, search and ingest.",
    )
    app.state.storyline = AppContext(settings, factory, fetcher_factory, inline_reads=inline)
    install_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(BodyLimit, limit=settings.max_input_bytes)

    from storyline import web

    web.install(app)
    return app


def app_from_environment() -> FastAPI:
    """The application over the settings of the environment (``STORYLINE_*``): what
    each worker process of ``storyline serve --workers N`` runs."""
    from storyline.services import start_warm_up

    app = create_app(load_settings())
    start_warm_up()
    return app


def _nothing() -> None:
    pass


def _closing(
    release: Callable[[], None],
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """A lifespan that closes what the store factory holds (a connection pool) at shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            release()

    return lifespan
