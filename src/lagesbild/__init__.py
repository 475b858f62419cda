"""lagesbild: a systematic, repeatable situation picture of prostitution and sex purchase in Sweden.

The public API is small; each pipeline stage is a subpackage (``refdata``, ``store``,
``ingest``, ``normalize``, ``estimate``, ``simulate``...). See ``ARCHITECTURE.md``.

Example::

    from lagesbild import Store, load_settings, open_workspace
    with open_workspace(load_settings(home="lagesbild-data")) as ws:
        rows = ws.store.observation_counts(lan="05")
"""

from __future__ import annotations

from lagesbild.errors import (
    ConfigError,
    InputError,
    InputErrors,
    KeyMismatchError,
    LagesbildError,
    RefdataError,
    StoreError,
    TerminalError,
    TransientError,
)
from lagesbild.ingest import import_file
from lagesbild.observations import Observation
from lagesbild.privacy import Pseudonymizer
from lagesbild.settings import Settings, load_settings
from lagesbild.store import Store
from lagesbild.workspace import Workspace, init_workspace, open_workspace

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "InputError",
    "InputErrors",
    "KeyMismatchError",
    "LagesbildError",
    "Observation",
    "Pseudonymizer",
    "RefdataError",
    "Settings",
    "Store",
    "StoreError",
    "TerminalError",
    "TransientError",
    "Workspace",
    "__version__",
    "import_file",
    "init_workspace",
    "load_settings",
    "open_workspace",
]
