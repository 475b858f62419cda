"""A crawl queued from the sources page (admins only) runs in the background through the jobs framework,
as ``lagesbild crawl SOURCE`` does: the simulator's site served in-process (SimApp behind an
httpx.MockTransport), progress recorded, sightings stored pseudonymized, then normalized and linked.
Each test crawls into a fresh, empty store of each backend (the shared web store stays as it is)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import text
from tests.monitor.conftest import app_transport, day_clock
from tests.web.conftest import PASSWORD, PG_URL, TEST_KEY, LoggedIn, login

from lagesbild.monitor import PROFILES_DIR
from lagesbild.privacy import Pseudonymizer
from lagesbild.simulate.server import SimApp
from lagesbild.store import Store
from lagesbild.store.web import WebStore
from lagesbild.web import create_app, hash_password
from lagesbild.web.jobs import crawl_profiles

SITE = "annonsportalen"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crawl.db'}"
        with Store.open(url) as s:
            yield s
        return
    admin: sa.Engine = request.getfixturevalue("pg_admin")
    schema = "tc_" + uuid.uuid4().hex[:12]
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in PG_URL else "?"
    try:
        with Store.open(f"{PG_URL}{sep}options=-csearch_path%3D{schema}") as s:
            yield s
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


def _fast_profile_dir(tmp_path: Path) -> Path:
    """The shipped profile of SITE pointed at the in-process simulator, politeness lifted (test only)."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    raw = (PROFILES_DIR / f"{SITE}.yaml").read_text(encoding="utf-8")
    raw = raw.replace("base_url: http://127.0.0.1:8700/", "base_url: http://sim.test/")
    raw = raw.replace("politeness:\n  rate_per_second: 2\n  concurrency: 2\n",
                      "politeness:\n  rate_per_second: 10000\n  concurrency: 1\n  obey_crawl_delay: false\n"
                      "  backoff_seconds: 0\n")  # fmt: skip
    assert "sim.test" in raw and "10000" in raw, "the shipped profile changed shape; update this test"
    (folder / f"{SITE}.yaml").write_text(raw, encoding="utf-8")
    return folder


@pytest.fixture
def crawl_app(empty_store: Store, tmp_path: Path, tiny_world: Path) -> tuple[FastAPI, Store]:
    empty_store.bind_key(Pseudonymizer(TEST_KEY).fingerprint)
    WebStore(empty_store).add_user("admin", hash_password(PASSWORD), role="admin", scope=("SE",))
    WebStore(empty_store).add_user("analyst", hash_password(PASSWORD), role="analyst", scope=("SE",))
    app = create_app(empty_store, out_dir=tmp_path / "out", start_worker=False, cache_seconds=0)
    sim = SimApp(tiny_world)
    worker = app.state.web.worker
    worker.ctx = dataclasses.replace(
        worker.ctx, pseudonymizer=lambda: Pseudonymizer(TEST_KEY), profiles_dir=_fast_profile_dir(tmp_path),
        crawl_options={"transport": app_transport(sim), "clock": day_clock(sim, 3)},
    )  # fmt: skip
    return app, empty_store


def _sim_ids(world: Path, day: int) -> set[str]:
    import gzip

    import orjson

    with gzip.open(world / "sites" / f"{SITE}.jsonl.gz") as f:
        return {d["site_ad_id"] for d in map(orjson.loads, f) if d["online_from"] <= day <= d["online_to"]}


