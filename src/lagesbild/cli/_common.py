"""Shared CLI plumbing: settings from global options, friendly errors, output formats."""

from __future__ import annotations

import io
import json
import logging
import math
import sys
import traceback
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import click
import typer
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Column, Table
from rich.text import Text

from lagesbild.errors import InputError, LagesbildError
from lagesbild.privacy import mask_identifiers
from lagesbild.records import tables
from lagesbild.settings import Settings, load_settings
from lagesbild.store import Store
from lagesbild.workspace import Workspace, open_workspace

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class MaskingFilter(logging.Filter):
    """Masks identifiers in every log line the command prints (a URL with a number, an echoed value).

    Library code does not log raw identifiers; this is the last line of defence. Counts stay readable
    (``mask_identifiers(strict=False)``).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_identifiers(message, strict=False)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and record.exc_info[1] is not None:
            text = mask_identifiers("".join(traceback.format_exception(*record.exc_info)), strict=False)
            record.msg, record.args, record.exc_info = f"{masked}\n{text}", None, None
        return True


def setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = RichHandler(console=err_console, show_path=False)
    handler.addFilter(MaskingFilter())
    logging.basicConfig(level=level, format="%(message)s", handlers=[handler], force=True)


def settings_from(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj or {}
    return load_settings(home=obj.get("home"), db=obj.get("db"), key_file=obj.get("key_file"))


@contextmanager
def workspace(ctx: typer.Context) -> Iterator[Workspace]:
    with friendly_errors():
        ws = open_workspace(settings_from(ctx))
    with ws, friendly_errors():
        yield ws


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn errors into a short red message and an exit code (2 for bad input, 1 otherwise).

    The last line of defence for privacy: every message passes :func:`~lagesbild.privacy.mask_identifiers`
    (file paths given by the user are kept), and an unexpected error prints its masked message
    instead of a traceback that could echo input (its masked traceback is logged at ``-vv``).
    """
    try:
        yield
    except InputError as exc:
        err_console.print(f"[bold red]Error:[/] {escape(safe_message(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except LagesbildError as exc:
        err_console.print(f"[bold red]Error:[/] {escape(safe_message(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except (typer.Exit, typer.Abort, click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
        raise
    except Exception as exc:
        logging.getLogger("lagesbild.cli").debug("%s", mask_identifiers("".join(traceback.format_exception(exc))))
        err_console.print(
            f"[bold red]Error:[/] unexpected {type(exc).__name__}: {escape(safe_message(exc))} "
            "(this is a bug; please report it, with the traceback that -vv shows)",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None


def safe_message(exc: BaseException) -> str:
    """``str(exc)`` with anything that could be an identifier masked, but the files and lines it names kept."""
    text = str(exc)
    errors = [e for e in (exc, *getattr(exc, "errors", [])) if isinstance(e, InputError)]
    places = {e.path for e in errors if e.path}
    places |= {f"{e.path}:{e.line}" if e.path else f"line {e.line}" for e in errors if e.line is not None}
    kept = sorted(places, key=len, reverse=True)  # "ads.jsonl:1234567" before "ads.jsonl"
    for i, place in enumerate(kept):
        text = text.replace(place, f"\ue000{i}\ue001")
    text = mask_identifiers(text)
    for i, place in enumerate(kept):
        text = text.replace(f"\ue000{i}\ue001", place)
    return text


# What the running command's output looks like: set by the root callback (``--lang``, ``--home``) and
# by the shared export options, read by the renderers. A context variable rather than the click
# context, so library-free helpers and tests can render without a running command.
_OUTPUT: ContextVar[dict[str, Any] | None] = ContextVar("lagesbild_output", default=None)


def begin_output(*, lang: str | None = None, home: Path | None = None) -> None:
    """Start a command's output choices (called by the root callback before each command)."""
    _OUTPUT.set({"lang": lang, "home": home})


def _choices() -> dict[str, Any]:
    choices = _OUTPUT.get()
    if choices is None:
        choices = {"lang": None, "home": None}
        _OUTPUT.set(choices)
    return choices


def current_lang() -> str:
    """The language of command output: the global ``--lang``, else the ``lang`` setting (default ``sv``)."""
    choices = _choices()
    if not choices.get("lang"):
        try:
            choices["lang"] = load_settings(home=choices.get("home")).lang
        except LagesbildError:
            choices["lang"] = "sv"
    return str(choices["lang"])


_LABELS: dict[str, dict[str, str]] = {
    # Column headers and titles of tables; keys are the row keys the commands produce.
    "en": {
        "period": "period",
        "lan": "county",
        "kommun": "municipality",
        "namn": "name",
        "observationer": "observations",
        "annonser": "ads",
        "skattning": "estimate",
        "sanning": "truth",
        # refdata
        "antal": "count",
        "år/källa": "year/source",
        # export observations (a terminal's table)
        "seen_at": "seen",
        "n_phones": "tel",
        "n_pictures": "pics",
    },
    "sv": {
        "estimate": "skattning",
        "lower": "nedre",
        "upper": "övre",
        "model": "modell",
        "observed": "observerat",
        "count": "antal",
        # the estimate commands' tables
        "Model": "Modell",
        "Deviance": "Devians",
        "CI method": "Intervallmetod",
        "Method": "Metod",
        "Dependence": "Beroende",
        "Input": "Indata",
        "Distribution": "Fördelning",
        "Median": "Median",
        "Result at low": "Resultat vid lågt värde",
        "Result at high": "Resultat vid högt värde",
        "Swing": "Utslag",
        "Quantity": "Storhet",
        "Point": "Punktvärde",
        "Estimate (interval)": "Skattning (intervall)",
        "Level": "Nivå",
        "Method or note": "Metod eller kommentar",
        "Area": "Område",
        "Days monitored": "Bevakade dagar",
        "persons": "personer",
        "purchases": "sexköp",
        "demand_12m": "sexköpare 12 mån",
        "Municipality": "Kommun",
        "Purchases here": "Sexköp här",
        "By residents": "Av invånare",
        "Visitors' share": "Besökares andel",
        "Demand side": "Efterfrågesidan",
        "Judgments": "Domar",
        # link explain / list / network
        "level": "nivå",
        "linked": "länkade",
        "signal": "signal",
        "value": "värde",
        "threshold": "tröskel",
        "weight": "vikt",
        "counted": "räknas",
        "ad": "annons",
        "first_seen": "först sedd",
        "last_seen": "senast sedd",
        "person": "person",
        "network": "nätverk",
        "name": "namn",
        "age": "ålder",
        "site_ads": "annonser",
        # verdicts profile / flows / list / trends
        "verdicts": "domar",
        "home": "hemkommun",
        "home_name": "hemkommun (namn)",
        "offence": "brott",
        "offence_kommun": "brottskommun",
        "offence_name": "brottskommun (namn)",
        "court": "domstol",
        "case": "mål",
        "date": "datum",
        "defendant": "tilltalad",
        "verdict": "utgång",
        "offence_dates": "brottsdatum",
        "offence_place": "brottsplats",
        "sanction": "påföljd",
        "corrected": "rättad",
        "year": "år",
        "own_municipality": "i egen kommun",
        # export observations (a terminal's table)
        "seen_at": "sedd",
        "title": "rubrik",
        "place": "plats",
        "price": "pris",
        "n_phones": "tel",
        "n_pictures": "bilder",
    },
}


def say(sv: str, en: str, lang: str | None = None) -> str:
    """A text of the output in its language (Swedish unless ``--lang en`` or the setting)."""
    return en if (lang or current_lang()) == "en" else sv


def label(key: str, lang: str | None = None) -> str:
    """A column header in the output language (the key itself when there is no translation)."""
    lang = lang or current_lang()
    if lang == "sv" and key.endswith(" interval"):  # "95% interval"
        return key.removesuffix(" interval") + " intervall"
    return _LABELS.get(lang, {}).get(key, key)


# Export options shared by every command with ``--format csv``. They are not passed to the command:
# their callbacks store the value in the click context, where :func:`render` and :func:`write_rows`
# find it, so a command only declares them.
def _remember(name: str) -> Callable[[Any, Any, Any], Any]:
    def callback(_ctx: Any, _param: Any, value: Any) -> Any:
        _choices()[name] = value
        return value

    return callback


ExcelOption = Annotated[
    bool,
    typer.Option(
        "--excel",
        help="CSV for Excel: semicolon-separated, UTF-8 with BOM, decimal comma (implies --format csv).",
        callback=_remember("excel"),
        expose_value=False,
    ),
]
XlsxOption = Annotated[
    bool,
    typer.Option(
        "--xlsx",
        help="An Excel workbook: numbers as numbers, dates as dates (implies --format csv; needs --out FILE, "
        "as does an --out file ending in .xlsx).",
        callback=_remember("xlsx"),
        expose_value=False,
    ),
]
OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Write the output to this file instead of the terminal.",
        callback=_remember("out"),
        expose_value=False,
        dir_okay=False,
    ),
]


def _export_choice(name: str) -> Any:
    return _choices().get(name)


def wants_xlsx() -> bool:
    """Whether the output is an xlsx workbook: ``--xlsx``, or ``--out`` naming a ``.xlsx`` file."""
    out = _export_choice("out")
    return bool(_export_choice("xlsx")) or (out is not None and Path(out).suffix.lower() == ".xlsx")


def wants_file() -> bool:
    """Whether ``--out``, ``--excel`` or ``--xlsx`` asked for a file format rather than a terminal table."""
    return bool(_export_choice("out") is not None or _export_choice("excel") or _export_choice("xlsx"))


def export_format(fmt: OutputFormat) -> OutputFormat:
    """The format a command writes: ``--excel`` and ``--xlsx`` mean CSV rows whatever ``--format`` says."""
    return OutputFormat.csv if _export_choice("excel") or wants_xlsx() else fmt


def _grid(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None) -> tuple[list[str], list[list[Any]]]:
    cols = list(columns) if columns is not None else list(rows[0]) if rows else []
    return cols, [[r.get(c) for c in cols] for r in rows]


def csv_text(rows: Sequence[dict[str, Any]], *, excel: bool = False, columns: Sequence[str] | None = None) -> str:
    """Rows as CSV: plain (comma, ``1924.72``) or for Excel (semicolon, ``1924,72``, BOM added by the writer).

    Plain CSV is for programs (R, pandas) and keeps full precision; the Excel flavour is what a Swedish
    Excel opens into columns with numbers it can sum. Written by :mod:`lagesbild.records.tables`, the
    writer the dashboard's downloads use too.
    """
    return tables.csv_text(*_grid(rows, columns), excel=excel)


def _usage_error(message: str) -> NoReturn:
    """A mistake in the export options: said in red, exit code 2 (also outside :func:`friendly_errors`)."""
    err_console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def emit(text: str, *, bom: bool = False) -> None:
    """Write a command's output to ``--out`` (when given) or stdout; say where a file went on stderr."""
    out = _export_choice("out")
    if out is None:
        sys.stdout.write(("\ufeff" if bom else "") + text)
        sys.stdout.flush()
        return
    path = Path(out)
    try:
        path.write_text(("\ufeff" if bom else "") + text, encoding="utf-8", newline="")
    except OSError as exc:
        _usage_error(f"--out: cannot write {path}: {exc.strerror}")
    err_console.print(f"Wrote {path}", highlight=False)


def emit_bytes(data: bytes, option: str) -> None:
    """Write a binary output (an xlsx workbook) to ``--out``; one is required (not to a terminal)."""
    out = _export_choice("out")
    if out is None:
        _usage_error(f"{option}: a workbook is written to a file: give --out FILE.xlsx")
    path = Path(out)
    try:
        path.write_bytes(data)
    except OSError as exc:
        _usage_error(f"--out: cannot write {path}: {exc.strerror}")
    err_console.print(f"Wrote {path}", highlight=False)


def write_rows(
    rows: Sequence[dict[str, Any]], *, excel: bool | None = None, columns: Sequence[str] | None = None
) -> None:
    """CSV output honouring ``--excel``, ``--xlsx`` and ``--out`` (the one tabular writer of the CLI).

    An xlsx workbook has the CSV's columns and cells: numbers as number cells, dates as date cells,
    suppressed counts (``<5``, ``..``) as the same text.
    """
    if wants_xlsx():
        emit_bytes(tables.xlsx_bytes(*_grid(rows, columns)), "--xlsx")
        return
    excel = bool(_export_choice("excel")) if excel is None else excel
    emit(csv_text(rows, excel=excel, columns=columns), bom=excel)


def render(
    rows: Sequence[dict[str, Any]],
    fmt: OutputFormat,
    *,
    title: str | None = None,
    empty: str | None = None,
    whole: Collection[str] = (),
) -> None:
    """Print rows as a table, CSV or JSON (to stdout, or to ``--out``).

    Tables fit the terminal: text columns fold, numbers never wrap and carry the output language's
    separators ("6 061" and "0,82" in Swedish, "6,061" and "0.82" in English). When stdout is not a
    terminal (a pipe, a file) the table is plain text without box drawing. ``--excel`` turns any
    format into Excel CSV, ``--xlsx`` (or ``--out`` ending in ``.xlsx``) into a workbook. ``empty`` is
    said (on stderr) when there are no rows. Columns named in ``whole`` (ids people copy) are never
    wrapped or cut in a table (:func:`table_of`).
    """
    fmt = export_format(fmt)
    if not rows and empty and fmt is OutputFormat.table:
        err_console.print(empty, highlight=False)
        return
    if fmt is OutputFormat.json:
        emit(json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is OutputFormat.csv:
        write_rows(rows)
        return
    if not rows and empty:
        err_console.print(empty, highlight=False)
    emit_table(table_of(rows, title=title, whole=whole))


def table_of(
    rows: Sequence[dict[str, Any]],
    *,
    title: str | None = None,
    lang: str | None = None,
    whole: Collection[str] = (),
) -> Table:
    """A rich table of rows: headers in the output language, numbers formatted and never wrapped.

    Columns named in ``whole`` hold values people copy (an ad key ``site:site_ad_id`` for `link
    explain`, a network id for `link network`): they are never wrapped or cut; when the table is
    wider than the terminal the other text columns are cut with an ellipsis instead (:func:`emit_table`).
    """
    lang = lang or current_lang()
    cols = list(rows[0]) if rows else []
    table = Table(title=title, show_lines=False, box=box.SIMPLE_HEAD)
    for c in cols:
        numeric = any(_is_numeric(r.get(c)) for r in rows) and all(
            _is_numeric(r.get(c)) or r.get(c) in (None, "") or _is_marker(r.get(c)) for r in rows
        )
        if numeric:
            table.add_column(label(c, lang), justify="right", no_wrap=True)
        elif c in whole:
            table.add_column(label(c, lang), justify="left", no_wrap=True, overflow="ignore")
        else:
            table.add_column(label(c, lang), justify="left", overflow="fold")
    for r in rows:
        # as text, never markup: a scrubbed "[telefon]" or "[masked]" is not a style tag
        table.add_row(*(Text(cell(v, lang)) for v in r.values()))
    return table


def _is_numeric(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _is_marker(v: Any) -> bool:
    # Suppressed counts ("<5", "..") sit in numeric columns.
    return isinstance(v, str) and (v == ".." or (v.startswith("<") and v[1:].isdigit()))


def cell(v: Any, lang: str | None = None) -> str:
    """One value as table text: numbers in the output language, ``None`` as empty."""
    if v is None:
        return ""
    if _is_numeric(v):
        return format_number(v, lang)
    return str(v)


def emit_table(table: Table) -> None:
    """Print a table: boxed on a terminal, plain text (no box drawing) to a pipe, a file or ``--out``.

    The title is its own line above the table: rich would wrap it to the table's width, and a
    narrow table would break an id in the title ("annonsportalen:A-100\\n006").
    """
    title = str(table.title) if table.title else ""
    table.title = None
    if _export_choice("out") is not None or not sys.stdout.isatty():
        table.box = None
        plain = Console(file=io.StringIO(), width=max(console.width, 80), no_color=True, highlight=False)
        need = fit_whole(table, plain)
        if need > plain.width:
            plain = Console(file=io.StringIO(), width=need, no_color=True, highlight=False)
        plain.print(table)
        text = plain.file.getvalue()  # type: ignore[attr-defined]
        lines = ([title] if title else []) + [line.rstrip() for line in text.splitlines()]
        emit("\n".join(lines) + "\n")
        return
    if title:
        console.print(Text(title, style="bold"))
    need = fit_whole(table, console)
    # a table that cannot fit is printed wider (the terminal wraps its lines) rather than break an id
    (console if need <= console.width else Console(file=console.file, width=need, soft_wrap=True)).print(table)


def _whole(column: Column) -> bool:
    return column.no_wrap and column.overflow == "ignore"


def fit_whole(table: Table, target: Console) -> int:
    """Make a table with whole columns (:func:`table_of`) fit ``target``; the width to print it at.

    Rich fits a wide table by cutting every column, ids too ("nattfjaril:485" over "921"). Here the
    padding between columns shrinks to one space, then the other text columns give up their width,
    cut with an ellipsis (never below 5 characters,
    the widest first); numbers and whole columns keep theirs. A table that cannot fit even then is
    printed wider than the terminal (whose lines then wrap) rather than break an id.
    """
    width = target.width
    if not any(_whole(c) for c in table.columns):
        return width
    flexible = [c for c in table.columns if not c.no_wrap]
    sizes = {id(c): max([cell_len(str(c.header)), *(cell_len(str(v)) for v in c.cells)]) for c in flexible}

    def measured() -> int:
        return target.measure(table, options=target.options.update_width(10_000)).maximum

    excess = measured() - width
    if excess <= 0:
        return width
    # first the space around the cells: one space between columns, none at the edges
    table.collapse_padding, table.pad_edge, table.show_edge = True, False, False
    excess = measured() - width
    for c in flexible:
        c.no_wrap, c.overflow = True, "ellipsis"
    while excess > 0:
        # the widest flexible column gives up one character at a time
        widest = max(flexible, key=lambda c: sizes[id(c)], default=None)
        if widest is None or sizes[id(widest)] <= 5:
            break
        sizes[id(widest)] -= 1
        widest.max_width = sizes[id(widest)]
        excess -= 1
        if excess == 0:
            excess = measured() - width  # the exact width, once the estimate is used up
    return max(width, measured())


def format_number(v: float, lang: str | None = None, *, decimals: int = 2) -> str:
    """A number for people: no-break space thousands and decimal comma in Swedish, comma and point in English.

    The separators never break a line ("39 016" stays on one line). Integers have no decimals;
    other numbers ``decimals`` (default 2).

    Example:
        >>> format_number(6061, "sv"), format_number(0.8229, "en")
        ('6\u00a0061', '0.82')
    """
    lang = lang or current_lang()
    if isinstance(v, float) and not math.isfinite(v):
        return "∞" if v > 0 else "-∞" if v < 0 else "–"
    text = f"{v:,}" if isinstance(v, int) else f"{v:,.{decimals}f}"
    if lang == "en":
        return text
    return text.replace(",", "\u00a0").replace(".", ",")


def audit_export(store: Store, target: str, detail: str) -> None:
    """Write an export from the command line to the audit log (user ``cli``, action ``export``).

    The command line is the local operator; its exports are logged as the dashboard's downloads
    are, and `users add` / `remove` changes, so the audit log shows every way data left the store.
    """
    from lagesbild.store.web import WebStore

    WebStore(store).audit("cli", "export", target=target, detail=detail)


def process_and_report(ws: Workspace, *, quiet: bool = False) -> None:
    """Normalize and link what is new in the store (``lagesbild.pipeline.process_new``), and say so."""
    from lagesbild.pipeline import process_new

    with console.status("Normalizing and linking the new observations …", spinner="dots") if not quiet else _null():
        done = process_new(ws.store)
    if not quiet:
        n, k = done.normalized, done.linked
        f = format_number
        console.print(
            f"Normalized {f(n.n_normalized)} observations; linked ({k.mode}): {f(k.n_ads)} ads, "
            f"{f(k.n_persons)} persons, {f(k.n_advertisers)} advertisers, {f(k.n_networks)} networks.",
            highlight=False,
        )


@contextmanager
def _null() -> Iterator[None]:
    yield
