"""The area pages' rendered-body cache and the session cache behind it.

A page body is rendered once per audience (language, role, scope) and data version, then filled in
with each user's name and CSRF token; a repeat view only checks the session (in the process's
session cache) and the scope. These tests show that the kept body never carries another user's name
or token, that role and scope are still enforced on that path, that an ended session or a removed
user is refused at once, and that new data replaces the kept pages.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from tests.web.conftest import PASSWORD, USERS, login

from lagesbild.observations import Observation
from lagesbild.store import Store
from lagesbild.store.web import WebStore
from lagesbild.web import create_app, hash_password
from lagesbild.web.security import hash_token


def _csrf_fields(html: str) -> set[str]:
    return set(re.findall(r'name="csrf" value="([^"]*)"', html))


class Renders:
    """Counts the templates rendered by an app."""

    def __init__(self, app: FastAPI) -> None:
        self.n = 0
        templates = app.state.templates
        real = templates.TemplateResponse

        def counting(*a: Any, **kw: Any) -> Any:
            self.n += 1
            return real(*a, **kw)

        templates.TemplateResponse = counting


@pytest.fixture
def cached_app(web_store: Store, tmp_path: Path) -> FastAPI:
    """An app that keeps its data and pages for a minute (the shared fixture checks on every read)."""
    return create_app(web_store, out_dir=tmp_path / "reports", start_worker=False, cache_seconds=60)


@pytest.fixture
def twin(web_store: Store) -> Iterator[str]:
    """A second national viewer, the same audience as ``viewer_se``."""
    name = "viewer_se_twin"
    ws = WebStore(web_store)
    if ws.user(name) is None:
        ws.add_user(name, hash_password(PASSWORD), role="viewer", scope=("SE",))
    yield name


def test_one_render_per_audience_filled_in_per_user(cached_app: FastAPI, twin: str) -> None:
    a, b, analyst = login(cached_app, "viewer_se"), login(cached_app, twin), login(cached_app, "analyst_se")
    renders = Renders(cached_app)
    ra = a.client.get("/area/SE")
    rb = b.client.get("/area/SE")
    assert ra.status_code == rb.status_code == 200
    assert renders.n == 1, "the second user of the same audience gets the kept body"
    assert _csrf_fields(ra.text) == {a.csrf} and _csrf_fields(rb.text) == {b.csrf}
    assert f"{twin} (viewer)" in rb.text and "viewer_se (viewer)" not in rb.text
    assert "viewer_se (viewer)" in ra.text and twin not in ra.text
    assert "lbuser" not in rb.text and "lbcsrf" not in rb.text, "no stand-in left unfilled"
    # the kept body is the page as rendered for that user
    assert ra.text.replace(a.csrf, "T").replace("viewer_se", "U") == rb.text.replace(b.csrf, "T").replace(twin, "U")
    for r in (ra, rb):  # rendered, and kept (answered before routing): the same headers
        assert r.headers["content-security-policy"].startswith("default-src 'self'")
        assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"
        assert r.headers["content-type"] == "text/html; charset=utf-8"
    # another language, another scope or role: another body
    assert b.client.get("/area/SE?lang=en").status_code == 200
    assert analyst.client.get("/area/SE").status_code == 200
    assert renders.n == 3


def test_role_and_scope_hold_on_the_cached_path(cached_app: FastAPI) -> None:
    national = login(cached_app, "analyst_se")
    for path in ("/area/SE", "/area/06", "/area/0580"):
        assert national.client.get(path).status_code == 200  # now kept for the national analysts
    county = login(cached_app, "viewer05")
    county.client.get("/area/05")  # the session is in the process's cache now
    for path in ("/area/SE", "/area/06", "/area/0680"):
        assert county.client.get(path, follow_redirects=False).status_code == 403, path
    page = county.client.get("/area/05")
    assert page.status_code == 200 and "/estimates" not in page.text
    assert "/estimates" in national.client.get("/area/05").text, "analysts' body is not the viewers'"
    assert county.client.get("/area/9999").status_code == 400


def _old_cookie_refused(app: FastAPI, token: str) -> bool:
    from fastapi.testclient import TestClient

    c = TestClient(app, cookies={"lagesbild_session": token})
    r = c.get("/area/SE", follow_redirects=False)
    return r.status_code == 303 and str(r.headers["location"]) == "/login"


def test_logout_is_refused_at_once(cached_app: FastAPI) -> None:
    who = login(cached_app, "viewer_se")
    token = who.client.cookies["lagesbild_session"]
    assert who.client.get("/area/SE").status_code == 200  # session and page cached
    assert not _old_cookie_refused(cached_app, token)
    r = who.client.post("/logout", data={"csrf": who.csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert _old_cookie_refused(cached_app, token)


def test_removed_user_and_reset_password_are_refused_at_once(cached_app: FastAPI, web_store: Store) -> None:
    ws = WebStore(web_store)
    for name in ("gone_soon", "reset_soon"):
        if ws.user(name) is None:
            ws.add_user(name, hash_password(PASSWORD), role="viewer", scope=("SE",))
    gone, reset = login(cached_app, "gone_soon"), login(cached_app, "reset_soon")
    tokens = {n: c.client.cookies["lagesbild_session"] for n, c in (("gone", gone), ("reset", reset))}
    assert gone.client.get("/area/SE").status_code == reset.client.get("/area/SE").status_code == 200
    admin = login(cached_app, "admin")
    assert admin.client.post("/admin/users/gone_soon/remove", data={"csrf": admin.csrf},
                             follow_redirects=False).status_code == 303  # fmt: skip
    assert _old_cookie_refused(cached_app, tokens["gone"])
    assert not _old_cookie_refused(cached_app, tokens["reset"])
    r = admin.client.post("/admin/users/reset_soon/reset", data={"csrf": admin.csrf, "password": "ett-nytt-lösenord"},
                          follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    assert _old_cookie_refused(cached_app, tokens["reset"])
    assert "viewer_se" in USERS  # the shared users are untouched


def test_session_ended_elsewhere_is_refused_within_the_cache_time(cached_app: FastAPI, web_store: Store) -> None:
    ctx = cached_app.state.web
    ctx.session_seconds = 0.3
    who = login(cached_app, "analyst_se")
    token = who.client.cookies["lagesbild_session"]
    assert who.client.get("/area/SE").status_code == 200
    WebStore(web_store).end_session(hash_token(token))  # as another web process or `lagesbild users` would
    time.sleep(0.35)
    assert _old_cookie_refused(cached_app, token)


def _import(store: Store, day: str, n: int) -> None:
    obs = [Observation("s", f"ad{day}{i}", f"{day}T10:00:00Z", kommun_kod="0580", lan_kod="05") for i in range(n)]
    store.import_observations([obs], source=f"test {day}", sha256="0" * 64)


def _ads(html: str) -> str:
    m = re.search(r'data-cell="ads">([^<]*)<', html)
    assert m, "no ads cell"
    return m.group(1)


def test_new_data_replaces_kept_pages(store: Store, tmp_path: Path) -> None:
    _import(store, "2024-03-01", 7)
    app = create_app(store, out_dir=tmp_path, start_worker=False, cache_seconds=0.2)
    WebStore(store).add_user("v", hash_password(PASSWORD), role="viewer", scope=("SE",))
    c = login(app, "v").client
    assert _ads(c.get("/area/0580?year=2024").text) == "7"
    assert _ads(c.get("/area/0580?year=2024").text) == "7"
    _import(store, "2024-03-02", 5)
    time.sleep(0.25)
    assert _ads(c.get("/area/0580?year=2024").text) == "12"


def test_one_version_check_at_a_time_and_the_others_do_not_wait() -> None:
    import threading

    from lagesbild.web.data import _VersionedCache

    version = [1]
    entered, release = threading.Event(), threading.Event()

    def slow_version() -> int:
        if version[0] == 2:  # the second check: the store answers slowly
            entered.set()
            assert release.wait(10)
        return version[0]

    cache = _VersionedCache(slow_version, check=0.05, max_age=60)
    assert cache.get("k", lambda: "old") == "old"
    time.sleep(0.06)
    version[0] = 2
    checker = threading.Thread(target=cache.get, args=("k", lambda: "new"))
    checker.start()
    assert entered.wait(10)
    t = time.monotonic()
    assert cache.get("k", lambda: "other") == "old", "a second reader uses the kept value meanwhile"
    assert cache.peek("k") == (True, "old")
    assert time.monotonic() - t < 1, "and does not wait for the check"
    release.set()
    checker.join(10)
    assert cache.peek("k") == (True, "new"), "the new version dropped the old value"
    time.sleep(0.06)
    assert cache.peek("k") == (False, None), "a check is due: the event loop must not answer from the cache"


# notifications are PostgreSQL's; a SQLite store has one web process, which clears its own cache
@pytest.mark.parametrize("web_db", ["postgresql"], indirect=True)
def test_session_ended_in_another_process_is_refused_at_once_on_postgresql(web_store: Store, tmp_path: Path) -> None:
    assert web_store.engine.dialect.name == "postgresql"
    app = create_app(web_store, out_dir=tmp_path, start_worker=False, cache_seconds=60)
    ctx = app.state.web
    ctx.session_seconds = 3600.0  # only the notification can make this process ask the store again
    ctx.listen()
    try:
        assert ctx.listening.wait(10)
        who = login(app, "viewer_se")
        token = who.client.cookies["lagesbild_session"]
        assert who.client.get("/area/SE").status_code == 200
        assert not _old_cookie_refused(app, token)
        WebStore(web_store).end_session(hash_token(token))  # as another web process or `lagesbild users` does
        deadline = time.monotonic() + 2.0
        while not _old_cookie_refused(app, token):
            assert time.monotonic() < deadline, "the ended session was still served 2 s later"
            time.sleep(0.02)
    finally:
        ctx.stop_listening()


def test_one_kept_page_per_year_however_written(cached_app: FastAPI) -> None:
    who = login(cached_app, "viewer_se")
    renders = Renders(cached_app)
    first = who.client.get("/area/05?year=2024")
    assert first.status_code == 200
    assert who.client.get("/area/05?year=02024").text == first.text, "the same page, kept once"
    assert renders.n == 1
    for bad in ("²⁰²⁴", "1066", "20x4"):  # not a 500 for digits outside ASCII
        assert who.client.get(f"/area/05?year={bad}").status_code == 400, bad
