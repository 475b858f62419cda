"""After a full chain on the simulator, no raw phone number, e-mail address or name is anywhere.

The demo (``tiny`` preset) imports an archive, crawls the simulated sites live, normalizes,
links, imports court judgments, estimates and writes the lägesbild (HTML, PDF, JSON); then the
links are exported into the data folder and retention runs. The simulator's own files give the
raw identifiers it put in the ads (the ``phones``/``emails`` fields as written) and the fictional
defendants' full names in the judgments it writes (imported with ``verdicts import``). Every file
in the data folder and the report folder, every
row of every table (raw pages decompressed), the export and the captured logs and command output
are scanned for them, in every written form: as written, national digits, E.164, 46-prefixed
digits; e-mails case-insensitively.

Persona first names (``Lisa``) are not scanned for: advertisers choose them, they are kept by
design to link ads (``observations.name``), and they are common words.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from lagesbild.cli import app
from lagesbild.demo import run_demo
from lagesbild.simulate.verdicts import _FIRST, _LAST, write_judgment
from lagesbild.store import Store

pytestmark = pytest.mark.slow  # a full demo chain with a live crawl of the simulated sites: about a minute

_PHONE_RUN = re.compile(rb"\+?\d[\d \-().]{6,22}\d")
_EMAIL = re.compile(rb"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


def _digits_forms(raw: str) -> set[str]:
    d = re.sub(r"\D", "", raw)
    out = {d}
    if d.startswith("0"):
        out.add("46" + d[1:])
    if d.startswith("46"):
        out.add("0" + d[2:])
    return {x for x in out if len(x) >= 8}


class Truth:
    """The raw identifiers the simulator wrote into its world."""

    def __init__(self, world: Path) -> None:
        self.phones_written: set[str] = set()
        self.phone_digits: set[str] = set()
        self.emails: set[str] = set()
        for path in [world / "observations.jsonl.gz", *sorted((world / "sites").glob("*.jsonl.gz"))]:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                for line in f:
                    rec = json.loads(line)
                    for p in rec.get("phones") or ():
                        self.phones_written.add(p)
                        self.phone_digits |= _digits_forms(p)
                    self.emails |= {e.lower() for e in rec.get("emails") or ()}
        # the simulator's judgments name their fictional defendants from these lists
        self.names = {f"{first} {last}" for first in _FIRST for last in _LAST}

    def find(self, data: bytes) -> list[str]:
        """The raw identifiers in ``data`` (bytes of any file: text is found wherever it is stored plainly)."""
        hits: list[str] = []
        for m in _PHONE_RUN.finditer(data):
            digits = re.sub(rb"\D", b"", m.group()).decode()
            if digits in self.phone_digits:
                hits.append(f"phone …{digits[-4:]}")
        for m in _EMAIL.finditer(data):
            if m.group().decode("ascii", "replace").lower() in self.emails:
                hits.append("e-mail " + m.group().decode("ascii", "replace").split("@")[1])
        for name in self.names:
            if name.encode() in data:
                hits.append("name " + name.split()[0][0] + ". " + name.split()[1])
        return hits


def _note(key: str, value: object) -> None:
    """Record a figure of the scan for docs/reliability.md (when LAGESBILD_LEAK_SUMMARY names a file)."""
    path = os.environ.get("LAGESBILD_LEAK_SUMMARY")
    if path:
        p = Path(path)
        data = json.loads(p.read_text()) if p.exists() else {}
        data[key] = value
        p.write_text(json.dumps(data, indent=1))


def _inflated(data: bytes) -> Iterator[bytes]:
    """zlib streams inside a file (PDF content and metadata, compressed raw pages)."""
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            yield zlib.decompressobj().decompress(data[m.end() : m.end() + 2_000_000])
        except zlib.error:
            continue


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    out = tmp_path_factory.mktemp("leak") / "demo"
    log = logging.getLogger()
    records: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = _Keep(logging.DEBUG)
    old = log.level
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        res = run_demo(out, preset="tiny", seed=5, county="05", live_days=2)
        home = res.home
        runner = CliRunner()
        outputs = []
        with Store.open(f"sqlite:///{home / 'lagesbild.db'}") as store, store.engine.connect() as conn:
            ads = [f"{r[0]}:{r[1]}" for r in conn.exec_driver_sql(
                "SELECT site, site_ad_id FROM link_site_ads ORDER BY person_id, site LIMIT 2"
            )]  # fmt: skip
            network = conn.exec_driver_sql("SELECT MIN(network_id) FROM link_networks").scalar_one()
        (home / "exports").mkdir(mode=0o700)
        # The tiny world has no judgments: import some, written by the simulator with defendants' names.
        rng = np.random.default_rng(5)
        judgments = out / "judgments.jsonl"
        fields = {"court": "Linköpings tingsrätt", "case_number": "B 1-24", "date": "2024-05-02",
                  "offence_date": "2024-03-01", "defendant_age": 41, "defendant_kommun": "0580",
                  "offence_kommun": "0581", "ad_used": True, "day_fines": 50, "day_fine_amount": 100,
                  "conditional_sentence": False}  # fmt: skip
        texts = [write_judgment(fields, rng) for _ in range(12)]
        assert any(n in t for t in texts for n in (f"{f} {la}" for f in _FIRST for la in _LAST))
        judgments.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts))
        for args in (
            ["verdicts", "import", str(judgments)],
            ["export", "links", "--out", str(home / "exports" / "links.csv")],
            ["link", "overlap", "--out", str(home / "exports" / "crc"), "--period", "year", "--level", "lan"],
            ["stats", "--lan", "05"],
            ["link", "explain", *ads],
            *([["link", "network", network]] if network else []),
            ["retention", "apply"],
            ["key", "rotate"],
        ):
            r = runner.invoke(app, ["-vv", "--home", str(home), *args])
            outputs.append(r.output)
            assert r.exit_code == 0, (args, r.output)
    finally:
        log.removeHandler(handler)
        log.setLevel(old)
    yield out, home, "\n".join(records + outputs)


def test_the_simulator_truth_holds_raw_identifiers_to_look_for(chain: tuple[Path, Path, str]) -> None:
    out, _, _ = chain
    truth = Truth(out / "world")
    assert len(truth.phone_digits) > 50 and truth.emails and len(truth.names) > 5
    # the scanner finds them where they are: in the simulator's own site files
    assert truth.find(gzip.decompress((out / "world" / "sites" / "annonsportalen.jsonl.gz").read_bytes()))
    assert any(h.startswith("name") for h in truth.find((out / "judgments.jsonl").read_bytes()))


def test_no_file_in_the_data_and_report_folders_holds_a_raw_identifier(chain: tuple[Path, Path, str]) -> None:
    out, home, _ = chain
    truth = Truth(out / "world")
    files = [p for p in sorted(home.rglob("*")) + sorted((out / "report").rglob("*")) if p.is_file()]
    assert any(p.suffix == ".pdf" for p in files) and any(p.suffix == ".html" for p in files)
    assert any(p.name == "links.csv" for p in files) and any(p.suffix == ".db" for p in files)
    leaks = {}
    for p in files:
        data = p.read_bytes()
        hits = truth.find(data) + [h for chunk in _inflated(data) for h in truth.find(chunk)]
        if hits:
            leaks[str(p.relative_to(out))] = sorted(set(hits))[:5]
    _note("files", len(files))
    _note("file_bytes", sum(p.stat().st_size for p in files))
    _note("identifiers", {"phones": len(truth.phones_written), "emails": len(truth.emails), "names": len(truth.names)})
    assert leaks == {}


def test_no_row_of_any_table_holds_a_raw_identifier(chain: tuple[Path, Path, str]) -> None:
    out, home, _ = chain
    truth = Truth(out / "world")
    leaks: dict[str, set[str]] = {}
    n_rows = 0
    with Store.open(f"sqlite:///{home / 'lagesbild.db'}") as store:
        for table, row in store.dump_rows():
            n_rows += 1
            for v in row:
                if isinstance(v, str):
                    data = v.encode()
                elif isinstance(v, bytes):
                    try:
                        data = zlib.decompress(v) if table == "raw_pages" else v
                    except zlib.error:
                        data = v
                else:
                    continue
                for h in truth.find(data):
                    leaks.setdefault(table, set()).add(h)
    _note("rows", n_rows)
    assert leaks == {}


def test_no_log_line_or_command_output_holds_a_raw_identifier(chain: tuple[Path, Path, str]) -> None:
    out, _, text = chain
    assert len(text) > 1000  # debug logging was captured
    _note("log_and_output_lines", text.count("\n"))
    assert Truth(out / "world").find(text.encode()) == []
