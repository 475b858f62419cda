"""A crawl in a child process, for the SIGKILL test: `python _crawl_child.py DB_URL SERVER_URL SITE DAY_ISO`."""

from __future__ import annotations

import sys
from datetime import datetime

from lagesbild.monitor import crawl, shipped_profiles, with_base_url
from lagesbild.privacy import Pseudonymizer
from lagesbild.store import Store


def main() -> None:
    db, server, site, when = sys.argv[1:5]
    p = with_base_url(shipped_profiles()[site], f"{server}/{site}/")
    pol = p.politeness.model_copy(update={"rate_per_second": 80, "concurrency": 2, "obey_crawl_delay": False})
    p = p.model_copy(update={"politeness": pol})
    at = datetime.fromisoformat(when)
    with Store.open(db) as store:
        r = crawl(p, store, Pseudonymizer(bytes(range(32))), clock=lambda: at, batch_size=4)
    print(r.status, r.pages, r.new_observations)


if __name__ == "__main__":
    main()
