"""Passwords, session tokens, CSRF tokens and the login rate limit.

* Passwords are hashed with argon2id (``argon2-cffi``'s defaults: RFC 9106 low-memory profile).
* A session is a random 256-bit token in an HttpOnly, SameSite=Strict cookie (Secure over
  HTTPS); the store keeps only its SHA-256. Every login creates a new token (no session fixation).
* Each session has its own CSRF token, required in every POST form (``csrf`` field) or API write
  (``X-CSRF-Token`` header). The login form, before a session exists, carries a token signed with
  the server's secret and bound to a short-lived cookie (double submit).
* Login is rate limited from the audit log: after ``MAX_FAILURES`` failed logins for one user name
  or from one address within ``WINDOW``, further attempts are refused until the window passes.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lagesbild.errors import InputError
from lagesbild.store.web import WebStore, now_iso

__all__ = [
    "MAX_FAILURES",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "SESSION_LIFETIME",
    "WINDOW",
    "check_password_strength",
    "hash_password",
    "hash_token",
    "login_blocked",
    "new_token",
    "verify_password",
]

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()
# A hash to verify against when the user does not exist, so that both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (åäö and any Unicode welcome)."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches; ``None`` (no such user) still spends the time of one check."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> None:
    """Refuse passwords shorter than ``MIN_PASSWORD_LENGTH`` characters.

    Raises:
        InputError: naming the field ``password``.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters", field="password")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters", field="password")


def new_token() -> str:
    """A random URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """What the store keeps of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign(secret: bytes, value: str) -> str:
    """An HMAC of ``value`` with the server's secret (for the login form's CSRF token)."""
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def login_blocked(ws: WebStore, username: str, ip: str) -> bool:
    """Whether this user name or address has failed ``MAX_FAILURES`` times within ``WINDOW``."""
    since = now_iso(-WINDOW)
    by_user, by_ip = ws.failed_logins(username=username, ip=ip, since=since)
    return by_user >= MAX_FAILURES or by_ip >= MAX_FAILURES * 4
