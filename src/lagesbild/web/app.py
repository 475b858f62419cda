"""The web application: :func:`create_app` builds the FastAPI app over one store.

The app holds a :class:`WebContext` (store, cached data, accounts, job worker) in ``app.state.web``.
Requests are authenticated by a server-side session (:mod:`lagesbild.web.security`); every
response carries the security headers (CSP without inline script, frame-ancestors 'none',
nosniff, a strict referrer policy). Domain errors become 400 pages or JSON answers here, at the
edge; nothing below prints.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import escape
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lagesbild.errors import InputError, LagesbildError
from lagesbild.privacy import Pseudonymizer, load_key
from lagesbild.settings import Settings
from lagesbild.store import Store
from lagesbild.store.web import User, WebStore
from lagesbild.web import security
from lagesbild.web.data import WebData, area_county, area_level
from lagesbild.web.i18n import LANGS, label, note, t
from lagesbild.web.jobs import JobContext, JobWorker

__all__ = [
    "SESSION_COOKIE",
    "Forbidden",
    "KeptPage",
    "NotLoggedIn",
    "WebContext",
    "audience_viewer",
    "create_app",
    "page_key",
    "personal_page",
    "require_cached",
]

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
SESSION_COOKIE = "lagesbild_session"
LOGIN_COOKIE = "lagesbild_login"
ROLE_RANK = {"viewer": 0, "analyst": 1, "admin": 2}
SESSION_CACHE_SECONDS = 2.0

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


class NotLoggedIn(Exception):
    """No valid session: pages redirect to the login, the API answers 401."""


class Forbidden(Exception):
    """The user's role or scope does not allow this (403)."""


@dataclass
class WebContext:
    """What every request needs: the store, its cached data, the accounts and the job worker."""

    store: Store
    data: WebData
    accounts: WebStore
    secret: bytes
    out_dir: Path
    threshold: int
    https: bool
    worker: JobWorker
    owns_store: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    session_seconds: float = SESSION_CACHE_SECONDS
    _sessions: dict[str, tuple[float, tuple[User, str] | None]] = field(default_factory=dict)
    _sessions_lock: threading.Lock = field(default_factory=threading.Lock)
    _generation: int = 0  # counts forget_sessions(): a lookup that raced with one is not kept
    _stop_listening: threading.Event = field(default_factory=threading.Event)
    listening: threading.Event = field(default_factory=threading.Event)

    def session_peek(self, token_hash: str) -> tuple[bool, tuple[User, str] | None]:
        """``(True, session)`` when the session was looked up within ``session_seconds`` (``session`` is
        None for an unknown, ended or expired one), ``(False, None)`` when the store must be asked
        (:meth:`session`). Never reads the store, so it may run on the event loop."""
        with self._sessions_lock:
            hit = self._sessions.get(token_hash)
        if hit is not None and time.monotonic() - hit[0] < self.session_seconds:
            return True, hit[1]
        return False, None

    def session(self, token_hash: str) -> tuple[User, str] | None:
        """The user and CSRF token of a session, looked up in the store at most every
        ``session_seconds`` per process (a logout or password reset in another process takes effect
        here within that time; in this process at once, see :meth:`forget_sessions`)."""
        now = time.monotonic()
        with self._sessions_lock:
            hit = self._sessions.get(token_hash)
            generation = self._generation
        if hit is not None and now - hit[0] < self.session_seconds:
            return hit[1]
        found = self.accounts.session(token_hash)
        with self._sessions_lock:
            if len(self._sessions) > 10_000:
                self._sessions.clear()
            if generation == self._generation:
                self._sessions[token_hash] = (now, found)
        return found

    def forget_sessions(self) -> None:
        """Drop the cached sessions (after a logout, a password reset or a removed account, here or,
        on PostgreSQL, in any process: see :meth:`listen`)."""
        with self._sessions_lock:
            self._sessions.clear()
            self._generation += 1

    def listen(self) -> None:
        """On PostgreSQL, drop the cached sessions as soon as any process ends a session, removes an
        account or resets a password (a thread listening for the store's notifications), so that the
        ``session_seconds`` window remains only while the notification connection is down."""
        if self.accounts.engine.dialect.name != "postgresql":
            return
        self._stop_listening.set()  # a thread of an earlier start ends
        self._stop_listening = threading.Event()
        args = (self.forget_sessions, self._stop_listening)
        kwargs = {"listening": self.listening}
        threading.Thread(target=self.accounts.listen_sessions, args=args, kwargs=kwargs, name="lagesbild-sessions",
                         daemon=True).start()  # fmt: skip

    def stop_listening(self) -> None:
        self._stop_listening.set()


