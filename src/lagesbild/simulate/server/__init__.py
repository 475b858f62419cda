"""Serve the simulator's ad sites over HTTP on loopback, in simulated time.

The simulator writes what each site shows into ``DIR/sites/`` (see ``docs/dev/simulator-contract.md``):
``sites.json`` (per site: name, layout, cities, page_size) and ``<site>.jsonl.gz`` (one line per ad
version, online from ``online_from`` to ``online_to`` inclusive, in simulated days). This module
turns that folder into real websites a crawler can be developed and benchmarked against.

Two layers, so that tests need no sockets (datasette's ``--get`` idea):

* :class:`SimApp` is the whole site logic as a plain function of a request: routing, simulated
  time, rendering (Jinja2 templates in ``templates/``, one set per layout), robots.txt, rate
  limiting, faults, the access log and the control API. ``app.get("/site/")`` renders a page.
* :class:`SimServer` puts a :class:`SimApp` behind a small asyncio HTTP/1.1 server (keep-alive,
  pipelining, ``Content-Length`` bodies) in a background thread, on ``127.0.0.1`` only.

The modules of this package, bottom up:

* :mod:`~lagesbild.simulate.server.sites`: the ``sites/`` folder (:class:`SiteSpec`,
  :class:`AdVersion`, :func:`load_sites`) and the simulated calendar (day numbers, ``X-Sim-Day``);
* :mod:`~lagesbild.simulate.server.faults`: injected faults (:class:`Faults`);
* :mod:`~lagesbild.simulate.server.responses`: :class:`Response` and its HTTP/1.1 bytes;
* :mod:`~lagesbild.simulate.server.pages`: page contexts (:class:`StartPage`, :class:`ListingPage`,
  :class:`AdPage`), the per-layout CSS class names and the Jinja2 environment;
* :mod:`~lagesbild.simulate.server.politeness`: robots.txt and the per-client rate limit;
* :mod:`~lagesbild.simulate.server.control`: the ``/_control/`` API;
* :mod:`~lagesbild.simulate.server.app`: :class:`SimApp` (routing, caching, the access log);
* :mod:`~lagesbild.simulate.server.listener`: :class:`SimServer`;
* :mod:`~lagesbild.simulate.server.samples`: :func:`write_sample_sites`.

The command line (``lagesbild simulate serve DIR``) lives in :mod:`lagesbild.cli.simulate`.

URL scheme (one port for all sites, the site is the first path segment)::

    /robots.txt                      rules for every site (the host-level file crawlers fetch)
    /                                an index of the sites
    /<site>/                         start page: links to the city listing pages
    /<site>/robots.txt               the same rules, for this site only
    /<site>/stad/<slug>/?page=N      city listing, newest first, page_size ads a page, "next" links
    /<site>/annons/<site_ad_id>      ad detail page (404 when the ad is not online that day)
    /<site>/img/<phash>.png          a 128x128 grey picture made from the image identity
    /<site>/admin/...                a login page, disallowed by robots.txt
    /_control/...                    the control API (not rate limited, not faulted, not logged)

Simulated time: the server's clock is a day number (``POST /_control/day``, ``POST /_control/advance``);
a request may instead name its day with the header ``X-Sim-Day: N``. Pages depend only on
(site, day, layout version, page), so they are rendered once and cached.

Example::

    with SimServer(out_dir, rate_limit=20) as server:
        httpx.post(f"{server.url}/_control/day", json={"day": 3})
        html = httpx.get(f"{server.url}/annonsportalen/stad/stockholm/").text
"""

from lagesbild.simulate.server.app import SimApp
from lagesbild.simulate.server.faults import Faults
from lagesbild.simulate.server.listener import SimServer
from lagesbild.simulate.server.pages import AdPage, CityLink, ListingPage, StartPage
from lagesbild.simulate.server.responses import Response
from lagesbild.simulate.server.samples import write_sample_sites
from lagesbild.simulate.server.sites import LAYOUTS, AdVersion, SiteSpec, load_sites

__all__ = [
    "LAYOUTS",
    "AdPage",
    "AdVersion",
    "CityLink",
    "Faults",
    "ListingPage",
    "Response",
    "SimApp",
    "SimServer",
    "SiteSpec",
    "StartPage",
    "load_sites",
    "write_sample_sites",
]
