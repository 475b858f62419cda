"""Forward-only, recorded schema migrations, applied automatically on both backends.

Each migration builds the tables it touches in its own ``MetaData``, frozen as they were
when it was written: never edit a migration that has shipped, add a new one. Applied
migrations are recorded in ``schema_migrations``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
    text,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    id: int
    name: str
    up: Callable[[Connection], None]


def _m0001_initial(conn: Connection) -> None:
    md = MetaData()
    Table("meta", md, Column("key", String(64), primary_key=True), Column("value", Text, nullable=False))
    Table(
        "imports",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("source", Text, nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("started_at", String(32), nullable=False),
        Column("n_records", Integer, nullable=False, server_default="0"),
        Column("n_new", Integer, nullable=False, server_default="0"),
    )
    obs = Table(
        "observations",
        md,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("site", String(64), nullable=False),
        Column("site_ad_id", String(128), nullable=False),
        Column("seen_at", String(32), nullable=False),
        Column("url", Text),
        Column("title", Text),
        Column("body", Text),
        Column("location_text", Text),
        Column("kommun_kod", String(4)),
        Column("lan_kod", String(2)),
        Column("place_confidence", Float),
        Column("age", Integer),
        Column("price_text", Text),
        Column("language", String(8)),
        Column("name", Text),
        Column("phones", Text, nullable=False, server_default=""),
        Column("emails", Text, nullable=False, server_default=""),
        Column("handles", Text, nullable=False, server_default=""),
        Column("image_hashes", Text, nullable=False, server_default=""),
        Column("posted_at", String(32)),
        Column("import_id", Integer),
        UniqueConstraint("site", "site_ad_id", "seen_at", name="uq_observation_sighting"),
    )
    Index("ix_observations_import", obs.c.import_id)
    Table(
        "site_ads",
        md,
        Column("site", String(64), nullable=False),
        Column("site_ad_id", String(128), nullable=False),
        Column("first_seen", String(32), nullable=False),
        Column("last_seen", String(32), nullable=False),
        Column("n_observations", Integer, nullable=False),
        PrimaryKeyConstraint("site", "site_ad_id", name="pk_site_ads"),
    )
    Table(
        "population",
        md,
        Column("year", Integer, nullable=False),
        Column("kommun_kod", String(4), nullable=False),
        Column("kon", String(1), nullable=False),
        Column("alder", Integer, nullable=False),
        Column("antal", Integer, nullable=False),
        PrimaryKeyConstraint("year", "kommun_kod", "kon", "alder", name="pk_population"),
    )
    Table(
        "population_sources",
        md,
        Column("year", Integer, primary_key=True, autoincrement=False),
        Column("source", Text, nullable=False),
        Column("imported_at", String(32), nullable=False),
    )
    md.create_all(conn)


def _m0002_monitor(conn: Connection) -> None:
    """The monitor's tables: crawl runs (with their health), the per-run frontier, ad lifecycle, raw pages."""
    md = MetaData()
    Table(
        "crawl_runs",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("source", String(64), nullable=False),
        Column("started_at", String(32), nullable=False),
        Column("seen_at", String(32), nullable=False),
        Column("finished_at", String(32)),
        Column("status", String(16), nullable=False),
        Column("degraded", Integer, nullable=False, server_default="0"),
        Column("import_id", Integer),
        Column("profile_sha256", String(64), nullable=False, server_default=""),
        Column("health", Text),
        Index("ix_crawl_runs_source", "source", "id"),
    )
    Table(
        "crawl_frontier",
        md,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("run_id", Integer, nullable=False),
        Column("url_hash", String(40), nullable=False),
        Column("url", Text, nullable=False),
        Column("kind", String(16), nullable=False),
        Column("depth", Integer, nullable=False, server_default="0"),
        Column("status", String(16), nullable=False),
        Column("http_status", Integer),
        Column("site_ad_id", String(128)),
        Column("fields", Text),
        Column("n_links", Integer),
        Column("error", Text),
        Column("fetched_at", String(32)),
        UniqueConstraint("run_id", "url_hash", name="uq_crawl_frontier_url"),
        Index("ix_crawl_frontier_status", "run_id", "status"),
    )
    Table(
        "crawl_ads",
        md,
        Column("source", String(64), nullable=False),
        Column("site_ad_id", String(128), nullable=False),
        Column("url", Text),
        Column("first_seen", String(32), nullable=False),
        Column("last_seen", String(32), nullable=False),
        Column("first_run_id", Integer, nullable=False),
        Column("last_run_id", Integer, nullable=False),
        Column("n_sightings", Integer, nullable=False),
        Column("disappeared_at", String(32)),
        PrimaryKeyConstraint("source", "site_ad_id", name="pk_crawl_ads"),
        Index("ix_crawl_ads_last_run", "source", "last_run_id"),
    )
    Table(
        "raw_pages",
        md,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("source", String(64), nullable=False),
        Column("run_id", Integer),
        Column("url", Text, nullable=False),
        Column("kind", String(16), nullable=False),
        Column("fetched_at", String(32), nullable=False),
        Column("seen_at", String(32), nullable=False),
        Column("http_status", Integer, nullable=False),
        Column("encoding", String(32)),
        Column("body", LargeBinary, nullable=False),
        Index("ix_raw_pages_source_time", "source", "fetched_at"),
    )
    md.create_all(conn)


