"""Health of a crawl run: pages, ads, per-field extraction rates, errors, and whether it is degraded.

Pure functions of what the run recorded (its frontier rows) and of the source's recent healthy
runs, so the report is the same whether the run went straight through or was resumed.

A run is **degraded** when the site stopped answering (no page fetched, or the start pages failed,
or more than ``health.max_error_rate`` of the pages failed), when no ads were found, when a field's
extraction rate collapsed below ``health.collapse_ratio`` of its usual rate (the median of the last
``health.baseline_runs`` healthy runs: the layout changed), or when a field is below its
``health.min_field_rate``.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from lagesbild.monitor.spec import Profile
from lagesbild.privacy import mask_identifiers

__all__ = ["RunHealth", "compute_health"]

_MAX_SAMPLES = 20


@dataclass(frozen=True, slots=True)
class RunHealth:
    """One run's health (stored as JSON with the run; rendered by ``lagesbild source status``).

    Attributes:
        degraded: whether the run needs a person's attention; ``reasons`` says why, in plain words.
        pages_fetched, pages_failed, pages_gone, pages_skipped, pages_pending: pages by outcome.
        listing_pages: listing pages read; ad_links: distinct ad links found on them (with
            ``listing.ads``: distinct ads shown on them).
        ads: ad pages read with an ad id (each one a sighting).
        field_rates: field -> share of ads where it was found; baseline: the usual rates.
        error_counts: error kind -> count; error_samples: a few error messages.
        warnings: things worth knowing that do not make the run degraded.
        error: why the pass failed (masked), for a run that ended ``failed``; None otherwise.
        http_429: "429 Too Many Requests" answers during the pass (each halved the rate for a while);
            retries: requests repeated after a 429, a 5xx, a timeout or a lost connection.
        images_fetched: pictures requested during this call (those that failed included);
            images_reused: pictures not fetched because their address was hashed before for the source;
            images_failed: pictures that could not be fetched or read (their ads are kept without them;
            ``warnings`` names the first).
    """

    degraded: bool
    reasons: tuple[str, ...]
    pages_fetched: int
    pages_failed: int
    pages_gone: int
    pages_skipped: int
    pages_pending: int
    listing_pages: int
    ad_links: int
    ads: int
    field_rates: dict[str, float]
    baseline: dict[str, float]
    error_counts: dict[str, int]
    error_samples: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    error: str | None = None
    http_429: int = 0
    retries: int = 0
    images_fetched: int = 0
    images_reused: int = 0
    images_failed: int = 0

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["reasons"] = list(self.reasons)
        d["error_samples"] = list(self.error_samples)
        d["warnings"] = list(self.warnings)
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> RunHealth:
        keys = cls.__dataclass_fields__
        vals = {k: v for k, v in d.items() if k in keys}
        for k in ("reasons", "error_samples", "warnings"):
            vals[k] = tuple(vals.get(k, ()))
        return cls(**vals)


def _missing_samples(ad_rows: Sequence[Mapping[str, Any]], name: str, n: int = 5) -> list[str]:
    """A few ad pages of the pass that lack ``name``, with what the page noted (a dropped value's reason),
    masked, for the alert: "the field collapsed" is actionable only with pages to look at."""
    out = []
    for r in ad_rows:
        if name in (r.get("fields") or "").split():
            continue
        note = f"; {r['error']}" if r.get("error") else ""
        where = r.get("url") or r.get("site_ad_id")
        out.append(mask_identifiers(f"MissingField: {name} not found on {where}{note}")[:500])
        if len(out) >= n:
            break
    return out


def _kind(error: str) -> str:
    head = error.split(":", 1)[0]
    return head if len(head) < 60 else "error"


_DROP_P_VALUE = 0.001
"""A field's drop counts as a collapse only if it is this unlikely at the usual rate (few ads are noisy)."""


def _unlikely_drop(found: int, n: int, usual_rate: float) -> bool:
    """Whether finding ``found`` of ``n`` is improbable (one-sided binomial test) at ``usual_rate``."""
    from scipy.stats import binom

    return bool(binom.cdf(found, n, usual_rate) < _DROP_P_VALUE)


def compute_health(
    rows: Sequence[Mapping[str, Any]],
    profile: Profile,
    history: Sequence[RunHealth] = (),
    *,
    warnings: Sequence[str] = (),
) -> RunHealth:
    """The health of a run from its frontier rows.

    Args:
        rows: the run's frontier rows (``kind``, ``status``, ``site_ad_id``, ``fields``, ``n_links``, ``error``).
        profile: the source's profile (field names and health rules).
        history: recent healthy runs of the source, newest first (the baseline).
        warnings: warnings gathered while crawling (e.g. pagination stopped at ``max_pages``).
    """
    h = profile.health
    status = Counter(r["status"] for r in rows)
    fetched = status["done"]
    failed = status["failed"]
    attempted = fetched + failed
    listings = [r for r in rows if r["kind"] == "listing" and r["status"] == "done"]
    starts = [r for r in rows if r["kind"] == "discover" or (r["kind"] == "listing" and r.get("depth", 1) == 0)]
    ad_rows = [r for r in rows if r["kind"] == "ad" and r["status"] == "done" and r.get("site_ad_id")]
    ad_links = sum(1 for r in rows if r["kind"] == "ad")
    n_ads = len(ad_rows)
    counts: Counter[str] = Counter()
    for r in ad_rows:
        counts.update((r.get("fields") or "").split())
    rated = list(profile.ad.fields)
    if profile.ad.images is not None and "image_hashes" not in rated:
        rated.append("image_hashes")  # hashed from fetched images
    rates: dict[str, float] = {f: round(counts[f] / n_ads, 4) if n_ads else 0.0 for f in rated}
    errors = [str(r["error"]) for r in rows if r["status"] == "failed" and r.get("error")]
    error_counts = dict(Counter(_kind(e) for e in errors).most_common())

    healthy = [x for x in history if not x.degraded][: h.baseline_runs]
    baseline: dict[str, float] = {}
    for f in rated:
        vals = [x.field_rates[f] for x in healthy if f in x.field_rates]
        if vals:
            baseline[f] = round(statistics.median(vals), 4)

    reasons: list[str] = []
    field_samples: list[str] = []
    if attempted == 0 or fetched == 0:
        reasons.append("the site did not answer: no page could be fetched")
    elif starts and all(r["status"] == "failed" for r in starts):
        reasons.append("the site's start pages could not be fetched")
    elif failed / attempted > h.max_error_rate:
        reasons.append(f"{failed} of {attempted} pages failed ({failed / attempted:.0%} > {h.max_error_rate:.0%})")
    inline = profile.listing.ads is not None
    if fetched and ad_links == 0:
        reasons.append(
            "no ads were found on the listing pages (has the layout changed? check listing.ads)"
            if inline
            else "no ad links were found on the listing pages (has the layout changed? check listing.ad_links)"
        )
    elif fetched and n_ads == 0:
        where = "the ads on the listing pages" if inline else "the ad pages"
        reasons.append(f"no ad could be read from {where} (check ad.fields.site_ad_id)")
    usual_ads = statistics.median([x.ads for x in healthy]) if healthy else 0
    if usual_ads >= 20 and n_ads < usual_ads * h.collapse_ratio and not reasons:
        reasons.append(f"only {n_ads} ads found, usually about {usual_ads:.0f}")
    if n_ads:
        mins: dict[str, float] = {str(k): v for k, v in h.min_field_rate.items()}
        for name, rate in rates.items():
            base = baseline.get(name)
            if (
                base is not None
                and base >= 0.2
                and rate < base * h.collapse_ratio
                and _unlikely_drop(round(rate * n_ads), n_ads, base)
            ):
                reasons.append(
                    f"field '{name}' was found in {rate:.0%} of ads, usually {base:.0%}: "
                    "the layout has probably changed"
                )
                field_samples += _missing_samples(ad_rows, name)
            elif name in mins and rate < mins[name]:
                reasons.append(f"field '{name}' was found in {rate:.0%} of ads, below its minimum {mins[name]:.0%}")
                field_samples += _missing_samples(ad_rows, name)
    if not errors and field_samples:
        # a pass degraded by a field, not by failed pages: the samples are the ads that lack it
        errors = field_samples
    return RunHealth(
        degraded=bool(reasons),
        reasons=tuple(reasons),
        pages_fetched=fetched,
        pages_failed=failed,
        pages_gone=status["gone"],
        pages_skipped=status["skipped"],
        pages_pending=status["pending"],
        listing_pages=len(listings),
        ad_links=ad_links,
        ads=n_ads,
        field_rates=rates,
        baseline=baseline,
        error_counts=error_counts,
        error_samples=tuple(errors[:_MAX_SAMPLES]),
        warnings=tuple(warnings),
    )
