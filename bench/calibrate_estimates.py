"""Calibration on the simulator: do the 90% intervals contain the simulated truth in 85-95% of seeds?

For each seed of the ``ostergotland`` preset, in two markets:

* **fixed**: the preset as it is (every behavioural parameter at the centre of the assumptions);
* **prior**: a prior-predictive check. The simulator's behavioural parameters are drawn, per seed,
  from the distributions of the assumption set the estimates use (``estimate/assumptions/default.yaml``):
  ``buyers.clients_per_active_day`` from ``clients_per_working_day``, ``sellers.active_day_prob``
  from ``working_day_share``, and ``sellers.new_persona_share`` from ``persona_return_share``
  through :func:`new_persona_share_for` (the mapping is worked out there). ``share_genuine`` has no
  simulator knob: the simulator's scam ads are flagged as suspected fakes by linking and left out
  of the counts, so the simulator's scam rate is left as it is. The draws are seeded by
  ``(PRIOR_KEY, seed)``: the whole run is reproducible.

simulate, import the observations into a fresh SQLite workspace, normalize and link them
(``lagesbild.pipeline.process_new``: the same as ``lagesbild link run`` after normalizing), then per
year for county 05 estimate, from the linked data only,

* purchases per year from the linked person-days (``estimate_purchases``, default assumptions,
  90% interval);
* distinct persons (women): the persona count corrected for returning women under new personas
  (``summarize_activity``'s persons: ``estimate_persons``, 90% interval);
* the hidden population across sites by capture-recapture (``run_all_models`` with
  ``ci_level=0.9``, the best model by AIC, and the best valid one);

and compare them with ``truth/summary.json`` (``counties.05.<year>.purchases`` and
``.active_persons``). Prints coverage and the median relative error, and with ``--write`` writes
``docs/methods/calibration.md``.

    python bench/calibrate_estimates.py --seeds 50 --write
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np

from lagesbild.estimate.activity import area_capture_histories, linked_frame, summarize_activity
from lagesbild.estimate.assumptions import default_assumptions
from lagesbild.estimate.crc import CRCResult, run_all_models
from lagesbild.estimate.purchases import estimate_purchases
from lagesbild.ingest import import_file
from lagesbild.pipeline import process_new
from lagesbild.settings import load_settings
from lagesbild.simulate import load_config, simulate
from lagesbild.simulate.config import WorldConfig
from lagesbild.store.estimates import linked_ads
from lagesbild.workspace import init_workspace, open_workspace

COUNTY = "05"
LEVEL = 0.9
PRESET = "ostergotland"
DOC = Path(__file__).resolve().parents[1] / "docs" / "methods" / "calibration.md"

Market = Literal["fixed", "prior"]

PRIOR_KEY = 7_2026
"""First word of the seed of the prior draws: seed ``s`` draws its market from ``(PRIOR_KEY, s)``."""

LATER_SPELLS_PER_WOMAN_YEAR = 0.46
"""``e``: later spells per woman active in a county-year, in the ``ostergotland`` preset.

A woman's first spell opens a persona; every later spell opens a new one with probability
``new_persona_share`` (``q``), else she keeps the one she had (``simulate/supply.py``). In one
year she is counted as ``1 + Binomial(m - 1, q)`` personas, ``m`` her spells in the year (the first
of them has a persona either way). So the share of counted personas that are returns is, in
expectation, ``r = q e / (1 + q e)`` with ``e`` the mean of ``m - 1``. ``e`` depends only on the
spell process (``extra_spells_mean``, gaps and spell lengths), not on ``q``: with ``q = 1`` every
spell is a persona, and the simulator's truth gave 1.46 personas with a working day per woman and
county-year (seeds 1-200, both years: 1.463 in 2023, 1.457 in 2024), so ``e = 0.46``. The largest
share the preset can produce is therefore ``0.46 / 1.46 = 0.315`` (``q = 1``)."""


def return_share_of(new_persona_share: float, e: float = LATER_SPELLS_PER_WOMAN_YEAR) -> float:
    """The expected share of a year's counted personas that are returns: ``q e / (1 + q e)``."""
    return new_persona_share * e / (1.0 + new_persona_share * e)