def _m0003_link(conn: Connection) -> None:
    """Linking: site-ad features, the ad/person/advertiser/network of each site ad, and their summaries."""
    md = MetaData()
    Table(
        "link_site_ads",
        md,
        Column("site", String(64), nullable=False),
        Column("site_ad_id", String(128), nullable=False),
        Column("first_seen", String(10), nullable=False),
        Column("last_seen", String(10), nullable=False),
        Column("days", Text, nullable=False),
        Column("n_obs", Integer, nullable=False),
        Column("name", Text),
        Column("age", Integer),
        Column("kommun_kod", String(4)),
        Column("lan_kod", String(2)),
        Column("language", String(8)),
        Column("phones", Text, nullable=False, server_default=""),
        Column("emails", Text, nullable=False, server_default=""),
        Column("images", Text, nullable=False, server_default=""),
        Column("signature", LargeBinary, nullable=False),
        Column("ad_id", String(32)),
        Column("person_id", String(32)),
        Column("advertiser_id", String(32)),
        Column("network_id", String(32)),
        PrimaryKeyConstraint("site", "site_ad_id", name="pk_link_site_ads"),
        Index("ix_link_site_ads_person", "person_id"),
    )
    Table(
        "link_ads",
        md,
        Column("ad_id", String(32), primary_key=True),
        Column("site", String(64), nullable=False),
        Column("person_id", String(32), nullable=False),
        Column("advertiser_id", String(32), nullable=False),
        Column("network_id", String(32)),
        Column("kommun_kod", String(4)),
        Column("lan_kod", String(2)),
        Column("first_seen", String(10), nullable=False),
        Column("last_seen", String(10), nullable=False),
        Column("n_site_ads", Integer, nullable=False),
        Column("n_obs", Integer, nullable=False),
        Column("periods", Text, nullable=False),
    )
    Table(
        "link_persons",
        md,
        Column("person_id", String(32), primary_key=True),
        Column("advertiser_id", String(32), nullable=False),
        Column("network_id", String(32)),
        Column("name", Text),
        Column("age", Integer),
        Column("first_seen", String(10), nullable=False),
        Column("last_seen", String(10), nullable=False),
        Column("n_ads", Integer, nullable=False),
        Column("sites", Text, nullable=False),
        Column("kommuns", Text, nullable=False),
        Column("suspected_fake", Integer, nullable=False, server_default="0"),
    )
    Table(
        "link_advertisers",
        md,
        Column("advertiser_id", String(32), primary_key=True),
        Column("network_id", String(32)),
        Column("n_persons", Integer, nullable=False),
        Column("n_ads", Integer, nullable=False),
        Column("first_seen", String(10), nullable=False),
        Column("last_seen", String(10), nullable=False),
        Column("phones", Text, nullable=False),
        Column("emails", Text, nullable=False),
    )
    Table(
        "link_networks",
        md,
        Column("network_id", String(32), primary_key=True),
        Column("n_persons", Integer, nullable=False),
        Column("n_advertisers", Integer, nullable=False),
        Column("n_ads", Integer, nullable=False),
        Column("kommuns", Text, nullable=False),
        Column("first_seen", String(10), nullable=False),
        Column("last_seen", String(10), nullable=False),
        Column("shared_phones", Text, nullable=False),
        Column("shared_emails", Text, nullable=False),
        Column("indicators", Text, nullable=False),
    )
    Table(
        "link_runs",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("started_at", String(32), nullable=False),
        Column("mode", String(16), nullable=False),
        Column("last_import_id", Integer),
        Column("n_observations", Integer, nullable=False),
        Column("n_site_ads", Integer, nullable=False),
        Column("n_ads", Integer, nullable=False),
        Column("n_persons", Integer, nullable=False),
        Column("n_advertisers", Integer, nullable=False),
        Column("n_networks", Integer, nullable=False),
        Column("seconds", Float, nullable=False),
    )
    md.create_all(conn)