@dataclass(frozen=True)
class Viewer:
    """The logged-in user of one request, with the CSRF token of their session and the page language."""

    user: User
    csrf: str
    lang: str

    @property
    def role(self) -> str:
        return self.user.role

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.user.role] >= ROLE_RANK[role]

    def may_see(self, area: str) -> bool:
        """Whether the user's scope covers ``area`` (SE needs a national scope)."""
        if self.user.national:
            return True
        try:
            county = area_county(area)
        except InputError:
            return False
        return county in self.user.scope

    def counties(self) -> list[str]:
        from lagesbild import refdata

        return list(refdata.counties()) if self.user.national else [c for c in self.user.scope if c != "SE"]

    def home_area(self) -> str:
        return "SE" if self.user.national else self.counties()[0]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _session_token(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotLoggedIn
    return security.hash_token(token)


def _viewer(request: Request, found: tuple[User, str] | None) -> Viewer:
    if found is None:
        raise NotLoggedIn
    user, csrf = found
    q = request.query_params.get("lang")
    lang = q if q in LANGS else user.lang if user.lang in LANGS else "sv"
    return Viewer(user, csrf, lang)


def viewer_of(request: Request) -> Viewer:
    """The request's viewer.

    Raises:
        NotLoggedIn: without a valid session cookie.
    """
    ctx: WebContext = request.app.state.web
    return _viewer(request, ctx.session(_session_token(request)))


def _allowed(v: Viewer, role: str, area: str | None) -> Viewer:
    if not v.at_least(role):
        raise Forbidden
    if area is not None:
        area_level(area)  # unknown codes are a 400, not a 403
        if not v.may_see(area):
            raise Forbidden
    return v


def require(request: Request, role: str = "viewer", area: str | None = None) -> Viewer:
    """The viewer, if their role is at least ``role`` and their scope covers ``area``.

    Raises:
        NotLoggedIn, Forbidden.
    """
    return _allowed(viewer_of(request), role, area)


def require_cached(request: Request, role: str = "viewer", area: str | None = None) -> Viewer | None:
    """As :func:`require`, from the process's session cache only: None when the session must be
    looked up in the store (then call :func:`require` off the event loop). A session ended or a user
    removed in this process is refused at once; in another process within ``session_seconds``.

    Raises:
        NotLoggedIn, Forbidden.
    """
    ctx: WebContext = request.app.state.web
    known, found = ctx.session_peek(_session_token(request))
    return _allowed(_viewer(request, found), role, area) if known else None


# -- rendered pages kept per audience ------------------------------------------------------------
# A page body is rendered once per (page, query, language, role, scope) with these stand-ins for the
# user name and the session's CSRF token, kept in the data cache, and personalised per response.
# The stand-ins are random per process, so no stored text can contain them.
_USER_MARK = "lbuser" + security.new_token().replace("-", "").replace("_", "")[:24]
_CSRF_MARK = "lbcsrf" + security.new_token().replace("-", "").replace("_", "")[:24]


def page_key(request: Request, v: Viewer, *parts: Any) -> tuple[Any, ...]:
    """The cache key of a page as ``v``'s audience sees it: everything the body depends on except
    the user name and CSRF token (which :func:`personal_page` fills in)."""
    return ("page", request.scope["path"], v.lang, v.user.role, v.user.scope, *parts)


def audience_viewer(v: Viewer) -> Viewer:
    """``v`` without anything personal: what a kept page is rendered for."""
    user = replace(v.user, id=0, username=_USER_MARK, password_hash="", created_at="", disabled=False)
    return Viewer(user, _CSRF_MARK, v.lang)


_USER_MARK_B, _CSRF_MARK_B = _USER_MARK.encode(), _CSRF_MARK.encode()
_MARKS = re.compile(b"(" + _USER_MARK_B + b"|" + _CSRF_MARK_B + b")")


@dataclass(frozen=True)
class KeptPage:
    """A page body rendered for an audience (:func:`audience_viewer`), cut at the stand-ins."""

    parts: tuple[bytes, ...]  # text, stand-in, text, stand-in, ..., text

    @classmethod
    def of(cls, body: bytes) -> KeptPage:
        return cls(tuple(_MARKS.split(body)))


def personal_page(page: KeptPage, v: Viewer, status: int = 200) -> HTMLResponse:
    """A kept page with ``v``'s user name and CSRF token filled in (escaped as the template would)."""
    fill = {_USER_MARK_B: str(escape(v.user.username)).encode(), _CSRF_MARK_B: str(escape(v.csrf)).encode()}
    return HTMLResponse(b"".join(fill.get(p, p) if i % 2 else p for i, p in enumerate(page.parts)), status_code=status)


def check_csrf(v: Viewer, token: str | None) -> None:
    """Raises Forbidden unless ``token`` is the session's CSRF token."""
    if not token or not security.same(token, v.csrf):
        raise CsrfError


class CsrfError(Forbidden):
    """A POST without the session's CSRF token."""


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
]


