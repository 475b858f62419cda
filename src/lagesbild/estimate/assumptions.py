"""Model assumptions as data: a YAML file parsed into frozen, typed, validated specs.

Every number a model takes on trust (clients per working day, the share of genuine ads, the
share of men who bought sex last year...) is a named *assumption* in a YAML file, with its
probability distribution (what we believe and how unsure we are), its unit and its source. The
models read nothing else, so an analyst can copy the file, change a value and see the effect.

File layout (``estimate/assumptions/default.yaml`` is the bundled example)::

    name: default
    description: Assumptions for the purchases model and the triangulation.
    parameters:
      clients_per_working_day:
        description: Clients a person sees on a day she works.
        unit: clients per working day
        source: Assumption (no Swedish survey figure).
        distribution: {kind: lognormal, median: 1.5, sigma: 0.5}

Distributions (``kind`` and its fields):

=============  =============================  ==========================================
kind           fields                         meaning
=============  =============================  ==========================================
fixed          value                          known exactly (no uncertainty)
uniform        low, high                      every value in low..high equally likely
triangular     low, mode, high                most likely ``mode``, never outside low..high
normal         mean, sd [, low, high]         bell curve, optionally truncated to low..high
lognormal      median, sigma                  skewed, positive; ``sigma`` on the log scale
beta           alpha, beta | mean, n          a share 0..1; ``mean, n``: as from a survey of n
=============  =============================  ==========================================

:func:`load_assumptions` reports every problem in the file at once (file, field path, allowed
values) as :class:`lagesbild.errors.InputErrors`.

Example::

    >>> a = default_assumptions()
    >>> a["clients_per_working_day"].distribution.median() > 0
    True
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import yaml
from scipy import stats

from lagesbild.errors import EstimateInputError, InputError, InputErrors

__all__ = [
    "DISTRIBUTION_KINDS",
    "Assumption",
    "AssumptionSet",
    "Beta",
    "Distribution",
    "Domain",
    "Fixed",
    "LogNormal",
    "Normal",
    "Requirement",
    "Triangular",
    "Uniform",
    "bundled_assumption_files",
    "check_requirements",
    "default_assumptions",
    "load_assumptions",
    "parse_assumptions",
]

FloatArray = npt.NDArray[np.float64]
Domain = Literal["share", "positive", "nonnegative", "real"]
"""What values a model accepts for a parameter: ``share`` 0..1, ``positive`` > 0, ``nonnegative`` >= 0."""


# --- distributions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Dist:
    """Shared behaviour: sampling by the inverse distribution function (seeded, common random numbers)."""

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        """The quantile function (inverse distribution function) at ``q`` in 0..1."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` independent draws, using ``rng``."""
        return self.ppf(rng.random(size))

    def quantile(self, q: float) -> float:
        """One quantile as a float."""
        return float(self.ppf(np.array([q]))[0])

    def median(self) -> float:
        """The median (the 0.5 quantile)."""
        return self.quantile(0.5)

    def nominal(self) -> float:
        """The value the file states as the point value: fixed value, triangular mode, uniform midpoint,
        normal mean, log-normal median, beta mean. Point estimates ("central") use it."""
        return self.median()

    def bounds(self) -> tuple[float, float]:
        """The smallest and largest possible values (may be infinite)."""
        return self.quantile(0.0), self.quantile(1.0)

    def describe(self) -> str:
        """A short human-readable form, such as ``triangular(0.5, 0.75, 1)``."""
        d = self.to_dict()
        kind = d.pop("kind")
        return f"{kind}({', '.join(f'{k}={v:g}' for k, v in d.items() if v is not None)})"

    def to_dict(self) -> dict[str, Any]:
        """The YAML form: ``kind`` and its fields."""
        raise NotImplementedError


@dataclass(frozen=True)
class Fixed(_Dist):
    """A value taken as known exactly."""

    value: float

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        return np.full(np.shape(q), self.value, dtype=np.float64)

    def nominal(self) -> float:
        return self.value

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "fixed", "value": self.value}


@dataclass(frozen=True)
class Uniform(_Dist):
    """Every value between ``low`` and ``high`` equally likely."""

    low: float
    high: float

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        return self.low + (self.high - self.low) * np.asarray(q, dtype=np.float64)

    def nominal(self) -> float:
        return (self.low + self.high) / 2

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "uniform", "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Triangular(_Dist):
    """Most likely ``mode``, falling linearly to zero at ``low`` and ``high``."""

    low: float
    mode: float
    high: float

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        if self.high == self.low:
            return np.full(np.shape(q), self.low, dtype=np.float64)
        c = (self.mode - self.low) / (self.high - self.low)
        return np.asarray(stats.triang.ppf(q, c, loc=self.low, scale=self.high - self.low), dtype=np.float64)

    def nominal(self) -> float:
        return self.mode

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "triangular", "low": self.low, "mode": self.mode, "high": self.high}


