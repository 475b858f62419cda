"""`lagesbild link ...` and the export of links, through a root app wired like the real one."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import typer
from typer.testing import CliRunner

from lagesbild.cli import app as main_app
from lagesbild.cli import link as link_cli
from lagesbild.cli._common import begin_output, format_number
from lagesbild.link import LinkSettings
from lagesbild.settings import Settings

runner = CliRunner()

root = typer.Typer()


@root.callback()
def _global(ctx: typer.Context, home: Path = typer.Option(...), db: str = typer.Option(...)) -> None:
    ctx.obj = {"home": home, "db": db, "key_file": None}


root.add_typer(link_cli.app, name="link")
root.command("export-links")(link_cli.export_links)


def _ads(tmp_path: Path) -> Path:
    recs = []
    for day in range(1, 4):
        for ad, name, phone in (
            ("1", "Anna", "070-174 06 20"),
            ("2", "Olga", "070-174 06 20"),
            ("3", "Lisa", "070-174 06 33"),
        ):
            recs.append(
                {
                    "site": "s1" if ad != "3" else "s2",
                    "site_ad_id": ad,
                    "seen_at": f"2025-01-0{day}",
                    "location": "Linköping",
                    "name": name,
                    "age": 25,
                    "phones": [phone],
                    "title": f"{name} 25",
                }
            )
    p = tmp_path / "ads.jsonl"
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    return p


def test_run_explain_export_overlap(settings: Settings, tmp_path: Path) -> None:
    args = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(main_app, [*args, "init"]).exit_code == 0
    res = runner.invoke(main_app, [*args, "import", str(_ads(tmp_path)), "--no-progress"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(root, [*args, "link", "run"])
    assert res.exit_code == 0, res.output
    # the summary line is in the output language: Swedish by default, English with --lang en (the
    # import has linked already: nothing new)
    assert "inkrementell länkning av 0 observationer" in res.output, res.output
    assert "3 personer" in res.output and "1 nätverk" in res.output and "persons" not in res.output
    res = runner.invoke(main_app, [*args, "--lang", "en", "link", "run", "--full"])
    assert res.exit_code == 0, res.output
    assert "full linking of 9 observations" in res.output, res.output
    assert "3 persons" in res.output and "1 networks" in res.output and "personer" not in res.output
    res = runner.invoke(root, [*args, "link", "explain", "s1:1", "s1:2", "--format", "json"])
    assert res.exit_code == 0, res.output
    e = json.loads(res.output)
    assert e["same"]["network"] and not e["same"]["person"]
    res = runner.invoke(root, [*args, "link", "network", e["ids"]["s1:1"][3], "--format", "json"])
    assert res.exit_code == 0, res.output
    ev = json.loads(res.output)
    assert len(ev["persons"]) == 2 and len(ev["shared_phones"]) == 1
    res = runner.invoke(root, [*args, "link", "explain", "s1:1", "s9:nope"])
    assert res.exit_code == 2
    assert "has not been linked" in res.output
    res = runner.invoke(root, [*args, "export-links"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert len(rows) == 9
    assert len({r["network_id"] for r in rows if r["site_ad_id"] in ("1", "2")}) == 1
    res = runner.invoke(root, [*args, "link", "overlap", "--out", str(tmp_path / "crc"), "--level", "riket"])
    assert res.exit_code == 0, res.output
    tables = sorted((tmp_path / "crc").glob("*_SE.csv"))
    assert tables  # one per month (dates without a time are Swedish local time, so they can fall in two)
    assert tables[-1].read_text(encoding="utf-8").splitlines()[0] == "s1,s2,freq"


def test_explain_shows_every_signal_list_gives_keys_and_export_says_none(settings: Settings, tmp_path: Path) -> None:
    # issue 17/18: explain omitted name, age, text similarity and template ties; no command listed ad ids;
    # an ad in no network had an empty network_id
    args = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(main_app, [*args, "init"]).exit_code == 0
    assert runner.invoke(main_app, [*args, "import", str(_ads(tmp_path)), "--no-progress"]).exit_code == 0
    assert runner.invoke(root, [*args, "link", "run"]).exit_code == 0
    res = runner.invoke(root, [*args, "link", "explain", "s1:1", "s1:2", "--format", "json"])
    assert res.exit_code == 0, res.output
    signals = {g["name"]: g for g in json.loads(res.output)["signals"]}
    assert list(signals) == ["phones", "emails", "images", "text", "name", "age", "template"]
    assert signals["phones"]["fired"] and signals["phones"]["weight"] == "decisive"
    assert signals["phones"]["value"] == "1 in common"  # it said "1 shared (0 shared number(s))"
    assert signals["name"]["value"] == "different" and signals["name"]["fired"] and signals["name"]["weight"] == "veto"
    assert signals["age"]["value"] == "0 years apart" and not signals["age"]["fired"]
    assert signals["images"]["value"] == "no photos" and signals["template"]["weight"] == "network"
    res = runner.invoke(root, [*args, "link", "explain", "s1:1", "s1:2"])
    assert res.exit_code == 0 and "signaler" in res.output and "veto" in res.output
    # the evidence chain is printed as text: "[phone]" used to vanish as console markup, leaving "s1:1 -- s1:2"
    assert " -- " not in res.output
    assert "kedja:" in res.output  # Anna and Olga share a number: one advertiser, through a phone edge
    assert re.search(r"s1:\d -\[\w+\]- s1:\d", res.output), res.output
    assert "tröskel" in res.output and "räknas" in res.output  # Swedish headers by default
    begin_output(lang="en")  # what the real root's --lang does
    res = runner.invoke(root, [*args, "link", "explain", "s1:1", "s1:2"])
    begin_output()
    assert res.exit_code == 0 and "signals" in res.output and "threshold" in res.output and "counted" in res.output
    assert "tröskel" not in res.output
    res = runner.invoke(root, [*args, "link", "list", "--format", "json"])
    assert res.exit_code == 0, res.output
    listed = json.loads(res.output)
    assert sorted(r["ad"] for r in listed) == ["s1:1", "s1:2", "s2:3"]
    assert {r["network"] for r in listed if r["ad"] == "s2:3"} == {"none"}
    res = runner.invoke(root, [*args, "link", "list", "--site", "s2", "--format", "json"])
    assert [r["ad"] for r in json.loads(res.output)] == ["s2:3"]
    res = runner.invoke(root, [*args, "link", "list", "--limit", "1", "--kommun", "0580", "--format", "json"])
    assert len(json.loads(res.output)) == 1
    res = runner.invoke(root, [*args, "link", "list", "--limit", "0"])
    assert res.exit_code == 2 and "--limit" in res.output
    # the keys it lists are what explain takes
    assert runner.invoke(root, [*args, "link", "explain", listed[0]["ad"], listed[1]["ad"]]).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(runner.invoke(root, [*args, "export-links"]).output)))
    assert all(r["network_id"] for r in rows)
    assert {r["network_id"] for r in rows if r["site_ad_id"] == "3"} == {"none"}


# (Swedish, English) words of `link explain`: headings, signal names, weights, levels and value words
EXPLAIN_WORDS = (
    ("ja", "yes"),
    ("nej", "no"),
    ("nivå", "level"),
    ("länkade", "linked"),
    ("signaler", "signals"),
    ("värde", "value"),
    ("tröskel", "threshold"),
    ("vikt", "weight"),
    ("räknas", "counted"),
    ("telefonnummer", "phone numbers"),
    ("e-postadresser", "e-mail addresses"),
    ("bilder", "photos"),
    ("textlikhet", "text similarity"),
    ("namn", "name"),
    ("ålder", "age"),
    ("mallband", "template tie"),
    ("avgörande", "decisive"),
    ("nätverk", "network"),
    ("annonsör", "advertiser"),
    ("annons", "ad"),
    ("bitar", "bits"),
    ("likhet", "similarity"),
    ("högst", "at most"),
    ("minst", "at least"),
    ("olika", "different"),
    ("samma", "same"),
    ("slump", "chance"),
    ("kedja", "chain"),
    ("telefon", "phone"),
    ("och", "and"),
    ("inget band", "no tie"),
    ("personer", "persons"),
)


def _has(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE) is not None


def test_explain_speaks_one_language_swedish_by_default_english_with_lang_en(
    settings: Settings, tmp_path: Path
) -> None:
    # Anna and Olga share a number and a photo (4 bits apart) but not a name or an age; Lisa shares nothing
    recs = [
        {
            "site": site,
            "site_ad_id": ad,
            "seen_at": f"2025-01-0{day}",
            "location": "Linköping",
            "name": name,
            "age": age,
            "phones": [phone],
            "title": f"{name} {age}",
            **({"image_hashes": [image]} if image else {}),
        }
        for day in range(1, 4)
        for site, ad, name, age, phone, image in (
            ("s1", "1", "Anna", 25, "070-174 06 20", "ffffffffffffffff"),
            ("s1", "2", "Olga", 31, "070-174 06 20", "fffffffffffffff0"),
            ("s2", "3", "Lisa", 25, "070-174 06 33", None),
        )
    ]
    data = tmp_path / "ads.jsonl"
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    args = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(main_app, [*args, "init"]).exit_code == 0
    assert runner.invoke(main_app, [*args, "import", str(data), "--no-progress"]).exit_code == 0
    assert runner.invoke(main_app, [*args, "link", "run"]).exit_code == 0
    for pair in (["s1:1", "s1:2"], ["s1:1", "s2:3"]):
        out = {}
        for lang in ("sv", "en"):
            res = runner.invoke(main_app, [*args, "--lang", lang, "link", "explain", *pair])
            assert res.exit_code == 0, res.output
            out[lang] = res.output
        res = runner.invoke(main_app, [*args, "link", "explain", *pair])
        assert res.output == out["sv"]  # Swedish by default
        for sv, en in EXPLAIN_WORDS:
            assert not _has(out["sv"], en), (en, out["sv"])
            assert not _has(out["en"], sv), (sv, out["en"])
            # and each word is in both or neither ("phone" stands in "phone numbers" too, "telefon" is a chain's)
            assert _has(out["sv"], sv) == _has(out["en"], en) or en == "phone", (sv, en, out)
        # the numbers carry each language's separators, as every other command's
        threshold = LinkSettings().text_threshold
        assert format_number(threshold, "sv") in out["sv"] and format_number(threshold, "en") in out["en"]
        assert format_number(threshold, "en") not in out["sv"]
    # the pair with a number, a photo, a name and an age apart: every signal had something to say
    res = runner.invoke(main_app, [*args, "--lang", "sv", "link", "explain", "s1:1", "s1:2"])
    for word in ("ja", "nej", "bitar", "års skillnad", "olika", "kedja", "telefon", "1 gemensamt", "0 gemensamma"):
        assert word in res.output, (word, res.output)
    # --format json is data: the same codes and English texts whatever the language
    texts = {
        lang: runner.invoke(main_app, [*args, "--lang", lang, "link", "explain", "s1:1", "s1:2", "--format", "json"])
        for lang in ("sv", "en")
    }
    assert texts["sv"].output == texts["en"].output
    assert json.loads(texts["sv"].output)["signals"][0] == {
        "name": "phones",
        "value": "1 in common",
        "threshold": "",
        "weight": "decisive",
        "fired": True,
    }