def new_persona_share_for(return_share: float, e: float = LATER_SPELLS_PER_WOMAN_YEAR) -> float:
    """The simulator's ``new_persona_share`` that makes ``return_share`` of a year's personas returns.

    The inverse of ``r = q e / (1 + q e)``: ``q = r / (e (1 - r))``, capped at 1 (shares above
    ``e / (1 + e)`` cannot be produced; the cap gives the largest there is).
    """
    return min(1.0, return_share / (e * (1.0 - return_share)))


@dataclass(frozen=True)
class Draw:
    """The simulator parameters of one seed's market."""

    clients_per_active_day: float
    active_day_prob: float
    persona_return_share: float
    new_persona_share: float


def market_draw(seed: int) -> Draw:
    """Seed ``seed``'s prior market: one draw from each assumption's distribution (reproducible)."""
    a = default_assumptions()
    rng = np.random.default_rng(np.random.SeedSequence([PRIOR_KEY, seed]))
    clients = float(a["clients_per_working_day"].distribution.sample(rng, 1)[0])
    working = float(a["working_day_share"].distribution.sample(rng, 1)[0])
    r = float(a["persona_return_share"].distribution.sample(rng, 1)[0])
    return Draw(clients, working, r, new_persona_share_for(r))


def market_config(seed: int, market: Market) -> tuple[WorldConfig, Draw | None]:
    """The preset (``fixed``) or the preset with seed ``seed``'s prior draw (``prior``)."""
    cfg = load_config(PRESET)
    if market == "fixed":
        return cfg, None
    d = market_draw(seed)
    data: dict[str, Any] = cfg.model_dump()
    data["buyers"]["clients_per_active_day"] = d.clients_per_active_day
    data["sellers"]["active_day_prob"] = d.active_day_prob
    data["sellers"]["new_persona_share"] = d.new_persona_share
    return WorldConfig.model_validate(data), d


@dataclass(frozen=True)
class Case:
    """One county-year of one seed and market: estimates, intervals and the truth."""

    seed: int
    market: str
    year: int
    clients_per_active_day: float
    active_day_prob: float
    new_persona_share: float
    implied_return_share: float
    purchases_true: float
    purchases_median: float
    purchases_low: float
    purchases_high: float
    person_days: float
    persons_true: float
    personas: float
    persons_median: float
    persons_low: float
    persons_high: float
    oracle_median: float
    oracle_low: float
    oracle_high: float
    crc_model: str
    crc_estimate: float
    crc_low: float
    crc_high: float
    valid_model: str
    valid_estimate: float
    valid_low: float
    valid_high: float


def _valid(r: CRCResult) -> bool:
    """A usable fit for sites as sources: no behavioural model, abundance at least the persons seen.

    Mb and Mbh model a response to *earlier* capture; sites have no order, and on these data their
    fits degenerate (abundance below the persons seen, even negative) while winning on AIC.
    """
    return (
        not r.model.startswith("Mb")
        and r.abundance >= r.n_observed
        and math.isfinite(r.ci_low)
        and math.isfinite(r.ci_high)
    )


