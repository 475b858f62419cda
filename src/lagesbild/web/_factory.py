"""The app factory uvicorn imports in each worker process (``lagesbild serve --workers N``)."""

from __future__ import annotations

from fastapi import FastAPI

from lagesbild.settings import load_settings
from lagesbild.web.app import create_app


def app() -> FastAPI:
    """The app over the store named by ``LAGESBILD_HOME``/``LAGESBILD_DB`` (set by ``lagesbild serve``)."""
    return create_app(load_settings(), shared_jobs=True, warm=True)
