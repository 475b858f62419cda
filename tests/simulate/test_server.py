"""The simulator's web server: what a crawler sees, in simulated time.

The fixture folder is written here in the contract's ``sites/`` format (three sites, one per
layout, small pages so pagination matters); phones come only from PTS's fiction range
070-1740605..070-1740699 and e-mails end in ``@example.invalid``. Everything runs on
127.0.0.1 with ephemeral ports.
"""

from __future__ import annotations

import gzip
import http.client
import json
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import httpx
import orjson
import pytest
from parsel import Selector

from lagesbild.errors import InputError, InputErrors
from lagesbild.simulate.server import Faults, SimApp, SimServer, load_sites

DAYS = 12
CITIES = {"stockholm": "Stockholm", "goteborg": "Göteborg", "norrkoping": "Norrköping"}
SITES = {"alfa": "classic", "beta": "cards", "gamma": "table"}
PAGE_SIZE = 3
World = tuple[Path, list[dict[str, object]]]


def _write_fixture(root: Path, seed: int = 11) -> list[dict[str, object]]:
    """Write ``root/sites/`` and return every ad version written."""
    rng = random.Random(seed)
    sites_dir = root / "sites"
    sites_dir.mkdir(parents=True)
    index = []
    every: list[dict[str, object]] = []
    for s, (name, layout) in enumerate(SITES.items()):
        index.append(
            {
                "name": name,
                "layout": layout,
                "cities": CITIES,
                "page_size": PAGE_SIZE,
                "assigns_new_id_on_repost": False,
            }
        )
        rows = []
        for i in range(30):
            start = rng.randrange(DAYS)
            rows.append(
                {
                    "site": name,
                    "site_ad_id": f"{s}{i:03d}",
                    "city": rng.choice(list(CITIES)),
                    "online_from": start,
                    "online_to": min(DAYS - 1, start + rng.randrange(4)),
                    "posted_at": f"2023-01-{1 + start:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
                    "title": rng.choice(["Ny i stan!", "Söt & snäll", "Bara 3 dagar i Linköping"]) + f" {i}",
                    "body": "Hej!\nRing mig på 070-174 06 05 eller sms:a.\nKramar från Åsa",
                    "location": rng.choice(["Sthlm", "Södermalm", "Gbg", "Hisingen", "Norrköping city"]),
                    "age": rng.choice([19, 23, 35]),
                    "phones": [f"070-174 06 {rng.randint(5, 99):02d}"] + (["+46701740699"] if i % 5 == 0 else []),
                    "emails": [f"annons{i}@example.invalid"] if i % 2 else [],
                    "price": rng.choice(["1500kr/30min", "2500 kr/h"]),
                    "language": "sv",
                    "name": "Åsa",
                    "image_hashes": [f"{rng.getrandbits(64):016x}" for _ in range(1 + i % 3)],
                }
            )
        # one ad that is reposted under the same id: two versions, never overlapping
        rows.append({**rows[0], "site_ad_id": f"{s}999", "online_from": 2, "online_to": 3, "title": "Första"})
        rows.append({**rows[0], "site_ad_id": f"{s}999", "online_from": 6, "online_to": 7, "title": "Andra"})
        rows.sort(key=lambda r: r["online_from"])  # type: ignore[arg-type, return-value]
        with gzip.open(sites_dir / f"{name}.jsonl.gz", "wb") as fh:
            fh.write(b"".join(orjson.dumps(r) + b"\n" for r in rows))
        every += rows
    (sites_dir / "sites.json").write_text(json.dumps(index, ensure_ascii=False), encoding="utf-8")
    return every


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("simworld")
    return root, _write_fixture(root)


@pytest.fixture
def server(world: World) -> Iterator[SimServer]:
    with SimServer(world[0]) as srv:
        yield srv