def _m0004_normalize(conn: Connection) -> None:
    """Normalized facts per observation, with the rules version they were read under (to find stale ones).

    Indicator codes are analyst-only data: never publish this column.
    """
    md = MetaData()
    Table(
        "normalized_observations",
        md,
        Column("observation_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
        Column("rules_version", String(32), nullable=False),
        Column("kommun_kod", String(4)),
        Column("lan_kod", String(2)),
        Column("place_confidence", Float),
        Column("place_matched", Text),
        Column("place_source", String(16)),
        Column("age", Integer),
        Column("age_text", Text),
        Column("price_sek_per_hour", Integer),
        Column("price_amount", Integer),
        Column("price_currency", String(3)),
        Column("price_unit", Text),
        Column("price_raw", Text),
        Column("languages_offered", Text, nullable=False, server_default=""),
        Column("language_written", String(8)),
        Column("gender", String(16)),
        Column("targets", Text, nullable=False, server_default=""),
        Column("touring", Text, nullable=False, server_default=""),
        Column("touring_dates", Text, nullable=False, server_default=""),
        Column("indicators", Text, nullable=False, server_default=""),
        Column("template", String(16)),
        Index("ix_normalized_observations_rules", "rules_version"),
    )
    md.create_all(conn)


def _m0005_report(conn: Connection) -> None:
    """Report contexts stored for the follow-up: one row per written report (area, period, language)."""
    md = MetaData()
    Table(
        "report_contexts",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("area", String(8), nullable=False),
        Column("period_start", String(10), nullable=False),
        Column("period_end", String(10), nullable=False),
        Column("lang", String(2), nullable=False),
        Column("created_at", String(32), nullable=False),
        Column("context_version", Integer, nullable=False),
        Column("context", Text, nullable=False),
        Index("ix_report_contexts_area", "area", "period_end"),
    )
    md.create_all(conn)


def _m0006_estimates(conn: Connection) -> None:
    """Estimate results, one row per quantity of a run, with the assumptions and data snapshot they came from.

    ``run_id`` groups the rows of one ``estimate run``; ``assumptions`` is JSON (name -> value and
    distribution); the snapshot columns say which data the numbers were computed on.
    """
    md = MetaData()
    Table(
        "estimate_results",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("run_id", String(32), nullable=False),
        Column("area", String(8), nullable=False),
        Column("period_start", String(10), nullable=False),
        Column("period_end", String(10), nullable=False),
        Column("quantity", String(32), nullable=False),
        Column("estimate", Float),
        Column("low", Float),
        Column("high", Float),
        Column("level", Float),
        Column("method", Text, nullable=False),
        Column("seed", Integer),
        Column("assumptions", Text, nullable=False),
        Column("max_observation_id", BigInteger),
        Column("max_import_id", BigInteger),
        Column("link_run_id", BigInteger),
        Column("rules_version", String(32)),
        Column("created_at", String(32), nullable=False),
        Index("ix_estimate_results_area", "area", "period_end", "quantity"),
        Index("ix_estimate_results_run", "run_id"),
    )
    md.create_all(conn)


def _m0007_verdicts(conn: Connection) -> None:
    """Fields extracted from court judgments (no names, identity numbers or judgment text).

    ``text_sha256`` makes a re-import of the same judgment a no-op; municipalities are codes.
    """
    md = MetaData()
    Table(
        "verdicts",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("text_sha256", String(64), nullable=False),
        Column("court", Text),
        Column("case_number", String(32)),
        Column("verdict_date", String(10)),
        Column("offence_date", String(10)),
        Column("defendant_age", Integer),
        Column("defendant_kommun", String(4)),
        Column("offence_kommun", String(4)),
        Column("offence_lan", String(2)),
        Column("ad_used", Integer),
        Column("day_fines", Integer),
        Column("day_fine_amount", Integer),
        Column("conditional_sentence", Integer),
        Column("extractor_version", Integer, nullable=False),
        Column("imported_at", String(32), nullable=False),
        UniqueConstraint("text_sha256", name="uq_verdicts_text"),
        Index("ix_verdicts_offence", "offence_lan", "verdict_date"),
    )
    md.create_all(conn)


def _m0008_campaigns(conn: Connection) -> None:
    """The campaign register: one row per campaign aimed at buyers (counties comma-separated)."""
    md = MetaData()
    Table(
        "campaigns",
        md,
        Column("name", String(200), primary_key=True),
        Column("counties", Text, nullable=False),
        Column("start_date", String(10), nullable=False),
        Column("end_date", String(10), nullable=False),
        Column("note", Text, nullable=False, server_default=""),
        Column("created_at", String(32), nullable=False),
    )
    md.create_all(conn)


def _m0009_link_templates(conn: Connection) -> None:
    """Linking: the template key of each site ad's text (networks tied by distinctive templates).

    Site ads linked before have no key (NULL); the next ``link run`` relinks them in full.
    """
    conn.execute(text("ALTER TABLE link_site_ads ADD COLUMN template BIGINT"))


def _m0010_web(conn: Connection) -> None:
    """The web dashboard: accounts, server-side sessions, the audit log and background jobs.

    Sessions are stored by the SHA-256 of their token (the cookie value never reaches the database);
    passwords only as argon2 hashes.
    """
    md = MetaData()
    Table(
        "web_users",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("username", String(64), nullable=False),
        Column("password_hash", Text, nullable=False),
        Column("role", String(16), nullable=False),
        Column("scope", Text, nullable=False),
        Column("lang", String(2), nullable=False, server_default="sv"),
        Column("disabled", Integer, nullable=False, server_default="0"),
        Column("created_at", String(32), nullable=False),
        Column("password_changed_at", String(32), nullable=False),
        UniqueConstraint("username", name="uq_web_users_username"),
    )
    Table(
        "web_sessions",
        md,
        Column("token_hash", String(64), primary_key=True),
        Column("user_id", Integer, nullable=False),
        Column("csrf", String(64), nullable=False),
        Column("created_at", String(32), nullable=False),
        Column("expires_at", String(32), nullable=False),
        Index("ix_web_sessions_user", "user_id"),
    )
    Table(
        "web_audit",
        md,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("at", String(32), nullable=False),
        Column("username", String(64), nullable=False),
        Column("action", String(32), nullable=False),
        Column("target", Text, nullable=False, server_default=""),
        Column("detail", Text, nullable=False, server_default=""),
        Column("ip", String(64), nullable=False, server_default=""),
        Index("ix_web_audit_action_at", "action", "at"),
    )
    Table(
        "web_jobs",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("kind", String(32), nullable=False),
        Column("params", Text, nullable=False),
        Column("status", String(16), nullable=False),
        Column("progress", Float, nullable=False, server_default="0"),
        Column("message", Text, nullable=False, server_default=""),
        Column("result", Text, nullable=False, server_default=""),
        Column("created_by", String(64), nullable=False),
        Column("created_at", String(32), nullable=False),
        Column("started_at", String(32)),
        Column("finished_at", String(32)),
        Index("ix_web_jobs_status", "status", "id"),
    )
    md.create_all(conn)


def _m0011_estimate_suites(conn: Connection) -> None:
    """Estimate suites: every published figure of one area and period, with its data coverage.

    One row per computed suite (``lagesbild.estimate.suite``); ``payload`` is JSON (coverage,
    figures with their published flag and note, per-municipality figures, details the report
    shows). ``data_key`` says which data it was computed from, so a reader can tell a stale one.
    """
    md = MetaData()
    Table(
        "estimate_suites",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("run_id", String(32), nullable=False),
        Column("area", String(8), nullable=False),
        Column("period_start", String(10), nullable=False),
        Column("period_end", String(10), nullable=False),
        Column("level", Float, nullable=False),
        Column("seed", Integer, nullable=False),
        Column("params_key", String(64), nullable=False),
        Column("data_key", Text, nullable=False),
        Column("created_at", String(32), nullable=False),
        Column("payload", Text, nullable=False),
        Index("ix_estimate_suites_area", "area", "period_start", "period_end"),
    )
    md.create_all(conn)


def _m0012_verdict_defendants(conn: Connection) -> None:
    """One row per defendant of a judgment (no names, identity numbers, addresses or text).

    ``(case_key, defendant_index)`` is unique, so a judgment imported twice (or as PDF and as text)
    counts once; ``corrected`` marks rows a reviewer changed, which a re-import keeps.
    """
    md = MetaData()
    Table(
        "verdict_defendants",
        md,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("case_key", String(96), nullable=False),
        Column("defendant_index", Integer, nullable=False),
        Column("text_sha256", String(64), nullable=False),
        Column("court", Text),
        Column("case_number", String(32)),
        Column("verdict_date", String(10)),
        Column("appeal", Integer, nullable=False),
        Column("verdict", String(16), nullable=False),
        Column("offence", String(16), nullable=False),
        Column("human_trafficking", Integer, nullable=False),
        Column("offence_dates", Text),
        Column("offence_date", String(10)),
        Column("defendant_age", Integer),
        Column("home_kommun", String(4)),
        Column("offence_kommun", String(4)),
        Column("offence_lan", String(2)),
        Column("website", Text),
        Column("day_fines", Integer),
        Column("day_fine_amount", Integer),
        Column("conditional_sentence", Integer, nullable=False),
        Column("prison_months", Integer),
        Column("plea", String(16)),
        Column("fines_only_after_reform", Integer, nullable=False),
        Column("confidence", Text),
        Column("corrected", Integer, nullable=False),
        Column("extractor_version", Integer, nullable=False),
        Column("imported_at", String(32), nullable=False),
        UniqueConstraint("case_key", "defendant_index", name="uq_verdict_defendants_case"),
        Index("ix_verdict_defendants_offence", "offence_lan", "verdict_date"),
    )
    md.create_all(conn)


def _m0013_verdict_defendants_ad(conn: Connection) -> None:
    """Whether contact went through an ad, also when the judgment names no website."""
    conn.execute(text("ALTER TABLE verdict_defendants ADD COLUMN ad_used INTEGER"))


def _m0014_link_keys(conn: Connection) -> None:
    """Linking: the blocking-key index, so that an incremental run re-clusters only what new ads touch.

    ``link_keys``: one row per site ad and blocking key (a 64-bit hash of a phone or e-mail
    pseudonym, of a text LSH bucket within its name, age and municipality, or an image hash as
    a number). ``link_image_chunks``: every stored image hash once per 16-bit chunk (position
    times 65536 plus the chunk's value), to find the hashes a few bits away. Both are filled by
    the next ``link run``; a store linked before has none and is relinked in full once.
    """
    md = MetaData()
    Table(
        "link_keys",
        md,
        Column("k", BigInteger, nullable=False),
        Column("site", String(64), nullable=False),
        Column("site_ad_id", String(128), nullable=False),
        Index("ix_link_keys_k", "k"),
        Index("ix_link_keys_site_ad", "site", "site_ad_id"),
    )
    Table(
        "link_image_chunks",
        md,
        Column("k", Integer, nullable=False),
        Column("hash", BigInteger, nullable=False),
        PrimaryKeyConstraint("k", "hash", name="pk_link_image_chunks"),
    )
    md.create_all(conn)
    conn.execute(text("CREATE INDEX ix_link_site_ads_advertiser ON link_site_ads (advertiser_id)"))
    conn.execute(text("CREATE INDEX ix_link_site_ads_network ON link_site_ads (network_id)"))


def _m0015_crawl_image_hashes(conn: Connection) -> None:
    """Monitor: the perceptual hash of each picture already fetched, per source, so that a picture is
    fetched once, not every day its ad stays online. Keyed by the SHA-1 of the picture's address
    (the address itself is not stored); ``hashed_at`` is the ``seen_at`` of the run that fetched it, and ``lagesbild
    retention apply`` deletes rows older than ``frontier_retention_days`` (the picture is then
    fetched again once)."""
    md = MetaData()
    Table(
        "crawl_image_hashes",
        md,
        Column("source", String(64), nullable=False),
        Column("url_hash", String(40), nullable=False),
        Column("phash", String(16), nullable=False),
        Column("hashed_at", String(32), nullable=False),
        PrimaryKeyConstraint("source", "url_hash", name="pk_crawl_image_hashes"),
        Index("ix_crawl_image_hashes_hashed_at", "hashed_at"),
    )
    md.create_all(conn)


def _m0016_observation_counts(conn: Connection) -> None:
    """Observations and distinct ads per period kind (year, month, day), period, county and municipality
    (``''`` where not placed), and what the table holds (``observation_counts_state``: every observation
    with ``id <= upto``, ``n_rows`` of them). Created empty: ``store.counts.refresh`` builds it at the
    first read and folds in new observations after that."""
    md = MetaData()
    Table(
        "observation_counts",
        md,
        Column("kind", String(8), nullable=False),
        Column("period", String(10), nullable=False),
        Column("lan_kod", String(2), nullable=False),
        Column("kommun_kod", String(4), nullable=False),
        Column("observations", BigInteger, nullable=False),
        Column("ads", BigInteger, nullable=False),
        PrimaryKeyConstraint("kind", "period", "lan_kod", "kommun_kod", name="pk_observation_counts"),
    )
    Table(
        "observation_counts_state",
        md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("upto", BigInteger, nullable=False),
        Column("n_rows", BigInteger, nullable=False),
    )
    md.create_all(conn)


def _m0017_link_network_index(conn: Connection) -> None:
    """Linking: what the network level reads of each advertiser, so that an incremental run does not read every
    site ad. One row per advertiser, template key and language (``template``, ``language``), per advertiser and
    municipality (``kommun_kod``), and one per advertiser with its earliest site ad (``first_seen``, ``site``,
    ``site_ad_id``: networks are named after it). Filled by the next ``link run``, which relinks in full once."""
    md = MetaData()
    Table(
        "link_network_index",
        md,
        Column("advertiser_id", String(32), nullable=False),
        Column("template", BigInteger),
        Column("language", String(16)),
        Column("kommun_kod", String(4)),
        Column("first_seen", String(10)),
        Column("site", String(64)),
        Column("site_ad_id", String(128)),
        Index("ix_link_network_index_advertiser", "advertiser_id"),
    )
    md.create_all(conn)


def _m0018_link_image_groups(conn: Connection) -> None:
    """Linking: the image group of every stored image hash (``grp``: the smallest hash of the group, as a
    number), so that an incremental run reads the groups its site ads' photos are in instead of searching
    the chunks of every one of their hashes. Filled by the next ``link run``, which relinks in full once."""
    md = MetaData()
    Table(
        "link_image_groups",
        md,
        Column("hash", BigInteger, nullable=False),
        Column("grp", BigInteger, nullable=False),
        PrimaryKeyConstraint("hash", name="pk_link_image_groups"),
        Index("ix_link_image_groups_grp", "grp"),
    )
    md.create_all(conn)


def _m0019_link_keys_advertiser(conn: Connection) -> None:
    """Linking: the advertiser of each ``link_keys`` row's site ad beside its key (``advertiser_id``; NULL on the
    rows that are no site ad's), so that an incremental run finds the advertisers under a list of keys in the key
    index alone, without a join with ``link_site_ads``. The index is on ``(k, advertiser_id)`` (it serves lookups by
    ``k`` too: the index on ``k`` alone is dropped). Filled here from ``link_site_ads`` (no relink): the table is
    copied once into its new shape (on PostgreSQL an UPDATE of every row would leave a dead copy of each)."""
    md = MetaData()
    Table(
        "link_keys_v19",
        md,
        Column("k", BigInteger, nullable=False),
        Column("site", String(64), nullable=False),
        Column("site_ad_id", String(128), nullable=False),
        Column("advertiser_id", String(32)),
    )
    md.create_all(conn)
    conn.execute(
        text(
            "INSERT INTO link_keys_v19 (k, site, site_ad_id, advertiser_id) "
            "SELECT k.k, k.site, k.site_ad_id, l.advertiser_id FROM link_keys k "
            "LEFT JOIN link_site_ads l ON l.site = k.site AND l.site_ad_id = k.site_ad_id"
        )
    )
    conn.execute(text("DROP TABLE link_keys"))
    conn.execute(text("ALTER TABLE link_keys_v19 RENAME TO link_keys"))
    conn.execute(text("CREATE INDEX ix_link_keys_k_advertiser ON link_keys (k, advertiser_id)"))
    conn.execute(text("CREATE INDEX ix_link_keys_site_ad ON link_keys (site, site_ad_id)"))


def _m0020_link_site_ads_untemplated(conn: Connection) -> None:
    """Linking: a partial index of the site ads without a template key (none after a link run; retention sets them
    all to NULL), so that a link run's check for them (``LinkStore.lacks_templates``) reads an empty index instead of
    every site ad (a scan of ``link_site_ads`` on PostgreSQL, 0.2 s at 5M observations)."""
    conn.execute(text("CREATE INDEX ix_link_site_ads_untemplated ON link_site_ads (site) WHERE template IS NULL"))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _m0001_initial),
    Migration(2, "monitor: crawl state, runs, health, raw pages", _m0002_monitor),
    Migration(3, "link: ads, advertisers, persons, networks", _m0003_link),
    Migration(4, "normalize: normalized facts per observation", _m0004_normalize),
    Migration(5, "report: stored report contexts", _m0005_report),
    Migration(6, "estimates: results with parameters and data snapshot", _m0006_estimates),
    Migration(7, "verdicts: extracted court judgments", _m0007_verdicts),
    Migration(8, "campaigns: register", _m0008_campaigns),
    Migration(9, "link: template keys of site ads", _m0009_link_templates),
    Migration(10, "web: users, sessions, audit log, jobs", _m0010_web),
    Migration(11, "estimates: stored estimate suites with coverage", _m0011_estimate_suites),
    Migration(12, "verdicts: one row per defendant", _m0012_verdict_defendants),
    Migration(13, "verdicts: ad used per defendant", _m0013_verdict_defendants_ad),
    Migration(14, "link: blocking-key index for incremental linking", _m0014_link_keys),
    Migration(15, "monitor: perceptual hashes of fetched pictures by address hash", _m0015_crawl_image_hashes),
    Migration(16, "store: observation and ad counts per period and place", _m0016_observation_counts),
    Migration(17, "link: network index per advertiser for incremental linking", _m0017_link_network_index),
    Migration(18, "link: image group of every stored image hash", _m0018_link_image_groups),
    Migration(19, "link: advertiser of each blocking key's site ad", _m0019_link_keys_advertiser),
    Migration(20, "link: index of the site ads without a template key", _m0020_link_site_ads_untemplated),
)