@dataclass(frozen=True)
class Normal(_Dist):
    """A normal distribution, optionally truncated to ``low``..``high``."""

    mean: float
    sd: float
    low: float | None = None
    high: float | None = None

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        if self.low is None and self.high is None:
            return np.asarray(stats.norm.ppf(q, self.mean, self.sd), dtype=np.float64)
        a = -math.inf if self.low is None else (self.low - self.mean) / self.sd
        b = math.inf if self.high is None else (self.high - self.mean) / self.sd
        return np.asarray(stats.truncnorm.ppf(q, a, b, loc=self.mean, scale=self.sd), dtype=np.float64)

    def nominal(self) -> float:
        return self.mean

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "normal", "mean": self.mean, "sd": self.sd, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class LogNormal(_Dist):
    """A positive, right-skewed distribution: ``log(x)`` is normal with median ``log(median)`` and sd ``sigma``.

    About 90% of the values lie between ``median / exp(1.645 sigma)`` and ``median * exp(1.645 sigma)``.
    """

    median_: float
    sigma: float

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        return np.asarray(stats.lognorm.ppf(q, self.sigma, scale=self.median_), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "lognormal", "median": self.median_, "sigma": self.sigma}


@dataclass(frozen=True)
class Beta(_Dist):
    """A share between 0 and 1; ``Beta(mean * n, (1 - mean) * n)`` is like a survey of ``n``."""

    alpha: float
    beta: float

    def ppf(self, q: npt.ArrayLike) -> FloatArray:
        return np.asarray(stats.beta.ppf(q, self.alpha, self.beta), dtype=np.float64)

    def nominal(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "beta", "alpha": self.alpha, "beta": self.beta}


Distribution = Fixed | Uniform | Triangular | Normal | LogNormal | Beta
"""Any of the distributions an assumption can carry."""

DISTRIBUTION_KINDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "fixed": (("value",),),
    "uniform": (("low", "high"),),
    "triangular": (("low", "mode", "high"),),
    "normal": (("mean", "sd"), ("mean", "sd", "low"), ("mean", "sd", "high"), ("mean", "sd", "low", "high")),
    "lognormal": (("median", "sigma"),),
    "beta": (("alpha", "beta"), ("mean", "n")),
}
"""Each ``kind`` and the sets of fields it accepts."""


