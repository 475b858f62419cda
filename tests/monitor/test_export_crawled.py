"""A crawled site's stored values, as `lagesbild export observations` shows them: never a raw identifier.

Issue 17: after crawling an unseen site a new user had no way to see the stored values per ad but
raw SQL. Here a simulated site is crawled into a workspace and exported in every format; the
ground truth's phone numbers and e-mail addresses (what the site printed) must not appear in any.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path

import orjson
from openpyxl import load_workbook  # type: ignore[import-untyped]
from typer.testing import CliRunner

from lagesbild.cli import app
from lagesbild.monitor import Profile, crawl
from lagesbild.settings import Settings
from lagesbild.simulate.server import SimApp
from lagesbild.workspace import open_workspace

from .conftest import BASE, app_transport, day_clock, fast, online_ids

runner = CliRunner()
SITE = "annonsportalen"


def _raw_identifiers(world: Path) -> tuple[set[str], set[str]]:
    """The site's phone numbers (their last nine digits) and e-mail addresses, as the pages show them."""
    phones: set[str] = set()
    emails: set[str] = set()
    with gzip.open(world / "sites" / f"{SITE}.jsonl.gz") as f:
        for line in f:
            d = orjson.loads(line)
            phones |= {re.sub(r"\D", "", p)[-9:] for p in d.get("phones", [])}
            emails |= {e.lower() for e in d.get("emails", [])}
    return phones, emails


def test_a_crawled_sites_export_has_its_fields_and_no_raw_identifier(
    world: Path, profiles: dict[str, Profile], settings: Settings, tmp_path: Path
) -> None:
    args = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(app, [*args, "init"]).exit_code == 0
    sim = SimApp(world)
    with open_workspace(settings) as ws:
        r = crawl(
            fast(profiles[SITE], BASE),
            ws.store,
            ws.pseudonymizer,
            transport=app_transport(sim),
            clock=day_clock(sim, 3),
        )
    assert r.new_observations == len(online_ids(world, SITE, 3)) > 0
    phones, emails = _raw_identifiers(world)
    assert phones and emails

    res = runner.invoke(app, [*args, "export", "observations", "--latest"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert {r["site_ad_id"] for r in rows} == online_ids(world, SITE, 3)
    # what the profile extracted is there to check, per ad
    assert sum(bool(r["title"]) for r in rows) == len(rows)
    assert sum(r["age"] != "" for r in rows) > len(rows) / 2
    assert sum(r["kommun_name"] != "" for r in rows) > len(rows) / 2
    assert sum(int(r["n_phones"]) for r in rows) > 0 and sum(int(r["n_pictures"]) for r in rows) > 0
    assert all(p.startswith("ph_") for r in rows for p in r["phones"].split())

    outputs = [res.stdout]
    for fmt in ("json", "table"):
        res = runner.invoke(app, [*args, "export", "observations", "--format", fmt])
        assert res.exit_code == 0, res.output
        outputs.append(res.stdout)
    assert len(json.loads(outputs[1])) == len(rows)  # one sighting per ad in one pass
    book = tmp_path / "crawled.xlsx"
    assert runner.invoke(app, [*args, "export", "observations", "--out", str(book)]).exit_code == 0
    outputs.append(" ".join(str(c) for row in load_workbook(book).active.iter_rows(values_only=True) for c in row))

    def leaked(out: str) -> list[str]:
        digits = re.sub(r"[\s\-+()./]", "", out)
        return [p for p in phones if p in digits] + [e for e in emails if e in out.lower()]

    with gzip.open(world / "sites" / f"{SITE}.jsonl.gz") as f:
        site_text = f.read().decode()
    assert len(leaked(site_text)) == len(phones) + len(emails)  # the check finds what the site printed
    for out in outputs:
        assert not leaked(out), f"{len(leaked(out))} raw identifiers in an export"
