"""Security: CSRF on every POST, a new session at login (no fixation), the login rate limit, cookie
flags and security headers, stored markup rendered inert, and the audit log recording what it should."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import INJECT, PASSWORD, LoggedIn, login, login_csrf

from lagesbild.store import Store
from lagesbild.store.web import WebStore
from lagesbild.web import security
from lagesbild.web.app import SESSION_COOKIE

# Every POST route with a valid body apart from the CSRF token.
POSTS = [
    ("/logout", {}),
    ("/settings/lang", {"lang": "en"}),
    ("/reports", {"area": "05", "year": "2024", "lang": "sv"}),
    ("/estimates", {"year": "2024"}),
    ("/assumptions", {"area": "05", "year": "2024", "clients_per_working_day": "2"}),
    ("/admin/users", {"username": "mallory", "password": "x" * 12, "role": "admin", "scope": "SE"}),
    ("/admin/users/viewer05/remove", {}),
    ("/admin/users/viewer05/reset", {"password": "y" * 12}),
]


def test_every_post_without_the_csrf_token_is_refused_and_changes_nothing(app: FastAPI, web_store: Store) -> None:
    admin = login(app, "admin")
    ws = WebStore(web_store)
    jobs_before = len(ws.jobs(limit=10_000))
    for path, data in POSTS:
        for token in (None, "wrong-token"):
            body = dict(data) if token is None else {**data, "csrf": token}
            r = admin.client.post(path, data=body, follow_redirects=False)
            assert r.status_code == 403, (path, token, r.status_code)
    assert ws.user("mallory") is None
    assert ws.user("viewer05") is not None
    assert len(ws.jobs(limit=10_000)) == jobs_before
    # the session survived the refused logout
    assert admin.client.get("/api/me").status_code == 200


def test_api_writes_need_the_csrf_header(clients: dict[str, LoggedIn]) -> None:
    u = clients["viewer05"]
    body = {"area": "05", "year": 2024}
    assert u.client.post("/api/reports", json=body).status_code == 403
    assert u.client.post("/api/reports", json=body, headers={"X-CSRF-Token": "nope"}).status_code == 403
    r = u.client.post("/api/reports", json=body, headers={"X-CSRF-Token": u.csrf})
    assert r.status_code == 202 and r.json()["job_id"] > 0


def test_the_login_form_needs_its_own_signed_token(app: FastAPI) -> None:
    c = TestClient(app)
    c.get("/login")
    r = c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf": "forged"}, follow_redirects=False)
    assert r.status_code == 403 and SESSION_COOKIE not in r.cookies
    # a token from another browser's form (another cookie) does not work either
    other = TestClient(app)
    token = login_csrf(other.get("/login").text)
    r = c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf": token}, follow_redirects=False)
    assert r.status_code == 403


def test_login_gives_a_new_session_id_and_a_planted_one_is_useless(app: FastAPI, web_store: Store) -> None:
    c = TestClient(app)
    planted = "attacker-chosen-session-id"
    c.cookies.set(SESSION_COOKIE, planted)
    token = login_csrf(c.get("/login").text)
    r = c.post("/login", data={"username": "viewer05", "password": PASSWORD, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    new = r.cookies.get(SESSION_COOKIE)
    assert new and new != planted
    assert WebStore(web_store).session(security.hash_token(planted)) is None
    # the attacker's browser with the planted id is not logged in
    attacker = TestClient(app)
    attacker.cookies.set(SESSION_COOKIE, planted)
    assert attacker.get("/api/me").status_code == 401
    # two logins of the same user get different sessions
    a, b = login(app, "viewer05"), login(app, "viewer05")
    assert a.client.cookies.get(SESSION_COOKIE) != b.client.cookies.get(SESSION_COOKIE)
    assert a.csrf != b.csrf


def test_the_store_keeps_only_a_hash_of_the_session_token(app: FastAPI, web_store: Store) -> None:
    u = login(app, "viewer05")
    token = u.client.cookies.get(SESSION_COOKIE)
    assert token
    assert not any(token in str(row) for name, row in web_store.dump_rows() if name == "web_sessions")
    assert WebStore(web_store).session(security.hash_token(token)) is not None


def test_logout_ends_the_session(app: FastAPI) -> None:
    u = login(app, "viewer05")
    token = u.client.cookies.get(SESSION_COOKIE)
    r = u.client.post("/logout", data={"csrf": u.csrf}, follow_redirects=False)
    assert r.status_code == 303
    stale = TestClient(app)
    stale.cookies.set(SESSION_COOKIE, token or "")
    assert stale.get("/api/me").status_code == 401


def test_login_is_rate_limited_per_user_name(app: FastAPI, web_store: Store) -> None:
    ws = WebStore(web_store)
    ws.add_user("ratelimited", security.hash_password(PASSWORD), role="viewer", scope=("05",))
    c = TestClient(app, client=("10.9.9.9", 1234))
    for _ in range(security.MAX_FAILURES):
        token = login_csrf(c.get("/login").text)
        r = c.post("/login", data={"username": "ratelimited", "password": "wrong password", "csrf": token})
        assert r.status_code == 401
    # now even the right password is refused, from this address and from another one
    for ip in ("10.9.9.9", "10.9.9.10"):
        c2 = TestClient(app, client=(ip, 1234))
        token = login_csrf(c2.get("/login").text)
        r = c2.post("/login", data={"username": "ratelimited", "password": PASSWORD, "csrf": token},
                    follow_redirects=False)  # fmt: skip
        assert r.status_code == 429
        assert SESSION_COOKIE not in r.cookies
    assert any(e.username == "ratelimited" for e in ws.audit_entries(action="login_blocked"))


def test_a_wrong_password_and_an_unknown_user_look_the_same(app: FastAPI) -> None:
    c = TestClient(app, client=("10.8.8.8", 1))
    texts = []
    for user in ("admin", "no-such-user"):
        token = login_csrf(c.get("/login").text)
        r = c.post("/login", data={"username": user, "password": "wrong password", "csrf": token})
        assert r.status_code == 401
        texts.append(re.sub(r'value="[^"]+"', "", r.text))
    assert texts[0] == texts[1]


def test_cookies_and_headers(app: FastAPI) -> None:
    c = TestClient(app)
    token = login_csrf(c.get("/login").text)
    r = c.post("/login", data={"username": "viewer05", "password": PASSWORD, "csrf": token}, follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Secure" not in cookie  # plain http on loopback; --https turns it on (next test)
    page = c.get("/area/05")
    h = page.headers
    assert "script-src 'self'" in h["content-security-policy"]
    assert "'unsafe-inline'" not in h["content-security-policy"]
    assert "frame-ancestors 'none'" in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert "<script" not in page.text  # no inline (or any) script on the pages


def test_https_mode_sets_secure_cookies_and_hsts(web_store: Store, tmp_path: object) -> None:
    from lagesbild.web import create_app

    app = create_app(web_store, https=True, start_worker=False)
    c = TestClient(app, base_url="https://testserver")
    token = login_csrf(c.get("/login").text)
    r = c.post("/login", data={"username": "viewer05", "password": PASSWORD, "csrf": token}, follow_redirects=False)
    assert "Secure" in r.headers["set-cookie"]
    assert "max-age" in r.headers["strict-transport-security"]


def test_stored_markup_is_rendered_inert(clients: dict[str, LoggedIn]) -> None:
    for user, path in (("admin", "/campaigns"), ("analyst05", "/verdicts")):
        html = clients[user].client.get(path).text
        assert INJECT not in html
        assert "&lt;script&gt;alert(" in html
        assert "<img src=x" not in html
    # and in JSON it is data, not markup
    names = [c["name"] for c in clients["admin"].client.get("/api/campaigns").json()]
    assert INJECT in names


def test_markup_in_a_user_name_is_inert_in_the_audit_page(app: FastAPI, clients: dict[str, LoggedIn]) -> None:
    c = TestClient(app, client=("10.7.7.7", 1))
    token = login_csrf(c.get("/login").text)
    c.post("/login", data={"username": INJECT[:60], "password": "x", "csrf": token})
    html = clients["admin"].client.get("/admin/audit").text
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_the_audit_log_records_logins_views_exports_and_changes(app: FastAPI, web_store: Store) -> None:
    ws = WebStore(web_store)
    a = login(app, "analyst_se")
    a.client.get("/networks")
    a.client.get("/indicators")
    a.client.get("/area/05/download?format=csv")
    a.client.post("/assumptions", data={"csrf": a.csrf, "area": "05", "year": "2024", "clients_per_working_day": "2"})
    mine = [e for e in ws.audit_entries(limit=10_000) if e.username == "analyst_se"]
    kinds = {(e.action, e.target.split("/")[0]) for e in mine}
    assert ("login", "") in kinds
    assert ("view", "networks") in kinds and ("view", "indicators") in kinds
    assert ("export", "area") in kinds
    assert ("assumptions", "05") in kinds
    csv_text = login(app, "admin").client.get("/admin/audit.csv").content.decode("utf-8-sig")
    assert "analyst_se;view;networks" in csv_text


def test_passwords_are_argon2_hashes_never_plain(web_store: Store) -> None:
    for name, row in web_store.dump_rows():
        assert PASSWORD not in " ".join(map(str, row)), name
    u = WebStore(web_store).user("admin")
    assert u is not None and u.password_hash.startswith("$argon2id$")


def test_exports_neutralize_spreadsheet_formulas(app: FastAPI, clients: dict[str, LoggedIn]) -> None:
    """A user name typed at the login is attacker-controlled and ends up in the audit export."""
    c = TestClient(app, client=("10.6.6.6", 1))
    token = login_csrf(c.get("/login").text)
    evil = '=HYPERLINK("http://example.invalid","x")'
    c.post("/login", data={"username": evil, "password": "x", "csrf": token})
    text = clients["admin"].client.get("/admin/audit.csv").content.decode("utf-8-sig")
    cells = [cell for line in text.splitlines() for cell in line.split(";")]
    assert not any(cell.startswith(("=", '"=')) for cell in cells)
    assert any("'=HYPERLINK" in cell for cell in cells)


def test_the_language_switch_only_redirects_within_the_site(clients: dict[str, LoggedIn]) -> None:
    u = clients["viewer_se"]
    for target in ("//example.invalid/x", "https://example.invalid/", "/\\example.invalid"):
        r = u.client.post("/settings/lang", data={"csrf": u.csrf, "lang": "sv", "next": target},
                          follow_redirects=False)  # fmt: skip
        assert r.headers["location"] == "/"
    r = u.client.post("/settings/lang", data={"csrf": u.csrf, "lang": "sv", "next": "/sources"}, follow_redirects=False)
    assert r.headers["location"] == "/sources"