def run_seed(seed: int, n_draws: int = 20_000, market: Market = "fixed") -> list[Case]:
    """Simulate, import, link and estimate one seed in one market (in a temporary folder)."""
    cfg, _ = market_config(seed, market)
    with tempfile.TemporaryDirectory(prefix=f"calib{seed}-") as tmp:
        root = Path(tmp)
        simulate(cfg, seed=seed, out_dir=root / "world")
        truth = json.loads((root / "world" / "truth" / "summary.json").read_text(encoding="utf-8"))
        settings = load_settings(home=str(root / "data"), db=f"sqlite:///{root / 'data' / 'lagesbild.db'}")
        init_workspace(settings)
        with open_workspace(settings) as ws:
            import_file(ws.store, ws.pseudonymizer, root / "world" / "observations.jsonl.gz", parallel=False)
            process_new(ws.store)
            frame = linked_frame(linked_ads(ws.store))
    out: list[Case] = []
    for year_s, t in sorted(truth["counties"][COUNTY].items()):
        year = int(year_s)
        start, end = date(year, 1, 1), date(year, 12, 31)
        act = summarize_activity(frame, COUNTY, start, end, seed=seed, n_draws=n_draws, level=LEVEL)
        # the same with persona_return_share fixed at the simulator's own (an oracle for that one share)
        oracle = summarize_activity(
            frame,
            COUNTY,
            start,
            end,
            persona_return_share=return_share_of(cfg.sellers.new_persona_share),
            seed=seed,
            n_draws=n_draws,
            level=LEVEL,
        ).persons
        est = estimate_purchases(act, seed=seed, n_draws=n_draws, level=LEVEL)
        hist = area_capture_histories(frame, COUNTY, start, end)
        fits = run_all_models(hist, ci_level=LEVEL) if hist is not None else []
        best = fits[0] if fits else None
        valid = next((r for r in fits if _valid(r)), None)
        assert act.person_days is not None and act.persons is not None and act.personas is not None
        assert oracle is not None
        out.append(
            Case(
                seed,
                market,
                year,
                cfg.buyers.clients_per_active_day,
                cfg.sellers.active_day_prob,
                cfg.sellers.new_persona_share,
                return_share_of(cfg.sellers.new_persona_share),
                float(t["purchases"]),
                est.median,
                est.low,
                est.high,
                act.person_days.estimate,
                float(t["active_persons"]),
                act.personas.estimate,
                act.persons.estimate,
                act.persons.low,
                act.persons.high,
                oracle.estimate,
                oracle.low,
                oracle.high,
                best.model if best else "-",
                best.abundance if best else float("nan"),
                best.ci_low if best else float("nan"),
                best.ci_high if best else float("nan"),
                valid.model if valid else "-",
                valid.abundance if valid else float("nan"),
                valid.ci_low if valid else float("nan"),
                valid.ci_high if valid else float("nan"),
            )
        )
    return out


def _run(job: tuple[int, Market, int]) -> list[Case]:
    seed, market, n_draws = job
    return run_seed(seed, n_draws, market)


@dataclass(frozen=True)
class Scores:
    """Coverage (share of cases whose interval holds the truth) and relative errors."""

    n: int
    coverage: float
    median_rel_error: float
    median_signed_error: float
    below: int
    above: int


def score(truth: list[float], est: list[float], low: list[float], high: list[float]) -> Scores:
    """Coverage and errors of intervals against the truth."""
    inside = sum(lo <= t <= hi for t, lo, hi in zip(truth, low, high, strict=True))
    rel = [(e - t) / t for t, e in zip(truth, est, strict=True)]
    return Scores(
        len(truth),
        inside / len(truth),
        statistics.median(abs(r) for r in rel),
        statistics.median(rel),
        sum(t < lo for t, lo in zip(truth, low, strict=True)),
        sum(t > hi for t, hi in zip(truth, high, strict=True)),
    )