class SecurityHeaders:
    """Adds the security headers to every response (a plain ASGI middleware: cheaper than
    Starlette's ``BaseHTTPMiddleware``, which costs several milliseconds per request)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.extra = list(_HEADERS)
        if https:
            self.extra.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control" or not static]
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.extra if k not in names]
                if static:
                    headers.append((b"cache-control", b"public, max-age=3600"))
                elif b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class KeptPages:
    """Answers a repeat view of a kept page before routing: ``answer(request)`` builds the response from
    the session and page caches alone, or returns None, and then the request goes through the app as
    usual (a first view, a refusal, an error). A plain ASGI middleware inside :class:`SecurityHeaders`,
    so the answers carry the same headers; it saves the router's and FastAPI's work per request."""

    def __init__(self, app: ASGIApp, *, answer: Callable[[Request], Response | None]) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            response = self.answer(Request(scope))
            if response is not None:
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _warm(data: WebData) -> None:
    t = time.perf_counter()
    try:
        data.warm()
    except Exception:  # a failed warm-up only means the first visitor waits
        log.exception("warming the dashboard's data failed")
        return
    log.info("dashboard data ready in %.1f s", time.perf_counter() - t)


def _open_store(source: Settings | Store | str) -> tuple[Store, Path, int, bool]:
    if isinstance(source, Store):
        return source, Path("lagesbild-data"), 5, False
    if isinstance(source, str):
        return Store.open(source), Path("lagesbild-data"), 5, True
    return Store.open(source.db), source.home, source.small_count_threshold, True


def create_app(
    source: Settings | Store | str,
    *,
    out_dir: Path | None = None,
    https: bool = False,
    start_worker: bool = True,
    cache_seconds: float = 5.0,
    shared_jobs: bool = False,
    warm: bool = False,
) -> FastAPI:
    """The dashboard and API over one store.

    Args:
        source: resolved settings (``lagesbild serve``), an open store (tests) or a database URL.
        out_dir: where generated reports go (default ``<data folder>/web-reports``).
        https: served over HTTPS (Secure cookies, HSTS). Set it behind a TLS-terminating proxy.
        start_worker: run the background job worker in this process.
        cache_seconds: how often a process checks whether the store's data changed (its cached
            counts and estimates are kept while they did not, at most five minutes); 0 checks on every request.
        shared_jobs: several web processes serve this store (``--workers``): a starting process
            requeues only jobs that have run for over an hour.
        warm: on start, read in the background what the overview and the county pages show (and
            compute missing estimates of Sweden and the counties), so the first visitors do not wait.

    Example::

        app = create_app(load_settings(home="demo-output/data"))
        # uvicorn.run(app, host="127.0.0.1", port=8000)
    """
    store, home, threshold, owns = _open_store(source)
    accounts = WebStore(store)
    secret_hex = store.get_meta("web_secret")
    if secret_hex is None:
        store.set_meta("web_secret", security.new_token())
        secret_hex = store.get_meta("web_secret")
    assert secret_hex is not None
    data = WebData(store, threshold=threshold, ttl=cache_seconds)
    out = out_dir or (home / "web-reports")
    job_ctx = JobContext(store, out, threshold)
    if isinstance(source, Settings):
        settings = source

        def pseudonymizer() -> Pseudonymizer:
            """The installation's key, read when a crawl job starts (checked against the store's)."""
            return Pseudonymizer(load_key(settings.key_file), expected_fingerprint=store.get_meta("key_fingerprint"))

        job_ctx = JobContext(store, out, threshold, pseudonymizer=pseudonymizer,
                             profiles_dir=settings.home / "profiles",
                             raw_page_retention_days=settings.raw_page_retention_days)  # fmt: skip
    worker = JobWorker(accounts, job_ctx, on_done=data.invalidate, shared=shared_jobs)
    ctx = WebContext(store, data, accounts, secret_hex.encode(), out, threshold, https, worker, owns)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if start_worker:
            worker.start()
        ctx.listen()
        if warm:
            threading.Thread(target=_warm, args=(data,), name="lagesbild-warm", daemon=True).start()
        try:
            yield
        finally:
            ctx.stop_listening()
            worker.stop()
            if owns:
                store.close()

    app = FastAPI(
        title="lagesbild",
        version="1",
        summary="Lägesbild dashboard API: the same stored estimates as the reports, with small counts suppressed.",
        docs_url=None,  # Swagger UI loads from a CDN; /openapi.json is served (and documented in docs/web.md)
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = ctx
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["t"] = t
    templates.env.globals["note"] = note
    templates.env.globals["label"] = label
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    from lagesbild.web import api, pages

    app.add_middleware(KeptPages, answer=pages.kept_page)  # added first: runs inside the security headers
    app.add_middleware(SecurityHeaders, https=https)

    def _lang(request: Request) -> str:
        q = request.query_params.get("lang")
        return q if q in LANGS else "sv"

    def error_page(request: Request, status: int, key: str, detail: str = "") -> Response:
        if _wants_json(request):
            return JSONResponse({"error": t(key, "en"), "detail": detail}, status_code=status)
        try:
            v: Viewer | None = viewer_of(request)
        except NotLoggedIn:
            v = None
        lang = v.lang if v else _lang(request)
        return templates.TemplateResponse(
            request, "error.html", {"v": v, "lang": lang, "message": t(key, lang), "detail": detail}, status_code=status
        )

    @app.exception_handler(NotLoggedIn)
    async def _not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if _wants_json(request):
            return JSONResponse({"error": "not logged in"}, status_code=401)
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, exc: CsrfError) -> Response:
        return error_page(request, 403, "csrf_failed")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return error_page(request, 403, "forbidden")

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        return error_page(request, 400, "bad_request", str(exc))

    @app.exception_handler(LagesbildError)
    async def _lagesbild(request: Request, exc: LagesbildError) -> Response:
        log.warning("request %s failed: %s", request.url.path, exc)
        return error_page(request, 400, "bad_request", str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_page(request, 404, "not_found")
        if _wants_json(request):
            return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)
        return HTMLResponse(str(exc.detail), status_code=exc.status_code)

    app.include_router(pages.router)
    app.include_router(api.router)
    return app
