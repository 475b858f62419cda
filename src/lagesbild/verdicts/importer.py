"""Reading judgment files and storing what is extracted from them (the I/O edge of ``verdicts``).

Input is a JSONL file whose lines have a ``text`` field (other fields, such as the simulator's
true values, are ignored), or a folder of ``.txt`` files, one judgment each. Only the extracted
fields are stored (:class:`~lagesbild.store.verdicts.VerdictStore`); the text is hashed, never kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lagesbild.errors import InputError
from lagesbild.store import Store
from lagesbild.store.verdicts import VerdictStore
from lagesbild.verdicts.extract import extract_verdict

__all__ = ["VerdictImport", "import_judgments", "read_judgments"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class VerdictImport:
    """What an import did: judgments read, new ones stored, and how many lacked age or a municipality."""

    n_read: int
    n_new: int
    n_incomplete: int


def read_judgments(path: Path) -> Iterator[str]:
    """Judgment texts from a JSONL file (field ``text``) or a folder of ``.txt`` files.

    Raises:
        InputError: if the path is missing, a line is not JSON or lacks ``text``.
    """
    if path.is_dir():
        for p in sorted(path.glob("*.txt")):
            yield p.read_text(encoding="utf-8")
        return
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    with path.open(encoding="utf-8") as fh:
        for no, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{no}: not JSON ({exc.msg})") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise InputError(f"{path}:{no}: a judgment needs a 'text' field (string)")
            yield obj["text"]


def import_judgments(store: Store, path: Path) -> VerdictImport:
    """Extract every judgment in ``path`` and store the fields (one transaction; re-import adds nothing)."""
    items = []
    incomplete = 0
    for text in read_judgments(path):
        rec = extract_verdict(text).record()
        if rec.defendant_age is None or rec.defendant_kommun is None or rec.offence_kommun is None:
            incomplete += 1
        items.append((hashlib.sha256(text.encode("utf-8")).hexdigest(), rec))
    n_new = VerdictStore(store).add(items)
    log.info("verdicts: %d read, %d new, %d incomplete", len(items), n_new, incomplete)
    return VerdictImport(len(items), n_new, incomplete)
