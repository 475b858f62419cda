"""A hostile site cannot steer the fetcher: hosts, private addresses, redirects, trickling servers."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from lagesbild.monitor import fetch as fetch_module
from lagesbild.monitor.fetch import (
    AddressRefused,
    DeadlineExceeded,
    Fetcher,
    HostPolicy,
    is_public_address,
)
from lagesbild.monitor.spec import Politeness, parse_profile

PUBLIC = "93.184.216.34"  # a documentation-era public address; never connected to (MockTransport)

MINIMAL = {
    "source": "s",
    "base_url": "http://site.test/",
    "start": {"urls": [""]},
    "listing": {"ad_links": {"css": "a::attr(href)"}},
    "ad": {"fields": {"site_ad_id": {"from_url": "/annons/(\\d+)"}}},
}


def profile(**extra: object):  # type: ignore[no-untyped-def]
    return parse_profile({**MINIMAL, **extra})


def fake_dns(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in table:
            raise socket.gaierror(f"no such host {host}")
        return table[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def fetcher_for(p, handler, dns: dict[str, list[str]] | None = None) -> Fetcher:  # type: ignore[no-untyped-def]
    return Fetcher.for_profile(
        p,
        transport=httpx.MockTransport(handler),
        resolve=fake_dns(dns if dns is not None else {"site.test": [PUBLIC]}),
        sleep=lambda s: None,
    )


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("172.16.5.5", False),
        ("169.254.169.254", False),  # cloud metadata service
        ("100.64.0.1", False),  # shared (carrier-grade NAT)
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("not an address", False),
        (PUBLIC, True),
        ("2606:4700:4700::1111", True),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_redirect_to_another_host_is_refused_and_never_fetched() -> None:
    asked: list[str] = []

    def handler(r: httpx.Request) -> httpx.Response:
        asked.append(str(r.url))
        if r.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(302, headers={"Location": "http://internal.test:6379/admin"})

    f = fetcher_for(profile(), handler, {"site.test": [PUBLIC], "internal.test": [PUBLIC]})
    with pytest.raises(AddressRefused, match=r"redirect refused.*internal\.test"):
        f.get("http://site.test/annons/1")
    assert not any("internal.test" in u for u in asked)  # not even its robots.txt


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1/",  # loopback, literal
        "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
        "http://site.test:5432/",  # the same host, another port
        "http://[::1]/",
    ],
)
def test_redirect_to_internal_addresses_is_refused(location: str) -> None:
    asked: list[str] = []

    def handler(r: httpx.Request) -> httpx.Response:
        asked.append(str(r.url))
        if r.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(301, headers={"Location": location})

    f = fetcher_for(profile(), handler)
    with pytest.raises(AddressRefused):
        f.get("http://site.test/x")
    assert asked == ["http://site.test/robots.txt", "http://site.test/x"]


def test_a_host_resolving_to_a_private_address_is_refused_unless_the_profile_allows_it() -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        return httpx.Response(404) if r.url.path == "/robots.txt" else httpx.Response(200, text="<p>ok</p>")

    dns = {"site.test": ["10.0.0.8"]}
    with pytest.raises(AddressRefused, match=r"non-public address.*allow_private_network"):
        fetcher_for(profile(), handler, dns).get("http://site.test/x")
    # a name with one public and one private address is refused too (the private one could be picked)
    with pytest.raises(AddressRefused):
        fetcher_for(profile(), handler, {"site.test": [PUBLIC, "127.0.0.1"]}).get("http://site.test/x")
    ok = fetcher_for(profile(allow_private_network=True), handler, dns).get("http://site.test/x")
    assert ok.text == "<p>ok</p>"


def test_allowed_hosts_are_followed_and_every_hop_is_checked() -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        if r.url.path == "/robots.txt":
            return httpx.Response(404)
        if r.url.host == "site.test":
            return httpx.Response(301, headers={"Location": "https://www.site.test/a"})
        if r.url.host == "www.site.test" and r.url.path == "/a":
            return httpx.Response(302, headers={"Location": "https://cdn.example.test:8443/a"})
        return httpx.Response(200, text="landed")

    dns = {"site.test": [PUBLIC], "www.site.test": [PUBLIC], "cdn.example.test": [PUBLIC]}
    p = profile(allowed_hosts=["*.site.test", "cdn.example.test:8443"])
    assert fetcher_for(p, handler, dns).get("http://site.test/x").text == "landed"
    # without the port, cdn.example.test is allowed on 80 and 443 only
    p2 = profile(allowed_hosts=["*.site.test", "cdn.example.test"])
    with pytest.raises(AddressRefused, match=r"cdn\.example\.test:8443"):
        fetcher_for(p2, handler, dns).get("http://site.test/x")


def test_policy_host_matching() -> None:
    pol = HostPolicy.for_profile(profile(base_url="http://127.0.0.1:8700/s/", allowed_hosts=["*.site.test"]))
    assert pol.host_allowed("http://127.0.0.1:8700/s/annons/1")
    assert not pol.host_allowed("http://127.0.0.1:5432/")  # same address, another port
    assert not pol.host_allowed("http://127.0.0.1/")
    assert pol.host_allowed("https://a.b.site.test/x") and pol.host_allowed("http://site.test/")
    assert not pol.host_allowed("http://evilsite.test/") and not pol.host_allowed("http://site.test.evil/")
    assert not pol.host_allowed("ftp://site.test/") and not pol.host_allowed("http://[bad/")


def test_allowed_hosts_are_validated() -> None:
    from lagesbild.errors import InputErrors

    with pytest.raises(InputErrors) as info:
        profile(allowed_hosts=["http://x.test/", "ok.test", "a b"])
    (err,) = info.value.errors
    assert err.field == "allowed_hosts" and "http://x.test/" in err.message and "ok.test" not in err.message


class _Trickle(httpx.SyncByteStream):
    """A body that never ends quickly: one byte every ``gap`` seconds (each read well within the timeout)."""

    def __init__(self, n: int, gap: float) -> None:
        self.n, self.gap = n, gap

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.n):
            time.sleep(self.gap)
            yield b"x"


def test_a_trickling_body_ends_at_the_deadline() -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        if r.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(200, stream=_Trickle(200, 0.05))  # 10 s if read to the end

    p = profile(politeness={"timeout_seconds": 0.5, "deadline_seconds": 1.0, "max_retries": 3})
    f = fetcher_for(p, handler)
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="deadline of 1 s"):
        f.get("http://site.test/x")
    elapsed = time.monotonic() - t0
    assert 0.9 <= elapsed < 1.6, elapsed  # not retried: one deadline, not four
    assert f.requests == 2  # robots.txt and the page, once


def test_the_default_deadline_is_three_timeouts() -> None:
    assert Politeness(timeout_seconds=3).deadline == 9.0
    assert Politeness(timeout_seconds=3, deadline_seconds=5).deadline == 5.0


class _TrickleHandler(socketserver.BaseRequestHandler):
    """A real server that trickles its status line, headers and body one byte every 50 ms."""

    def handle(self) -> None:
        self.request.recv(65536)
        data = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Pad: " + b"p" * 200 + b"\r\n\r\n" + b"b" * 1000
        try:
            for i in range(len(data)):
                self.request.sendall(data[i : i + 1])
                time.sleep(0.05)
        except OSError:
            pass  # the client hung up: what we want


@pytest.fixture
def trickle_server() -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _TrickleHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_trickled_headers_on_a_real_socket_end_at_the_deadline(trickle_server: str) -> None:
    # obey_robots_txt off: the server trickles everything, robots.txt included
    p = profile(
        base_url=trickle_server + "/",
        allow_private_network=True,
        politeness={"timeout_seconds": 0.5, "deadline_seconds": 1.0, "obey_robots_txt": False},
    )
    with Fetcher.for_profile(p) as f:  # its own transport: every socket read ends by the deadline
        t0 = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            f.get(trickle_server + "/x")
        elapsed = time.monotonic() - t0
    assert 0.9 <= elapsed < 1.5, elapsed


def test_the_fetchers_own_transport_connects_only_to_the_checked_address(
    trickle_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The address checked is the address connected to: a second DNS answer (rebinding) is never asked for."""
    port = int(trickle_server.rsplit(":", 1)[1])
    dns = fake_dns({"site.invalid": ["127.0.0.1"]})
    # pretend loopback is public, so that the check passes and the connection goes to the checked address
    monkeypatch.setattr(fetch_module, "is_public_address", lambda a: True)
    p = profile(
        base_url=f"http://site.invalid:{port}/",
        politeness={"timeout_seconds": 0.5, "deadline_seconds": 0.6, "obey_robots_txt": False},
    )
    with Fetcher.for_profile(p, resolve=dns) as f, pytest.raises(DeadlineExceeded):
        f.get(f"http://site.invalid:{port}/x")  # site.invalid has no real DNS answer: only ours was used
    assert dns.calls == ["site.invalid"]  # type: ignore[attr-defined]


