"""A step in a child process, for the SIGKILL tests: `python _kill_child.py MODE HOME DB_URL [FILE]`.

MODE is ``import`` (import FILE), ``link`` (link what is stored) or ``rotate`` (rotate the key).
Prints ``done`` when the step finished.
"""

from __future__ import annotations

import sys

from lagesbild.ingest import import_file
from lagesbild.link.runner import run as link_run
from lagesbild.privacy_rotate import rotate_key
from lagesbild.settings import load_settings
from lagesbild.workspace import open_workspace

mode, home, db = sys.argv[1:4]
settings = load_settings(home=home, db=db)
if mode == "import":
    with open_workspace(settings) as ws:
        import_file(ws.store, ws.pseudonymizer, sys.argv[4], parallel=False)
elif mode == "link":
    with open_workspace(settings) as ws:
        link_run(ws.store)
elif mode == "rotate":
    rotate_key(settings)
else:
    sys.exit(f"unknown mode {mode}")
print("done", flush=True)