def online(ads: list[dict[str, object]], site: str, day: int, city: str | None = None) -> dict[str, dict[str, object]]:
    """The truth: ads of ``site`` online on ``day`` (online_from..online_to inclusive)."""
    return {
        str(a["site_ad_id"]): a
        for a in ads
        if a["site"] == site
        and a["online_from"] <= day <= a["online_to"]  # type: ignore[operator]
        and (city is None or a["city"] == city)
    }


# Site profiles as a crawler would write them: one selector set per layout.
PROFILES: dict[str, dict[str, str]] = {
    "classic": {
        "city_links": "ul.cities li.city a::attr(href)",
        "ad_links": "div.ad h2.ad-title a::attr(href)",
        "next": "div.pagination a.next::attr(href)",
        "title": "h1.ad-title::text",
        "site_ad_id": "span.ad-id::text",
        "location": "span.ad-location::text",
        "age": "span.ad-age::text",
        "phones": "a.phone::text",
        "emails": "a.email::text",
        "price": "span.ad-price::text",
        "posted_at": "span.ad-date::text",
        "image_hashes": "div.gallery img::attr(src)",
    },
    "cards": {
        "city_links": "div.city-grid a.city-tile::attr(href)",
        "ad_links": "article.card > a::attr(href)",
        "next": "nav.pager a.pager-next::attr(href)",
        "title": "h1.card-title::text",
        "site_ad_id": "article.profile::attr(data-ad-id)",
        "location": "dd.card-city::text",
        "age": "dd.card-age::text",
        "phones": "a.contact-phone::attr(data-number)",
        "emails": "a.contact-mail::attr(href)",
        "price": "dd.card-price::text",
        "posted_at": "time.card-date::attr(datetime)",
        "image_hashes": "div.photos img::attr(src)",
    },
    "table": {
        "city_links": "table.towns a.town-link::attr(href)",
        "ad_links": "table.ads tr.row td.subject a::attr(href)",
        "next": "p.pages a.next-page::attr(href)",
        "title": "caption.subject::text",
        "site_ad_id": "xpath://th[.='Annonsnummer']/following-sibling::td/text()",
        "location": "xpath://th[.='Ort']/following-sibling::td/text()",
        "age": "xpath://th[.='Ålder']/following-sibling::td/text()",
        "phones": "xpath://th[.='Telefon']/following-sibling::td/span/text()",
        "emails": "xpath://th[.='E-post']/following-sibling::td/a/text()",
        "price": "xpath://th[.='Pris']/following-sibling::td/text()",
        "posted_at": "td.posted::text",
        "image_hashes": "td.pics img::attr(src)",
    },
}


def select(html: str, query: str) -> list[str]:
    sel = Selector(text=html)
    found = sel.xpath(query[6:]) if query.startswith("xpath:") else sel.css(query)
    return [v.strip().removeprefix("mailto:").removeprefix("📞").strip() for v in found.getall() if v.strip()]


def crawl(client: httpx.Client, base: str, site: str, *, day: int | None = None) -> dict[str, str]:
    """Follow start page -> city pages -> next links -> ads, as a crawler would; returns {ad url: html}."""
    profile = PROFILES[SITES[site]]
    headers = {} if day is None else {"X-Sim-Day": str(day)}
    start = f"{base}/{site}/"
    pages: dict[str, str] = {}
    for city_href in select(client.get(start, headers=headers).text, profile["city_links"]):
        url: str | None = urljoin(start, city_href)
        seen = set()
        while url is not None and url not in seen:
            seen.add(url)
            r = client.get(url, headers=headers)
            assert r.status_code == 200, url
            for href in select(r.text, profile["ad_links"]):
                ad_url = urljoin(url, href)
                pages[ad_url] = client.get(ad_url, headers=headers).text
            nxt = select(r.text, profile["next"])
            url = urljoin(url, nxt[0]) if nxt else None
    return pages


# ----------------------------------------------------------------------------------------- layouts