def test_an_admin_crawls_a_source_in_the_background(crawl_app: tuple[FastAPI, Store], tiny_world: Path) -> None:
    app, store = crawl_app
    u: LoggedIn = login(app, "admin")
    page = u.client.get("/sources").text
    assert 'action="/sources/crawl"' in page and f'<option value="{SITE}">' in page
    r = u.client.post("/sources/crawl", data={"source": SITE, "csrf": u.csrf}, follow_redirects=False)
    assert r.status_code == 303
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    ws = WebStore(store)
    assert ws.job(job_id).status == "queued"  # type: ignore[union-attr]
    assert 'http-equiv="refresh"' in u.client.get(f"/jobs/{job_id}").text
    seen: list[tuple[float, str]] = []
    real_update = ws.update_job

    def spy(jid: int, **kw: object) -> None:
        if "progress" in kw and jid == job_id:
            seen.append((float(kw["progress"]), str(kw.get("message", ""))))  # type: ignore[arg-type]
        real_update(jid, **kw)  # type: ignore[arg-type]

    app.state.web.worker.ws.update_job = spy
    assert app.state.web.worker.run_pending() == 1
    job = ws.job(job_id)
    assert job is not None and job.status == "done", job
    assert job.result["source"] == SITE and job.result["status"] == "done" and job.result["pages"] > 0
    # progress went up during the pass, with pages and ads in the message
    fractions = [p for p, _ in seen]
    assert len(fractions) >= 3 and fractions == sorted(fractions) and fractions[-1] == 1.0
    assert any("sidor" in m for _, m in seen)
    # every ad online that day is stored, identifiers pseudonymized, and the pipeline ran
    with store.engine.connect() as conn:
        ids = {r[0] for r in conn.execute(text("SELECT site_ad_id FROM observations WHERE site = :s"), {"s": SITE})}
        phones = [str(r[0]) for r in conn.execute(text("SELECT phones FROM observations")) if r[0]]
    assert ids == _sim_ids(tiny_world, 3)
    assert phones and all(p.startswith("ph_") for x in phones for p in x.split())
    assert job.result["new_observations"] == len(ids)
    done = u.client.get(f"/jobs/{job_id}").text
    assert "Lästa sidor" in done and 'http-equiv="refresh"' not in done
    assert any(e.target == f"jobs/{job_id}" and e.detail == f"crawl {SITE}" for e in ws.audit_entries(limit=50))


def test_only_admins_crawl_and_only_known_sources(crawl_app: tuple[FastAPI, Store]) -> None:
    app, store = crawl_app
    analyst = login(app, "analyst")
    assert 'action="/sources/crawl"' not in analyst.client.get("/sources").text
    assert analyst.client.post("/sources/crawl", data={"source": SITE, "csrf": analyst.csrf}).status_code == 403
    admin = login(app, "admin")
    assert admin.client.post("/sources/crawl", data={"source": SITE, "csrf": "forged"}).status_code == 403
    r = admin.client.post("/sources/crawl", data={"source": "http://169.254.169.254/", "csrf": admin.csrf})
    assert r.status_code == 400 and "source" in r.text
    assert WebStore(store).claim_job() is None  # nothing was queued


def test_without_the_key_the_job_fails_with_a_reason(empty_store: Store, tmp_path: Path) -> None:
    empty_store.bind_key(Pseudonymizer(TEST_KEY).fingerprint)
    WebStore(empty_store).add_user("admin", hash_password(PASSWORD), role="admin", scope=("SE",))
    app = create_app(empty_store, out_dir=tmp_path, start_worker=False)  # a bare store: no key to crawl with
    u = login(app, "admin")
    assert "lagesbild serve" in u.client.get("/sources").text
    job_id = WebStore(empty_store).add_job("crawl", {"source": SITE}, created_by="admin")
    app.state.web.worker.run_pending()
    job = WebStore(empty_store).job(job_id)
    assert job is not None and job.status == "failed" and "key" in job.message


def test_local_profiles_override_the_shipped_ones(tmp_path: Path) -> None:
    shipped = crawl_profiles(None)
    assert SITE in shipped and str(shipped[SITE].base_url).startswith("http://127.0.0.1")
    local = crawl_profiles(_fast_profile_dir(tmp_path))
    assert str(local[SITE].base_url).startswith("http://sim.test")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "broken.yaml").write_text("source: [", encoding="utf-8")
    assert set(crawl_profiles(broken)) == set(shipped)  # a broken file is left out


def test_serve_wires_the_installations_key_and_profiles(tmp_path: Path) -> None:
    """``lagesbild serve`` (create_app over settings) gives crawl jobs the installation's key and profile
    folder. Backend-independent wiring, so SQLite only; the crawl itself runs on both backends above."""
    from lagesbild.settings import load_settings
    from lagesbild.workspace import init_workspace, open_workspace

    settings = load_settings(home=str(tmp_path / "data"), db=f"sqlite:///{tmp_path / 'serve.db'}")
    init_workspace(settings)
    with open_workspace(settings) as ws:
        expected = ws.pseudonymizer.fingerprint
    app = create_app(settings, start_worker=False)
    ctx = app.state.web.worker.ctx
    assert ctx.profiles_dir == settings.home / "profiles"
    assert ctx.raw_page_retention_days == settings.raw_page_retention_days
    assert ctx.pseudonymizer is not None and ctx.pseudonymizer().fingerprint == expected
    app.state.web.store.close()
