"""Every route with every role: a viewer cannot reach analyst pages or another county's data,
through the pages or the API; without a session, pages send to the login and the API answers 401."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.conftest import USERS, LoggedIn

OK, FORBIDDEN = 200, 403

# (path, users allowed) - every other user of USERS must get 403.
ALL = set(USERS)
NATIONAL = {"admin", "viewer_se", "analyst_se"}
ANALYSTS = {"admin", "analyst05", "analyst_se"}
ANALYSTS_SE = {"admin", "analyst_se"}
ADMINS = {"admin"}

MATRIX: list[tuple[str, set[str]]] = [
    ("/area/SE", NATIONAL),
    ("/area/SE?map=kommun", NATIONAL),
    ("/area/05", ALL),
    ("/area/06", NATIONAL),
    ("/area/0580", ALL),
    ("/area/0680", NATIONAL),
    ("/area/05/download?format=csv", ALL),
    ("/area/06/download?format=csv", NATIONAL),
    ("/area/0680/download?format=xlsx", NATIONAL),
    ("/sources", ALL),
    ("/campaigns", ALL),
    ("/campaigns/Jönköpingskampanjen", NATIONAL),
    ("/api/campaigns/Jönköpingskampanjen", NATIONAL),
    ("/reports", ALL),
    ("/reports/compare?area=05", ALL),
    ("/reports/compare?area=06", NATIONAL),
    ("/networks", ANALYSTS),
    ("/indicators", ANALYSTS),
    ("/verdicts", ANALYSTS),
    ("/assumptions", ANALYSTS),
    ("/assumptions?area=06", ANALYSTS_SE),
    ("/admin/audit", ADMINS),
    ("/admin/audit.csv", ADMINS),
    ("/admin/users", ADMINS),
    ("/api/me", ALL),
    ("/api/areas", ALL),
    ("/api/years", ALL),
    ("/api/areas/SE", NATIONAL),
    ("/api/areas/05", ALL),
    ("/api/areas/06", NATIONAL),
    ("/api/areas/0580", ALL),
    ("/api/areas/0680", NATIONAL),
    ("/api/map/lan", ALL),
    ("/api/map/kommun", ALL),
    ("/api/sources", ALL),
    ("/api/campaigns", ALL),
    ("/api/jobs", ALL),
    ("/api/networks", ANALYSTS),
    ("/api/indicators", ANALYSTS),
    ("/api/verdicts", ANALYSTS),
    ("/api/verdicts/defendants", ANALYSTS),
    ("/api/assumptions", ANALYSTS),
    ("/api/reports/compare?area=05", ALL),
    ("/api/reports/compare?area=0580", ALL),
    ("/api/reports/compare?area=06", NATIONAL),
    ("/api/reports/compare?area=SE", NATIONAL),
    ("/api/areas/05/download?format=csv", ALL),
    ("/api/areas/0580/download?format=xlsx", ALL),
    ("/api/areas/06/download?format=csv", NATIONAL),
    ("/api/areas/0680/download?format=xlsx", NATIONAL),
    ("/api/areas/SE/download?format=csv", NATIONAL),
    ("/api/audit", ADMINS),
    ("/api/users", ADMINS),
    ("/api/sources/crawlable", ADMINS),
]

# GET routes whose answer depends on an id (tested in their own tests) or that need no login.
OTHER_ROUTES = {
    "/login", "/", "/jobs/{job_id}", "/jobs/{job_id}/download/{kind}", "/networks/{network_id}",
    "/verdicts/defendants/{defendant_id}",
    "/api/networks/{network_id}", "/api/jobs/{job_id}",
    "/api/jobs/{job_id}/download/{kind}", "/openapi.json", "/static",
}  # fmt: skip


def _template(path: str) -> str:
    import re

    p = path.split("?")[0]
    p = re.sub(r"^/area/[^/]+", "/area/{code}", p)
    p = re.sub(r"^/api/areas/[^/]+$", "/api/areas/{code}", p)
    p = re.sub(r"^/api/areas/[^/]+/download$", "/api/areas/{code}/download", p)
    p = re.sub(r"^/api/verdicts/defendants/[^/]+$", "/api/verdicts/defendants/{defendant_id}", p)
    p = re.sub(r"^/api/sources/[^/]+/crawl$", "/api/sources/{source}/crawl", p)
    p = re.sub(r"^/api/users/[^/]+$", "/api/users/{username}", p)
    p = re.sub(r"^/api/users/[^/]+/password$", "/api/users/{username}/password", p)
    p = re.sub(r"^/api/map/[^/]+$", "/api/map/{level}", p)
    p = re.sub(r"^/campaigns/[^/]+$", "/campaigns/{name}", p)
    p = re.sub(r"^/api/campaigns/[^/]+$", "/api/campaigns/{name}", p)
    return p


def get_routes(routes: list[Any], prefix: str = "") -> set[str]:
    """Paths of every GET route, descending into included routers."""
    out: set[str] = set()
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            out |= get_routes(inner.routes, prefix + getattr(inner, "prefix", ""))
        elif (p := getattr(r, "path", "")) and "GET" in (getattr(r, "methods", None) or {"GET"}):
            p = p.replace(":path}", "}")  # a {name:path} parameter is {name} in the description
            out.add(p if p.startswith(prefix) else prefix + p)
    return out


def test_the_matrix_covers_every_get_route(app: FastAPI) -> None:
    covered = {_template(p) for p, _ in MATRIX} | OTHER_ROUTES | {_template(p) for m, p, _, _ in WRITES if m == "GET"}
    routes = get_routes(app.routes)
    assert "/api/areas/{code}" in routes and "/area/{code}" in routes
    missing = sorted(r for r in routes if r not in covered)
    assert not missing, f"routes without an access test: {missing}"


@pytest.mark.parametrize(("path", "allowed"), MATRIX, ids=[p for p, _ in MATRIX])
def test_every_role_gets_exactly_its_routes(clients: dict[str, LoggedIn], path: str, allowed: set[str]) -> None:
    got = {name: c.client.get(path).status_code for name, c in clients.items()}
    want = {name: (OK if name in allowed else FORBIDDEN) for name in clients}
    assert got == want


@pytest.mark.parametrize("path", [p for p, _ in MATRIX])
def test_without_a_session_pages_go_to_login_and_the_api_says_401(app: FastAPI, path: str) -> None:
    r = TestClient(app).get(path, follow_redirects=False)
    if path.startswith("/api/"):
        assert r.status_code == 401
    else:
        assert r.status_code == 303
        assert r.headers["location"] == "/login"


def test_a_county_viewer_sees_only_their_countys_values(clients: dict[str, LoggedIn]) -> None:
    c = clients["viewer05"].client
    kommun = c.get("/api/map/kommun").json()
    assert kommun and all(code.startswith("05") for code in kommun)
    lan = c.get("/api/map/lan").json()
    assert set(lan) == {"05"}
    areas = {a["code"] for a in c.get("/api/areas").json()}
    assert "05" in areas and "0580" in areas
    assert not any(a.startswith("06") for a in areas) and "SE" not in areas
    names = {x["name"] for x in c.get("/api/campaigns").json()}
    assert "Jönköpingskampanjen" not in names
    # the national viewer does see Jönköping
    assert "Jönköpingskampanjen" in {x["name"] for x in clients["viewer_se"].client.get("/api/campaigns").json()}


def test_a_county_analyst_sees_only_networks_and_verdicts_in_their_county(clients: dict[str, LoggedIn]) -> None:
    mine = clients["analyst05"].client.get("/api/networks").json()
    everyone = clients["analyst_se"].client.get("/api/networks").json()
    assert everyone, "the tiny world has networks"
    assert all(any(k.startswith("05") for k in n["kommuns"]) for n in mine)
    outside = [n for n in everyone if not any(k.startswith("05") for k in n["kommuns"])]
    assert {n["network_id"] for n in outside}.isdisjoint({n["network_id"] for n in mine})
    for n in outside[:1]:
        assert clients["analyst05"].client.get(f"/networks/{n['network_id']}").status_code == 404
        assert clients["analyst05"].client.get(f"/api/networks/{n['network_id']}").status_code == 400
    verdicts = clients["analyst05"].client.get("/api/verdicts").json()
    assert verdicts and all((v["offence_kommun"] or "").startswith("05") for v in verdicts)


def test_viewers_cannot_open_network_evidence(clients: dict[str, LoggedIn]) -> None:
    nid = clients["analyst_se"].client.get("/api/networks").json()[0]["network_id"]
    assert clients["viewer_se"].client.get(f"/networks/{nid}").status_code == FORBIDDEN
    assert clients["viewer_se"].client.get(f"/api/networks/{nid}").status_code == FORBIDDEN
    r = clients["analyst_se"].client.get(f"/networks/{nid}")
    assert r.status_code == OK and nid in r.text


def test_a_county_user_cannot_queue_a_report_for_another_county(clients: dict[str, LoggedIn]) -> None:
    u = clients["viewer05"]
    r = u.client.post("/api/reports", json={"area": "06", "year": 2024}, headers={"X-CSRF-Token": u.csrf})
    assert r.status_code == 400
    r = u.client.post("/reports", data={"area": "SE", "year": "2024", "lang": "sv", "csrf": u.csrf})
    assert r.status_code == 400


# -- the API's writes (and the id-dependent reads) with every role -----------------------------
# (method, path, body, {user: status}); "{d05}"/"{d06}" are fresh defendants of Linköping and
# Jönköping, "{uniq}" a new name per call. A role that may not write gets 403; a county analyst
# naming another county gets 403 (an area in the path or body) or 400 naming the field (a campaign's
# counties, a defendant id outside their counties), and nothing is written.
def _expect(
    allowed: set[str], ok: int, scope_refusal: int | None = None, county_users: Collection[str] = ()
) -> dict[str, int]:
    return {u: ok if u in allowed else scope_refusal if (u in county_users and scope_refusal) else FORBIDDEN
            for u in USERS}  # fmt: skip


COUNTY_ANALYSTS = {"analyst05"}
COUNTY_USERS = {"analyst05", "viewer05"}
WRITES: list[tuple[str, str, dict[str, Any], dict[str, int]]] = [
    ("POST", "/api/campaigns", {"name": "{uniq}", "counties": ["05"], "start": "2024-01-01", "end": "2024-01-31"},
     _expect(ANALYSTS, 201)),
    ("POST", "/api/campaigns", {"name": "{uniq}", "counties": ["06"], "start": "2024-01-01", "end": "2024-01-31"},
     _expect(ANALYSTS_SE, 201, 400, COUNTY_ANALYSTS)),
    ("GET", "/api/verdicts/defendants/{d05}", {}, _expect(ANALYSTS, OK)),
    ("GET", "/api/verdicts/defendants/{d06}", {}, _expect(ANALYSTS_SE, OK, 400, COUNTY_ANALYSTS)),
    ("PATCH", "/api/verdicts/defendants/{d05}", {"plea": "erkänner"}, _expect(ANALYSTS, OK)),
    ("PATCH", "/api/verdicts/defendants/{d06}", {"plea": "erkänner"}, _expect(ANALYSTS_SE, OK, 400, COUNTY_ANALYSTS)),
    ("POST", "/api/sources/annonsportalen/crawl", {}, _expect(ADMINS, 202)),
    ("POST", "/api/assumptions", {"area": "05", "year": 2024, "share_genuine": 0.5}, _expect(ANALYSTS, OK)),
    ("POST", "/api/assumptions", {"area": "06", "year": 2024, "share_genuine": 0.5}, _expect(ANALYSTS_SE, OK)),
    ("POST", "/api/reports", {"area": "05", "year": 2024}, _expect(ALL, 202)),
    ("POST", "/api/estimates", {"year": 2024}, _expect(ANALYSTS, 202)),
    ("POST", "/api/users", {"username": "{uniq}", "password": "x" * 12, "role": "viewer", "scope": ["05"]},
     _expect(ADMINS, 201)),
    ("PUT", "/api/users/{victim}/password", {"password": "y" * 12}, _expect(ADMINS, OK)),
    ("DELETE", "/api/users/{victim}", {}, _expect(ADMINS, OK)),
    ("POST", "/api/reports", {"area": "06", "year": 2024}, _expect(NATIONAL, 202, 400, COUNTY_USERS)),
]  # fmt: skip


@pytest.fixture
def defendants(web_store: Any) -> dict[str, Any]:
    """A fresh defendant in Linköping (05) and one in Jönköping (06), stored, and a fresh account
    ``victim`` to reset and remove: their ids and name."""
    import uuid

    from tests.web.test_defendant_corrections import _by_case, _record

    from lagesbild.store.verdicts import DefendantStore
    from lagesbild.store.web import WebStore
    from lagesbild.web import hash_password

    recs = {"d05": _record("0580"), "d06": _record("0680")}
    DefendantStore(web_store).add(("0" * 64, r) for r in recs.values())
    out: dict[str, Any] = {k: int(_by_case(web_store, r.case_key).id or 0) for k, r in recs.items()}
    out["victim"] = f"victim-{uuid.uuid4().hex[:8]}"
    WebStore(web_store).add_user(out["victim"], hash_password("z" * 12), role="viewer", scope=("05",))
    return out


def _fill(x: Any, ids: dict[str, Any]) -> Any:
    import uuid

    if isinstance(x, str):
        return x.replace("{uniq}", f"Matriskampanj {uuid.uuid4().hex[:8]}").format(**ids) if "{" in x else x
    if isinstance(x, dict):
        return {k: _fill(v, ids) for k, v in x.items()}
    return [_fill(v, ids) for v in x] if isinstance(x, list) else x


def all_routes(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    """(method, path) of every route, descending into included routers."""
    out: set[tuple[str, str]] = set()
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            out |= all_routes(inner.routes, prefix + getattr(inner, "prefix", ""))
        elif p := getattr(r, "path", "").replace(":path}", "}"):
            for m in getattr(r, "methods", None) or {"GET"}:
                out.add((m, p if p.startswith(prefix) else prefix + p))
    return out


def test_the_write_matrix_covers_every_api_write(app: FastAPI) -> None:
    writes = {(m, p) for m, p in all_routes(app.routes) if p.startswith("/api/") and m not in ("GET", "HEAD")}
    covered = {(m, _template(p)) for m, p, _, _ in WRITES}
    assert ("PATCH", "/api/verdicts/defendants/{defendant_id}") in writes
    assert sorted(writes - covered) == [], "API writes without an access test"


@pytest.mark.parametrize(("method", "path", "body", "want"), WRITES,
                         ids=[f"{m} {p} {b.get('area') or b.get('counties') or ''}" for m, p, b, _ in WRITES],
                         )  # fmt: skip
def test_every_role_may_write_exactly_what_it_should(
    clients: dict[str, LoggedIn], defendants: dict[str, Any], method: str, path: str, body: dict[str, Any],
    want: dict[str, int],
) -> None:  # fmt: skip
    got = {}
    for name, u in clients.items():
        kw: dict[str, Any] = {"json": _fill(body, defendants)} if method != "GET" else {}
        r = u.client.request(method, _fill(path, defendants), headers={"X-CSRF-Token": u.csrf}, **kw)
        got[name] = r.status_code
        if r.status_code == 400:
            assert r.json()["errors"], r.text  # a scope refusal names the field
    assert got == want


def test_a_county_analyst_writes_nothing_in_another_county(
    clients: dict[str, LoggedIn], defendants: dict[str, Any], web_store: Any
) -> None:
    from lagesbild.store.campaigns import CampaignStore
    from lagesbild.store.verdicts import DefendantStore

    u = clients["analyst05"]
    h = {"X-CSRF-Token": u.csrf}
    before = {d.id: d for d in DefendantStore(web_store).defendants()}
    names = {c.name for c in CampaignStore(web_store).list()}
    r = u.client.patch(f"/api/verdicts/defendants/{defendants['d06']}", json={"defendant_age": 33}, headers=h)
    assert r.status_code == 400
    r = u.client.post("/api/campaigns", json={"name": "Grannlänet", "counties": ["05", "06"], "start": "2024-01-01",
                                              "end": "2024-01-02"}, headers=h)  # fmt: skip
    assert r.status_code == 400 and {e["field"] for e in r.json()["errors"]} == {"counties"}
    assert {d.id: d for d in DefendantStore(web_store).defendants()} == before
    assert {c.name for c in CampaignStore(web_store).list()} == names
    r = u.client.get("/api/areas/06/download?format=csv")
    assert r.status_code == FORBIDDEN and b";" not in r.content