@pytest.mark.parametrize("site", list(SITES))
def test_each_layout_serves_listing_and_detail_pages_parseable_with_selectors(world: World, site: str) -> None:
    root, ads = world
    app = SimApp(root, day=4)
    profile = PROFILES[SITES[site]]
    truth = online(ads, site, 4)
    start = app.get(f"/{site}/")
    assert start.status == 200
    city_links = select(start.text, profile["city_links"])
    assert len(city_links) == len(CITIES)
    listing_url = urljoin(f"/{site}/", city_links[0])
    listing = app.get(listing_url)
    assert listing.status == 200
    ad_links = select(listing.text, profile["ad_links"])
    assert 0 < len(ad_links) <= PAGE_SIZE
    for href in ad_links:
        page = app.get(urljoin(listing_url, href))
        assert page.status == 200
        ad_id = select(page.text, profile["site_ad_id"])[0].lstrip("#")
        ad = truth[ad_id]
        assert select(page.text, profile["title"]) == [ad["title"]]
        assert select(page.text, profile["location"]) == [ad["location"]]
        assert select(page.text, profile["age"]) == [str(ad["age"])]
        assert select(page.text, profile["phones"]) == ad["phones"]
        assert select(page.text, profile["emails"]) == ad["emails"]
        assert select(page.text, profile["price"]) == [ad["price"]]
        # plain <img src>: the picture of each image identity, no simulator-only attribute
        srcs = select(page.text, profile["image_hashes"])
        assert [s.rsplit("/", 1)[-1].removesuffix(".png") for s in srcs] == ad["image_hashes"]
        assert "data-phash" not in page.text
        assert select(page.text, profile["posted_at"])[0][:10] == str(ad["posted_at"])[:10]
        assert "Användarvillkor" in page.text  # the footer, with Swedish characters intact


def test_layouts_differ_so_each_site_needs_its_own_profile(world: World) -> None:
    app = SimApp(world[0], day=4)
    for site, layout in SITES.items():
        html = app.get(f"/{site}/stad/stockholm/").text
        for other, other_layout in SITES.items():
            if other_layout != layout:
                assert select(html, PROFILES[other_layout]["ad_links"]) == [], (site, other)


def test_images_links_and_redirects(world: World) -> None:
    app = SimApp(world[0], day=4)
    html = app.get("/alfa/stad/stockholm/").text
    assert 'href="../../annons/' in html  # relative links, as many real sites write them
    img = app.get("/alfa/img/0123456789abcdef.png")
    assert img.status == 200 and img.content_type == "image/png" and img.body.startswith(b"\x89PNG")
    assert app.get("/alfa").headers["Location"] == "/alfa/"
    assert app.get("/alfa/stad/stockholm?page=2").headers["Location"] == "/alfa/stad/stockholm/?page=2"
    assert app.get("/nosuchsite/").status == 404
    assert app.get("/alfa/stad/nosuchcity/").status == 404


# ----------------------------------------------------------------------------------------- pagination and time


def test_pagination_reaches_every_ad_online_that_day_and_no_other(world: World, server: SimServer) -> None:
    _, ads = world
    with httpx.Client() as client:
        for day in (0, 3, 7, DAYS - 1):
            for site, layout in SITES.items():
                pages = crawl(client, server.url, site, day=day)
                found = {select(html, PROFILES[layout]["site_ad_id"])[0].lstrip("#") for html in pages.values()}
                assert found == set(online(ads, site, day)), (site, day)
                assert len(pages) == len(found)  # no ad listed twice across pages


