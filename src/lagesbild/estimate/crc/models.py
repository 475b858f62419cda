"""What each capture-recapture model assumes, as data the UI can show to analysts."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["CLOSED_POPULATION", "MODELS", "ModelDescription", "describe"]


@dataclass(frozen=True)
class ModelDescription:
    """A capture-recapture model in words.

    Attributes:
        name: the model's name (as in Rcapture where it exists).
        family: ``"log-linear"``, ``"two-source"``, ``"single-source"``, ``"sample-coverage"`` or
            ``"multiple-systems"``.
        summary: one sentence on what the model does.
        assumptions: what must hold for the estimate to be trusted, one plain sentence each.
        use_when: when an analyst should prefer it.
        references: the published sources of the formulas.
    """

    name: str
    family: str
    summary: str
    assumptions: tuple[str, ...]
    use_when: str
    references: tuple[str, ...]


CLOSED_POPULATION = (
    "The population is closed: nobody enters or leaves between the first and the last occasion.",
    "Every unit is recorded correctly: identities are matched without error across occasions/sources.",
)
_RIVEST = "Rivest & Baillargeon (2007), Biometrics 63; Baillargeon & Rivest (2007), J. Stat. Software 19(5) (Rcapture)"
_COR = "Cormack (1989), Biometrics 45; Cormack (1992) for the profile-likelihood interval"
_HET = (
    "Units differ in how easy they are to catch; the spread of these catchabilities follows the model's "
    "heterogeneity curve, and a unit's catchability is the same on every occasion."
)


def _d(name: str, family: str, summary: str, extra: tuple[str, ...], use_when: str, refs: tuple[str, ...]) -> None:
    _MODELS[name] = ModelDescription(name, family, summary, CLOSED_POPULATION + extra, use_when, refs)


_MODELS: dict[str, ModelDescription] = {}
_d(
    "M0",
    "log-linear",
    "Every unit has the same capture probability on every occasion.",
    (
        "All units are equally catchable.",
        "Capture probability is the same on every occasion.",
        "Being captured once does not change the chance of being captured again.",
        "Occasions are independent of each other.",
    ),
    "As a baseline; rarely realistic for people.",
    (_COR, _RIVEST),
)
_d(
    "Mt",
    "log-linear",
    "Capture probability may differ between occasions (sources), but not between units.",
    (
        "All units are equally catchable on a given occasion.",
        "Occasions (sources) are independent of each other.",
        "Being captured once does not change the chance of being captured again.",
    ),
    "When sources have clearly different sizes (e.g. police, social services, health care) and there is no "
    "reason to think that some people are systematically easier to find in every source.",
    (_COR, _RIVEST),
)
for _h, _text in (
    ("Chao (LB)", "a lower bound (Chao 1987): only units seen once and twice inform the unseen"),
    ("Poisson2", "a Poisson-type catchability distribution (h(k) = 2^k - 1)"),
    ("Darroch", "a normal-like catchability distribution (Darroch et al. 1993; h(k) = k^2/2)"),
    ("Gamma3.5", "a gamma-type catchability distribution (h(k) = -log(1 + k/3.5)), the most heavy-tailed"),
):
    _d(
        f"Mh {_h}",
        "log-linear",
        f"Units differ in catchability; heterogeneity follows {_text}.",
        (
            _HET,
            "Occasions are exchangeable: the average capture probability is the same on every occasion.",
            "Being captured once does not change the chance of being captured again.",
        ),
        "When some people are systematically more visible than others (e.g. street-based vs. online) and "
        "occasions are comparable repetitions.",
        (_RIVEST, "Chao (1987), Biometrics 43" if _h.startswith("Chao") else _RIVEST),
    )
    _d(
        f"Mth {_h}",
        "log-linear",
        f"Capture probability differs between occasions and between units; heterogeneity follows {_text}.",
        (
            _HET,
            "Occasion effects and unit effects combine multiplicatively on the odds scale (no interaction).",
            "Being captured once does not change the chance of being captured again.",
        ),
        "The usual choice for several different sources when visibility differs between people.",
        (_RIVEST,),
    )
_d(
    "Mb",
    "log-linear",
    "The first capture changes the chance of later captures (trap-happy or trap-shy behaviour).",
    (
        "All units are equally catchable before their first capture.",
        "After the first capture, all units share one (different) recapture probability.",
        "Probabilities do not change between occasions.",
        "Occasions are ordered in time.",
    ),
    "When being recorded once makes a person more (or less) likely to be recorded again, e.g. a person "
    "known to the police is looked for again. Occasions must be in time order.",
    (_RIVEST, "Otis et al. (1978), Wildlife Monographs 62"),
)
_d(
    "Mbh",
    "log-linear",
    "Generalized removal model: only first captures estimate N; the first occasion has its own "
    "first-capture probability, later occasions share one, which absorbs heterogeneity.",
    (
        "Probabilities of a first capture are equal from the second occasion on.",
        "After the first capture, all units share one recapture probability.",
        "Occasions are ordered in time.",
    ),
    "When a behavioural response is suspected together with heterogeneity (easily caught units are "
    "removed early). Its standard error is reported with the exact delta method by default.",
    (_RIVEST, "Pollock & Otto (1983), Biometrics 39"),
)
_d(
    "Lincoln-Petersen",
    "two-source",
    "N = n1 n2 / m: the share of source 2 also found in source 1 estimates source 1's coverage.",
    (
        "The two sources are independent: being in one does not change the chance of being in the other.",
        "Within each source, every unit has the same chance of being included (or the two sources' "
        "inclusion chances are unrelated).",
    ),
    "Only two sources are available. Biased upwards for small overlaps m; prefer Chapman.",
    ("Seber (1982), The Estimation of Animal Abundance, 2nd ed.",),
)
_d(
    "Chapman",
    "two-source",
    "Nearly unbiased version of Lincoln-Petersen: (n1+1)(n2+1)/(m+1) - 1, with Seber's variance and "
    "Chao's log-transformed interval.",
    (
        "The two sources are independent: being in one does not change the chance of being in the other.",
        "Within each source, every unit has the same chance of being included (or the two sources' "
        "inclusion chances are unrelated).",
    ),
    "Only two sources are available; the default two-source estimate.",
    ("Chapman (1951), Univ. California Publ. Statist. 1", "Seber (1982)", "Chao (1987), Biometrics 43"),
)
_d(
    "Chao lower bound",
    "single-source",
    "N >= n + f1^2 / (2 f2): a lower bound from the units seen once (f1) and twice (f2).",
    (
        "Sightings of a unit follow a mixture of Poisson (or binomial) distributions; the bound holds "
        "for any catchability distribution.",
    ),
    "When only counts of how often each person was seen are available. It is a minimum, not a point estimate.",
    ("Chao (1987), Biometrics 43; Chao (1989), Biometrics 45",),
)
_d(
    "Zelterman",
    "single-source",
    "N = n / (1 - exp(-2 f2 / f1)): a Poisson rate estimated from units seen once and twice only.",
    ("Sightings of a unit follow a Poisson distribution, at least locally for units seen once or twice.",),
    "Single-source counts with some heterogeneity; robust to what happens among frequently seen units.",
    ("Zelterman (1988), J. Stat. Planning and Inference 18; Böhning (2008), Statistical Methodology 5",),
)
_CHAO_TSAY = "Chao & Tsay (1998), JASA 93, 283-293; Chao et al. (2001), Statistics in Medicine 20, 3123-3157 (CARE1)"
_SC_DEP = (
    "Lists may depend on each other (the same people tend to be on two lists); the dependence is "
    "described by pairwise covariation and the three-way term is negligible.",
)
_d(
    "Sample coverage Indep",
    "sample-coverage",
    "N0 = D / C: the share of each list's units also found on the other lists (the sample coverage C) "
    "estimates how complete the lists are together.",
    ("The three lists are independent.",),
    "As a baseline for three lists; compare with HSC and LSC to see how much dependence matters.",
    (_CHAO_TSAY,),
)
_d(
    "Sample coverage HSC",
    "sample-coverage",
    "Corrects N0 for dependence between each pair of lists, solving for the pairwise covariation "
    "exactly (high sample coverage).",
    _SC_DEP,
    "Three lists that overlap well (high sample coverage) and may depend on each other; unstable when "
    "the lists overlap little: then its standard error is large and LSC is preferred.",
    (_CHAO_TSAY,),
)
_d(
    "Sample coverage LSC",
    "sample-coverage",
    "Corrects N0 for pairwise dependence by a one-step substitution, which is stable when the lists "
    "overlap little (low sample coverage).",
    _SC_DEP,
    "Three dependent lists with little overlap, or whenever HSC's standard error is large.",
    (_CHAO_TSAY,),
)
_CSV = (
    "Chan, Silverman & Vincent (2021), JASA 116, 1297-1306 (SparseMSE); "
    "Fienberg & Rinaldo (2012), Annals of Statistics 40, 996-1023 (existence of the estimate)"
)
_d(
    "MSE main",
    "multiple-systems",
    "Poisson log-linear model with one effect per list (independent lists); the unseen cell is predicted.",
    (
        "The lists are independent: being on one list does not change the chance of being on another.",
        "Everyone has the same chance of being on a given list.",
    ),
    "As a baseline with three or more lists; rarely realistic when lists share referral routes.",
    (_CSV,),
)
_d(
    "MSE stepwise",
    "multiple-systems",
    "Poisson log-linear model with the two-list dependencies the data show clearly, added one at a time "
    "by Poisson p-value (< 0.02), only when the estimate exists and is identifiable.",
    (
        "Dependence between lists is pairwise: no three lists depend on each other beyond their pairs.",
        "Dependencies too weak to be detected are absent.",
        "The interval does not include the uncertainty of choosing the model.",
    ),
    "Three or more lists, some of which may share people (referrals, shared sources) or barely "
    "overlap (sparse tables): the usual choice for several lists of victims or sellers.",
    (_CSV,),
)
MODELS = MappingProxyType(_MODELS)
"""All model descriptions by name."""


def describe(model: str) -> ModelDescription:
    """The description of a model by name; custom log-linear models get their base model's text."""
    if model in MODELS:
        return MODELS[model]
    for name in sorted(MODELS, key=len, reverse=True):
        if model.startswith(name):
            return MODELS[name]
    raise KeyError(model)
