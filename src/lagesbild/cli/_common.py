"""Shared CLI plumbing: settings from global options, friendly errors, output formats."""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, TypeVar

import click
import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from lagesbild.errors import InputError, LagesbildError
from lagesbild.privacy import mask_identifiers
from lagesbild.settings import Settings, load_settings
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
        logging.getLogger("lagesbild.cli").debug(
            "%s", mask_identifiers("".join(traceback.format_exception(exc)))
        )
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


def render(rows: Sequence[dict[str, Any]], fmt: OutputFormat, *, title: str | None = None) -> None:
    """Print rows as a rich table, CSV or JSON (to stdout)."""
    if fmt is OutputFormat.json:
        sys.stdout.write(json.dumps(list(rows), ensure_ascii=False, indent=2) + "\n")
        return
    cols = list(rows[0]) if rows else []
    if fmt is OutputFormat.csv:
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        sys.stdout.write(buf.getvalue())
        return
    table = Table(title=title, show_lines=False)
    for c in cols:
        numeric = bool(rows) and isinstance(rows[0][c], int | float)
        table.add_column(c, justify="right" if numeric else "left")
    for r in rows:
        table.add_row(
            *(format_number(v) if isinstance(v, int | float) else ("" if v is None else str(v)) for v in r.values())
        )
    console.print(table)


def format_number(v: float) -> str:
    """Swedish-style number for tables: space as thousands separator, comma as decimal mark."""
    if isinstance(v, int):
        return f"{v:,}".replace(",", "\u00a0")
    return f"{v:,.2f}".replace(",", "\u00a0").replace(".", ",")


def process_and_report(ws: Workspace, *, quiet: bool = False) -> None:
    """Normalize and link what is new in the store (``lagesbild.pipeline.process_new``), and say so."""
    from lagesbild.pipeline import process_new

    with console.status("Normalizing and linking the new observations …", spinner="dots") if not quiet else _null():
        done = process_new(ws.store)
    if not quiet:
        n, k = done.normalized, done.linked
        console.print(
            f"Normalized {n.n_normalized:,} observations; linked ({k.mode}): {k.n_ads:,} ads, "
            f"{k.n_persons:,} persons, {k.n_advertisers:,} advertisers, {k.n_networks:,} networks."
        )


@contextmanager
def _null() -> Iterator[None]:
    yield
