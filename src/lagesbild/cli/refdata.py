"""`lagesbild refdata`: what reference data is loaded, and importing newer population."""

from __future__ import annotations

from pathlib import Path

import typer

from lagesbild import refdata
from lagesbild.cli._common import (
    ExcelOption,
    OutOption,
    OutputFormat,
    XlsxOption,
    console,
    render,
    say,
    settings_from,
    workspace,
)
from lagesbild.errors import LagesbildError
from lagesbild.workspace import open_workspace

app = typer.Typer(help="Reference data: municipalities, counties, population, boundaries, place names.")


@app.callback(invoke_without_command=True)
def show(
    ctx: typer.Context,
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
    _excel: ExcelOption = False,
    _xlsx: XlsxOption = False,
    _out: OutOption = None,
) -> None:
    """Show what reference data is loaded and from which year."""
    if ctx.invoked_subcommand is not None:
        return
    m = refdata.manifest()
    rows: list[dict[str, object]] = [
        {"data": "kommuner", "antal": len(refdata.municipalities()), "år/källa": "SCB, koder gällande från 2007"},
        {"data": "län", "antal": len(refdata.counties()), "år/källa": "SCB"},
        {
            "data": "ortnamn (gazetteer)",
            "antal": len(refdata.gazetteer()),
            "år/källa": "SCB, GeoNames, Stockholms stad",
        },
        {"data": "postnummer", "antal": len(refdata.postcodes()), "år/källa": "GeoNames 2024-04 (CC BY 4.0)"},
        {"data": "gränser", "antal": len(refdata.boundaries()["features"]), "år/källa": m["boundaries"]},
    ]
    for year in m["population_years"]:
        rows.append(
            {"data": "befolkning (inbyggd)", "antal": refdata.bundled_population().count(), "år/källa": str(year)}
        )
    try:
        ws = open_workspace(settings_from(ctx))
    except LagesbildError as exc:
        note = say("ingen arbetskatalog: bara inbyggda data visas", "no workspace: showing bundled data only")
        console.print(f"[dim]({note}; {exc})[/]")
    else:
        with ws:
            for year, source in ws.store.population_years().items():
                table = ws.store.population_table(year)
                assert table is not None
                rows.append(
                    {"data": "befolkning (importerad)", "antal": table.count(), "år/källa": f"{year}: {source}"}
                )
    render(rows, fmt, title=say("Referensdata", "Reference data"))


@app.command("import-population")
def import_population(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., exists=True, help="An SCB PX-Web CSV export: region x ålder x kön, one or more years."
    ),
) -> None:
    """Import a newer population table from SCB (Statistikdatabasen, table BE0101N1/TAB638).

    Export "Folkmängden efter region, ålder, kön och år" for all 290 kommuner and every
    single-year age as CSV (comma or semicolon, with or without heading). Each year in the
    file replaces that year in the database.

    Example: lagesbild refdata import-population BE0101N1_2024.csv
    """
    with workspace(ctx) as ws:
        tables = refdata.parse_pxweb_population(file)
        for year, table in sorted(tables.items()):
            ws.store.put_population(table)
            console.print(f"{year}: {table.count():,} people in {len(refdata.municipalities())} kommuner imported")