# --- assumptions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumption:
    """One named model input with what we believe about it and why.

    Attributes:
        name: the parameter name the model uses (``clients_per_working_day``).
        distribution: what values are plausible and how likely.
        unit: the unit, in words (``clients per working day``).
        source: where the number comes from, or ``Assumption: ...`` with the reasoning.
        description: what the parameter means, in plain words.
    """

    name: str
    distribution: Distribution
    unit: str
    source: str
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The YAML/JSON form."""
        return {
            "description": self.description,
            "unit": self.unit,
            "source": self.source,
            "distribution": {k: v for k, v in self.distribution.to_dict().items() if v is not None},
        }


@dataclass(frozen=True)
class AssumptionSet:
    """A named, ordered set of assumptions (one YAML file).

    Attributes:
        name: the set's name (reported with every result, so a number says what it assumed).
        parameters: the assumptions, in file order.
        description: what the set is for.
        path: the file it was read from, if any.
    """

    name: str
    parameters: tuple[Assumption, ...]
    description: str = ""
    path: str | None = None
    _by_name: dict[str, Assumption] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_name.update({a.name: a for a in self.parameters})
        if len(self._by_name) != len(self.parameters):
            raise EstimateInputError("assumption names must be unique")

    def __getitem__(self, name: str) -> Assumption:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Assumption]:
        return iter(self.parameters)

    def names(self) -> tuple[str, ...]:
        """Parameter names in file order."""
        return tuple(a.name for a in self.parameters)

    def with_distribution(self, name: str, distribution: Distribution) -> AssumptionSet:
        """A copy with one parameter's distribution replaced (for what-if runs and tests).

        Raises:
            KeyError: for a parameter the set does not have.
        """
        old = self[name]
        params = tuple(replace(old, distribution=distribution) if a.name == name else a for a in self.parameters)
        return AssumptionSet(self.name, params, self.description, self.path)

    def with_fixed(self, **values: float) -> AssumptionSet:
        """A copy with the given parameters fixed at a value: ``a.with_fixed(clients_per_working_day=2)``."""
        out = self
        for name, value in values.items():
            out = out.with_distribution(name, Fixed(float(value)))
        return out

    def to_dict(self) -> dict[str, Any]:
        """The YAML form (what :func:`parse_assumptions` reads)."""
        return {
            "name": self.name,
            "description": self.description,
            "parameters": {a.name: a.to_dict() for a in self.parameters},
        }


@dataclass(frozen=True)
class Requirement:
    """A parameter a model needs, and the values it accepts."""

    name: str
    domain: Domain
    description: str = ""


# --- parsing and validation ---------------------------------------------------------------------

_TOP_KEYS = ("name", "description", "parameters")
_PARAM_KEYS = ("description", "unit", "source", "distribution")


def _num(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _build_distribution(spec: object, where: str, path: str | None, errors: list[InputError]) -> Distribution | None:
    """Validate one ``distribution:`` mapping; append every problem to ``errors``."""

    def err(msg: str, fld: str = where) -> None:
        errors.append(InputError(msg, path=path, field=fld))

    if not isinstance(spec, Mapping):
        err("must be a mapping with 'kind' and its fields, e.g. {kind: triangular, low: 1, mode: 2, high: 4}")
        return None
    kind = spec.get("kind")
    if kind not in DISTRIBUTION_KINDS:
        err(f"unknown kind {kind!r}; allowed: {', '.join(DISTRIBUTION_KINDS)}", f"{where}.kind")
        return None
    fields = {str(k) for k in spec if k != "kind"}
    shapes = DISTRIBUTION_KINDS[str(kind)]
    if frozenset(fields) not in {frozenset(s) for s in shapes}:
        allowed = " or ".join("{" + ", ".join(s) + "}" for s in shapes)
        err(f"{kind} takes the fields {allowed}, got {{{', '.join(sorted(fields))}}}")
        return None
    vals: dict[str, float] = {}
    for k in sorted(fields):
        v = _num(spec[k])
        if v is None:
            err(f"must be a finite number, not {spec[k]!r}", f"{where}.{k}")
        else:
            vals[k] = v
    if len(vals) != len(fields):
        return None
    n_before = len(errors)
    if kind == "fixed":
        return Fixed(vals["value"])
    if kind == "uniform":
        if not vals["low"] < vals["high"]:
            err(f"low ({vals['low']:g}) must be below high ({vals['high']:g}); use kind: fixed for one value")
        return None if len(errors) > n_before else Uniform(vals["low"], vals["high"])
    if kind == "triangular":
        lo, mo, hi = vals["low"], vals["mode"], vals["high"]
        if not (lo <= mo <= hi and lo < hi):
            err(f"need low <= mode <= high and low < high, got {lo:g}, {mo:g}, {hi:g}")
        return None if len(errors) > n_before else Triangular(lo, mo, hi)
    if kind == "normal":
        if not vals["sd"] > 0:
            err(f"must be positive, not {vals['sd']:g}", f"{where}.sd")
        lo_n, hi_n = vals.get("low"), vals.get("high")
        if lo_n is not None and hi_n is not None and not lo_n < hi_n:
            err(f"low ({lo_n:g}) must be below high ({hi_n:g})")
        return None if len(errors) > n_before else Normal(vals["mean"], vals["sd"], lo_n, hi_n)
    if kind == "lognormal":
        if not vals["median"] > 0:
            err(f"must be positive, not {vals['median']:g}", f"{where}.median")
        if not vals["sigma"] > 0:
            err(f"must be positive, not {vals['sigma']:g} (use kind: fixed for no uncertainty)", f"{where}.sigma")
        return None if len(errors) > n_before else LogNormal(vals["median"], vals["sigma"])
    # beta
    if "mean" in vals:
        if not 0 < vals["mean"] < 1:
            err(f"must be strictly between 0 and 1, not {vals['mean']:g}", f"{where}.mean")
        if not vals["n"] > 0:
            err(f"must be positive, not {vals['n']:g}", f"{where}.n")
        if len(errors) > n_before:
            return None
        return Beta(vals["mean"] * vals["n"], (1 - vals["mean"]) * vals["n"])
    for k in ("alpha", "beta"):
        if not vals[k] > 0:
            err(f"must be positive, not {vals[k]:g}", f"{where}.{k}")
    return None if len(errors) > n_before else Beta(vals["alpha"], vals["beta"])


def parse_assumptions(data: object, *, path: str | None = None) -> AssumptionSet:
    """Validate the parsed YAML of an assumptions file and build the frozen spec.

    Args:
        data: the YAML document (a mapping).
        path: the file name, for error messages.

    Returns:
        The assumption set.

    Raises:
        InputErrors: listing every problem (field path such as
            ``parameters.share_genuine.distribution.kind``, what is wrong, what is allowed).
    """
    errors: list[InputError] = []
    if not isinstance(data, Mapping):
        raise InputErrors([InputError("an assumptions file must be a YAML mapping with 'parameters'", path=path)])
    for key in data:
        if key not in _TOP_KEYS:
            errors.append(InputError(f"unknown key; allowed: {', '.join(_TOP_KEYS)}", path=path, field=str(key)))
    name = data.get("name", Path(path).stem if path else "assumptions")
    if not isinstance(name, str) or not name.strip():
        errors.append(InputError("must be a non-empty text", path=path, field="name"))
        name = "assumptions"
    description = data.get("description", "")
    if not isinstance(description, str):
        errors.append(InputError("must be text", path=path, field="description"))
        description = ""
    params = data.get("parameters")
    built: list[Assumption] = []
    if not isinstance(params, Mapping) or not params:
        errors.append(
            InputError("must be a non-empty mapping of parameter name -> spec", path=path, field="parameters")
        )
        params = {}
    for pname, spec in params.items():
        where = f"parameters.{pname}"
        if not isinstance(pname, str) or not pname.isidentifier():
            errors.append(
                InputError("parameter names must be identifiers (letters, digits, _)", path=path, field=where)
            )
            continue
        if not isinstance(spec, Mapping):
            errors.append(
                InputError("must be a mapping with description, unit, source, distribution", path=path, field=where)
            )
            continue
        for key in spec:
            if key not in _PARAM_KEYS:
                errors.append(
                    InputError(f"unknown key; allowed: {', '.join(_PARAM_KEYS)}", path=path, field=f"{where}.{key}")
                )
        texts: dict[str, str] = {}
        for key in ("unit", "source"):
            v = spec.get(key)
            if not isinstance(v, str) or not v.strip():
                hint = (
                    " ('Assumption: ...' with the reasoning if there is no published source)" if key == "source" else ""
                )
                errors.append(
                    InputError(f"is required and must be non-empty text{hint}", path=path, field=f"{where}.{key}")
                )
            else:
                texts[key] = v.strip()
        desc = spec.get("description", "")
        if not isinstance(desc, str):
            errors.append(InputError("must be text", path=path, field=f"{where}.description"))
            desc = ""
        if "distribution" not in spec:
            errors.append(InputError("is required", path=path, field=f"{where}.distribution"))
            continue
        dist = _build_distribution(spec["distribution"], f"{where}.distribution", path, errors)
        if dist is not None and len(texts) == 2:
            built.append(Assumption(pname, dist, texts["unit"], texts["source"], " ".join(desc.split())))
    if errors:
        raise InputErrors(errors, path=path)
    return AssumptionSet(name.strip(), tuple(built), " ".join(description.split()), path)


def load_assumptions(path: str | Path) -> AssumptionSet:
    """Read and validate an assumptions YAML file.

    Raises:
        InputError: if the file cannot be read or is not YAML.
        InputErrors: for every invalid field (see :func:`parse_assumptions`).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", path=str(p)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else int(mark.line) + 1
        raise InputError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=str(p), line=line) from exc
    return parse_assumptions(data, path=str(p))


