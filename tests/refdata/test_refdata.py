"""Bundled reference data and the SCB PX-Web population import."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lagesbild import refdata
from lagesbild.errors import InputError, RefdataError


def test_all_municipalities_and_counties_are_bundled() -> None:
    assert len(refdata.municipalities()) == 290
    assert len(refdata.counties()) == 21
    assert sum(c.n_municipalities for c in refdata.counties().values()) == 290
    assert [m.name for m in refdata.municipalities_in("05")][:3] == ["Ödeshög", "Ydre", "Kinda"]
    assert refdata.area_name("SE") == "Sverige"


def test_unknown_codes_raise_refdata_errors() -> None:
    with pytest.raises(RefdataError, match="unknown municipality code '9999'"):
        refdata.municipality("9999")
    with pytest.raises(RefdataError, match="unknown county code"):
        refdata.county("99")


def test_bundled_population_matches_scb_totals() -> None:
    pop = refdata.bundled_population()
    assert pop.year == 2019
    # SCB 31 Dec 2019: men 5,195,814; women 5,131,775 (SOURCES.md)
    assert pop.count(sex="m") == 5_195_814
    assert pop.count(sex="k") == 5_131_775
    # The seed reports' check figures: 7.5% of men 18-65 nationally ~ 237,000.
    assert round(0.075 * pop.count("SE", sex="m", age_min=18, age_max=65), -3) == 237_000
    assert pop.count("01", sex="m", age_min=18) == 921_801
    assert pop.count("05", sex="m", age_min=18, age_max=65) == 143_982  # "about 144,000"


def test_population_count_rejects_bad_arguments() -> None:
    pop = refdata.bundled_population()
    with pytest.raises(ValueError, match="sex"):
        pop.count(sex="x")
    with pytest.raises(ValueError, match="empty age band"):
        pop.count(age_min=70, age_max=20)


def test_gazetteer_and_boundaries_are_loaded() -> None:
    names = {e.folded for e in refdata.gazetteer()}
    assert {"sthlm", "gbg", "hisingen", "rosengard", "norrkoping"} <= names
    assert refdata.fold_name("Norrköping-Söder") == "norrkoping soder"
    feats = refdata.boundaries("kommun")["features"]
    assert len(feats) == 290 and {f["properties"]["kommun_kod"] for f in feats} == set(refdata.municipalities())
    assert len(refdata.boundaries("lan")["features"]) == 21
    assert "0580" in refdata.postcodes()["58222"] if "58222" in refdata.postcodes() else True


def test_manifest_lists_checksums_of_every_file() -> None:
    m = refdata.manifest()
    assert m["population_years"] == [2019]
    assert "population_2019.csv.gz" in m["files"] and "SOURCES.md" in m["files"]


def _pxweb_file(
    path: Path,
    *,
    delim: str = ",",
    encoding: str = "utf-8",
    year: int = 2024,
    scale: int = 1,
    wide: bool = False,
    drop: str | None = None,
) -> None:
    pop = refdata.bundled_population()
    names = {c: m.name for c, m in refdata.municipalities().items()}
    lines = ['"Folkmängden efter region, ålder, kön och år"', ""]
    if wide:
        lines.append(delim.join(['"region"', '"ålder"', f'"män {year}"', f'"kvinnor {year}"']))
    else:
        lines.append(delim.join(['"region"', '"ålder"', '"kön"', f'"{year}"']))
    lines.append(
        delim.join(['"00 Riket"', '"0 år"', '"män"', "1"])
        if not wide
        else delim.join(['"00 Riket"', '"0 år"', "1", "1"])
    )
    cells: dict[tuple[str, int], dict[str, int]] = {}
    for code, sex, age, n in pop.rows():
        cells.setdefault((code, age), {})[sex] = n * scale
    for (code, age), by_sex in sorted(cells.items()):
        if code == drop:
            continue
        age_txt = "100+ år" if age == 100 else f"{age} år"
        if wide:
            lines.append(
                delim.join(
                    [f'"{code} {names[code]}"', f'"{age_txt}"', str(by_sex.get("m", 0)), str(by_sex.get("k", 0))]
                )
            )
        else:
            for sex, word in (("m", "män"), ("k", "kvinnor")):
                lines.append(
                    delim.join([f'"{code} {names[code]}"', f'"{age_txt}"', f'"{word}"', str(by_sex.get(sex, 0))])
                )
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))


@pytest.mark.parametrize(
    ("delim", "encoding", "wide"), [(",", "utf-8", False), (";", "cp1252", False), ("\t", "utf-8-sig", True)]
)
def test_pxweb_population_export_is_parsed(tmp_path: Path, delim: str, encoding: str, wide: bool) -> None:
    p = tmp_path / "scb.csv"
    _pxweb_file(p, delim=delim, encoding=encoding, scale=2, wide=wide)
    tables = refdata.parse_pxweb_population(p)
    assert list(tables) == [2024]
    base = refdata.bundled_population()
    assert tables[2024].count("05", sex="m", age_min=18, age_max=65) == 2 * base.count(
        "05", sex="m", age_min=18, age_max=65
    )
    assert tables[2024].count() == 2 * base.count()


def test_pxweb_export_missing_municipalities_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "scb.csv"
    _pxweb_file(p, drop="0580")
    with pytest.raises(InputError, match="lacks 1 municipalities"):
        refdata.parse_pxweb_population(p)


def test_pxweb_export_with_a_bad_count_names_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "scb.csv"
    _pxweb_file(p)
    lines = p.read_text().splitlines()
    lines[10] = lines[10].rsplit(",", 1)[0] + ",många"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        refdata.parse_pxweb_population(p)
    assert info.value.line == 11 and info.value.field == "2024"


def test_a_file_that_is_not_a_pxweb_export_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not an SCB PX-Web population export"):
        refdata.parse_pxweb_population(p)


def test_build_script_reproduces_the_bundled_files(tmp_path: Path) -> None:
    """The rebuild script is deterministic and gives the bundled bytes (needs ../shared/data)."""
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    source = root.parent / "shared" / "data"
    if not source.is_dir():
        if os.environ.get("CI"):
            pytest.fail("CI must have ../shared/data beside the checkout to check the reference-data rebuild")
        pytest.skip("../shared/data is not beside this checkout; the rebuild cannot be checked here")
    spec = importlib.util.spec_from_file_location("build_refdata", root / "scripts" / "build_refdata.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    manifest = mod.build(source, tmp_path)
    assert manifest["files"] == refdata.manifest()["files"]
