"""Render a :class:`ReportContext` to self-contained HTML, a PDF and JSON, and check them for leaks.

The HTML has its CSS inline and its maps and charts as ``data:`` PNG images: it makes no
request, so it can be mailed, archived and opened offline. The PDF is the same HTML through
WeasyPrint (A4, page numbers). Before anything is written, every output is scanned by
:func:`find_leaks`; a report that would contain a pseudonym, a phone-like number or ad text is
refused (:class:`~lagesbild.errors.LagesbildError`), never written.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import jinja2

from lagesbild.errors import LagesbildError
from lagesbild.privacy import private_dir, write_private
from lagesbild.report import charts
from lagesbild.report.context import ReportContext
from lagesbild.report.strings import STRINGS, tr

__all__ = ["PSEUDONYM_RE", "ReportFiles", "find_leaks", "render_html", "write_report"]

log = logging.getLogger(__name__)

PSEUDONYM_RE = re.compile(r"\b(?:ph|em|hd)_[0-9A-Za-z]{4,}")
"""A keyed pseudonym as :mod:`lagesbild.privacy` writes them (``ph_``, ``em_``, ``hd_`` prefixes)."""
PHONE_RE = re.compile(r"(?<![\d.])(?:\+46|0046|0)\s?7\d(?:[\s-]?\d){7}(?!\d)")
"""A Swedish mobile number in any common spelling (``070-174 06 12``, ``+46701740612``)."""


class ReportLeakError(LagesbildError):
    """A report would have contained a pseudonym, a phone number or ad text; nothing was written."""


@dataclass(frozen=True)
class ReportFiles:
    """The files one report was written to."""

    html: Path
    pdf: Path | None
    json: Path


def find_leaks(text: str, ad_texts: Iterable[str] = (), *, allowed: Iterable[str] = ()) -> list[str]:
    """Pseudonyms, phone-like numbers and ad texts found in ``text`` (an empty list when clean).

    Args:
        text: an output (HTML, PDF text, JSON).
        ad_texts: ad titles and bodies that must not appear (checked as whole strings, 20+ characters).
        allowed: numbers that may appear (public helplines from the support-services file).
    """
    found = [m.group(0) for m in PSEUDONYM_RE.finditer(text)]
    allow = {re.sub(r"\D", "", a) for a in allowed}
    found += [m.group(0) for m in PHONE_RE.finditer(text) if re.sub(r"\D", "", m.group(0)) not in allow]
    found += [t[:40] for t in ad_texts if len(t) >= 20 and t in text]
    return found


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@jinja2.pass_context
def _t(jctx: jinja2.runtime.Context, key: str, **kw: object) -> str:
    return tr(str(jctx["lang"]), key, **kw)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("lagesbild.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["t"] = _t
    return env


def render_html(ctx: ReportContext) -> str:
    """The report as one self-contained HTML document."""
    css = (resources.files("lagesbild.report") / "templates" / "report.css").read_text(encoding="utf-8")
    labels = {p.name: p.description for p in ctx.methods.parameters}
    labels.update({f"activity.{b}": STRINGS[ctx.lang][f"basis_{b}"] for b in ("person_days", "ad_days")})
    level = "lan" if ctx.map.level == "lan" else "kommun"
    images = {
        "maps": _data_uri(charts.choropleths(ctx.map.layers, level, ctx.lang, ctx.threshold)),
        "orientation": _data_uri(charts.orientation_map(ctx.orientation_area, ctx.lang)),
        "series": _data_uri(charts.series_chart(ctx.series, ctx.lang, ctx.threshold)),
    }
    if ctx.purchases is not None and ctx.purchases.tornado:
        images["tornado"] = _data_uri(
            charts.tornado_chart(ctx.purchases.tornado, ctx.purchases.tornado_base, ctx.lang, labels)
        )
    if ctx.verdicts is not None:
        county = ctx.area if ctx.level == "national" else ctx.area[:2]
        images["flows"] = _data_uri(
            charts.flow_map(ctx.verdicts.flow_lines, county, ctx.lang, ctx.threshold, ctx.verdicts.other_flows)
        )
    template = _env().get_template("report.html")
    return template.render(ctx=ctx, lang=ctx.lang, css=css, images=images, strings=STRINGS[ctx.lang])


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text (via pdftotext when installed), for the leak check."""
    import shutil
    import subprocess

    exe = shutil.which("pdftotext")
    if exe is None:
        return ""
    out = subprocess.run([exe, "-layout", "-", "-"], input=pdf, capture_output=True, check=False)
    return out.stdout.decode("utf-8", "replace")


def write_report(
    ctx: ReportContext,
    out_dir: str | Path,
    *,
    pdf: bool = True,
    stem: str | None = None,
    ad_texts: Iterable[str] = (),
    allowed_numbers: Iterable[str] = (),
) -> ReportFiles:
    """Write ``<stem>.html``, ``<stem>.pdf`` and ``<stem>.json`` into ``out_dir``.

    Args:
        ctx: the report context.
        out_dir: the folder (created).
        pdf: also write the PDF.
        stem: file name without extension (default ``lagesbild-<area>-<period>-<lang>``).
        ad_texts: ad texts that must not appear (checked with :func:`find_leaks`).
        allowed_numbers: public numbers allowed in the output (the support services' helplines).

    Raises:
        ReportLeakError: if an output contains a pseudonym, a phone-like number or ad text.
    """
    out = Path(out_dir)
    private_dir(out)
    stem = stem or f"lagesbild-{ctx.area}-{ctx.period_start}-{ctx.period_end}-{ctx.lang}"
    html = render_html(ctx)
    js = json.dumps(ctx.to_dict(), ensure_ascii=False, indent=2)
    texts = list(ad_texts)
    allowed = list(allowed_numbers) + [s.contact for s in ctx.support]
    pdf_bytes: bytes | None = None
    if pdf:
        import weasyprint

        pdf_bytes = weasyprint.HTML(string=html).write_pdf()
    for name, text in (("HTML", html), ("JSON", js), ("PDF", _pdf_text(pdf_bytes) if pdf_bytes else "")):
        leaks = find_leaks(text, texts, allowed=_numbers(allowed))
        if leaks:
            raise ReportLeakError(f"the {name} report for {ctx.area} would contain {len(leaks)} protected string(s)")
    files = ReportFiles(out / f"{stem}.html", (out / f"{stem}.pdf") if pdf_bytes else None, out / f"{stem}.json")
    write_private(files.html, html)  # 0600: a report is sensitive until it is published
    write_private(files.json, js + "\n")
    if files.pdf is not None and pdf_bytes is not None:
        write_private(files.pdf, pdf_bytes)
    log.info("report for %s written to %s", ctx.area, files.html)
    return files


def _numbers(contacts: Iterable[str]) -> list[str]:
    """The phone numbers in the support services' contact fields."""
    out: list[str] = []
    for c in contacts:
        out += [m.group(0) for m in re.finditer(r"\+?\d[\d\s-]{1,14}\d", c)]
    return out