def bundled_assumption_files() -> dict[str, Path]:
    """The assumption files shipped with lagesbild, by name (``default``...)."""
    folder = resources.files("lagesbild.estimate") / "assumptions"
    return {Path(str(f)).stem: Path(str(f)) for f in folder.iterdir() if str(f).endswith(".yaml")}


def default_assumptions() -> AssumptionSet:
    """The bundled ``default.yaml`` assumptions."""
    return load_assumptions(bundled_assumption_files()["default"])


def _domain_error(dist: Distribution, domain: Domain) -> str | None:
    lo, hi = dist.bounds()
    if domain == "share" and not (lo >= 0.0 and hi <= 1.0):
        return f"is a share and must lie in 0..1; this distribution reaches {lo:g}..{hi:g}"
    if domain == "positive" and not lo > 0.0 and not (isinstance(dist, LogNormal)):
        return f"must be positive; this distribution reaches {lo:g} (use lognormal, or truncate a normal with low)"
    if domain == "nonnegative" and not lo >= 0.0:
        return f"must not be negative; this distribution reaches {lo:g}"
    return None


def check_requirements(assumptions: AssumptionSet, requirements: Sequence[Requirement]) -> None:
    """Check that ``assumptions`` has every parameter a model needs, with allowed values.

    Raises:
        InputErrors: one error per missing or out-of-range parameter, all at once.
    """
    errors: list[InputError] = []
    for req in requirements:
        where = f"parameters.{req.name}"
        if req.name not in assumptions:
            errors.append(
                InputError(
                    f"is required by the model ({req.description or req.domain}); add it to the file",
                    path=assumptions.path,
                    field=where,
                )
            )
            continue
        msg = _domain_error(assumptions[req.name].distribution, req.domain)
        if msg:
            errors.append(InputError(msg, path=assumptions.path, field=f"{where}.distribution"))
    if errors:
        raise InputErrors(errors, path=assumptions.path)
