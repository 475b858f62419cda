"""Pages rendered by a headless Chromium (``render: browser`` in a profile; off by default).

For sites that build their listings with JavaScript. :class:`BrowserFetcher` is a
:class:`~lagesbild.monitor.fetch.Fetcher` whose *pages* are loaded in Chromium through Playwright
and read after the page's scripts have run; robots.txt, images and everything else still go
through plain HTTP. The same politeness applies: robots.txt, the host's rate limit (one slot per
page), the profile's hosts. Every request the browser itself makes (scripts, XHR, styles) is
checked against the profile's hosts and address rules and aborted when it leaves them; images,
media and fonts are never loaded (images are hashed over HTTP, see :mod:`lagesbild.monitor.images`).
Pages are rendered one at a time (Playwright's sync API is single-threaded).

Chromium is the system's (``/usr/bin/chromium`` on Debian, ``scripts/system-packages.txt``) or the
one named by the environment variable ``LAGESBILD_CHROMIUM``.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from typing import Any

from lagesbild.errors import LagesbildError
from lagesbild.monitor.fetch import (
    AddressRefused,
    DisallowedByRobots,
    Fetcher,
    FetchTerminal,
    FetchTransient,
    Page,
    PageGone,
)

__all__ = ["BrowserFetcher", "chromium_path"]

log = logging.getLogger(__name__)

_SKIPPED_RESOURCES = frozenset({"image", "media", "font"})


def chromium_path() -> str:
    """The Chromium executable to drive.

    Raises:
        FetchTerminal: none found (install Debian's ``chromium`` or set ``LAGESBILD_CHROMIUM``).
    """
    for cand in (os.environ.get("LAGESBILD_CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and os.path.exists(cand):
            return cand
    raise FetchTerminal(
        "render: browser needs Chromium: install it (Debian: apt-get install chromium) or set LAGESBILD_CHROMIUM"
    )


class BrowserFetcher(Fetcher):
    """A fetcher that renders pages in headless Chromium (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pw: Any = None
        self._browser: Any = None
        self._context: Any = None

    def _page(self) -> Any:
        if self._context is None:
            try:
                from playwright.sync_api import sync_playwright
            except ImportError:
                raise FetchTerminal("render: browser needs the playwright package (pip install playwright)") from None

            self._pw = sync_playwright().start()
            self._browser = self._pw.chromium.launch(
                executable_path=chromium_path(), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
            )
            extra = {k: v for k, v in self._headers.items() if k.lower() not in ("user-agent", "accept")}
            self._context = self._browser.new_context(
                user_agent=self.user_agent, extra_http_headers=extra, service_workers="block"
            )
            self._context.route("**/*", self._route)
        return self._context.new_page()

    def _route(self, route: Any) -> None:
        req = route.request
        if req.resource_type in _SKIPPED_RESOURCES or not req.url.startswith(("http://", "https://")):
            route.abort()
            return
        try:
            self.policy.check(req.url)
        except AddressRefused:
            log.info("browser: refused a request off the profile's hosts")
            route.abort()
            return
        route.continue_()

    def render(self, url: str) -> Page:
        """Load ``url`` in Chromium and return the page as its scripts left it.

        Raises:
            AddressRefused, DisallowedByRobots, PageGone, FetchTerminal, FetchTransient: as :meth:`get`.
        """
        self.policy.check(url)
        if not self.allowed(url):
            raise DisallowedByRobots(f"robots.txt disallows {url}")
        lim = self.limiter(url)
        lim.acquire()
        page = None
        try:
            self.requests += 1
            page = self._page()
            try:
                resp = page.goto(url, wait_until="networkidle", timeout=self.p.deadline * 1000)
            except Exception as exc:  # Playwright's TimeoutError and navigation errors
                raise FetchTransient(f"browser: {exc.__class__.__name__} loading {url}") from None
            status = resp.status if resp is not None else 0
            if status == 429:
                self.throttled += 1
                lim.throttled()
            html = page.content()
            final = page.url
        finally:
            if page is not None:
                page.close()
            lim.release()
        if status in (404, 410):
            raise PageGone(f"HTTP {status}: {url}")
        if status == 0 or status == 429 or status >= 500:
            raise FetchTransient(f"HTTP {status}: {url}")
        if status >= 400:
            raise FetchTerminal(f"HTTP {status}: {url}")
        lim.succeeded()
        if not self.policy.host_allowed(final):
            raise AddressRefused(f"redirect refused: {final}")
        return Page(final, status, html, html.encode("utf-8"), "utf-8", False, time.time())

    def get_many(self, urls: Sequence[str]) -> Iterator[tuple[str, Page | LagesbildError]]:
        """Render pages one at a time; yields ``(url, page or error)`` in order."""
        for u in urls:
            try:
                yield u, self.render(u)
            except LagesbildError as exc:
                yield u, exc

    def close(self) -> None:
        try:
            if self._context is not None:
                self._context.close()
            if self._browser is not None:
                self._browser.close()
            if self._pw is not None:
                self._pw.stop()
        finally:
            self._context = self._browser = self._pw = None
            super().close()
