"""Fixtures for the store's operations tests (backup, retention, key rotation): a filled workspace."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.settings import Settings
from lagesbild.workspace import Workspace, init_workspace, open_workspace

# Fictional numbers from the PTS drama range and example.invalid addresses: never real people.
PHONES = ["070-174 06 11", "070-174 06 12", "0701740613"]
EMAILS = ["lisa.fiktiv@example.invalid"]


def ad_records() -> list[dict[str, object]]:
    """Two sites, two months, shared numbers (so that linking ties ads across sites)."""
    recs: list[dict[str, object]] = []
    for site, prefix in (("annonsportalen", "A"), ("kontaktsidan", "K")):
        for i in range(6):
            for day in ("2024-03-02", "2024-03-03", "2024-05-10"):
                recs.append(
                    {
                        "site": site,
                        "site_ad_id": f"{prefix}-{i}",
                        "seen_at": day,
                        "title": f"Ny i stan {i}",
                        "body": f"Söt tjej {i}, ring {PHONES[i % 3]} eller mejla {EMAILS[0]}" if i < 3 else "Hej",
                        "location": "Linköping" if i % 2 else "Norrköping",
                        "phones": [PHONES[i % 3]],
                        "emails": EMAILS if i == 0 else [],
                        "age": 20 + i,
                        "price": "1500 kr/30 min",
                        "name": f"Anna{i}",
                    }
                )
    return recs


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def fill(ws: Workspace, tmp: Path) -> None:
    """Import the records, normalize and link them, and add a raw page and a report context."""
    import_file(ws.store, ws.pseudonymizer, write_jsonl(tmp / "ads.jsonl", ad_records()))
    process_new(ws.store)
    with ws.store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO raw_pages (source, run_id, url, kind, fetched_at, seen_at, http_status, encoding, body) "
                "VALUES ('annonsportalen', NULL, 'https://example.invalid/a/1', 'ad', '2024-03-02T10:00:00Z', "
                "'2024-03-02T10:00:00Z', 200, 'utf-8', :b)"
            ),
            {"b": bytes(range(256)) * 3},
        )
        conn.execute(
            sa.text(
                "INSERT INTO report_contexts (area, period_start, period_end, lang, created_at, context_version, "
                "context) VALUES ('05', '2024-01-01', '2024-12-31', 'sv', '2024-04-01T00:00:00Z', 1, :c)"
            ),
            {"c": json.dumps({"note": "åäö", "float": 0.1 + 0.2})},
        )


@pytest.fixture
def other_pg_url(pg_admin: sa.Engine) -> Iterator[str]:
    """A second empty PostgreSQL schema, for a restore next to a source store that is on PostgreSQL too."""
    schema = "t_" + uuid.uuid4().hex[:12]
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    base = str(pg_admin.url.render_as_string(hide_password=False))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with pg_admin.connect() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))


@pytest.fixture
def filled(settings: Settings, tmp_path: Path) -> Workspace:
    """A workspace on each backend with imported, normalized and linked observations."""
    init_workspace(settings)
    ws = open_workspace(settings)
    fill(ws, tmp_path)
    yield ws  # type: ignore[misc]
    ws.close()
