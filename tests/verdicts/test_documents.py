"""Judgments as courts send them: PDF (text layer), DOCX and text, made from corpus judgments."""

from __future__ import annotations

import html
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text as sql_text

from lagesbild.errors import InputError
from lagesbild.store import Store
from lagesbild.store.verdicts import DefendantStore
from lagesbild.verdicts.defendants import extract_judgment
from lagesbild.verdicts.documents import read_document
from lagesbild.verdicts.importer import import_judgments

CORPUS = Path(__file__).parent / "corpus" / "dev"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _truth(name: str) -> dict[str, object]:
    for line in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        t = json.loads(line)
        if t["file"] == name:
            return t
    raise KeyError(name)


def _multi() -> str:
    """A corpus judgment with several defendants (the richest layout to survive conversion)."""
    for line in (CORPUS / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        t = json.loads(line)
        if len(t["defendants"]) >= 2 and not t["appeal"]:
            return str(t["file"])
    raise AssertionError("no multi-defendant judgment in the corpus")


def _summary(text: str) -> list[tuple[object, ...]]:
    j = extract_judgment(text)
    return [(d.index, d.verdict.value, d.age and d.age.value, d.home_kommun and d.home_kommun.value,
             d.offence_kommun and d.offence_kommun.value, d.offence_dates and d.offence_dates.value,
             d.day_fines and d.day_fines.value, d.prison_months and d.prison_months.value) for d in j.defendants]


def _pdf(text: str, path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint", reason="weasyprint is a runtime dependency; its absence is a defect")
    pages = "".join(f'<div style="page-break-after: always; white-space: pre-wrap; font: 9pt DejaVu Sans">'
                    f"{html.escape(p)}</div>" for p in text.split("\f"))
    path.write_bytes(weasyprint.HTML(string=f"<html><body>{pages}</body></html>").write_pdf())


def _docx(text: str, path: Path) -> None:
    body = []
    for p_no, page in enumerate(text.split("\f")):
        for k, line in enumerate(page.strip("\n").split("\n")):
            brk = '<w:r><w:br w:type="page"/></w:r>' if p_no and k == 0 else ""
            body.append(f'<w:p>{brk}<w:r><w:t xml:space="preserve">{html.escape(line)}</w:t></w:r></w:p>')
    doc = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{"".join(body)}</w:body>'
           "</w:document>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", doc)
        z.writestr("word/header1.xml", f'<w:hdr xmlns:w="{W}"><w:p><w:r><w:t>Sida 1 (3)</w:t></w:r></w:p></w:hdr>')


def test_pdf_gives_the_same_defendants_as_the_text(tmp_path: Path) -> None:
    name = _multi()
    text = (CORPUS / name).read_text(encoding="utf-8")
    pdf = tmp_path / "dom.pdf"
    _pdf(text, pdf)
    got = read_document(pdf)
    assert "\f" in got
    assert _summary(got) == _summary(text)
    assert len(_summary(got)) == len(_truth(name)["defendants"])  # type: ignore[arg-type]


def test_docx_gives_the_same_defendants_as_the_text(tmp_path: Path) -> None:
    name = _multi()
    text = (CORPUS / name).read_text(encoding="utf-8")
    docx = tmp_path / "dom.docx"
    _docx(text, docx)
    got = read_document(docx)
    assert "Sida 1 (3)" not in got  # Word's own header part is not read
    assert _summary(got) == _summary(text)


def test_scanned_pdf_without_text_is_refused_clearly(tmp_path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint", reason="weasyprint is a runtime dependency; its absence is a defect")
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(weasyprint.HTML(string='<div style="width:300px;height:300px;background:#888"></div>').write_pdf())
    with pytest.raises(InputError, match="no text layer") as exc:
        read_document(pdf)
    assert "scan.pdf" in str(exc.value)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("dom.pdf", b"not a pdf", "not a readable PDF"),
        ("dom.docx", b"PK not a zip", "not a Word document"),
        ("dom.txt", b"Dom \xff", "not valid UTF-8"),
        ("dom.rtf", b"{\\rtf1}", "unknown judgment file type"),
    ],
)
def test_bad_files_name_the_file(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError, match=message) as exc:
        read_document(p)
    assert name in str(exc.value)


def test_one_judgment_as_pdf_docx_and_text_counts_once(store: Store, tmp_path: Path) -> None:
    name = _multi()
    text = (CORPUS / name).read_text(encoding="utf-8")
    folder = tmp_path / "domar"
    folder.mkdir()
    (folder / "a.txt").write_text(text, encoding="utf-8")
    _pdf(text, folder / "b.pdf")
    _docx(text, folder / "c.docx")
    done = import_judgments(store, folder)
    n = len(_truth(name)["defendants"])  # type: ignore[arg-type]
    assert (done.n_read, done.n_defendants, done.n_new) == (3, 3 * n, n)
    rows = DefendantStore(store).defendants()
    assert [r.defendant_index for r in rows] == [d["index"] for d in _truth(name)["defendants"]]  # type: ignore[attr-defined]
    # nothing read from the text but values: no name, identity number or street in any stored cell
    with store.engine.connect() as conn:
        cells = " ".join(str(c) for row in conn.execute(sql_text("SELECT * FROM verdict_defendants")) for c in row)
    for bad in ("Testsson", "Exempelberg", "Fiktivsson", "Provström", "Dummelin", "Mallgren", "gatan", "vägen", "-00"):
        assert bad not in cells
