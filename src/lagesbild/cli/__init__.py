"""The `lagesbild` command line: thin commands over the library, one module per group."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from lagesbild.cli import backup as backup_cmd
from lagesbild.cli import campaigns as campaigns_cmd
from lagesbild.cli import core
from lagesbild.cli import demo as demo_cmd
from lagesbild.cli import estimate as estimate_cmd
from lagesbild.cli import export as export_cmd
from lagesbild.cli import key as key_cmd
from lagesbild.cli import link as link_cmd
from lagesbild.cli import monitor as monitor_cmd
from lagesbild.cli import normalize as normalize_cmd
from lagesbild.cli import refdata as refdata_cmd
from lagesbild.cli import retention as retention_cmd
from lagesbild.cli import simulate as simulate_cmd
from lagesbild.cli import verdicts as verdicts_cmd
from lagesbild.cli import web as web_cmd
from lagesbild.cli._common import begin_output, setup_logging
from lagesbild.cli.report import report as report_cmd
from lagesbild.settings import LANGUAGES

app = typer.Typer(
    name="lagesbild",
    help=(
        "lagesbild: a systematic, repeatable situation picture (lägesbild) of prostitution and sex purchase.\n\n"
        "Start with `lagesbild demo`, or `lagesbild init` followed by `lagesbild import ads.jsonl` and "
        "`lagesbild stats --lan 05`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _parse_lang(value: str) -> str:
    lang = value.strip().lower()
    if lang not in LANGUAGES:
        raise typer.BadParameter(f"{value!r} is not a language of the output; choose one of: {', '.join(LANGUAGES)}")
    return lang


@app.callback()
def _global(
    ctx: typer.Context,
    home: Path | None = typer.Option(
        None, "--home", help="Data folder (env LAGESBILD_HOME; default ./lagesbild-data)."
    ),
    db: str | None = typer.Option(
        None,
        "--db",
        help="Database URL, e.g. postgresql://user@host/db (env LAGESBILD_DB; default SQLite in the data folder).",
    ),
    key_file: Path | None = typer.Option(
        None, "--key-file", help="Pseudonymization key file (env LAGESBILD_KEY_FILE; default in the data folder)."
    ),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More log output (-v info, -vv debug)."),
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="Language of the output: sv (Swedish labels, 6 061 and 0,82) or en (6,061 and 0.82); "
        "env LAGESBILD_LANG; default sv. Help texts are in English.",
        parser=_parse_lang,
    ),
) -> None:
    setup_logging(verbose)
    begin_output(lang=lang, home=home)
    ctx.obj = {"home": home, "db": db, "key_file": key_file, "lang": lang}


app.command("init")(core.init)
app.command("import")(core.import_)
app.command("stats")(core.stats)
app.command("demo")(demo_cmd.demo)
app.add_typer(refdata_cmd.app, name="refdata")
app.command("report")(report_cmd)
app.command("crawl")(monitor_cmd.crawl)
app.command("monitor")(monitor_cmd.monitor)
app.command("reprocess")(monitor_cmd.reprocess)
app.command("import-pages")(monitor_cmd.import_pages)
app.add_typer(monitor_cmd.source_app, name="source")

app.add_typer(
    normalize_cmd.app, name="normalize", help="Normalize ad text: places, phones, ages, prices, languages, indicators."
)
app.add_typer(link_cmd.app, name="link", help="Link reposts into ads, and ads into persons, advertisers and networks.")
app.add_typer(estimate_cmd.app, name="estimate", help="Estimates with intervals: capture-recapture, demand, purchases.")
app.add_typer(
    campaigns_cmd.app, name="campaigns", help="Campaigns aimed at buyers: register them and measure their effect."
)
app.add_typer(
    verdicts_cmd.app, name="verdicts", help="Court judgments: buyers' ages, where they live and where they bought."
)
app.add_typer(simulate_cmd.app, name="simulate", help="Simulate a Swedish ad market with known ground truth.")
app.command("serve")(web_cmd.serve)
app.add_typer(web_cmd.users_app, name="users")

export_app = typer.Typer(help="Export data for scoring and other tools (never raw identifiers).", no_args_is_help=True)
export_app.command("links")(link_cmd.export_links)
export_app.command("observations")(export_cmd.export_observations)
app.add_typer(export_app, name="export")

app.command("backup")(backup_cmd.backup)
app.command("restore")(backup_cmd.restore)
app.add_typer(key_cmd.app, name="key")
app.add_typer(retention_cmd.app, name="retention")


def main() -> None:
    """Entry point of the `lagesbild` console script."""
    # Whatever the command writes (databases, reports, exports, files of libraries it calls) is
    # readable by the user only; the library sets 0600/0700 explicitly, this covers the rest.
    os.umask(0o077)
    app()