def _ledger(conn: Connection) -> Table:
    md = MetaData()
    t = Table(
        "schema_migrations",
        md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("name", Text, nullable=False),
        Column("applied_at", String(32), nullable=False),
    )
    md.create_all(conn)
    return t


def applied(conn: Connection) -> list[int]:
    """Ids of the migrations recorded in this database."""
    if not inspect(conn).has_table("schema_migrations"):
        return []
    t = _ledger(conn)
    return [r[0] for r in conn.execute(select(t.c.id).order_by(t.c.id))]


def migrate(conn: Connection, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[Migration]:
    """Apply every migration not yet recorded, in order, each recorded in the same transaction.

    Returns the migrations applied now.
    """
    ledger = _ledger(conn)
    done = set(applied(conn))
    known = {m.id for m in migrations}
    unknown = done - known
    if unknown:
        from lagesbild.errors import StoreError

        raise StoreError(
            f"the database has migrations {sorted(unknown)} that this version of lagesbild does not know; "
            "upgrade lagesbild (migrations are forward-only)"
        )
    new = []
    for m in sorted(migrations, key=lambda m: m.id):
        if m.id in done:
            continue
        log.info("applying migration %04d %s", m.id, m.name)
        m.up(conn)
        conn.execute(ledger.insert().values(id=m.id, name=m.name, applied_at=datetime.now(UTC).isoformat()))
        new.append(m)
    return new