def test_the_fetchers_own_transport_refuses_loopback_by_default(trickle_server: str) -> None:
    p = profile(base_url=trickle_server + "/", politeness={"obey_robots_txt": False})
    with Fetcher.for_profile(p) as f, pytest.raises(AddressRefused, match=r"127\.0\.0\.1"):
        f.get(trickle_server + "/x")


def test_robots_txt_redirects_are_followed_on_the_profiles_hosts_only() -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        if r.url.path == "/robots.txt" and r.url.scheme == "http":
            return httpx.Response(301, headers={"Location": "https://site.test/robots.txt"})
        if r.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nDisallow: /privat/\n")
        return httpx.Response(200, text="ok")

    f = fetcher_for(profile(), handler)
    assert f.allowed("http://site.test/x") and not f.allowed("http://site.test/privat/y")  # the https rules

    asked: list[str] = []

    def elsewhere(r: httpx.Request) -> httpx.Response:
        asked.append(str(r.url))
        if r.url.host == "site.test" and r.url.path == "/robots.txt":
            return httpx.Response(302, headers={"Location": "http://10.0.0.1/robots.txt"})
        return httpx.Response(200, text="ok")

    f2 = fetcher_for(profile(), elsewhere)
    assert not f2.allowed("http://site.test/x")  # robots.txt unreachable: nothing is fetched from the host
    assert asked == ["http://site.test/robots.txt"]


def test_an_unresolvable_host_is_a_transient_error_and_lookups_are_cached() -> None:
    from lagesbild.monitor.fetch import FetchTransient

    dns = fake_dns({"site.test": [PUBLIC]})
    pol = HostPolicy.for_profile(profile(allowed_hosts=["gone.test"]), resolve=dns)
    with pytest.raises(FetchTransient, match=r"cannot resolve host gone\.test"):
        pol.check("http://gone.test/")
    pol.check("http://site.test/a")
    pol.check("http://site.test/b")
    assert dns.calls == ["gone.test", "site.test"]  # type: ignore[attr-defined]


def test_start_pages_on_other_hosts_are_refused_by_check() -> None:
    from lagesbild.errors import InputErrors

    with pytest.raises(InputErrors) as info:
        profile(start={"urls": ["stad/a/", "http://other.test/stad/b/"]})
    (err,) = info.value.errors
    assert "'http://other.test/stad/b/'" in err.message and "allowed_hosts" in err.message
    assert profile(start={"urls": ["http://other.test/stad/b/"]}, allowed_hosts=["other.test"]).start.urls
