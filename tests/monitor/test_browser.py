"""render: browser: pages built by JavaScript are read after their scripts ran, in Debian's Chromium.

Runs in CI (scripts/system-packages.txt installs chromium); the browser's own requests off the
profile's hosts are aborted.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lagesbild.monitor.browser import BrowserFetcher, chromium_path
from lagesbild.monitor.compile import compile_profile
from lagesbild.monitor.fetch import Fetcher
from lagesbild.monitor.spec import parse_profile


class _Server:
    def __init__(self, pages: dict[str, str]) -> None:
        self.pages = pages
        self.paths: list[str] = []
        owner = self

        class H(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.paths.append(self.path)
                body = owner.pages.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.encode()
                self.send_response(200)
                ctype = "text/plain" if self.path == "/robots.txt" else "text/html; charset=utf-8"
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[tuple[_Server, _Server]]:
    other = _Server({"/x.js": "document.title = 'tracked'"})
    site = _Server(
        {
            "/robots.txt": "User-agent: *\nDisallow: /admin/\n",
            "/annons/17": (
                "<html><body><div id=app>loading</div>"
                f"<script src='{other.url}/x.js'></script>"
                "<script>document.getElementById('app').innerHTML ="
                " '<h1 class=title>Ny i stan</h1><p class=text>Hej!</p>';</script></body></html>"
            ),
        }
    )
    yield site, other
    site.close()
    other.close()


def _profile(base: str, render: str = "browser"):  # type: ignore[no-untyped-def]
    return parse_profile(
        {
            "source": "jssajten",
            "base_url": base + "/",
            "render": render,
            "allow_private_network": True,  # a test server on this machine
            "politeness": {"rate_per_second": 100, "concurrency": 1, "timeout_seconds": 10},
            "start": {"urls": ["annons/17"]},
            "listing": {"ad_links": {"css": "a::attr(href)"}},
            "ad": {
                "fields": {
                    "site_ad_id": {"from_url": "/annons/([0-9]+)"},
                    "title": {"css": "h1.title::text"},
                    "body": {"css": "p.text::text"},
                }
            },
        }
    )


def test_chromium_is_installed() -> None:
    assert chromium_path()  # scripts/system-packages.txt installs it; CI must not skip the tests below


def test_a_page_built_by_javascript_is_read_after_its_scripts_ran(servers: tuple[_Server, _Server]) -> None:
    site, other = servers
    profile = _profile(site.url)
    url = site.url + "/annons/17"
    with Fetcher.for_profile(_profile(site.url, "http")) as plain:
        assert plain.get(url).text.count("Ny i stan") == 1  # only inside the script, no h1 yet
        assert "title" not in compile_profile(profile).read_ad(plain.get(url).text, url).record
    with Fetcher.for_profile(profile) as f:
        assert isinstance(f, BrowserFetcher)
        ((_, page),) = list(f.get_many([url]))
    assert not isinstance(page, Exception), page
    read = compile_profile(profile).read_ad(page.text, page.url)
    assert read.record["title"] == "Ny i stan" and read.record["body"] == "Hej!"
    assert "/robots.txt" in site.paths  # robots.txt asked first, over HTTP
    assert other.paths == []  # the browser's request to another host was aborted


def test_robots_txt_still_rules_a_rendered_crawl(servers: tuple[_Server, _Server]) -> None:
    site, _ = servers
    with Fetcher.for_profile(_profile(site.url)) as f:
        ((_, res),) = list(f.get_many([site.url + "/admin/x"]))
    assert res.__class__.__name__ == "DisallowedByRobots"
    assert "/admin/x" not in site.paths
