"""End to end in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

Logs in, follows the map from Sweden to a county and a municipality, edits an assumption and sees
the purchases recalculated, generates a report in the background and downloads it. Screenshots of
the SQLite run are written to ``docs/screenshots/`` when ``LAGESBILD_SCREENSHOTS=1``. The app runs
in uvicorn on a loopback port with its job worker, as ``lagesbild serve`` runs it.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Page, sync_playwright
from tests.web.conftest import PASSWORD

from lagesbild.store import Store
from lagesbild.web import create_app

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def server(web_store: Store, tmp_path: Path) -> Iterator[str]:
    app = create_app(web_store, out_dir=tmp_path / "reports", start_worker=True, cache_seconds=0)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    t = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    t.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(15)
    sock.close()


def _shot(page: Page, name: str, keep: bool, tmp: Path) -> None:
    """A full-page screenshot: into docs/screenshots/ with LAGESBILD_SCREENSHOTS=1 (SQLite run only),
    else into the test's temporary folder, so a test run leaves the committed images alone."""
    folder = SHOTS if keep and os.environ.get("LAGESBILD_SCREENSHOTS") == "1" else tmp
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    assert (folder / f"{name}.png").stat().st_size > 5_000


def test_login_map_municipality_assumption_and_report(server: str, web_db: str, tmp_path: Path) -> None:
    keep = web_db.startswith("sqlite")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        page.goto(server + "/")
        assert page.url.endswith("/login")
        _shot(page, "01-login", keep, tmp_path)
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/area/SE")
        assert page.locator("h1").inner_text().startswith("Sverige")
        _shot(page, "02-overview", keep, tmp_path)

        # the map: hover text names the county; click Östergötland
        county = page.locator('svg.map a[href="/area/05"]')
        assert "Östergötlands län" in (county.locator("title").text_content() or "")
        county.locator("path").click()
        page.wait_for_url("**/area/05")
        assert "Östergötland" in page.locator("h1").inner_text()
        assert page.locator("table.figures").count() == 1
        _shot(page, "03-county", keep, tmp_path)

        page.locator('svg.map a[href="/area/0580"] path').click()
        page.wait_for_url("**/area/0580")
        assert "Linköping" in page.locator("h1").inner_text()
        assert page.locator("svg.chart rect").count() == 2  # the tiny world: March and April 2024
        _shot(page, "04-municipality", keep, tmp_path)

        # an assumption changed, recalculated at once
        page.goto(server + "/assumptions?area=05&year=2024")
        page.fill("input[name=clients_per_working_day]", "3")
        page.click("form.card button[type=submit]")
        recalc = page.locator("#recalculated tr.recalc td.num").first
        assert float(recalc.get_attribute("data-value") or "nan") > 0
        _shot(page, "05-assumptions", keep, tmp_path)

        # a report in the background, then downloaded
        page.goto(server + "/reports")
        page.select_option("select[name=area]", "05")
        page.select_option("select[name=year]", "2024")
        page.click("form.card button[type=submit]")
        page.wait_for_selector("#job-status[data-status=done]", timeout=180_000)
        _shot(page, "06-report-done", keep, tmp_path)
        with page.expect_download() as dl:
            page.locator("a.download").first.click()
        assert dl.value.suggested_filename.startswith("lagesbild-05-2024")

        # English on request
        page.goto(server + "/area/05?lang=en")
        assert page.locator("h2").first.inner_text() == "Key figures"
        assert not errors, errors  # no CSP violations or script errors
        browser.close()
