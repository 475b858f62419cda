"""Reading judgment files and storing what is extracted from them (the I/O edge of ``verdicts``).

Input is a JSONL file whose lines have a ``text`` field (other fields, such as the simulator's
true values, are ignored), one judgment file (``.txt``, ``.pdf``, ``.docx``) or a folder of them.
A judgment with a party list is read into one row per sex-purchase defendant
(:func:`~lagesbild.verdicts.defendants.extract_judgment`, stored by
:class:`~lagesbild.store.verdicts.DefendantStore`); a judgment without one (older, one-paragraph
texts) falls back to the one-row :func:`~lagesbild.verdicts.extract.extract_verdict`. Only the
extracted fields are stored; the text is hashed, never kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lagesbild.errors import InputError
from lagesbild.records.verdicts import DefendantRecord, VerdictRecord
from lagesbild.store import Store
from lagesbild.store.verdicts import DefendantStore, VerdictStore
from lagesbild.verdicts.defendants import extract_judgment
from lagesbild.verdicts.documents import JUDGMENT_SUFFIXES, read_document
from lagesbild.verdicts.extract import extract_verdict

__all__ = ["VerdictImport", "import_judgments", "read_judgments"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VerdictImport:
    """What an import did: judgments read, new rows stored, rows lacking age or a municipality, and
    (per-defendant judgments) defendants read, of them acquitted, and judgments with no sex-purchase defendant."""

    n_read: int
    n_new: int
    n_incomplete: int
    n_defendants: int = 0
    n_acquitted: int = 0
    n_unrelated: int = 0


def _decode(raw: bytes, path: str, line: int | None = None) -> str:
    """``raw`` as UTF-8 text, or an :class:`InputError` naming the file, line and first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
        raise InputError(msg, path=path, line=line) from None


def _check_text(text: str, path: str, line: int | None = None) -> str:
    """Refuse text no judgment contains and the store could not take (NUL, unpaired surrogates)."""
    if "\x00" in text:
        raise InputError("the judgment text contains a NUL character", path=path, line=line, field="text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        msg = f"the judgment text contains an unpaired surrogate (\\u{ord(text[exc.start]):04x}), not a character"
        raise InputError(msg, path=path, line=line, field="text") from None
    return text


def read_judgments(path: Path) -> Iterator[str]:
    """Judgment texts from a JSONL file (field ``text``) or a folder of ``.txt`` files.

    Every text is checked before it is yielded, so a caller that collects them all before storing
    stores nothing from a bad file.

    Raises:
        InputError: if the path is missing or unreadable, a file or line is not UTF-8, a line is
            not a JSON object with a ``text`` string, or a text holds a NUL character or an
            unpaired surrogate (``"\\ud800"``); the error names the file and line.
    """
    p = str(path)
    try:
        if path.is_dir():
            files = sorted(f for f in path.iterdir() if f.suffix.lower() in JUDGMENT_SUFFIXES and f.is_file())
            for f in files:
                yield _check_text(read_document(f), str(f))
            return
        if path.suffix.lower() in JUDGMENT_SUFFIXES:
            yield _check_text(read_document(path), p)
            return
        if not path.is_file():
            raise InputError("no such file or folder", path=p)
        with path.open("rb") as fh:
            for no, raw in enumerate(fh, 1):
                line = _decode(raw, p, no)
                if no == 1:
                    line = line.removeprefix("\ufeff")  # a byte-order mark some editors write
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"not JSON ({exc.msg})", path=p, line=no) from None
                except (ValueError, RecursionError) as exc:  # digits past the int limit, nesting too deep
                    raise InputError(f"not JSON ({type(exc).__name__})", path=p, line=no) from None
                if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                    raise InputError("a judgment needs a 'text' field (string)", path=p, line=no)
                yield _check_text(obj["text"], p, no)
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or type(exc).__name__})", path=p) from None


def import_judgments(store: Store, path: Path) -> VerdictImport:
    """Extract every judgment in ``path`` and store the fields (one transaction; re-import adds nothing)."""
    items: list[tuple[str, VerdictRecord]] = []
    rows: list[tuple[str, DefendantRecord]] = []
    incomplete = unrelated = n_read = 0
    for text in read_judgments(path):
        n_read += 1
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        judgment = extract_judgment(text)
        if judgment.n_parties:
            recs = judgment.records(sha)
            unrelated += not recs
            for d in recs:
                incomplete += d.defendant_age is None or d.home_kommun is None or d.offence_kommun is None
                rows.append((sha, d))
            continue
        rec = extract_verdict(text).record()
        if rec.defendant_age is None or rec.defendant_kommun is None or rec.offence_kommun is None:
            incomplete += 1
        items.append((sha, rec))
    n_new = VerdictStore(store).add(items) + DefendantStore(store).add(rows)
    acquitted = sum(d.verdict == "acquitted" for _, d in rows)
    log.info("verdicts: %d read, %d new, %d incomplete, %d defendants (%d acquitted), %d unrelated",
             n_read, n_new, incomplete, len(rows), acquitted, unrelated)
    return VerdictImport(n_read, n_new, incomplete, len(rows), acquitted, unrelated)
