"""The monitor's commands, wired into a local Typer app the way the lead wires them."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from lagesbild.cli import monitor as m
from lagesbild.monitor import PROFILES_DIR

app = typer.Typer()
app.add_typer(m.source_app, name="source")
app.command("crawl")(m.crawl)


@app.callback()
def _root(ctx: typer.Context, home: Path = typer.Option(...)) -> None:
    ctx.obj = {"home": home, "db": None, "key_file": None}


def test_source_check_reports_every_error_and_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("source: x\nbase_url: http://x.test/\nstart: {}\nlisting: {}\nad: {fields: {titel: {css: a}}}\n")
    r = CliRunner().invoke(
        app, ["--home", str(tmp_path), "source", "check", str(PROFILES_DIR / "nattkontakt.yaml"), str(bad)]
    )
    assert r.exit_code == 2
    assert "ok" in r.output and "bad.yaml:3" in r.output and "did you mean 'title'" in r.output


def test_source_status_on_a_fresh_workspace(tmp_path: Path) -> None:
    from lagesbild.settings import load_settings
    from lagesbild.workspace import init_workspace

    init_workspace(load_settings(home=str(tmp_path / "home")))
    r = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), "source", "status", "--json"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "[]"


def test_source_check_refuses_what_would_crash_a_crawl_and_an_alias_bomb(tmp_path: Path) -> None:
    import time

    good = (PROFILES_DIR / "kontaktlistan.yaml").read_text(encoding="utf-8")
    name = '    name: {css: "table.details td.nick::text"}\n'
    price = '    price: {css: "table.details td.cost::text"}\n'
    assert name in good and price in good
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.replace(name, '    name: {css: "td.nick::text", cleanup: [{regex_replace: ["a", "\\\\9"]}]}\n').replace(
            price, '    price: {xpath: "//td[@class=$cls]/text()"}\n'
        )
    )
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(
        'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
        + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
        + "source: *i\n"
    )
    t0 = time.monotonic()
    r = CliRunner().invoke(app, ["--home", str(tmp_path), "source", "check", str(bad), str(bomb)])
    assert time.monotonic() - t0 < 5
    assert r.exit_code == 2, r.output
    assert "invalid group reference 9" in r.output and "XPath variables" in r.output
    assert "ad.fields.name.cleanup" in r.output and "ad.fields.price.xpath" in r.output
    assert "bomb.yaml:1" in r.output and "expands to more than" in r.output


def _source_test_output(
    tmp_path: Path,
    url: str,
    looks_like: str,
    fields: dict[str, object],
    *,
    missing_required: tuple[str, ...] = (),
    ad_links: tuple[str, ...] = (),
    next_pages: tuple[str, ...] = (),
) -> str:
    """What `source test` prints for a page that yields these (the fetch itself is replaced)."""
    from lagesbild.monitor.status import PageTest

    page = PageTest(url, url, 200, "utf-8", 1000, looks_like, fields, missing_required, ad_links, next_pages, ())
    mp = pytest.MonkeyPatch()
    mp.setattr(m, "test_page", lambda profile, url: page)
    try:
        r = CliRunner().invoke(
            app, ["--home", str(tmp_path), "source", "test", str(PROFILES_DIR / "nattkontakt.yaml"), "http://x.test/"]
        )
    finally:
        mp.undo()
    assert r.exit_code == 0, r.output
    return r.output


def test_source_test_prints_masked_values_as_text(tmp_path: Path) -> None:
    """`[masked]` is text, not console markup (rich used to swallow it, so a masked address looked cut off)."""
    out = _source_test_output(
        tmp_path,
        "http://x.test/annons/ny-i-stan-[masked]",
        "ad",
        {"title": "Ring [masked] nu", "phones": ["070•••••05"], "age": None},
        ad_links=("http://x.test/annons/ny-i-stan-[masked]",),
    )
    assert "looks like an ad page" in out
    assert "ny-i-stan-[masked]" in out and "Ring [masked] nu" in out
    assert "nothing found" in out  # age


def test_source_test_on_a_listing_page_shows_links_and_next_pages_not_empty_fields(tmp_path: Path) -> None:
    out = _source_test_output(
        tmp_path,
        "http://x.test/api/feed.json",
        "listing",
        {"title": None, "phones": [], "age": None},
        missing_required=("site_ad_id",),
        ad_links=("http://x.test/profil/1-anna", "http://x.test/profil/2-bea"),
        next_pages=("http://x.test/api/feed.json?after=YXJyYXk6OA",),
    )
    assert "looks like a listing page" in out and "nothing found" not in out
    assert "ad fields: none on this page" in out
    assert "next: http://x.test/api/feed.json?after=YXJyYXk6OA" in out
