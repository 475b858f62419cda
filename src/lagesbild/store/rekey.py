"""Rewrite every pseudonym in the store through a mapping, in one transaction (key rotation).

Pseudonyms (``ph_…``, ``em_…``, ``hd_…``, keyed ad ids ``id_…``, followed by 24 hex digits) sit in list columns
(``phones``, ``emails``, ``handles``), in linking summaries and in JSON text (report contexts,
crawl frontier fields). Rather than list those columns (and miss the next one added), every
text column of every table is searched; binary columns (raw pages, MinHash signatures) hold no
pseudonyms. The caller (:mod:`lagesbild.privacy_rotate`) supplies the mapping.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Column, MetaData, String, Table, Text, inspect, or_, select
from sqlalchemy.exc import SQLAlchemyError

from lagesbild.errors import StoreError
from lagesbild.store import Store
from lagesbild.store.links import RULES_ROW, STALE_RULES

__all__ = ["PSEUDONYM_RE", "RekeyResult", "rekey_store"]

log = logging.getLogger(__name__)

#: A pseudonym as :class:`lagesbild.privacy.Pseudonymizer` writes it, not part of a longer word.
PSEUDONYM_RE = re.compile(r"(?<![A-Za-z0-9_])(?:ph|em|hd|id)_[0-9a-f]{24}(?![0-9a-f])")
_LEDGER = "schema_migrations"


@dataclass(frozen=True, slots=True)
class RekeyResult:
    """How many distinct pseudonyms were mapped, and how many distinct values changed per ``table.column``."""

    pseudonyms: int
    cells: dict[str, int]

    @property
    def n_values(self) -> int:
        return sum(self.cells.values())


def rekey_store(
    store: Store, mapping: Callable[[str], str], *, expected_fingerprint: str, new_fingerprint: str
) -> RekeyResult:
    """Replace every pseudonym ``p`` in every text column by ``mapping(p)`` and record ``new_fingerprint``.

    All of it happens in one transaction: a failure (or a kill) leaves the store as it was.

    Args:
        mapping: old pseudonym to new pseudonym (must keep the ``ph_``/``em_``/``hd_`` prefix).
        expected_fingerprint: the fingerprint the store must hold now (checked inside the transaction,
            so two rotations cannot interleave).
        new_fingerprint: the fingerprint of the new key, recorded in ``meta``.

    Raises:
        StoreError: if the store holds another fingerprint, or a write fails.
    """
    memo: dict[str, str] = {}

    def sub(m: re.Match[str]) -> str:
        old = m.group(0)
        new = memo.get(old)
        if new is None:
            new = memo[old] = mapping(old)
        return new

    cells: dict[str, int] = {}
    try:
        with store.engine.begin() as conn:
            meta = Table("meta", MetaData(), autoload_with=conn)
            stored = conn.execute(select(meta.c.value).where(meta.c.key == "key_fingerprint")).scalar_one_or_none()
            if stored != expected_fingerprint:
                raise StoreError(
                    f"the store's key fingerprint is {stored}, not {expected_fingerprint}: it was rotated meanwhile "
                    "or belongs to another key; nothing was changed"
                )
            names = sorted(inspect(conn).get_table_names())
            rekey_map = Table(
                "lagesbild_rekey_map",
                MetaData(),
                Column("old_value", Text, primary_key=True),
                Column("new_value", Text, nullable=False),
                prefixes=["TEMPORARY"],
            )
            rekey_map.create(conn)
            for name in names:
                if name in (_LEDGER, "meta"):
                    continue
                t = Table(name, MetaData(), autoload_with=conn)
                for col in t.columns:
                    if not isinstance(col.type, String | Text):
                        continue
                    # LIKE's "_" matches any character: a cheap superset, narrowed by the regex below.
                    like = or_(*(col.like(f"%{p}_%") for p in ("ph", "em", "hd")), col.like("%id\\_%", escape="\\"))
                    values = conn.execute(select(col).where(like).distinct()).scalars().all()
                    changes = []
                    for v in values:
                        if v is None:
                            continue
                        new = PSEUDONYM_RE.sub(sub, v)
                        if new != v:
                            changes.append({"old_value": v, "new_value": new})
                    if changes:
                        # Through a mapping table keyed on the old value: one pass over the table, not one
                        # scan per distinct value (columns holding pseudonyms have no index of their own).
                        conn.execute(rekey_map.delete())
                        for i in range(0, len(changes), 5000):
                            conn.execute(rekey_map.insert(), changes[i : i + 5000])
                        new_value = select(rekey_map.c.new_value).where(rekey_map.c.old_value == col).scalar_subquery()
                        conn.execute(
                            t.update().where(col.in_(select(rekey_map.c.old_value))).values({col.name: new_value})
                        )
                        cells[f"{name}.{col.name}"] = len(changes)
            rekey_map.drop(conn)
            if "link_keys" in names:
                # The incremental linker's key index holds hashes of pseudonyms, which no pattern can
                # re-key: mark it stale, so that the next link run relinks in full and rebuilds it.
                keys = Table("link_keys", MetaData(), autoload_with=conn)
                conn.execute(
                    keys.update()
                    .where(keys.c.site == RULES_ROW[0], keys.c.site_ad_id == RULES_ROW[1])
                    .values(k=STALE_RULES)
                )
            conn.execute(meta.delete().where(meta.c.key == "key_fingerprint"))
            conn.execute(meta.insert().values(key="key_fingerprint", value=new_fingerprint))
    except SQLAlchemyError as exc:
        raise StoreError(f"re-keying {store.safe_url} failed; nothing was changed: {exc.__class__.__name__}") from exc
    log.info("re-keyed %d pseudonyms in %d distinct values", len(memo), sum(cells.values()))
    return RekeyResult(len(memo), cells)
