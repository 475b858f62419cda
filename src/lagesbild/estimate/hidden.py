"""The hidden population across monitored sites: one capture-recapture choice, with its warnings.

:func:`lagesbild.estimate.crc.run_all_models` fits many models and ranks them by AIC; on sites as
sources the winner was often a heterogeneity model far above the truth (``Mth Gamma3.5``: 702,
90% 125-5 616, for 44 women; issue #19). This module makes one documented choice instead, and says
when the answer should not be trusted.

**The choice.** Websites are not independent samples of the women who advertise: each persona
chooses one site or several, and the same personas tend to be on the same pairs of sites. The
estimate is therefore the log-linear model that allows dependence between pairs of lists, with
the pairs chosen stepwise by a likelihood-ratio test (multiple systems estimation as SparseMSE's
``estimatepopulation.0``: :func:`~lagesbild.estimate.crc.stepwise_mse`), refitted as a
closed-population log-linear model (``Mt`` plus the chosen two-list terms) so that its interval is
Cormack's *profile-likelihood* interval rather than a Wald interval on the log scale. With two
lists no dependence can be estimated; the estimate is ``Mt`` (Lincoln-Petersen) and says so.

**The cross-checks.** Beside it, the models that allow heterogeneity but assume independent lists
(``M0``, ``Mt``, ``Mh``, ``Mth``; never the behavioural ``Mb``/``Mbh``, sites have no order in
time) and, for three lists, Chao and Tsay's sample-coverage estimate (``HSC`` when the sample
coverage is at least 0.55, else ``LSC``, as CARE1 advises) are computed. The result carries a
warning, and ``unstable`` is true, when

* the interval's top is more than :data:`UNSTABLE_RATIO` times its bottom, or a limit is infinite;
* the estimates of the chosen model and of the cross-checks differ by more than a factor
  :data:`DISAGREEMENT_RATIO` (model disagreement: the data do not decide between assumptions that
  give very different answers);
* fewer than two lists, or the chosen fit failed and a cross-check stands in.

**Not published.** On the simulator, where every woman advertises on a monitored site (the true
dark figure is 0), no capture-recapture estimator covers the truth: the site choice makes many
single-site personas, which every model reads as a sign of personas seen nowhere
(docs/methods/calibration.md, held-out seeds). The figure is computed and stored, and the suite
leaves it out of :data:`~lagesbild.estimate.suite.PUBLISHED_QUANTITIES`.

Example::

    >>> from lagesbild.estimate.crc import CaptureHistories
    >>> h = CaptureHistories.from_counts(
    ...     {(1, 0, 0): 30, (0, 1, 0): 25, (0, 0, 1): 20, (1, 1, 0): 12, (1, 0, 1): 10, (0, 1, 1): 8, (1, 1, 1): 6},
    ...     ("a", "b", "c"),
    ... )
    >>> hp = hidden_population(h)
    >>> hp.n_observed, hp.abundance >= hp.n_observed
    (111, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lagesbild.errors import EstimateInputError, NotEstimableError
from lagesbild.estimate.crc import (
    CaptureHistories,
    CRCResult,
    LoglinearSpec,
    fit_model,
    run_all_models,
    sample_coverage,
    stepwise_mse,
)
from lagesbild.estimate.crc.runner import aic_order
from lagesbild.estimate.crc.sample_coverage import SampleCoverageMethod
from lagesbild.estimate.intervals import DEFAULT_LEVEL

__all__ = [
    "DISAGREEMENT_RATIO",
    "HSC_MIN_COVERAGE",
    "UNSTABLE_RATIO",
    "HiddenPopulation",
    "hidden_population",
]

UNSTABLE_RATIO = 3.0
"""An interval whose top is more than this times its bottom is flagged unstable."""

DISAGREEMENT_RATIO = 1.5
"""Estimates of the chosen model and a cross-check further apart than this factor are flagged."""

HSC_MIN_COVERAGE = 0.55
"""Sample coverage from which Chao and Tsay's HSC estimator is used instead of LSC (CARE1's advice)."""


@dataclass(frozen=True)
class HiddenPopulation:
    """The hidden-population estimate of one area and period.

    Attributes:
        method: the model behind the estimate (e.g. ``"dependent lists: Mt + a:b (profile)"``).
        abundance: the estimated population (units seen on at least one list plus those seen on none).
        ci_low, ci_high: its interval (``inf`` when no upper limit was found).
        ci_level: the interval's level.
        n_observed: units seen on at least one list.
        cross_checks: ``(method, abundance)`` of the other estimators, for the reader to compare.
        warnings: why the estimate should not be trusted, in words (empty when none applies).
    """

    method: str
    abundance: float
    ci_low: float
    ci_high: float
    ci_level: float
    n_observed: int
    cross_checks: tuple[tuple[str, float], ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def unstable(self) -> bool:
        """Whether any warning applies."""
        return bool(self.warnings)

    @property
    def hidden(self) -> float:
        """The estimated units seen on no list (``abundance - n_observed``)."""
        return self.abundance - self.n_observed

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (non-finite numbers become ``None``)."""

        def num(x: float) -> float | None:
            return x if math.isfinite(x) else None

        return {
            "method": self.method,
            "abundance": num(self.abundance),
            "ci_low": num(self.ci_low),
            "ci_high": num(self.ci_high),
            "ci_level": self.ci_level,
            "n_observed": self.n_observed,
            "cross_checks": [{"method": m, "abundance": num(a)} for m, a in self.cross_checks],
            "warnings": list(self.warnings),
            "unstable": self.unstable,
        }


