"""What the web dashboard keeps in the store (migration 10): accounts, sessions, the audit log, jobs.

Plain portable SQL over :attr:`Store.engine <lagesbild.store.Store.engine>`, the same on SQLite and
PostgreSQL. Passwords arrive here already hashed (argon2, :mod:`lagesbild.web.security`); sessions
are stored by the SHA-256 of their token, so the database never holds a usable cookie.

Example::

    ws = WebStore(store)
    ws.add_user("anna", hash_, role="analyst", scope=("05",))
    ws.audit("anna", "login", ip="127.0.0.1")
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError

from lagesbild.errors import InputError
from lagesbild.store import Store

__all__ = ["SESSIONS_CHANNEL", "AuditEntry", "Job", "User", "WebStore", "now_iso"]

log = logging.getLogger(__name__)

ROLES = ("admin", "analyst", "viewer")

SESSIONS_CHANNEL = "lagesbild_sessions"


def _sessions_changed(conn: Connection) -> None:
    """Tell the other web processes that sessions ended (PostgreSQL ``NOTIFY``, sent at commit):
    their session caches drop at once rather than after their cache time."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"NOTIFY {SESSIONS_CHANNEL}"))


def now_iso(delta: timedelta | None = None) -> str:
    """Now (plus ``delta``) as an ISO 8601 UTC string, the store's time format."""
    t = datetime.now(UTC) + (delta or timedelta(0))
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class User:
    """An account.

    Attributes:
        scope: county codes the user may see, or ``("SE",)`` for the whole country.
    """

    id: int
    username: str
    password_hash: str
    role: str
    scope: tuple[str, ...]
    lang: str
    disabled: bool
    created_at: str

    @property
    def national(self) -> bool:
        return "SE" in self.scope


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    username: str
    action: str
    target: str
    detail: str
    ip: str


@dataclass(frozen=True)
class Job:
    """A background job (report generation, crawl) and its progress."""

    id: int
    kind: str
    params: dict[str, Any]
    status: str  # queued, running, done, failed
    progress: float
    message: str
    result: dict[str, Any]
    created_by: str
    created_at: str
    started_at: str | None
    finished_at: str | None


_USER_COLS = "id, username, password_hash, role, scope, lang, disabled, created_at"
_JOB_COLS = "id, kind, params, status, progress, message, result, created_by, created_at, started_at, finished_at"


def _user(r: Any) -> User:
    return User(
        int(r[0]), str(r[1]), str(r[2]), str(r[3]), tuple(c for c in str(r[4]).split(",") if c), str(r[5]),
        bool(r[6]), str(r[7]),
    )  # fmt: skip


def _job(r: Any) -> Job:
    return Job(
        int(r[0]), str(r[1]), json.loads(r[2] or "{}"), str(r[3]), float(r[4]), str(r[5] or ""),
        json.loads(r[6] or "{}"), str(r[7]), str(r[8]), r[9], r[10],
    )  # fmt: skip


