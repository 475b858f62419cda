"""Link: reposts into ads, ads into persons and advertisers, advertisers into networks.

Pure functions over typed inputs, run by one runner (:func:`run`) that reads the store and
writes the results back in bulk. The rules are explained in :mod:`lagesbild.link.cluster`
and ``docs/link.md``; scores against the simulator are in ``docs/benchmarks.md`` (linking).

Example::

    from lagesbild.link import link_observations
    ads, linked = link_observations(observations)
    print(linked.result.n_persons, "persons,", len(linked.result.network_ids), "networks")
"""

from lagesbild.link._types import LinkSettings
from lagesbild.link.cluster import Linked, link
from lagesbild.link.collect import collect, periods
from lagesbild.link.evaluate import Scores, SimulatorTruth, bcubed, pairwise, simulator_truth
from lagesbild.link.explain import Explanation, NetworkEvidence, explain, explain_network, parse_key
from lagesbild.link.overlap import Overlap, capture_histories, to_csv
from lagesbild.link.runner import LinkRun, link_observations, relink_stored, run
from lagesbild.link.summarize import summarize
from lagesbild.records.link import LinkResult, SiteAd, SiteAds, Summary

__all__ = [
    "Explanation",
    "LinkResult",
    "LinkRun",
    "LinkSettings",
    "Linked",
    "NetworkEvidence",
    "Overlap",
    "Scores",
    "SimulatorTruth",
    "SiteAd",
    "SiteAds",
    "Summary",
    "bcubed",
    "capture_histories",
    "collect",
    "explain",
    "explain_network",
    "link",
    "link_observations",
    "pairwise",
    "parse_key",
    "periods",
    "relink_stored",
    "run",
    "simulator_truth",
    "summarize",
    "to_csv",
]
