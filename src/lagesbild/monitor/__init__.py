"""The monitor: declarative site profiles and a polite, resumable crawler.

Data flow (see :mod:`lagesbild.monitor.crawl` for the numbered steps)::

    profile.yaml --load_profile--> Profile --compile_profile--> extractors
    Fetcher (robots.txt, rate, retries) --> pages --> records --> RecordConverter --> Observation --> Store
                                                  \\-> health per run (degraded?) --> source status / webhook

Example::

    from lagesbild.monitor import crawl, load_profile
    result = crawl(load_profile("profiles/annonsportalen.yaml"), store, pseudonymizer)
"""

from __future__ import annotations

from pathlib import Path

from lagesbild.monitor.compile import AdRead, CompiledProfile, ListingRead, compile_profile
from lagesbild.monitor.crawl import CrawlProgress, CrawlResult, crawl
from lagesbild.monitor.fetch import (
    AddressRefused,
    DeadlineExceeded,
    DisallowedByRobots,
    Fetcher,
    FetchTerminal,
    FetchTransient,
    HostPolicy,
    Page,
    PageGone,
    PageTooLarge,
)
from lagesbild.monitor.health import RunHealth, compute_health
from lagesbild.monitor.pages import ImportPagesResult, import_pages, reprocess
from lagesbild.monitor.schedule import monitor_loop, run_due
from lagesbild.monitor.spec import Profile, load_profile, parse_profile, render_profile_reference
from lagesbild.monitor.status import SourceStatus, source_status, test_page

__all__ = [
    "PROFILES_DIR",
    "AdRead",
    "AddressRefused",
    "CompiledProfile",
    "CrawlProgress",
    "CrawlResult",
    "DeadlineExceeded",
    "DisallowedByRobots",
    "FetchTerminal",
    "FetchTransient",
    "Fetcher",
    "HostPolicy",
    "ImportPagesResult",
    "ListingRead",
    "Page",
    "PageGone",
    "PageTooLarge",
    "Profile",
    "RunHealth",
    "SourceStatus",
    "compile_profile",
    "compute_health",
    "crawl",
    "import_pages",
    "load_profile",
    "monitor_loop",
    "parse_profile",
    "render_profile_reference",
    "reprocess",
    "run_due",
    "shipped_profiles",
    "source_status",
    "test_page",
    "with_base_url",
]

PROFILES_DIR = Path(__file__).parent / "profiles"
"""The shipped profiles (the simulator's three sites, served on ``127.0.0.1:8700`` by default)."""


def shipped_profiles() -> dict[str, Profile]:
    """The shipped profiles by source name."""
    return {p.source: p for p in (load_profile(f) for f in sorted(PROFILES_DIR.glob("*.yaml")))}


def with_base_url(profile: Profile, base_url: str) -> Profile:
    """The profile pointed at another address (e.g. the simulator on another port)."""
    return profile.model_copy(update={"base_url": base_url if base_url.endswith("/") else base_url + "/"})