class WebStore:
    """Accounts, sessions, audit log and jobs of the web dashboard."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine

    # -- data version ------------------------------------------------------------------------
    def data_version(self) -> tuple[int, ...]:
        """The newest import (crawls count as imports) and linking run, and the judgments (stored, and
        defendants corrected): cheap lookups the dashboard uses to tell whether its cached counts and
        estimates are still current. Judgments count because the stored estimate suites read them."""
        queries = (
            "SELECT COALESCE(MAX(id), 0) FROM imports",
            "SELECT COALESCE(MAX(id), 0) FROM link_runs",
            "SELECT COUNT(*) FROM verdicts",
            "SELECT COUNT(*) FROM verdict_defendants",
            "SELECT COUNT(*) FROM verdict_defendants WHERE corrected <> 0",
        )
        with self.engine.connect() as conn:
            return tuple(int(conn.execute(text(q)).scalar_one()) for q in queries)

    # -- users -------------------------------------------------------------------------------
    def add_user(self, username: str, password_hash: str, *, role: str, scope: Sequence[str], lang: str = "sv") -> User:
        """Create an account.

        Raises:
            InputError: for an unknown role, an empty scope or a name that is taken.
        """
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", field="role")
        if not scope:
            raise InputError("a user needs a scope: county codes or SE for the whole country", field="scope")
        now = now_iso()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO web_users (username, password_hash, role, scope, lang, disabled, created_at, "
                        "password_changed_at) VALUES (:u, :h, :r, :s, :l, 0, :t, :t)"
                    ),
                    {"u": username, "h": password_hash, "r": role, "s": ",".join(scope), "l": lang, "t": now},
                )
        except IntegrityError:
            raise InputError(f"a user called {username!r} exists already", field="username") from None
        user = self.user(username)
        assert user is not None
        return user

    def user(self, username: str) -> User | None:
        with self.engine.connect() as conn:
            r = conn.execute(text(f"SELECT {_USER_COLS} FROM web_users WHERE username = :u"), {"u": username}).first()
        return _user(r) if r else None

    def user_by_id(self, user_id: int) -> User | None:
        with self.engine.connect() as conn:
            r = conn.execute(text(f"SELECT {_USER_COLS} FROM web_users WHERE id = :i"), {"i": user_id}).first()
        return _user(r) if r else None

    def users(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT {_USER_COLS} FROM web_users ORDER BY username")).all()
        return [_user(r) for r in rows]

    def count_users(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM web_users")).scalar_one())

    def remove_user(self, username: str) -> bool:
        """Remove an account and end its sessions; returns whether it existed."""
        with self.engine.begin() as conn:
            r = conn.execute(text("SELECT id FROM web_users WHERE username = :u"), {"u": username}).first()
            if r is None:
                return False
            conn.execute(text("DELETE FROM web_sessions WHERE user_id = :i"), {"i": int(r[0])})
            conn.execute(text("DELETE FROM web_users WHERE id = :i"), {"i": int(r[0])})
            _sessions_changed(conn)
        return True

    def set_password(self, username: str, password_hash: str) -> bool:
        """Replace a password hash and end the user's sessions; returns whether the user exists."""
        with self.engine.begin() as conn:
            r = conn.execute(text("SELECT id FROM web_users WHERE username = :u"), {"u": username}).first()
            if r is None:
                return False
            conn.execute(
                text("UPDATE web_users SET password_hash = :h, password_changed_at = :t WHERE id = :i"),
                {"h": password_hash, "t": now_iso(), "i": int(r[0])},
            )
            conn.execute(text("DELETE FROM web_sessions WHERE user_id = :i"), {"i": int(r[0])})
            _sessions_changed(conn)
        return True

    def set_lang(self, user_id: int, lang: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("UPDATE web_users SET lang = :l WHERE id = :i"), {"l": lang, "i": user_id})

    # -- sessions ----------------------------------------------------------------------------
    def create_session(self, token_hash: str, user_id: int, csrf: str, *, lifetime: timedelta) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, expires_at) "
                    "VALUES (:h, :u, :c, :t, :e)"
                ),
                {"h": token_hash, "u": user_id, "c": csrf, "t": now_iso(), "e": now_iso(lifetime)},
            )

    def session(self, token_hash: str) -> tuple[User, str] | None:
        """The user and CSRF token of a live session (``None`` if unknown, expired or the user is disabled)."""
        with self.engine.connect() as conn:
            r = conn.execute(
                text(
                    "SELECT u.id, u.username, u.password_hash, u.role, u.scope, u.lang, u.disabled, u.created_at, "
                    "s.csrf FROM web_sessions s JOIN web_users u ON u.id = s.user_id "
                    "WHERE s.token_hash = :h AND s.expires_at > :now"
                ),
                {"h": token_hash, "now": now_iso()},
            ).first()
        if r is None:
            return None
        user = _user(r)
        return (None if user.disabled else (user, str(r[8])))

    def end_session(self, token_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM web_sessions WHERE token_hash = :h"), {"h": token_hash})
            conn.execute(text("DELETE FROM web_sessions WHERE expires_at <= :now"), {"now": now_iso()})
            _sessions_changed(conn)

    def listen_sessions(self, on_change: Callable[[], None], stop: threading.Event, *,
                        listening: threading.Event | None = None) -> None:  # fmt: skip
        """Call ``on_change`` whenever any process ends a session, removes a user or resets a password
        (PostgreSQL ``LISTEN``; the changes ``NOTIFY`` at commit), until ``stop`` is set. Also called
        after every (re)connection, since changes may have been missed meanwhile. Blocks: run it in a
        thread. Returns at once on SQLite (one process; it clears its own cache).

        Args:
            listening: set once the first ``LISTEN`` is in place.
        """
        if self.engine.dialect.name != "postgresql":
            return
        import psycopg

        conninfo = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as conn:
                    conn.execute(f"LISTEN {SESSIONS_CHANNEL}")
                    on_change()
                    if listening is not None:
                        listening.set()
                    while not stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            on_change()
            except psycopg.Error as exc:
                log.warning("listening for ended sessions failed (retrying in 2 s): %s", exc)
                on_change()
                stop.wait(2.0)

    # -- audit -------------------------------------------------------------------------------
    def audit(self, username: str, action: str, *, target: str = "", detail: str = "", ip: str = "") -> None:
        """Record one event (login, login_failed, view, export, change, ...)."""
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO web_audit (at, username, action, target, detail, ip) "
                    "VALUES (:at, :u, :a, :t, :d, :ip)"
                ),
                {"at": now_iso(), "u": username[:64], "a": action, "t": target, "d": detail, "ip": ip[:64]},
            )

    def audit_entries(self, *, limit: int = 500, action: str | None = None) -> list[AuditEntry]:
        """The newest entries first."""
        clause = "WHERE action = :a" if action else ""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT id, at, username, action, target, detail, ip FROM web_audit {clause} "
                     "ORDER BY id DESC LIMIT :n"),
                {"a": action, "n": limit},
            ).all()  # fmt: skip
        return [AuditEntry(int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6])) for r in rows]

    def failed_logins(self, *, username: str, ip: str, since: str) -> tuple[int, int]:
        """Failed logins since ``since`` for this user name, and from this address (the rate limit's input)."""
        with self.engine.connect() as conn:
            by_user = conn.execute(
                text("SELECT COUNT(*) FROM web_audit WHERE action = 'login_failed' AND username = :u AND at >= :s"),
                {"u": username[:64], "s": since},
            ).scalar_one()
            by_ip = conn.execute(
                text("SELECT COUNT(*) FROM web_audit WHERE action = 'login_failed' AND ip = :ip AND at >= :s"),
                {"ip": ip[:64], "s": since},
            ).scalar_one()
        return int(by_user), int(by_ip)

    # -- jobs --------------------------------------------------------------------------------
    def add_job(self, kind: str, params: dict[str, Any], *, created_by: str) -> int:
        with self.engine.begin() as conn:
            r = conn.execute(
                text(
                    "INSERT INTO web_jobs (kind, params, status, progress, message, result, created_by, created_at) "
                    "VALUES (:k, :p, 'queued', 0, '', '', :u, :t) RETURNING id"
                ),
                {"k": kind, "p": json.dumps(params, ensure_ascii=False), "u": created_by, "t": now_iso()},
            ).scalar_one()
        return int(r)

    def job(self, job_id: int) -> Job | None:
        with self.engine.connect() as conn:
            r = conn.execute(text(f"SELECT {_JOB_COLS} FROM web_jobs WHERE id = :i"), {"i": job_id}).first()
        return _job(r) if r else None

    def jobs(self, *, limit: int = 50) -> list[Job]:
        with self.engine.connect() as conn:
            rows = conn.execute(text(f"SELECT {_JOB_COLS} FROM web_jobs ORDER BY id DESC LIMIT :n"), {"n": limit}).all()
        return [_job(r) for r in rows]

    def claim_job(self) -> Job | None:
        """Take the oldest queued job and mark it running (atomically: two workers never take the same job)."""
        with self.engine.begin() as conn:
            for r in conn.execute(text("SELECT id FROM web_jobs WHERE status = 'queued' ORDER BY id LIMIT 5")).all():
                claimed = conn.execute(
                    text("UPDATE web_jobs SET status = 'running', started_at = :t WHERE id = :i AND status = 'queued'"),
                    {"t": now_iso(), "i": int(r[0])},
                ).rowcount
                if claimed:
                    break
            else:
                return None
        return self.job(int(r[0]))

    def requeue_interrupted(self, *, started_before: str | None = None) -> int:
        """Jobs left running by a web process that stopped go back to the queue; returns how many.

        Args:
            started_before: only jobs started before this time (when other processes may be running
                jobs right now); None requeues every running job (one web process).
        """
        clause = " AND started_at < :b" if started_before else ""
        with self.engine.begin() as conn:
            return int(
                conn.execute(
                    text("UPDATE web_jobs SET status = 'queued', progress = 0, message = 'restarted' "
                         f"WHERE status = 'running'{clause}"),
                    {"b": started_before},
                ).rowcount
            )

    def update_job(
        self,
        job_id: int,
        *,
        progress: float | None = None,
        message: str | None = None,
        status: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> None:
        sets: list[str] = []
        params: dict[str, Any] = {"i": job_id}
        if progress is not None:
            sets.append("progress = :p")
            params["p"] = progress
        if message is not None:
            sets.append("message = :m")
            params["m"] = message
        if status is not None:
            sets.append("status = :s")
            params["s"] = status
            if status in ("done", "failed"):
                sets.append("finished_at = :f")
                params["f"] = now_iso()
        if result is not None:
            sets.append("result = :r")
            params["r"] = json.dumps(result, ensure_ascii=False)
        if not sets:
            return
        with self.engine.begin() as conn:
            conn.execute(text(f"UPDATE web_jobs SET {', '.join(sets)} WHERE id = :i"), params)
