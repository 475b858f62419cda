"""Fixtures of the web tests: one populated store per backend, users of every role, logged-in clients.

The store holds the simulator's ``tiny`` world (Östergötland 05 and Jönköping 06, 60 days of 2024),
imported, normalized and linked, with its court judgments; plus stored text meant to break the
HTML (a campaign and a verdict's court with markup) to show that it is rendered inert. It is built
once per backend per session; tests that change it only add rows (audit entries, jobs, users).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from lagesbild.campaigns.spec import Campaign
from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.privacy import Pseudonymizer
from lagesbild.simulate import load_config, simulate
from lagesbild.store import Store
from lagesbild.store.campaigns import CampaignStore
from lagesbild.store.verdicts import VerdictStore
from lagesbild.store.web import WebStore
from lagesbild.verdicts import VerdictRecord
from lagesbild.verdicts.importer import import_judgments
from lagesbild.web import create_app, hash_password

TEST_KEY = bytes(range(32))
PG_URL = os.environ.get("LAGESBILD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")  # as tests/conftest
PASSWORD = "Hemligt-lösenord-åäö-1"  # åäö on purpose: form login must accept them
INJECT = '<script>alert("x")</script><img src=x onerror=alert(1)>'

# username -> (role, scope)
USERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "admin": ("admin", ("SE",)),
    "analyst05": ("analyst", ("05",)),
    "viewer05": ("viewer", ("05",)),
    "viewer_se": ("viewer", ("SE",)),
    "analyst_se": ("analyst", ("SE",)),
}


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("tiny-world")
    simulate(load_config("tiny"), seed=3, out_dir=out)
    return out


def _populate(url: str, world: Path) -> None:
    pz = Pseudonymizer(TEST_KEY)
    with Store.open(url) as store:
        store.bind_key(pz.fingerprint)
        import_file(store, pz, world / "observations.jsonl.gz")
        process_new(store)
        import_judgments(store, world / "truth" / "verdicts.jsonl")
        CampaignStore(store).add(Campaign(INJECT, ("05",), date(2024, 3, 10), date(2024, 3, 20), INJECT))
        CampaignStore(store).add(Campaign("Jönköpingskampanjen", ("06",), date(2024, 4, 1), date(2024, 4, 14)))
        VerdictStore(store).add(
            [("f" * 64, VerdictRecord(INJECT, "B 1-24", "2024-04-02", "2024-03-05", 40, "0580", "0580", True, 50, 100,
                                      True))]
        )
        ws = WebStore(store)
        h = hash_password(PASSWORD)
        for name, (role, scope) in USERS.items():
            ws.add_user(name, h, role=role, scope=scope)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def web_db(
    request: pytest.FixtureRequest, tiny_world: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A populated database URL on each backend (the tests using it run twice)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('web-db') / 'web.db'}"
        _populate(url, tiny_world)
        yield url
        return
    admin: sa.Engine = request.getfixturevalue("pg_admin")
    schema = "tw_" + uuid.uuid4().hex[:12]
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    _populate(url, tiny_world)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture(scope="session")
def web_store(web_db: str) -> Iterator[Store]:
    s = Store.open(web_db)
    yield s
    s.close()


@pytest.fixture(scope="session")
def app(web_store: Store, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    return create_app(web_store, out_dir=tmp_path_factory.mktemp("reports"), start_worker=False, cache_seconds=0)


def login_csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the form"
    return m.group(1)


@dataclass
class LoggedIn:
    client: TestClient
    username: str
    csrf: str


def login(app: FastAPI, username: str, password: str = PASSWORD, *, ip: str = "testclient") -> LoggedIn:
    c = TestClient(app, client=(ip, 50000))
    r = c.get("/login")
    assert r.status_code == 200
    r = c.post("/login", data={"username": username, "password": password, "csrf": login_csrf(r.text)},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    me = c.get("/api/me").json()
    return LoggedIn(c, username, me["csrf_token"])


@pytest.fixture(scope="session")
def clients(app: FastAPI) -> dict[str, LoggedIn]:
    """A logged-in client per user of :data:`USERS`."""
    return {name: login(app, name) for name in USERS}