def evaluate(cases: list[Case]) -> dict[str, Scores]:
    """Scores per quantity and market over all cases (keys ``<quantity>.<market>``)."""
    out: dict[str, Scores] = {}
    for market in ("prior", "fixed"):
        cs = [c for c in cases if c.market == market]
        if not cs:
            continue
        t_p = [c.purchases_true for c in cs]
        t_n = [c.persons_true for c in cs]
        personas = [c.personas for c in cs]
        out[f"purchases.{market}"] = score(
            t_p, [c.purchases_median for c in cs], [c.purchases_low for c in cs], [c.purchases_high for c in cs]
        )
        out[f"persons.{market}"] = score(
            t_n, [c.persons_median for c in cs], [c.persons_low for c in cs], [c.persons_high for c in cs]
        )
        out[f"persons_oracle.{market}"] = score(
            t_n, [c.oracle_median for c in cs], [c.oracle_low for c in cs], [c.oracle_high for c in cs]
        )
        out[f"personas.{market}"] = score(t_n, personas, personas, personas)
        # Capture-recapture estimates the hidden population across sites, in personas. Every simulated
        # woman advertises on a monitored site: the true dark figure is 0, so the truth is the women
        # (active_persons) and, in the unit CRC counts, the personas seen.
        out[f"crc.{market}"] = score(
            t_n, [c.crc_estimate for c in cs], [c.crc_low for c in cs], [c.crc_high for c in cs]
        )
        out[f"crc_valid.{market}"] = score(
            t_n, [c.valid_estimate for c in cs], [c.valid_low for c in cs], [c.valid_high for c in cs]
        )
        out[f"crc_valid_personas.{market}"] = score(
            personas, [c.valid_estimate for c in cs], [c.valid_low for c in cs], [c.valid_high for c in cs]
        )
    return out


def _row(name: str, s: Scores) -> str:
    return (
        f"| {name} | {s.n} | {s.coverage:.0%} | {s.below} / {s.above} | {s.median_rel_error:.1%} "
        f"| {s.median_signed_error:+.1%} |"
    )


ROWS: tuple[tuple[str, str], ...] = (
    ("purchases.prior", "purchases per year, prior-predictive market (behaviour drawn from the assumptions)"),
    ("purchases.fixed", "purchases per year, fixed market (the preset: behaviour at the assumptions' centre)"),
    ("persons.prior", "distinct persons (women), prior-predictive market (new_persona_share drawn)"),
    ("persons.fixed", "distinct persons (women), fixed market (new_persona_share 0.3)"),
    ("persons_oracle.prior", "distinct persons, prior market, persona_return_share fixed at the simulator's own"),
    (
        "persons_oracle.fixed",
        "distinct persons, fixed market, persona_return_share fixed at the simulator's own (0.12)",
    ),
    ("personas.prior", "distinct persons: the persona count of linking, prior market (no interval)"),
    ("personas.fixed", "distinct persons: the persona count of linking, fixed market (no interval)"),
    ("crc.fixed", "hidden population across sites: capture-recapture, best model by AIC, vs the women"),
    ("crc_valid.fixed", "hidden population across sites: best valid model (no Mb/Mbh), vs the women"),
    ("crc_valid_personas.fixed", "hidden population across sites: best valid model, vs the personas seen"),
)


