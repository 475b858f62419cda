"""The simulated area and calendar: municipalities with their weights, sites' city pages, campaigns.

:class:`World` is compiled once from a :class:`~lagesbild.simulate.config.WorldConfig` and
holds everything the supply side needs that does not depend on randomness: which
municipalities are in the market, how attractive each is as a home or a touring
destination, which city page of each site an ad in a municipality is listed on, and
which (county, day) cells fall inside a campaign.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from lagesbild.refdata import counties, municipalities
from lagesbild.simulate.config import SiteConfig, WorldConfig

__all__ = ["World", "slugify"]


def slugify(text: str) -> str:
    """A URL slug: ``"Östergötlands län"`` -> ``"ostergotlands-lan"``."""
    s = unicodedata.normalize("NFKD", text.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return "-".join("".join(c if c.isalnum() else " " for c in s).split())


@dataclass(frozen=True)
class World:
    """The compiled, deterministic frame of a simulation.

    Attributes:
        cfg: the configuration.
        codes: municipality codes of the area, in code order.
        county_of: county code per municipality (aligned with ``codes``).
        population: population per municipality.
        home_weight: probability of each municipality as a seller's home.
        tour_weight: probability of each municipality as a touring destination.
        campaign_factor: array ``[county_index, day]`` of the multipliers of spell starts and working days
            (``1 + effect * sellers.campaign_supply_elasticity``; 1 outside campaigns).
        repost_factor: the same for reposts (``1 + effect * sellers.campaign_repost_elasticity``).
        county_codes: counties of the area, in code order (index of ``campaign_factor``).
    """

    cfg: WorldConfig
    codes: list[str]
    county_of: list[str]
    population: npt.NDArray[np.float64]
    home_weight: npt.NDArray[np.float64]
    tour_weight: npt.NDArray[np.float64]
    county_codes: list[str]
    campaign_factor: npt.NDArray[np.float64]
    repost_factor: npt.NDArray[np.float64]

    @classmethod
    def build(cls, cfg: WorldConfig) -> World:
        """Compile the frame for ``cfg``."""
        wanted = set(cfg.world.counties) or set(counties())
        ms = [m for m in municipalities().values() if m.county_code in wanted]
        pop = np.array([m.population_total for m in ms], dtype=np.float64)
        home = pop**cfg.sellers.home_concentration
        tour = pop**cfg.sellers.tour_concentration
        county_codes = sorted({m.county_code for m in ms})
        factor = np.ones((len(county_codes), cfg.world.days), dtype=np.float64)
        repost = np.ones((len(county_codes), cfg.world.days), dtype=np.float64)
        for c in cfg.campaigns:
            d0 = (c.start - cfg.world.start).days
            d1 = min(cfg.world.days, d0 + 7 * c.weeks)
            for cc in c.counties:
                if cc in county_codes and d1 > max(d0, 0):
                    i = county_codes.index(cc)
                    factor[i, max(d0, 0) : d1] *= max(0.0, 1 + c.effect * cfg.sellers.campaign_supply_elasticity)
                    repost[i, max(d0, 0) : d1] *= max(0.0, 1 + c.effect * cfg.sellers.campaign_repost_elasticity)
        return cls(
            cfg=cfg,
            codes=[m.code for m in ms],
            county_of=[m.county_code for m in ms],
            population=pop,
            home_weight=home / home.sum(),
            tour_weight=tour / tour.sum(),
            county_codes=county_codes,
            campaign_factor=factor,
            repost_factor=repost,
        )

    @property
    def days(self) -> int:
        """Number of simulated days."""
        return self.cfg.world.days

    def date_of(self, day: int) -> date:
        """The calendar date of simulated day ``day``."""
        return self.cfg.world.start + timedelta(days=day)

    def iso_dates(self, first: int, last: int) -> list[str]:
        """ISO dates for days ``first..last`` (inclusive; may be negative for burn-in days)."""
        return [(self.cfg.world.start + timedelta(days=d)).isoformat() for d in range(first, last + 1)]

    def city_page(self, site: SiteConfig, kommun: str) -> tuple[str, str]:
        """The (slug, display name) of the site's listing page an ad in ``kommun`` appears on."""
        m = municipalities()[kommun]
        if site.city_pages == "municipality" or (
            site.city_pages == "large" and m.population_total >= self.cfg.sites.large_city_population
        ):
            return slugify(m.name), m.name
        name = counties()[m.county_code].name
        if site.city_pages == "large":
            return "ovriga-" + slugify(name), f"Övriga {name}"
        return slugify(name), name

    def city_pages(self, site: SiteConfig) -> dict[str, str]:
        """All listing pages of a site for this area, ``{slug: display name}``, sorted by slug."""
        pages = dict(self.city_page(site, c) for c in self.codes)
        return dict(sorted(pages.items()))
