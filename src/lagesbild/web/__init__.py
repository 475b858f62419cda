"""The dashboard and JSON API: accounts with roles and county scopes, an audit log, background jobs.

Start it with ``lagesbild serve`` (see ``docs/web.md``), or build the app yourself::

    from lagesbild.settings import load_settings
    from lagesbild.web import create_app
    app = create_app(load_settings(home="demo-output/data"))

Layout: :mod:`~lagesbild.web.app` (the app, sessions, headers, errors), :mod:`~lagesbild.web.pages`
(HTML), :mod:`~lagesbild.web.api` (JSON under ``/api/``), :mod:`~lagesbild.web.data` (area contexts
from the stored estimates, with suppression), :mod:`~lagesbild.web.views` (the other pages'
contexts), :mod:`~lagesbild.web.svg` (maps and charts), :mod:`~lagesbild.web.jobs` (background
jobs), :mod:`~lagesbild.web.security` (passwords, tokens, rate limit). Accounts, sessions, the
audit log and jobs live in the store (:mod:`lagesbild.store.web`).
"""

from __future__ import annotations

from lagesbild.web.app import create_app
from lagesbild.web.security import hash_password

__all__ = ["create_app", "hash_password"]