def markdown(cases: list[Case], seeds: list[int], seconds: float, workers: int) -> str:
    """The calibration report (docs/methods/calibration.md)."""
    sc = evaluate(cases)
    fixed = [c for c in cases if c.market == "fixed"]
    prior = [c for c in cases if c.market == "prior"]
    models: dict[str, int] = {}
    valid: dict[str, int] = {}
    for c in fixed:
        models[c.crc_model] = models.get(c.crc_model, 0) + 1
        valid[c.valid_model] = valid.get(c.valid_model, 0) + 1
    by_seed = {c.seed: c for c in prior}
    draws = list(by_seed.values())

    def rng(xs: list[float], fmt: str) -> str:
        return f"{min(xs):{fmt}}-{statistics.median(xs):{fmt}}-{max(xs):{fmt}}"

    lines = [
        "# Calibration on the simulator",
        "",
        "Generated by `bench/calibrate_estimates.py"
        f" --seeds {len(seeds)} --write` ({len(seeds)} seeds of the `{PRESET}` preset, seeds"
        f" {seeds[0]}-{seeds[-1]}, each in two markets; {len(prior)} + {len(fixed)} county-years of county 05;"
        f" {seconds:.0f} s with {workers} worker processes). Each seed is simulated, imported into a fresh SQLite"
        " workspace, normalized and linked with the default rules; the estimates use the linked data and the"
        " default assumptions only, never the simulator's truth or parameters.",
        "",
        "* **Prior-predictive market**: per seed, the simulator's behaviour is drawn from the assumption set's"
        " distributions: `buyers.clients_per_active_day` from `clients_per_working_day`"
        f" (drawn: min-median-max {rng([c.clients_per_active_day for c in draws], '.2f')}),"
        " `sellers.active_day_prob` from `working_day_share`"
        f" ({rng([c.active_day_prob for c in draws], '.2f')}), and `sellers.new_persona_share` from"
        " `persona_return_share` through the mapping below"
        f" ({rng([c.new_persona_share for c in draws], '.2f')}). If the model and its assumptions are right, a"
        " 90% interval holds the truth in about 90% of these cases.",
        "* **Fixed market**: the preset as it is, with every behavioural parameter at the centre of the"
        " assumptions. It shows how wide the intervals are against the seed-to-seed noise alone.",
        "",
        "The target (issue 7) is that the **90% intervals contain the simulated truth in 85-95%** of the"
        f" county-years of the prior-predictive market ({len(prior)} cases: with 90% true coverage, the"
        f" count of cases inside has a standard deviation of {math.sqrt(len(prior) * 0.09):.0f}"
        f" ({math.sqrt(0.09 / max(len(prior), 1)):.0%}) by chance alone).",
        "",
        "| quantity | cases | coverage of the 90% interval | truth below / above | median relative error"
        " | median signed error |",
        "|---|---:|---:|---:|---:|---:|",
        *[_row(label, sc[key]) for key, label in ROWS if key in sc],
        "",
        "The persona mapping: a woman's later spell opens a new persona with probability `new_persona_share` (q);"
        " with e later spells per woman and county-year, the share of counted personas that are returns is"
        f" r = q e / (1 + q e); e = {LATER_SPELLS_PER_WOMAN_YEAR} in this preset (simulator truth with q = 1,"
        " seeds 1-200), so q = r / (e (1 - r)), capped at 1 (r at most 0.315; the assumption's triangle"
        " 0.1-0.25-0.35 lies above that with probability 0.05).",
        "",
        "Best models by AIC (fixed market): "
        + ", ".join(f"{m} ({n})" for m, n in sorted(models.items(), key=lambda x: -x[1]))
        + ".",
        "",
        "Best valid models (fixed market): "
        + ", ".join(f"{m} ({n})" for m, n in sorted(valid.items(), key=lambda x: -x[1]))
        + ".",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=50, help="number of seeds (1..N)")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--draws", type=int, default=20_000, help="Monte Carlo draws per estimate")
    ap.add_argument("--markets", default="prior,fixed", help="comma-separated: prior, fixed")
    ap.add_argument("--write", action="store_true", help=f"write {DOC.relative_to(DOC.parents[2])}")
    ap.add_argument("--json", type=Path, help="also write every case as JSON here")
    args = ap.parse_args()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    markets: list[Market] = [m for m in ("prior", "fixed") if m in args.markets.split(",")]
    t0 = time.perf_counter()
    cases: list[Case] = []
    jobs = [(s, m, args.draws) for m in markets for s in seeds]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        for res in pool.map(_run, jobs):
            cases.extend(res)
    seconds = time.perf_counter() - t0
    for name, s in evaluate(cases).items():
        print(f"{name:30s} n={s.n} coverage={s.coverage:.1%} below/above={s.below}/{s.above} "
              f"median |rel err|={s.median_rel_error:.1%} median signed={s.median_signed_error:+.1%}")  # fmt: skip
    print(f"{seconds:.0f} s")
    if args.json:
        args.json.write_text(json.dumps([asdict(c) for c in cases], indent=1), encoding="utf-8")
    if args.write:
        text = markdown(cases, seeds, seconds, args.workers)
        if DOC.exists() and "<!-- analysis -->" in DOC.read_text(encoding="utf-8"):
            # keep the hand-written analysis below the marker
            text += "<!-- analysis -->" + DOC.read_text(encoding="utf-8").split("<!-- analysis -->", 1)[1]
        DOC.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
