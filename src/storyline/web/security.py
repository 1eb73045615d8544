"""What keeps untrusted article text inert in the pages.

Three layers: Jinja2 autoescaping (every template), links only for http(s) URLs
(:func:`safe_url`), and a Content-Security-Policy that allows no inline script, so
even markup that slipped through could not run.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote, urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Scripts, styles, images and fetches only from this server; no plugins, frames or
# form posts elsewhere; 'none' for base-uri so an injected <base> cannot re-point links.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

PAGE_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)

LINK_SCHEMES = frozenset({"http", "https"})


def safe_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) address, else None (never a link).

    ``urlsplit`` drops the tabs, newlines and leading controls that browsers ignore,
    so ``java\\tscript:`` is seen as the ``javascript`` scheme it is and refused.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        return None
    return url.strip()


def path_segment(value: object) -> str:
    """``value`` quoted for one URL path segment (a name or source in a link)."""
    return quote(str(value), safe="")


class SecurityHeaders:
    """ASGI middleware: the page headers on every HTML response but the API docs.

    Swagger UI and ReDoc load their own inline scripts, so the policy would break them;
    they show the schema, never article text.
    """

    def __init__(self, app: ASGIApp, exempt: Iterable[str] = ()) -> None:
        self.app = app
        self.exempt = tuple(p for p in exempt if p)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith(self.exempt):
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                present = {k.lower() for k, _ in headers}
                if content_type.startswith(b"text/html"):
                    headers += [h for h in PAGE_HEADERS if h[0] not in present]
                elif b"x-content-type-options" not in present:
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
