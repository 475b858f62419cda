"""``lagesbild normalize``: see what the normalize stage reads from one ad text.

Thin: parses options, calls :func:`lagesbild.normalize.normalize_ad`, renders the
result. Phone numbers, e-mail addresses and handles are shown raw (E.164) only here,
in this interactive command, so an analyst can check a rule; the pipeline stores
pseudonyms only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.table import Table

from lagesbild.normalize import NormalizedAd, normalize_ad
from lagesbild.refdata import area_name

app = typer.Typer(
    help="Normalize ad text: places, identifiers, age, price, languages, indicators.", no_args_is_help=True
)


class Format(StrEnum):
    json = "json"
    table = "table"


@app.callback()
def _main() -> None:
    """Normalize ad text: places, identifiers, age, price, languages, indicators."""


@app.command("text")
def text_command(
    text: Annotated[str, typer.Argument(help="The ad text (body).")],
    title: Annotated[str | None, typer.Option("--title", help="The ad title.")] = None,
    location: Annotated[str | None, typer.Option("--location", help="The location the ad states.")] = None,
    site_city: Annotated[str | None, typer.Option("--site-city", help="The site's city page the ad is under.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
) -> None:
    """Show what is extracted from one ad text (raw identifiers: for checking rules only)."""
    ad = normalize_ad(title, text, location, site_city=site_city)
    if fmt is Format.json:
        typer.echo(orjson.dumps(_view(ad), option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title="Normalized ad", show_header=True)
    table.add_column("field")
    table.add_column("value")
    for key, value in _view(ad).items():
        table.add_row(key, value if isinstance(value, str) else orjson.dumps(value).decode())
    Console().print(table)


def _view(ad: NormalizedAd) -> dict[str, object]:
    d = ad.to_dict()
    place = d.pop("place")
    place["kommun_namn"] = area_name(place["kommun_kod"]) if place["kommun_kod"] else None
    place["lan_namn"] = area_name(place["lan_kod"]) if place["lan_kod"] else None
    return {"place": place, **d}
