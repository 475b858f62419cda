"""The dashboard's words in Swedish (default) and English: the package's one catalogue,
:mod:`lagesbild.i18n`, which the command line reads too.
"""

from __future__ import annotations

from lagesbild.i18n import LANGS, STRINGS, label, note, t

__all__ = ["LANGS", "STRINGS", "label", "note", "t"]
