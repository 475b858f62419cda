"""Fit every applicable capture-recapture model and rank them by AIC."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from lagesbild.errors import EstimateInputError
from lagesbild.estimate.crc._types import CRCResult
from lagesbild.estimate.crc.loglinear import (
    STANDARD_MODELS,
    LoglinearSpec,
    _check_size,
    fit_model,
    standard_model_names,
)
from lagesbild.records.capture import CaptureHistories

__all__ = ["aic_order", "best_model", "run_all_models"]

log = logging.getLogger(__name__)


def run_all_models(
    histories: CaptureHistories,
    *,
    models: Iterable[str | LoglinearSpec] | None = None,
    ci_level: float = 0.95,
    profile_ci: bool = True,
    rcapture_mbh_se: bool = False,
    behavioural: bool = True,
) -> list[CRCResult]:
    """Fit all applicable closed-population models and return them sorted by AIC (best first; ties: :func:`aic_order`).

    Args:
        histories: the capture histories.
        models: the models to fit; by default Rcapture's ``closedp.t`` set (M0, Mt, Mb for two
            occasions; M0, Mt, Mh and Mth with four heterogeneity forms, Mb and Mbh otherwise).
        ci_level: coverage of the intervals.
        profile_ci: compute the profile-likelihood intervals (slower).
        rcapture_mbh_se: report Rcapture 1.4-4's standard error for Mbh instead of the exact one.
        behavioural: include the behavioural models Mb and Mbh in the default set. They model a reaction to
            earlier capture (trap-happy or trap-shy animals), which has a meaning for occasions in time but
            not when the sources are websites seen in the same period: pass ``False`` there.

    Raises:
        EstimateInputError: an unknown model name, or too many occasions (see ``MAX_OCCASIONS``).

    Models whose parameters cannot be estimated from these histories (fewer histories than
    parameters, design not of full rank) are left out; this is logged.
    """
    chosen = list(models) if models is not None else list(standard_model_names(histories.n_occasions))
    if models is None and not behavioural:
        chosen = [m for m in chosen if m not in ("Mb", "Mbh")]
    _check_size(histories.n_occasions)
    unknown = [m for m in chosen if isinstance(m, str) and m not in STANDARD_MODELS]
    if unknown:
        raise EstimateInputError(f"unknown model(s): {', '.join(unknown)}")
    results: list[CRCResult] = []
    for model in chosen:
        try:
            results.append(
                fit_model(histories, model, ci_level=ci_level, profile_ci=profile_ci, rcapture_mbh_se=rcapture_mbh_se)
            )
        except ValueError as exc:
            name = model if isinstance(model, str) else model.label
            log.info("model %s left out: %s", name, exc)
    return sorted(results, key=aic_order)


def aic_order(result: CRCResult) -> tuple[float, int, bool, str]:
    """The ranking key of fits: AIC rounded to 1e-6, then fewer parameters, then a model without a
    behavioural response (not Mb, Mbh) before one with it, then the model name.

    Rounding makes ties deterministic: with two occasions Mt and Mb fit the data equally well and
    their AICs differ only in the last bits of floating point, which vary between machines and BLAS
    builds. When the data cannot tell them apart, the simpler assumption (no reaction to capture) wins.
    """
    behavioural = result.model.split(" ")[0] in ("Mb", "Mbh")
    return (round(result.aic, 6), result.n_parameters, behavioural, result.model)


def best_model(results: Iterable[CRCResult]) -> CRCResult | None:
    """The usable fit first in :func:`aic_order` (see :attr:`CRCResult.usable`), or None."""
    usable = [r for r in results if r.usable]
    return min(usable, key=aic_order) if usable else None
