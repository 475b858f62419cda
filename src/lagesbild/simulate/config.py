"""The simulator's configuration: one YAML file, validated into frozen pydantic models.

Every field has a default and a description saying what it means and where the default
comes from (a source, or "assumption" when no source gives it). Presets in
``simulate/presets/`` override the defaults; :func:`load_config` reads a preset name or a
file and reports every validation error at once, naming the file and the field path.

Example::

    >>> cfg = load_config("tiny")
    >>> cfg.world.days
    60
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from lagesbild.errors import InputError, InputErrors
from lagesbild.refdata import counties

try:
    from lagesbild.simulate.demand import BuyersConfig, VerdictsConfig
except ModuleNotFoundError as _exc:  # the demand part is built in parallel; accept its sections as-is meanwhile
    if _exc.name != "lagesbild.simulate.demand":
        raise

    class BuyersConfig(BaseModel):  # type: ignore[no-redef]
        """Placeholder until ``simulate/demand.py`` defines the buyers section."""

        model_config = ConfigDict(extra="allow", frozen=True)

    class VerdictsConfig(BaseModel):  # type: ignore[no-redef]
        """Placeholder until ``simulate/demand.py`` defines the verdicts section."""

        model_config = ConfigDict(extra="allow", frozen=True)


__all__ = [
    "PRESETS",
    "CampaignConfig",
    "IdentifiersConfig",
    "OrganizersConfig",
    "SellersConfig",
    "SiteConfig",
    "SitesConfig",
    "TextConfig",
    "WorldConfig",
    "WorldSection",
    "load_config",
]

PRESETS = ("tiny", "ostergotland", "national")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WorldSection(_Section):
    """Where and when the simulated market lives."""

    name: str = Field("world", description="A label for the run, copied into the summary.")
    start: date = Field(
        date(2023, 1, 1),
        description="First simulated day. Must lie in the past: the importer refuses dates after tomorrow.",
    )
    days: int = Field(
        730, ge=7, le=3660, description="Number of simulated days (two years by default, as the issue asks)."
    )
    counties: list[str] = Field(
        default_factory=list,
        description="Two-digit county codes the market covers; empty means all of Sweden.",
    )
    burn_in_days: int = Field(
        120,
        ge=0,
        le=1000,
        description="Days simulated before `start` and thrown away, so that day 0 already has a running market "
        "(assumption: longer than almost every spell).",
    )

    @field_validator("counties")
    @classmethod
    def _known_counties(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if c not in counties()]
        if bad:
            raise ValueError(f"unknown county code(s) {bad}; allowed: {sorted(counties())}")
        return sorted(set(v))


class SellersConfig(_Section):
    """People who sell sex through ads, their spells of activity and their movements."""

    active_per_100k: float = Field(
        12.0,
        gt=0,
        description="Mean number of people in an activity spell at any time per 100,000 inhabitants of the area. "
        "Assumption, chosen so that the national market shows several thousand live ads (issue 3).",
    )
    home_concentration: float = Field(
        1.4,
        ge=0,
        description="Home municipality weight is population ** this. 1 is proportional to population; the default "
        "is calibrated so that Linköping and Norrköping hold just over 80% of the activity in Östergötland, "
        "as the county's report found for purchases (seeds/004).",
    )
    spell_median_days: float = Field(
        14.0, gt=0, description="Median length of an activity spell in days (issue 3: 'median around two weeks')."
    )
    spell_sigma: float = Field(
        1.1,
        gt=0,
        le=3,
        description="Log-scale spread of the lognormal spell length: many short spells and a long tail (assumption; "
        "1.1 gives a 90th percentile of about two months).",
    )
    spell_max_days: int = Field(365, ge=1, description="Longest possible spell (assumption).")
    extra_spells_mean: float = Field(
        0.8,
        ge=0,
        description="Mean number of further spells per person after the first (Poisson; assumption: people "
        "return to the market after breaks).",
    )
    gap_median_days: float = Field(
        60.0, gt=0, description="Median break between two spells of a person (lognormal, sigma 1; assumption)."
    )
    new_persona_share: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Probability that a returning person appears as a new seller (new name, phone and images): "
        "the person-vs-seller linkage problem (assumption).",
    )
    active_day_prob: float = Field(
        0.75, gt=0, le=1, description="Probability that a day inside a spell is a working day (assumption)."
    )
    age_mean: float = Field(28.0, ge=18, le=60, description="Mean true age (truncated normal, assumption).")
    age_sd: float = Field(7.0, gt=0, description="Standard deviation of the true age (assumption).")
    age_min: int = Field(18, ge=18, description="Youngest true age. The simulator models adults only.")
    age_max: int = Field(60, le=80, description="Oldest true age (issue 3: 18-60).")
    claim_under_20_share: float = Field(
        0.04,
        ge=0,
        le=1,
        description="Share of sellers aged 20 or more who claim to be 18 or 19 in their ads (assumption; "
        "ads advertise youth). Stated age is otherwise the true age minus 0..`age_understatement_max` years.",
    )
    age_understatement_max: int = Field(4, ge=0, description="Largest understatement of age in ads (assumption).")
    native_languages: dict[str, float] = Field(
        default_factory=lambda: {
            "sv": 0.30,
            "ro": 0.14,
            "en": 0.08,
            "es": 0.08,
            "th": 0.08,
            "ru": 0.07,
            "pl": 0.07,
            "pt": 0.06,
            "hu": 0.06,
            "bg": 0.06,
        },
        description="Shares of sellers' first languages (ISO 639-1). Assumption reflecting that most people in "
        "Swedish ads are not Swedish citizens (Länsstyrelsen Stockholm's mapping reports).",
    )
    tour_prob: float = Field(
        0.25,
        ge=0,
        le=1,
        description="Probability that an independent seller's spell includes a touring trip to another city "
        "(assumption).",
    )
    tour_days_min: int = Field(2, ge=1, description="Shortest touring trip in days ('Bara 3 dagar i Linköping').")
    tour_days_max: int = Field(5, ge=1, description="Longest touring trip in days.")
    tour_concentration: float = Field(
        2.0,
        ge=0,
        description="Touring destination weight is population ** this: trips go to large cities (assumption).",
    )
    campaign_supply_elasticity: float = Field(
        0.5,
        ge=0,
        le=2,
        description="How strongly a campaign's effect on demand carries over to ad activity: new spells and active "
        "days in campaign counties are scaled by 1 + effect * elasticity (assumption: fewer buyer contacts make "
        "fewer people start and fewer days worth working; 0.5 turns a -15% demand effect into 7.5% fewer spell "
        "starts and working days).",
    )
    campaign_offline_share: float = Field(
        1.0,
        ge=0,
        le=1,
        description="Share of the working days a campaign removes on which the seller also takes her ads offline "
        "(not listed on any site that day), so that the campaign shows in ad-days (assumption: a seller who expects "
        "no buyers that day does not keep paying to be listed; 0 = the ads stay up, as before issue 16).",
    )
    campaign_repost_elasticity: float = Field(
        1.0,
        ge=0,
        le=2,
        description="Reposts and bumps of genuine ads on campaign days in campaign counties are scaled by "
        "1 + effect * elasticity: a scheduled repost is skipped with probability -effect * elasticity (assumption: "
        "fewer contacts, less reason to pay for visibility). On sites that give a repost a new id this means fewer "
        "new ads.",
    )

    @model_validator(mode="after")
    def _ranges(self) -> SellersConfig:
        if self.age_min > self.age_max:
            raise ValueError("age_min must not exceed age_max")
        if self.tour_days_min > self.tour_days_max:
            raise ValueError("tour_days_min must not exceed tour_days_max")
        if abs(sum(self.native_languages.values()) - 1) > 1e-6:
            raise ValueError("native_languages shares must sum to 1")
        return self


class OrganizersConfig(_Section):
    """Networks that control several sellers, write their ads and move them on circuits."""

    network_share: float = Field(
        0.25, ge=0, le=1, description="Share of persons who are controlled by a network (assumption)."
    )
    sellers_min: int = Field(2, ge=2, description="Fewest sellers a network controls (issue 3: 2-10).")
    sellers_max: int = Field(10, ge=2, description="Most sellers a network controls (issue 3: 2-10).")
    circuit_min: int = Field(2, ge=1, description="Fewest cities on a network's circuit (assumption).")
    circuit_max: int = Field(5, ge=1, description="Most cities on a network's circuit (assumption).")
    leg_days_min: int = Field(3, ge=1, description="Shortest stay in one circuit city (assumption).")
    leg_days_max: int = Field(8, ge=1, description="Longest stay in one circuit city (assumption).")
    phones_min: int = Field(1, ge=1, description="Fewest phone numbers a network shares among its sellers.")
    phones_max: int = Field(3, ge=1, description="Most phone numbers a network shares among its sellers.")
    stay_prob: float = Field(
        0.2, ge=0, le=1, description="Probability that a network seller stays in the network's home city all spell."
    )

    @model_validator(mode="after")
    def _ranges(self) -> OrganizersConfig:
        for lo, hi in (
            ("sellers_min", "sellers_max"),
            ("circuit_min", "circuit_max"),
            ("leg_days_min", "leg_days_max"),
            ("phones_min", "phones_max"),
        ):
            if getattr(self, lo) > getattr(self, hi):
                raise ValueError(f"{lo} must not exceed {hi}")
        return self


class IdentifiersConfig(_Section):
    """Phones, e-mail addresses and images of advertisers."""

    phone_changes_per_year: float = Field(
        2.0, ge=0, description="Rate at which an advertiser replaces a phone number (Poisson, per year; assumption)."
    )
    second_phone_share: float = Field(
        0.15, ge=0, le=1, description="Share of independent advertisers who show two numbers at once (assumption)."
    )
    email_share: float = Field(
        0.2, ge=0, le=1, description="Share of advertisers who give an e-mail address (assumption)."
    )
    shared_numbers: int = Field(
        3,
        ge=0,
        description="Numbers (e.g. a stolen or recycled number, a booking line) that appear in ads of unrelated "
        "advertisers; linkage must not merge those advertisers (assumption).",
    )
    shared_number_ad_share: float = Field(
        0.01, ge=0, le=1, description="Share of ads that show one of the shared numbers besides their own (assumption)."
    )
    images_min: int = Field(2, ge=1, description="Fewest photos a seller has.")
    images_max: int = Field(6, ge=1, description="Most photos a seller has.")
    images_per_ad_max: int = Field(4, ge=1, description="Most photos shown in one ad.")
    near_duplicate_prob: float = Field(
        0.3,
        ge=0,
        le=1,
        description="Probability that a photo in an ad version is a re-encoded copy whose hash differs in a few bits.",
    )
    near_duplicate_bits_max: int = Field(4, ge=1, le=16, description="Most bits flipped in a near-duplicate hash.")

    @model_validator(mode="after")
    def _ranges(self) -> IdentifiersConfig:
        if self.images_min > self.images_max:
            raise ValueError("images_min must not exceed images_max")
        return self


class SiteConfig(_Section):
    """One ad site."""

    name: str = Field(
        description="Short name of the site (letters, digits, '.', '_', '-').", pattern=r"^[a-z0-9._-]{1,64}$"
    )
    layout: Literal["classic", "cards", "table"] = Field(description="Page layout the server renders.")
    popularity: float = Field(1.0, gt=0, description="Relative weight when a seller chooses sites.")
    city_pages: Literal["municipality", "large", "county"] = Field(
        "large",
        description="Granularity of the site's city listing pages: every municipality, large municipalities "
        "(>= `large_city_population`) with one page per county for the rest, or one page per county.",
    )
    page_size: int = Field(25, ge=1, le=500, description="Ads per listing page.")
    repost_days: float = Field(
        5.0, gt=0, description="Mean days between reposts or bumps of a live ad (geometric; assumption)."
    )
    assigns_new_id_on_repost: bool = Field(
        False, description="True: a repost gets a new ad id (the old page disappears). False: a bump keeps the id."
    )
    stale_prob: float = Field(
        0.2, ge=0, le=1, description="Probability that an ad stays up after its seller stopped (assumption)."
    )
    stale_days_mean: float = Field(10.0, gt=0, description="Mean days a stale ad stays up (geometric; assumption).")


def _default_sites() -> list[SiteConfig]:
    return [
        SiteConfig(
            name="annonsportalen",
            layout="classic",
            popularity=1.0,
            city_pages="large",
            repost_days=4.0,
            assigns_new_id_on_repost=False,
            page_size=25,
        ),
        SiteConfig(
            name="nattkontakt",
            layout="cards",
            popularity=0.7,
            city_pages="county",
            repost_days=6.0,
            assigns_new_id_on_repost=True,
            page_size=24,
            stale_prob=0.1,
        ),
        SiteConfig(
            name="kontaktlistan",
            layout="table",
            popularity=0.5,
            city_pages="municipality",
            repost_days=7.0,
            assigns_new_id_on_repost=False,
            page_size=50,
            stale_prob=0.35,
            stale_days_mean=20.0,
        ),
    ]


class SitesConfig(_Section):
    """The ad sites, how sellers spread over them, and scam ads."""

    sites: list[SiteConfig] = Field(default_factory=_default_sites, description="At least three sites.")
    n_sites_probs: list[float] = Field(
        default_factory=lambda: [0.5, 0.3, 0.2],
        description="Probability that a seller posts on 1, 2, 3, ... sites: the overlap capture-recapture needs "
        "(assumption).",
    )
    large_city_population: int = Field(
        60_000, ge=0, description="Municipalities at least this populous get their own page on `large` sites."
    )
    scam_advertisers_per_million_year: float = Field(
        15.0,
        ge=0,
        description="Scam advertisers (ads with no seller behind them) per million inhabitants and year (assumption).",
    )
    scam_cities_max: int = Field(4, ge=1, description="Most cities a scam advertiser posts in at once.")
    scam_days_median: float = Field(5.0, gt=0, description="Median days a scam ad stays up (lognormal, sigma 0.6).")
    text_change_prob: float = Field(
        0.3, ge=0, le=1, description="Probability that a repost also rewrites the text (otherwise the same text)."
    )

    @model_validator(mode="after")
    def _checks(self) -> SitesConfig:
        if len(self.sites) < 1:
            raise ValueError("at least one site is required")
        names = [s.name for s in self.sites]
        if len(set(names)) != len(names):
            raise ValueError(f"site names must be unique: {names}")
        if len(self.n_sites_probs) > len(self.sites):
            raise ValueError("n_sites_probs has more entries than there are sites")
        if abs(sum(self.n_sites_probs) - 1) > 1e-6:
            raise ValueError("n_sites_probs must sum to 1")
        return self


class TextConfig(_Section):
    """How ads are written."""

    foreign_writes_swedish: float = Field(
        0.35, ge=0, le=1, description="Probability that a seller whose first language is not Swedish writes in Swedish."
    )
    foreign_writes_native: float = Field(
        0.10, ge=0, le=1, description="... writes in their own language (the rest write English)."
    )
    misspelling_rate: float = Field(0.04, ge=0, le=1, description="Per-word probability of a typo (assumption).")
    slang_location_share: float = Field(
        0.5,
        ge=0,
        le=1,
        description="Share of ads that write the city as slang, a district or a landmark ('Sthlm', 'Södermalm').",
    )
    phone_in_body_share: float = Field(
        0.6, ge=0, le=1, description="Share of ad versions that write the phone in the text."
    )
    phone_field_share: float = Field(
        0.85, ge=0, le=1, description="Share of ad versions whose site contact field shows the phone."
    )
    obfuscated_phone_share: float = Field(
        0.15, ge=0, le=1, description="Share of phones written in the text that are obfuscated ('O7O 1740612', words)."
    )
    price_min: int = Field(
        1000, ge=0, description="Lowest price for 30 minutes in kronor (assumption from ad reading)."
    )
    price_max: int = Field(2500, ge=0, description="Highest price for 30 minutes in kronor.")


class CampaignConfig(_Section):
    """A campaign with a known effect (issue 3: e.g. -15% during five weeks from 15 April)."""

    name: str = Field(description="Name of the campaign.")
    counties: list[str] = Field(description="Two-digit county codes where it runs.")
    start: date = Field(description="First day.")
    weeks: int = Field(5, ge=1, description="Duration in weeks.")
    effect: float = Field(-0.15, ge=-1, le=1, description="Relative change of demand, e.g. -0.15 = 15% lower.")

    @field_validator("counties")
    @classmethod
    def _known(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if c not in counties()]
        if bad:
            raise ValueError(f"unknown county code(s) {bad}")
        return v


class WorldConfig(_Section):
    """The whole simulator configuration (see ``docs/simulator.md``)."""

    world: WorldSection = Field(default_factory=WorldSection)
    sellers: SellersConfig = Field(default_factory=SellersConfig)
    organizers: OrganizersConfig = Field(default_factory=OrganizersConfig)
    identifiers: IdentifiersConfig = Field(default_factory=IdentifiersConfig)
    sites: SitesConfig = Field(default_factory=SitesConfig)
    text: TextConfig = Field(default_factory=TextConfig)
    campaigns: list[CampaignConfig] = Field(default_factory=list)
    buyers: BuyersConfig = Field(default_factory=BuyersConfig)
    verdicts: VerdictsConfig = Field(default_factory=VerdictsConfig)

    def to_yaml(self) -> str:
        """The resolved configuration (every default filled in) as YAML."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def _read_yaml(path_or_preset: str | Path) -> tuple[dict[str, Any], str]:
    p = Path(path_or_preset)
    if isinstance(path_or_preset, str) and path_or_preset in PRESETS and not p.exists():
        ref = resources.files("lagesbild.simulate") / "presets" / f"{path_or_preset}.yaml"
        text, where = ref.read_text(encoding="utf-8"), f"preset {path_or_preset}"
    else:
        try:
            text, where = p.read_text(encoding="utf-8"), str(p)
        except OSError as exc:
            raise InputError(
                f"cannot read config file: {exc.strerror}; or name a preset: {', '.join(PRESETS)}", path=str(p)
            ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {exc}", path=where) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError("the config must be a mapping of sections", path=where)
    return data, where


def load_config(path_or_preset: str | Path | None = None) -> WorldConfig:
    """Read and validate a configuration file or a preset.

    Args:
        path_or_preset: a YAML file, or one of :data:`PRESETS`; ``None`` gives all defaults.

    Returns:
        The frozen, validated configuration.

    Raises:
        InputError: the file cannot be read or is not YAML.
        InputErrors: every validation error at once, each naming the file and field path.
    """
    if path_or_preset is None:
        return WorldConfig()
    data, where = _read_yaml(path_or_preset)
    try:
        return WorldConfig.model_validate(data)
    except ValidationError as exc:
        errors = [
            InputError(e["msg"], path=where, field=".".join(str(x) for x in e["loc"]) or None) for e in exc.errors()
        ]
        raise InputErrors(errors, path=where) from None
