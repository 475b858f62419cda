#!/usr/bin/env python3
"""Rebuild lagesbild's bundled reference data from the shared reference folder.

Usage::

    python scripts/build_refdata.py [--source ../shared/data] [--out src/lagesbild/refdata/data]

Reads the files documented in ``SOURCES.md`` of the source folder and writes compact,
deterministic package data (gzip with a fixed mtime, so a rebuild gives identical bytes)
plus ``manifest.json`` with the sha256 of every file. The attribution (``SOURCES.md``)
is copied beside the data and summarised in the repository's ``NOTICE``.
Only the standard library is used, so it runs on a bare python3.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _write_gz(path: Path, text: str) -> None:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    path.write_bytes(buf.getvalue())


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()


def build(source: Path, out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}

    # Municipalities and counties: small, kept as plain CSV for readability.
    kommuner = _read_csv(source / "kommuner.csv")
    assert len(kommuner) == 290, "expected 290 municipalities"
    shutil.copyfile(source / "kommuner.csv", out / "kommuner.csv")
    lan = _read_csv(source / "lan.csv")
    assert len(lan) == 21, "expected 21 counties"
    shutil.copyfile(source / "lan.csv", out / "lan.csv")
    shutil.copyfile(source / "befolkning_kommun_summering.csv", out / "befolkning_kommun_summering.csv")

    # Population by municipality x sex x single-year age (2019), long format without redundant columns.
    pop_rows = _read_csv(source / "befolkning_kommun_alder_kon_2019.csv")
    years = sorted({r["ar"] for r in pop_rows})
    assert years == ["2019"], years
    rows = [[r["kommun_kod"], "m" if r["kon"] == "man" else "k", r["alder"], r["antal"]] for r in pop_rows]
    rows.sort(key=lambda r: (r[0], r[1], int(r[2])))
    _write_gz(out / "population_2019.csv.gz", _csv_text(["kommun_kod", "kon", "alder", "antal"], rows))

    shutil.copyfile(source / "befolkning_riket_alder_kon_2019_2024.csv", out / "befolkning_riket_alder_kon.csv")

    # Boundaries.
    for name in ("kommuner", "lan"):
        geo = json.loads((source / f"{name}.geojson").read_text(encoding="utf-8"))
        _write_gz(out / f"{name}.geojson.gz", json.dumps(geo, ensure_ascii=False, separators=(",", ":")))

    # Gazetteer and post codes.
    gaz = _read_csv(source / "ortnamn_gazetteer.csv")
    cols = [
        "namn",
        "namn_norm",
        "typ",
        "kommun_kod",
        "lan_kod",
        "lat",
        "lon",
        "folkmangd",
        "antal_kommuner_med_namnet",
        "kalla",
    ]
    _write_gz(out / "gazetteer.csv.gz", _csv_text(cols, [[r[c] for c in cols] for r in gaz]))
    post: dict[tuple[str, str], str] = {}
    for r in _read_csv(source / "postnummer_geonames.csv"):
        if r["kommun_kod"]:
            post[(r["postnummer"], r["kommun_kod"])] = r["ort"]
    for r in _read_csv(source / "postnummer_kommun_sjbrg.csv"):
        post.setdefault((r["postnummer"], r["kommun_kod"]), r["ort"])
    prow = sorted([k[0], k[1], v] for k, v in post.items())
    _write_gz(out / "postnummer.csv.gz", _csv_text(["postnummer", "kommun_kod", "ort"], prow))

    shutil.copyfile(source / "SOURCES.md", out / "SOURCES.md")

    for p in sorted(out.iterdir()):
        if p.name != "manifest.json":
            files[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
    manifest: dict[str, object] = {
        "built_from": "shared/data (see SOURCES.md)",
        "population_years": [2019],
        "population_total_year": 2025,
        "boundaries": "SCB generalised boundaries, release 2024-05-17",
        "gazetteer_rows": len(gaz),
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "lagesbild" / "refdata" / "data")
    args = ap.parse_args()
    m = build(args.source, args.out)
    files = m["files"]
    assert isinstance(files, dict)
    print(f"wrote {len(files)} files to {args.out}")


if __name__ == "__main__":
    main()