def test_listing_pages_are_newest_first_and_page_past_the_end_is_empty(world: World) -> None:
    _, ads = world
    app = SimApp(world[0])
    truth = online(ads, "alfa", 5, "stockholm")
    pages = [app.listing_page("alfa", "stockholm", p, 5) for p in range(1, 10)]
    listed = [a for p in pages for a in p.ads]
    assert {a.site_ad_id for a in listed} == set(truth)
    posted = [str(a.posted_at) for a in listed]
    assert posted == sorted(posted, reverse=True)
    assert pages[0].pages == -(-len(truth) // PAGE_SIZE)
    past = app.get(f"/alfa/stad/stockholm/?page={pages[0].pages + 1}")
    assert past.status == 200 and "Inga annonser" in past.text


def test_repost_under_same_id_shows_the_version_online_that_day(world: World) -> None:
    app = SimApp(world[0])
    assert "Första" in app.get("/alfa/annons/0999", {"X-Sim-Day": "2"}).text
    assert app.get("/alfa/annons/0999", {"X-Sim-Day": "5"}).status == 404
    assert "Andra" in app.get("/alfa/annons/0999", {"X-Sim-Day": "7"}).text


def test_clock_controls_change_what_is_online(world: World, server: SimServer) -> None:
    _, ads = world
    with httpx.Client(base_url=server.url) as client:
        assert client.get("/_control/state").json()["day"] == 0
        state = client.post("/_control/day", json={"day": 2}).json()
        assert state["day"] == 2 and state["date"] == "2023-01-03"
        assert client.get("/alfa/annons/0999").status_code == 200
        assert client.post("/_control/advance").json()["day"] == 3
        assert client.post("/_control/advance", json={"days": 2}).json()["day"] == 5
        assert client.get("/alfa/annons/0999").status_code == 404
        # the header names the day of one request without moving the clock
        assert client.get("/alfa/annons/0999", headers={"X-Sim-Day": "6"}).status_code == 200
        assert client.get("/_control/state").json()["day"] == 5
        counts = {d: len(crawl(client, server.url, "beta", day=d)) for d in (0, 5)}
        assert counts == {0: len(online(ads, "beta", 0)), 5: len(online(ads, "beta", 5))}
        assert client.post("/_control/day", json={"day": -1}).status_code == 400
        assert client.post("/_control/day", content=b"{not json").status_code == 400
        assert client.get("/alfa/", headers={"X-Sim-Day": "soon"}).status_code == 400


# ----------------------------------------------------------------------------------------- politeness


def test_robots_txt_disallows_admin_and_sets_a_crawl_delay(world: World, server: SimServer) -> None:
    import urllib.robotparser

    text = httpx.get(f"{server.url}/robots.txt").text
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(text.splitlines())
    assert str(rp.crawl_delay("lagesbild-test")) == "1"  # typeshed says str; it is an int
    for site in SITES:
        assert not rp.can_fetch("lagesbild-test", f"{server.url}/{site}/admin/login")
        assert rp.can_fetch("lagesbild-test", f"{server.url}/{site}/stad/stockholm/")
    site_rules = httpx.get(f"{server.url}/alfa/robots.txt").text
    assert "Disallow: /alfa/admin/" in site_rules and "/beta/" not in site_rules
    assert httpx.get(f"{server.url}/alfa/admin/login").status_code == 200  # served, but off limits


def test_too_fast_gets_429_with_retry_after(world: World) -> None:
    now = [100.0]
    app = SimApp(world[0], rate_limit=2, burst=2, clock=lambda: now[0])
    assert [app.get("/alfa/").status for _ in range(3)] == [200, 200, 429]
    limited = app.get("/alfa/")
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    now[0] += 0.5  # one token back at 2 requests/s
    assert app.get("/alfa/").status == 200
    assert app.get("/alfa/", {"User-Agent": "another-crawler"}).status == 200  # clients are counted apart
    now[0] += 10
    assert app.get("/alfa/").status == 200


def test_rate_limit_over_http_and_switchable(world: World) -> None:
    with SimServer(world[0], rate_limit=5) as srv, httpx.Client(base_url=srv.url) as client:
        statuses = [client.get("/alfa/").status_code for _ in range(20)]
        assert 429 in statuses and statuses[0] == 200
        r = client.get("/alfa/")
        assert r.status_code == 429 and r.headers["Retry-After"].isdigit()
        assert client.get("/_control/state").status_code == 200  # the control API is never limited
        assert client.post("/_control/rate-limit", json={"rate": None}).json()["rate_limit"] is None
        assert {client.get("/alfa/").status_code for _ in range(20)} == {200}


# ----------------------------------------------------------------------------------------- faults


def test_errors_fault_answers_500_but_not_robots_or_control(world: World) -> None:
    app = SimApp(world[0], faults=Faults(error_rate=1.0))
    assert app.get("/alfa/stad/stockholm/").status == 500
    assert app.get("/robots.txt").status == 200 and app.get("/alfa/robots.txt").status == 200
    app.set_faults(Faults(error_rate=0.3, seed=1))
    statuses = [app.get("/alfa/").status for _ in range(400)]
    assert 0.2 < statuses.count(500) / len(statuses) < 0.4


def test_slow_fault_delays_the_answer(world: World) -> None:
    with SimServer(world[0], faults=Faults(slow_rate=1.0, slow_seconds=0.4)) as srv:
        t = time.perf_counter()
        assert httpx.get(f"{srv.url}/alfa/").status_code == 200
        assert time.perf_counter() - t >= 0.35


def test_layout_change_makes_old_selectors_stop_matching(world: World, server: SimServer) -> None:
    with httpx.Client(base_url=server.url) as client:
        client.post("/_control/day", json={"day": 4})
        for site, layout in SITES.items():
            assert select(client.get(f"/{site}/stad/stockholm/").text, PROFILES[layout]["ad_links"])
        state = client.post("/_control/faults", json={"layout_change": ["alfa", "gamma"]}).json()
        assert state["faults"]["layout_change"] == ["alfa", "gamma"]
        assert state["sites"]["alfa"]["layout_changed"]
        for site, layout in SITES.items():
            html = client.get(f"/{site}/stad/stockholm/").text
            assert bool(select(html, PROFILES[layout]["ad_links"])) == (site == "beta"), site
            assert "Stockholm" in html  # still a working page, just different markup
        client.post("/_control/faults", json={"reset": True})
        assert select(client.get("/alfa/stad/stockholm/").text, PROFILES["classic"]["ad_links"])


def test_faults_parse_from_command_line_spelling() -> None:
    f = Faults.parse(["errors=0.05,slow=0.1", "slow-seconds=3,layout-change=alfa+beta"])
    assert (f.error_rate, f.slow_rate, f.slow_seconds) == (0.05, 0.1, 3.0)
    assert f.changes_layout("alfa") and not f.changes_layout("gamma")
    assert Faults.parse("layout-change=all").changes_layout("gamma")
    with pytest.raises(InputErrors) as exc:
        Faults.parse("errrors=1,slow=x")
    assert len(exc.value.errors) == 2
    with pytest.raises(InputError):
        Faults(error_rate=2.0)


# ----------------------------------------------------------------------------------------- log and lifecycle


def test_access_log_records_each_request_with_time_path_and_status(world: World, server: SimServer) -> None:
    with httpx.Client(base_url=server.url, headers={"User-Agent": "testbot/1.0"}) as client:
        first = client.get("/_control/log").json()["last_seq"]
        t0 = time.time()
        client.get("/alfa/")
        client.get("/alfa/annons/nope")
        client.get("/_control/state")  # control requests are not logged
        entries = client.get("/_control/log", params={"since": first}).json()["entries"]
    assert [(e["path"], e["status"]) for e in entries] == [("/alfa/", 200), ("/alfa/annons/nope", 404)]
    assert all(t0 - 1 <= e["time"] <= time.time() and e["user_agent"] == "testbot/1.0" for e in entries)
    assert entries[1]["seq"] == entries[0]["seq"] + 1
    assert server.app.access_log(since=first) == entries


def test_access_log_file(world: World, tmp_path: Path) -> None:
    path = tmp_path / "access.jsonl"
    with path.open("w", encoding="utf-8") as fh, SimServer(world[0], access_log=fh) as srv:
        httpx.get(f"{srv.url}/beta/")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["path"], e["status"]) for e in lines] == [("/beta/", 200)]


