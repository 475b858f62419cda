"""Capture-recapture estimators of the size of a hidden population.

Pure functions over typed, frozen inputs (no I/O; see :mod:`lagesbild.estimate.crc_io` to read
files):

* :func:`fit_model` and :func:`run_all_models`: closed-population log-linear models M0, Mt, Mh,
  Mth (Chao, Poisson2, Darroch, Gamma3.5 heterogeneity), Mb, Mbh and custom designs, with
  profile-likelihood intervals (as Rcapture's ``closedp.t`` / ``closedpCI.t``);
* :func:`two_source`: Lincoln-Petersen and Chapman with Seber's variance and Chao's interval;
* :func:`chao_lower_bound` and :func:`zelterman`: single-source frequency counts;
* :func:`sample_coverage`: Chao & Tsay's sample-coverage estimators for three dependent lists
  (``Indep``, ``HSC``, ``LSC``, as CARE1's ``estN``) with a bootstrap standard error;
* :func:`fit_mse` and :func:`stepwise_mse`: multiple systems estimation for sparse lists (main
  effects, or two-list dependence chosen stepwise, with existence checks: SparseMSE's
  ``estimatepopulation.0``).

What each model assumes is in :data:`MODELS` (``MODELS[name].assumptions``). The methods are
explained for analysts in ``docs/methods/capture-recapture.md``.
"""

from lagesbild.estimate.crc._types import (
    CRCResult,
    MSEResult,
    MSEStep,
    SampleCoverageResult,
    SingleSourceResult,
    TwoSourceResult,
)
from lagesbild.estimate.crc.loglinear import STANDARD_MODELS, LoglinearSpec, fit_model, standard_model_names
from lagesbild.estimate.crc.models import MODELS, ModelDescription, describe
from lagesbild.estimate.crc.mse import DEFAULT_PTHRESH, ModelCheck, check_model, fit_mse, mse_all, stepwise_mse
from lagesbild.estimate.crc.runner import best_model, run_all_models
from lagesbild.estimate.crc.sample_coverage import SAMPLE_COVERAGE_METHODS, sample_coverage, sample_coverage_all
from lagesbild.estimate.crc.single_source import chao_lower_bound, zelterman
from lagesbild.estimate.crc.two_source import two_source, two_source_from_histories
from lagesbild.records.capture import CaptureHistories, FrequencyCounts, all_histories

__all__ = [
    "DEFAULT_PTHRESH",
    "MODELS",
    "SAMPLE_COVERAGE_METHODS",
    "STANDARD_MODELS",
    "CRCResult",
    "CaptureHistories",
    "FrequencyCounts",
    "LoglinearSpec",
    "MSEResult",
    "MSEStep",
    "ModelCheck",
    "ModelDescription",
    "SampleCoverageResult",
    "SingleSourceResult",
    "TwoSourceResult",
    "all_histories",
    "best_model",
    "chao_lower_bound",
    "check_model",
    "describe",
    "fit_model",
    "fit_mse",
    "mse_all",
    "run_all_models",
    "sample_coverage",
    "sample_coverage_all",
    "standard_model_names",
    "stepwise_mse",
    "two_source",
    "two_source_from_histories",
    "zelterman",
]
