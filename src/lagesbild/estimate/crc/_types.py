"""Typed, frozen inputs and results of the capture-recapture estimators."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "CRCResult",
    "MSEResult",
    "MSEStep",
    "SampleCoverageResult",
    "SingleSourceResult",
    "TwoSourceResult",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _clean(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class CRCResult:
    """The fit of one capture-recapture model.

    Attributes:
        model: model name, as in Rcapture (``"M0"``, ``"Mth Poisson2"``, ...).
        abundance: estimated population size ``N`` (observed + estimated unobserved).
        stderr: standard error of ``abundance``.
        deviance: residual deviance against the saturated model (observed histories only).
        df: residual degrees of freedom.
        aic, bic: information criteria (``-2 log L + 2 p`` and ``-2 log L + log(n) p``, Poisson
            likelihood of the observed histories, ``n`` = units observed).
        ci_low, ci_high: confidence interval of ``abundance`` (``inf`` if the upper limit was not
            found in the search range).
        ci_method: how the interval was computed (``"profile likelihood"`` or ``"Chao log-normal"``).
        ci_level: its coverage (0.95).
        profile_mode: the abundance maximizing the profile multinomial likelihood (``None`` when
            no profile was computed).
        n_observed: units captured at least once.
        n_parameters: estimated log-linear parameters (intercept included).
        converged: whether the fitting algorithm converged.
        parameters: the log-linear coefficients by name.
        method_notes: remarks for the analyst (removed parameters, compatibility options...).
    """

    model: str
    abundance: float
    stderr: float
    deviance: float
    df: int
    aic: float
    bic: float
    ci_low: float
    ci_high: float
    ci_method: str
    ci_level: float
    profile_mode: float | None
    n_observed: int
    n_parameters: int
    converged: bool
    parameters: tuple[tuple[str, float], ...] = ()
    method_notes: tuple[str, ...] = field(default=())

    @property
    def usable(self) -> bool:
        """Whether the fit can be reported: converged, finite, not below the units seen, with a real interval.

        A fit can have the lowest AIC and still be unusable (e.g. a behavioural model whose
        estimate falls below the number of units observed, or a zero-width interval).
        """
        return (
            self.converged
            and math.isfinite(self.abundance)
            and self.abundance >= self.n_observed
            and self.ci_low <= self.abundance <= self.ci_high
            and self.ci_high > self.ci_low
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (non-finite numbers become ``None``)."""
        return {
            "model": self.model,
            "abundance": self.abundance,
            "stderr": _clean(self.stderr),
            "deviance": self.deviance,
            "df": self.df,
            "aic": self.aic,
            "bic": self.bic,
            "ci_low": _clean(self.ci_low),
            "ci_high": _clean(self.ci_high),
            "ci_method": self.ci_method,
            "ci_level": self.ci_level,
            "profile_mode": self.profile_mode,
            "n_observed": self.n_observed,
            "n_parameters": self.n_parameters,
            "converged": self.converged,
            "parameters": {k: _clean(v) for k, v in self.parameters},
            "method_notes": list(self.method_notes),
        }


@dataclass(frozen=True)
class TwoSourceResult:
    """Two-source (Lincoln-Petersen / Chapman) estimate.

    Attributes:
        n1, n2: units in source 1 and in source 2.
        m: units in both.
        lincoln_petersen: ``n1 n2 / m`` (``inf`` when ``m = 0``).
        chapman: ``(n1+1)(n2+1)/(m+1) - 1``.
        stderr: Seber's standard error of the Chapman estimate.
        ci_low, ci_high: Chao's (1987) log-transformed interval around the Chapman estimate.
    """

    n1: int
    n2: int
    m: int
    lincoln_petersen: float
    chapman: float
    stderr: float
    ci_low: float
    ci_high: float
    ci_level: float
    method_notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (non-finite numbers become ``None``)."""
        return {
            "n1": self.n1,
            "n2": self.n2,
            "m": self.m,
            "lincoln_petersen": _clean(self.lincoln_petersen),
            "chapman": self.chapman,
            "stderr": self.stderr,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "ci_level": self.ci_level,
            "method_notes": list(self.method_notes),
        }


@dataclass(frozen=True)
class SingleSourceResult:
    """Estimate from single-source frequency counts (Chao lower bound, Zelterman)."""

    method: str
    abundance: float
    stderr: float
    ci_low: float
    ci_high: float
    ci_level: float
    n_observed: int
    method_notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (non-finite numbers become ``None``)."""
        return {
            "method": self.method,
            "abundance": _clean(self.abundance),
            "stderr": _clean(self.stderr),
            "ci_low": _clean(self.ci_low),
            "ci_high": _clean(self.ci_high),
            "ci_level": self.ci_level,
            "n_observed": self.n_observed,
            "method_notes": list(self.method_notes),
        }


