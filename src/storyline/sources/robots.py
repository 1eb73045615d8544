"""robots.txt, read once per site and cached (RFC 9309), through the one fetcher."""

from __future__ import annotations

from collections.abc import Callable
from urllib.robotparser import RobotFileParser

import httpx

from storyline.sources.net import FetchError, HTTPStatusError, RobotsRefused

ROBOTS_AGENT = "Storyline"
"""The product token robots.txt groups name (``User-agent: Storyline``)."""

ROBOTS_CACHE_SECONDS = 3600.0
"""robots.txt is read once an hour per site: RFC 9309 allows a day, but a site that
newly forbids crawling should be heard the same hour."""

ROBOTS_RETRY_SECONDS = 600.0
"""An unreachable robots.txt blocks its site (RFC 9309) until it is tried again."""


class RobotsCache:
    """Per-site rules; ``fetch(url)`` returns robots.txt bytes or raises FetchError."""

    def __init__(self, fetch: Callable[[str], bytes], clock: Callable[[], float]) -> None:
        self.fetch = fetch
        self.clock = clock
        self._sites: dict[str, tuple[float, RobotFileParser | None]] = {}

    def check(self, url: httpx.URL, origin: str) -> None:
        """Raise RobotsRefused unless the site's robots.txt allows ``url``."""
        site = f"{url.scheme}://{url.netloc.decode('ascii')}"
        expires, rules = self._sites.get(site, (0.0, None))
        if expires <= self.clock():
            expires, rules = self._read(site)
            self._sites[site] = (expires, rules)
        if rules is None:
            raise RobotsRefused(
                origin,
                f"{site}/robots.txt cannot be read (server error or no answer), so the site "
                "is not fetched from for now; it is tried again in a few minutes",
            )
        if not rules.can_fetch(ROBOTS_AGENT, str(url)):
            raise RobotsRefused(origin, f"{site}/robots.txt disallows {url} for {ROBOTS_AGENT}")

    def _read(self, site: str) -> tuple[float, RobotFileParser | None]:
        rules = RobotFileParser(f"{site}/robots.txt")
        lines: list[str] = []  # no rules: everything allowed
        now = self.clock()
        try:
            content = self.fetch(f"{site}/robots.txt")
        except FetchError as exc:
            # RFC 9309: a robots.txt that is missing (4xx, 401/403 too) allows all; one
            # that is unreachable (5xx, 429, timeout, network error) forbids all for now.
            # Anything else (a redirect loop, say) is treated as missing.
            missing = isinstance(exc, HTTPStatusError) and exc.status < 500 and exc.status != 429
            if not missing and (exc.transient or isinstance(exc, HTTPStatusError)):
                return now + ROBOTS_RETRY_SECONDS, None
        else:
            lines = content.decode("utf-8", errors="replace").splitlines()
        rules.parse(lines)
        rules.modified()  # can_fetch() refuses everything until this is set
        return now + ROBOTS_CACHE_SECONDS, rules