def test_keep_alive_head_and_bad_requests(server: SimServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    for _ in range(3):  # several requests on one connection
        conn.request("GET", "/gamma/")
        r = conn.getresponse()
        assert r.status == 200 and b"</html>" in r.read()
    conn.request("HEAD", "/gamma/")
    r = conn.getresponse()
    assert r.status == 200 and int(r.headers["Content-Length"]) > 0 and r.read() == b""
    conn.request("POST", "/gamma/")
    assert conn.getresponse().status == 405
    conn.close()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"NONSENSE\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 400")


def test_server_stops_cleanly_with_open_connections(world: World) -> None:
    srv = SimServer(world[0])
    srv.start()
    port = srv.port
    idle = socket.create_connection(("127.0.0.1", port))  # a keep-alive client that never sends
    with httpx.Client() as client:
        assert client.get(f"{srv.url}/alfa/").status_code == 200
        srv.stop()
    assert srv._thread is None
    assert idle.recv(1) == b""  # the server closed it
    idle.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    srv.start()  # and it can start again
    srv.stop()


def test_only_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SimServer(Path("."), host="0.0.0.0")


def test_bad_folder_reports_every_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"sites\.json"):
        load_sites(tmp_path)
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "sites.json").write_text(
        json.dumps(
            [
                {"name": "a", "layout": "fancy", "cities": {"x": "X"}, "page_size": 0},
                {"name": "b", "layout": "table", "cities": {"x": "X"}, "page_size": 5},
            ]
        )
    )
    with gzip.open(tmp_path / "sites" / "b.jsonl.gz", "wb") as fh:
        fh.write(b'{"site": "b", "site_ad_id": "1", "city": "y", "online_from": 0, "online_to": 1}\nnot json\n')
    with pytest.raises(InputErrors) as exc:
        load_sites(tmp_path)
    messages = [str(e) for e in exc.value.errors]
    assert len(messages) == 5, messages  # bad layout, bad page_size, missing a.jsonl.gz, unknown city, bad line