@dataclass(frozen=True)
class SampleCoverageResult:
    """Sample-coverage estimate for three lists (Chao & Tsay 1998; CARE1's ``estN``).

    Attributes:
        method: ``"Indep"`` (independent lists), ``"HSC"`` (high sample coverage) or ``"LSC"``
            (low sample coverage, one-step).
        abundance: estimated population size ``N`` (``inf`` when the HSC equation has no finite solution).
        stderr: bootstrap standard error (``nan`` when no bootstrap was run).
        ci_low, ci_high: log-transformed interval ``n + f0/C, n + f0 C`` from ``stderr`` (Chao 1987).
        ci_level: coverage of the interval.
        n_observed: units on at least one list (``M`` in CARE1).
        coverage: the sample-coverage estimate ``C``.
        d: average number of units on the two lists other than each list (``D`` in CARE1).
        gammas: the pairwise coefficients of covariation ``gamma_ij`` used, by pair of list names
            (all zero for ``Indep``).
        n_bootstrap: bootstrap replicates used for ``stderr`` (0 when none).
        method_notes: remarks for the analyst.
    """

    method: str
    abundance: float
    stderr: float
    ci_low: float
    ci_high: float
    ci_level: float
    n_observed: int
    coverage: float
    d: float
    gammas: tuple[tuple[str, str, float], ...]
    n_bootstrap: int
    method_notes: tuple[str, ...] = ()

    @property
    def model(self) -> str:
        """Display name, e.g. ``"Sample coverage HSC"``."""
        return f"Sample coverage {self.method}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (non-finite numbers become ``None``)."""
        return {
            **_estimate_fields(self, "bootstrap SE, log-transformed" if math.isfinite(self.stderr) else None),
            "n_observed": self.n_observed,
            "coverage": self.coverage,
            "d": self.d,
            "gammas": [{"lists": [a, b], "gamma": _clean(g)} for a, b, g in self.gammas],
            "n_bootstrap": self.n_bootstrap,
            "method_notes": list(self.method_notes),
        }


def _estimate_fields(r: SampleCoverageResult | MSEResult, ci_method: str | None) -> dict[str, Any]:
    """The fields every dependent-source result shares, JSON-friendly."""
    return {
        "model": r.model,
        "method": r.method,
        "abundance": _clean(r.abundance),
        "stderr": _clean(r.stderr),
        "ci_low": _clean(r.ci_low),
        "ci_high": _clean(r.ci_high),
        "ci_method": ci_method,
        "ci_level": r.ci_level,
    }


@dataclass(frozen=True)
class MSEStep:
    """One step of the stepwise selection: the two-list parameter added and its Poisson p-value.

    Attributes:
        lists: the two list names.
        observed: units on both lists (whatever their other lists).
        expected: their expected number under the model before the step.
        p_value: the smaller one-sided Poisson p-value of ``observed`` given ``expected``.
    """

    lists: tuple[str, str]
    observed: int
    expected: float
    p_value: float


@dataclass(frozen=True)
class MSEResult:
    """Multiple systems estimate from a Poisson log-linear model (as SparseMSE's ``estimatepopulation.0``).

    Attributes:
        method: ``"main"`` (main effects only), ``"stepwise"`` (two-list parameters chosen
            stepwise) or ``"fixed"`` (two-list parameters given).
        abundance: ``N = n + exp(intercept)``.
        stderr: standard error of the estimated unseen count, ``exp(b0) se(b0)`` (delta method on
            the scale of the interval).
        ci_low, ci_high: ``n + exp(b0 + z_q se(b0))`` at the quantiles ``(1 -+ level)/2``.
        ci_level: coverage of the interval.
        deviance, df: fit against the saturated model over the cells that can be non-zero.
        aic, bic: ``-2 log L + 2 p`` and ``-2 log L + log(n) p``; ``p`` counts the parameters set
            to minus infinity (two lists without common units) as SparseMSE does.
        interactions: the two-list parameters in the model, as pairs of list names.
        empty_overlaps: those of them whose two lists have no unit in common (parameter minus
            infinity: the cells with both lists are fitted as zero).
        steps: for ``stepwise``, the parameters in the order they were added.
        n_observed: units on at least one list.
        n_parameters: parameters in the model (intercept and minus-infinity ones included).
        converged: whether the fitting algorithm converged.
        parameters: the finite log-linear coefficients by name.
        method_notes: remarks for the analyst.
    """

    method: str
    abundance: float
    stderr: float
    ci_low: float
    ci_high: float
    ci_level: float
    deviance: float
    df: int
    aic: float
    bic: float
    interactions: tuple[tuple[str, str], ...]
    empty_overlaps: tuple[tuple[str, str], ...]
    steps: tuple[MSEStep, ...]
    n_observed: int
    n_parameters: int
    converged: bool
    parameters: tuple[tuple[str, float], ...] = ()
    method_notes: tuple[str, ...] = ()

    @property
    def model(self) -> str:
        """Display name, e.g. ``"MSE stepwise: main + A:B"``."""
        terms = "".join(f" + {a}:{b}" for a, b in self.interactions)
        return f"MSE {self.method}: main{terms}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (non-finite numbers become ``None``)."""
        return {
            **_estimate_fields(self, "normal on the log of the unseen count (SparseMSE)"),
            "deviance": self.deviance,
            "df": self.df,
            "aic": self.aic,
            "bic": self.bic,
            "interactions": [list(p) for p in self.interactions],
            "empty_overlaps": [list(p) for p in self.empty_overlaps],
            "steps": [
                {"lists": list(s.lists), "observed": s.observed, "expected": s.expected, "p_value": s.p_value}
                for s in self.steps
            ],
            "n_observed": self.n_observed,
            "n_parameters": self.n_parameters,
            "converged": self.converged,
            "parameters": {k: _clean(v) for k, v in self.parameters},
            "method_notes": list(self.method_notes),
        }
