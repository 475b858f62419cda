"""Judgment files as courts send them -> plain text with a form feed between pages.

* ``.txt``: UTF-8 text (a byte-order mark is dropped);
* ``.pdf``: the text layer, read with poppler's ``pdftotext -layout`` (the Debian package
  ``poppler-utils``, in ``scripts/system-packages.txt``); a PDF without a text layer (a scan) is
  refused with a message saying so, since this tool does no OCR;
* ``.docx``: the paragraphs of ``word/document.xml`` read with the standard library; Word's
  running headers and footers live in other parts of the file and are therefore never read, and a
  page break becomes a form feed.

Headers and footers that are part of the page text (PDF) are removed later by
:func:`lagesbild.verdicts.defendants.strip_page_furniture`.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from lagesbild.errors import InputError

__all__ = ["JUDGMENT_SUFFIXES", "read_document"]

JUDGMENT_SUFFIXES = (".txt", ".pdf", ".docx")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _pdf(path: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise InputError("reading PDF needs pdftotext (Debian package poppler-utils)", path=str(path))
    try:
        out = subprocess.run([exe, "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=120,
                             check=False)
    except subprocess.TimeoutExpired:
        raise InputError("the PDF took over 120 s to read", path=str(path)) from None
    if out.returncode != 0:
        why = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"not a readable PDF ({why[-1] if why else 'pdftotext failed'})", path=str(path))
    text = out.stdout.decode("utf-8", "replace")
    if not text.replace("\f", "").strip():
        raise InputError("the PDF has no text layer (a scanned image?); run OCR on it first or send the text",
                         path=str(path))
    # pdftotext -layout indents columns with runs of spaces; keep line breaks, collapse the runs
    pages = [
        "\n".join(re.sub(r"[ \t]+", " ", line).strip() for line in page.split("\n"))
        for page in text.split("\f")
    ]
    return "\n\f".join(p.strip("\n") for p in pages if p.strip())


def _docx(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        raise InputError("not a Word document (.docx): no word/document.xml inside", path=str(path)) from None
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as exc:
        raise InputError(f"the Word document's XML is broken ({exc})", path=str(path)) from None
    paras = []
    for p in root.iter(f"{_W}p"):
        parts = []
        for el in p.iter():
            if el.tag == f"{_W}t" and el.text:
                parts.append(el.text)
            elif el.tag == f"{_W}tab":
                parts.append("\t")
            elif el.tag == f"{_W}br":
                parts.append("\f" if el.get(f"{_W}type") == "page" else "\n")
        paras.append("".join(parts))
    text = "\n".join(paras)
    if not text.strip():
        raise InputError("the Word document has no text", path=str(path))
    return text


def read_document(path: Path) -> str:
    """The text of one judgment file (``.txt``, ``.pdf`` or ``.docx``), pages separated by form feeds.

    Raises:
        InputError: naming the file, for an unknown suffix, an unreadable or broken file, a PDF
            without a text layer, or text that is not UTF-8.
    """
    suffix = path.suffix.lower()
    if suffix not in JUDGMENT_SUFFIXES:
        raise InputError(f"unknown judgment file type {suffix or '(none)'}; use .txt, .pdf or .docx", path=str(path))
    if not path.is_file():
        raise InputError("no such file", path=str(path))
    if suffix == ".pdf":
        return _pdf(path)
    if suffix == ".docx":
        return _docx(path)
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        msg = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
        raise InputError(msg, path=str(path)) from None