def test_serve_command_runs_and_stops_on_sigterm(world: World) -> None:
    code = "import sys\nfrom lagesbild.cli.simulate import app\napp(sys.argv[1:])\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "serve", str(world[0]), "--port", "0", "--day", "3", "--faults", "errors=0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = first.split(" on ")[1].split("/ ")[0]
        assert httpx.get(f"{url}/_control/state").json()["day"] == 3
        assert httpx.get(f"{url}/alfa/").status_code == 200
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""


def test_sites_json_may_be_an_object_keyed_by_site(world: World, tmp_path: Path) -> None:
    root, _ = world
    index = json.loads((root / "sites" / "sites.json").read_text(encoding="utf-8"))
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "sites.json").write_text(json.dumps({s["name"]: s for s in index}), encoding="utf-8")
    for name in SITES:
        (tmp_path / "sites" / f"{name}.jsonl.gz").write_bytes((root / "sites" / f"{name}.jsonl.gz").read_bytes())
    assert {n: s.spec.layout for n, s in load_sites(tmp_path).items()} == SITES


def test_a_line_malformed_beyond_its_index_fields_answers_500_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "sites.json").write_text(
        json.dumps([{"name": "x", "layout": "classic", "cities": {"a": "A"}, "page_size": 5}])
    )
    with gzip.open(tmp_path / "sites" / "x.jsonl.gz", "wb") as fh:
        fh.write(b'{"site": "x", "site_ad_id": "1", "city": "a", "online_from": 0, "online_to": 9, "age": "old"}\n')
    with SimServer(tmp_path) as srv:
        assert httpx.get(f"{srv.url}/x/", headers={"X-Sim-Day": "20"}).status_code == 200  # the line is not shown
        assert httpx.get(f"{srv.url}/x/").status_code == 500
    assert "error answering GET /x/" in caplog.text