def _dependent_fit(histories: CaptureHistories, level: float) -> tuple[CRCResult | None, str]:
    """The stepwise two-list dependence model, refitted for a profile interval; or ``Mt`` for two lists."""
    if histories.n_occasions < 3:
        return fit_model(histories, "Mt", ci_level=level), "two lists: Mt (independence cannot be checked)"
    mse = stepwise_mse(histories, ci_level=level)
    names = histories.sources
    index = {s: k for k, s in enumerate(names)}
    pairs = tuple((index[a], index[b]) for a, b in mse.interactions if (a, b) not in mse.empty_overlaps)
    label = " + ".join(f"{a}:{b}" for a, b in mse.interactions) or "no two-list dependence found"
    if mse.empty_overlaps:
        # a pair without common units has a parameter at minus infinity, which the log-linear refit
        # cannot hold: keep the multiple systems estimate and its (Wald) interval
        return (
            CRCResult(
                model=f"MSE stepwise ({label})",
                abundance=mse.abundance,
                stderr=mse.stderr,
                deviance=mse.deviance,
                df=mse.df,
                aic=mse.aic,
                bic=mse.bic,
                ci_low=mse.ci_low,
                ci_high=mse.ci_high,
                ci_method="Wald on the log of the unseen count",
                ci_level=level,
                profile_mode=None,
                n_observed=mse.n_observed,
                n_parameters=mse.n_parameters,
                converged=mse.converged,
            ),
            f"dependent lists: stepwise multiple systems estimation ({label}; a pair without common units)",
        )
    spec = LoglinearSpec("Mt", interactions=pairs, name=f"Mt + {label}" if pairs else "Mt")
    what = f"Mt + {label}" if pairs else f"Mt, {label}"
    return fit_model(histories, spec, ci_level=level), f"dependent lists, chosen stepwise: {what}"


def hidden_population(
    histories: CaptureHistories,
    *,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    n_bootstrap: int = 200,
) -> HiddenPopulation:
    """The hidden population across the lists (sites): the dependent-lists model, cross-checks, warnings.

    Args:
        histories: which units were seen on which lists (two or more lists).
        level: the interval's level (:data:`DEFAULT_LEVEL`, 0.90).
        seed: seed of the sample-coverage bootstrap (three lists).
        n_bootstrap: bootstrap replicates of the sample-coverage cross-check (its interval is not
            used here: 0 saves most of the time, and the runner passes 0).

    Returns:
        The estimate, its profile-likelihood interval, the cross-checks and the warnings.

    Raises:
        EstimateInputError: for fewer than two lists or a bad level.
        NotEstimableError: when no model can be fitted at all.
    """
    if histories.n_occasions < 2:
        raise EstimateInputError("capture-recapture needs at least two lists")
    if not 0 < level < 1:
        raise EstimateInputError(f"level must be between 0 and 1, not {level}")
    warnings: list[str] = []
    checks: list[tuple[str, float]] = []
    others = run_all_models(histories, ci_level=level, profile_ci=False, behavioural=False)
    usable = sorted((r for r in others if r.usable), key=aic_order)
    if usable:
        checks.append((f"independent lists, best by AIC: {usable[0].model}", usable[0].abundance))
    if histories.n_occasions == 3:
        try:
            cov = sample_coverage(histories, "Indep", ci_level=level, n_bootstrap=0).coverage
            method: SampleCoverageMethod = "HSC" if cov >= HSC_MIN_COVERAGE else "LSC"
            sc = sample_coverage(histories, method, ci_level=level, n_bootstrap=n_bootstrap, seed=seed)
            checks.append((f"sample coverage {method} (coverage {cov:.2f})", sc.abundance))
        except ValueError as exc:
            warnings.append(f"sample coverage could not be computed: {exc}")
    chosen: CRCResult | None
    try:
        chosen, method_name = _dependent_fit(histories, level)
    except ValueError as exc:
        chosen, method_name = None, ""
        warnings.append(f"the dependent-lists model could not be fitted ({exc})")
    if chosen is None or not chosen.usable:
        if chosen is not None:
            warnings.append(f"the dependent-lists model is not usable here ({chosen.model})")
        if not usable:
            raise NotEstimableError("no capture-recapture model can be fitted to these capture histories")
        chosen = fit_model(histories, usable[0].model, ci_level=level)
        method_name = f"independent lists (stand-in): {chosen.model}"
    if histories.n_occasions < 3:
        warnings.append("two lists: their dependence cannot be estimated, the estimate assumes independent lists")
    low, high = chosen.ci_low, chosen.ci_high
    if not math.isfinite(high) or not math.isfinite(low):
        warnings.append("the interval has no finite upper limit")
    elif low > 0 and high / low > UNSTABLE_RATIO:
        warnings.append(f"wide interval: its top is {high / low:.1f} times its bottom (above {UNSTABLE_RATIO:g})")
    far = [
        (m, a)
        for m, a in checks
        if math.isfinite(a) and a > 0 and max(a, chosen.abundance) / min(a, chosen.abundance) > DISAGREEMENT_RATIO
    ]
    if far:
        listed = "; ".join(f"{m}: {a:.0f}" for m, a in far)
        warnings.append(f"models disagree by more than a factor {DISAGREEMENT_RATIO:g} ({listed})")
    return HiddenPopulation(
        method=f"{method_name} ({chosen.ci_method} interval)",
        abundance=chosen.abundance,
        ci_low=low,
        ci_high=high,
        ci_level=level,
        n_observed=histories.n_observed,
        cross_checks=tuple(checks),
        warnings=tuple(warnings),
    )
