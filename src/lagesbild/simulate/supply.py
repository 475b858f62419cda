"""The supply side: people, spells, networks, advertisers, ads and their versions on the sites.

The model, in the order it is drawn (every component from its own stream and every spell
from a stream of its own, so a run is reproducible from its seed and a campaign changes only
what it removes: common random numbers, ``docs/simulator.md``):

1. **Persons and spells.** Spells start at a constant rate chosen so that on average
   ``sellers.active_per_100k`` people per 100,000 inhabitants are in a spell. Each person
   has a first spell and a Poisson number of later ones after lognormal breaks. Spell
   lengths are lognormal (median ``spell_median_days``): many short spells, a long tail.
   Days inside a spell are working days with probability ``active_day_prob``. A burn-in
   before day 0 makes the market already running on the first day.
2. **Home** municipality: weight population ** ``home_concentration``.
3. **Networks** take a share of persons in groups of 2-10 (in order of arrival, so that
   members overlap in time); they live in a large city and move their sellers on a circuit
   of cities in legs of a few days. Independent sellers make an occasional touring trip.
4. **Sellers** (personas): a person's first spell opens a seller; a later spell keeps it or,
   with ``new_persona_share``, opens a new one (new name, phone and photos).
5. **Advertisers**: an independent seller advertises for herself; a network is one
   advertiser for all its sellers and shares a small pool of phone numbers between them.
   Numbers are replaced now and then; a few shared numbers turn up in unrelated ads.
6. **Ads**: one ad (``ad_uid``) per stay in one place; the seller posts it on her sites
   (1, 2 or all 3). Ads are reposted or bumped every few days (some sites give a repost a new
   id), may stay up for a while after the seller stopped (stale), and are rewritten now and
   then. **Scam ads** have no seller: short bursts in several large cities with stolen photos.
7. **Campaigns** lower new spells and working days in their counties and weeks by
   ``1 + effect * campaign_supply_elasticity``, take the ads offline on the working days they
   remove (``campaign_offline_share``) and skip reposts (``campaign_repost_elasticity``).
   They only mask what was drawn: a thinned spell is drawn in full and left out, and the
   site ids of removed ads and reposts stay reserved, so nothing else shifts.

The result is a :class:`Supply`: the ad versions (already serialized, so that observations
can be streamed), the activity handed to the demand side, and the truth tables.
"""

from __future__ import annotations

import bisect
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import orjson

from lagesbild.simulate.identifiers import email_for, flip_bits, new_image_hashes, new_phones
from lagesbild.simulate.text import NAMES, AdWriter
from lagesbild.simulate.world import World

__all__ = ["AdVersion", "Supply", "SupplyActivity", "simulate_supply"]

log = logging.getLogger(__name__)

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class SupplyActivity:
    """One entry per seller active day: what the demand side turns into purchases.

    Scam advertisers appear with ``genuine`` False and seller ids above every real seller's
    (they are not in ``truth/sellers.csv``); ``seller_age`` holds their stated age.
    ``baseline_days`` is the genuine seller-days per municipality the same seed has without
    campaigns (the market size buyers know; the demand side's gravity model uses it).
    """

    seller_id: npt.NDArray[np.int32]
    day: npt.NDArray[np.int32]
    kommun: npt.NDArray[np.str_]
    genuine: npt.NDArray[np.bool_]
    seller_age: dict[int, int]
    baseline_days: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class AdVersion:
    """One version of one ad on one site: the unit the server shows and the crawler sees.

    ``content`` is the import-format record without ``seen_at`` (serialized once; the
    observation writer splices the day in).
    """

    site: int
    site_key: int  # the site-level ad (one site_ad_id); ids are assigned in time order afterwards
    online_from: int
    online_to: int
    posted_day: int
    city: str
    text: dict[str, object]


@dataclass
class _Seller:
    seller_id: int
    person_id: int
    advertiser_id: int
    network_id: int | None
    home: str
    age: int
    stated_age: int
    languages: list[str]
    writes: str
    name: str
    sites: tuple[int, ...]
    images: list[int]
    style: int
    price: int
    phone_slot: int
    first_day: int = 10**9
    last_day: int = -(10**9)
    active_days: int = 0


@dataclass
class _Advertiser:
    advertiser_id: int
    network_id: int | None
    slots: list[tuple[list[int], list[str]]]  # per phone slot: change days and numbers
    email: str | None


@dataclass
class _Network:
    network_id: int
    home: str
    circuit: list[str]
    members: list[int] = field(default_factory=list)  # person ids
    style: int = 0
    advertiser_id: int = 0


@dataclass
class Supply:
    """Everything the supply side produced, for the writers in :mod:`lagesbild.simulate.output`."""

    versions: list[AdVersion]
    site_keys: list[tuple[int, int, int]]  # per site_key: (site index, ad_uid, first online day)
    ads: dict[int, dict[str, object]]  # ad_uid -> seller_id, advertiser_id, network_id, kommun, is_scam
    sellers: list[dict[str, object]]
    networks: list[dict[str, object]]
    identifiers: list[tuple[str, str, int, int | None, bool]]  # kind, raw value, advertiser, network, shared
    activity: SupplyActivity


def _lognormal_days(rng: np.random.Generator, median: float, sigma: float, n: int, cap: int) -> npt.NDArray[np.int64]:
    return np.clip(np.rint(rng.lognormal(math.log(median), sigma, n)), 1, cap).astype(np.int64)


class _Builder:
    """Holds the streams and tables while the supply is drawn (one use)."""

    def __init__(
        self, world: World, seq: np.random.SeedSequence, progress: Progress | None, texts: bool = True
    ) -> None:
        self.w = world
        self.texts = texts
        self.cfg = world.cfg
        names = ("persons", "networks", "sellers", "phones", "ads", "scam", "text")
        self.rng = {
            n: np.random.Generator(np.random.PCG64(s)) for n, s in zip(names, seq.spawn(len(names)), strict=True)
        }
        self.writer = AdWriter(self.cfg.text, int(self.rng["text"].integers(2**63)))
        # Each spell draws from its own counter-based stream (Philox keyed by this and the spell's
        # index), so what one spell draws never depends on another spell or on a campaign.
        self.spell_key = int(
            np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, 2**20)).generate_state(1, np.uint64)[0]
        )
        self.progress = progress
        self.code_index = {c: i for i, c in enumerate(world.codes)}
        self.county_index = np.array([world.county_codes.index(c) for c in world.county_of])
        self.versions: list[AdVersion] = []
        self.site_keys: list[tuple[int, int, int]] = []
        self.ads: dict[int, dict[str, object]] = {}
        self.ident: set[tuple[str, str, int, int | None, bool]] = set()
        self.act_seller: list[npt.NDArray[np.int32]] = []
        self.act_day: list[npt.NDArray[np.int32]] = []
        self.act_kommun: list[npt.NDArray[np.int64]] = []
        self.act_genuine: list[bool] = []
        self.act_len: list[int] = []
        self.next_ad = 0
        self.slugs: dict[tuple[int, str], str] = {}
        self.baseline_days = np.zeros(len(world.codes), dtype=np.int64)  # worked days without campaigns
        self.shared_numbers: list[str] = []
        self.posted_sellers: set[int] = set()

    # -- persons and spells -------------------------------------------------------------------
    def spells(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Return (person, start, end) of every spell, before campaign thinning."""
        s, r = self.cfg.sellers, self.rng["persons"]
        burn, days = self.cfg.world.burn_in_days, self.cfg.world.days
        target = s.active_per_100k * self.w.population.sum() / 1e5
        mean_len = float(
            _lognormal_days(
                np.random.default_rng(0), s.spell_median_days, s.spell_sigma, 20000, s.spell_max_days
            ).mean()
        )
        rate = target / mean_len  # spells starting per day
        n_persons = int(r.poisson(rate * (days + burn) / (1 + s.extra_spells_mean)))
        first = r.integers(-burn, days, n_persons)
        extra = r.poisson(s.extra_spells_mean, n_persons)
        persons: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        lengths = _lognormal_days(r, s.spell_median_days, s.spell_sigma, int(n_persons + extra.sum()), s.spell_max_days)
        gaps = _lognormal_days(r, s.gap_median_days, 1.0, int(extra.sum()) + 1, 10_000)
        li = gi = 0
        for p in range(n_persons):
            t = int(first[p])
            for k in range(int(extra[p]) + 1):
                if k:
                    t = ends[-1] + 1 + int(gaps[gi])
                    gi += 1
                ln = int(lengths[li])
                li += 1
                if t >= days:
                    break
                persons.append(p)
                starts.append(t)
                ends.append(t + ln - 1)
        log.info("%d persons, %d spells", n_persons, len(starts))
        return np.array(persons, dtype=np.int64), np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)

    def run(self) -> Supply:
        cfg, w = self.cfg, self.w
        s, o, idc = cfg.sellers, cfg.organizers, cfg.identifiers
        days = cfg.world.days
        person, start, end = self.spells()
        n_persons = int(person.max()) + 1 if len(person) else 0
        rp = self.rng["persons"]

        # homes, ages, languages per person
        home_idx = rp.choice(len(w.codes), size=n_persons, p=w.home_weight)
        ages = np.clip(np.rint(rp.normal(s.age_mean, s.age_sd, n_persons)), s.age_min, s.age_max).astype(int)
        langs = list(s.native_languages)
        native = rp.choice(len(langs), size=n_persons, p=np.array(list(s.native_languages.values())))

        # networks: a share of persons, grouped in arrival order
        rn = self.rng["networks"]
        first_start = np.full(n_persons, 10**9)
        np.minimum.at(first_start, person, start)
        in_net = rn.random(n_persons) < o.network_share
        order = [int(p) for p in np.argsort(first_start, kind="stable") if in_net[p]]
        networks: list[_Network] = []
        net_of: dict[int, int] = {}
        i = 0
        while i < len(order):
            k = int(rn.integers(o.sellers_min, o.sellers_max + 1))
            members = order[i : i + k]
            i += k
            if len(members) < 2:
                break
            home = int(rn.choice(len(w.codes), p=w.tour_weight))
            n_c = int(rn.integers(o.circuit_min, o.circuit_max + 1))
            others = [
                int(c) for c in rn.choice(len(w.codes), size=min(n_c, len(w.codes)), replace=False, p=w.tour_weight)
            ]
            circuit = [home, *[c for c in others if c != home][: n_c - 1]]
            net = _Network(
                len(networks) + 1, w.codes[home], [w.codes[c] for c in circuit], members, int(rn.integers(2**31))
            )
            networks.append(net)
            for m in members:
                net_of[m] = net.network_id
                home_idx[m] = home
        log.info("%d networks", len(networks))

        # campaign thinning of spell starts (by home county): a pre-drawn uniform per spell against the
        # campaign factor. A thinned spell is still drawn in full (its seller, ads and site ids) and then
        # left out, so that a run with a campaign differs from the same seed without it only by what
        # the campaign removes (common random numbers).
        visible = (start >= 0) & (start < days)
        f = np.ones(len(start))
        f[visible] = w.campaign_factor[self.county_index[home_idx[person[visible]]], start[visible]]
        thinned = rp.random(len(start)) >= f

        # advertisers and sellers
        rs, rph = self.rng["sellers"], self.rng["phones"]
        advertisers: dict[int, _Advertiser] = {}
        for net in networks:
            net.advertiser_id = len(advertisers) + 1
            n_slots = int(rph.integers(o.phones_min, o.phones_max + 1))
            advertisers[net.advertiser_id] = self._advertiser(net.advertiser_id, net.network_id, n_slots, rph)
        sellers: list[_Seller] = []
        spell_seller = np.zeros(len(start), dtype=np.int64)
        current: dict[int, int] = {}
        n_sites = len(cfg.sites.sites)
        pop_sites = np.array([x.popularity for x in cfg.sites.sites])
        pop_sites = pop_sites / pop_sites.sum()
        probs = np.array(cfg.sites.n_sites_probs)
        for j in np.lexsort((start, person)):
            p = int(person[j])
            if p in current and rs.random() >= s.new_persona_share:
                spell_seller[j] = current[p]
                continue
            sid = len(sellers) + 1
            net_id = net_of.get(p)
            if net_id is None:
                aid = len(advertisers) + 1
                slots = 2 if rph.random() < idc.second_phone_share else 1
                advertisers[aid] = self._advertiser(aid, None, slots, rph)
                style = int(rs.integers(2**31))
                slot = -1
            else:
                net = networks[net_id - 1]
                aid = net.advertiser_id
                style = net.style
                slot = int(rs.integers(len(advertisers[aid].slots)))
            age = int(ages[p])
            if age >= 20 and rs.random() < s.claim_under_20_share:
                stated = int(rs.integers(18, 20))
            else:
                stated = max(s.age_min, age - int(rs.integers(0, s.age_understatement_max + 1)))
            lang = langs[int(native[p])]
            spoken = [lang] if lang == "en" else [lang, "en"]
            if lang != "sv" and rs.random() < 0.15:
                spoken.append("sv")
            u = rs.random()
            if lang == "sv" or u < cfg.text.foreign_writes_swedish:
                writes = "sv"
            elif u < cfg.text.foreign_writes_swedish + cfg.text.foreign_writes_native:
                writes = lang
            else:
                writes = "en"
            k = int(rs.choice(len(probs), p=probs)) + 1
            site_set = tuple(sorted(int(x) for x in rs.choice(n_sites, size=k, replace=False, p=pop_sites)))
            n_img = int(rs.integers(idc.images_min, idc.images_max + 1))
            sellers.append(
                _Seller(
                    seller_id=sid,
                    person_id=p + 1,
                    advertiser_id=aid,
                    network_id=net_id,
                    home=w.codes[int(home_idx[p])],
                    age=age,
                    stated_age=stated,
                    languages=spoken,
                    writes=writes,
                    name=NAMES[int(rs.integers(len(NAMES)))],
                    sites=site_set,
                    images=[int(x) for x in new_image_hashes(rs, n_img)],
                    style=style,
                    price=int(round(int(rs.integers(cfg.text.price_min, cfg.text.price_max + 1)), -2)),
                    phone_slot=slot,
                )
            )
            current[p] = sid
            spell_seller[j] = sid
        self.shared_numbers = new_phones(rph, idc.shared_numbers)
        self.sellers, self.advertisers, self.networks = sellers, advertisers, networks
        log.info("%d sellers, %d advertisers", len(sellers), len(advertisers))

        # spells -> legs -> ads and activity, in start order
        order_sp = np.lexsort((spell_seller, start))
        n_sp = len(order_sp)
        for c, j in enumerate(order_sp):
            self._spell(sellers[int(spell_seller[j]) - 1], int(start[j]), int(end[j]), int(j), bool(thinned[j]))
            if self.progress and c % 500 == 0:
                self.progress("ads", c / max(n_sp, 1))
        self._scams(len(sellers))
        if self.progress:
            self.progress("ads", 1.0)
        return self._finish()

    def _advertiser(self, aid: int, net: int | None, n_slots: int, r: np.random.Generator) -> _Advertiser:
        lo, hi = -self.cfg.world.burn_in_days, self.cfg.world.days
        rate = self.cfg.identifiers.phone_changes_per_year / 365.0
        slots = []
        for _ in range(n_slots):
            n_changes = int(r.poisson(rate * (hi - lo)))
            change_days = sorted(int(x) for x in r.integers(lo, hi, n_changes))
            slots.append(([lo - 1, *change_days], new_phones(r, n_changes + 1)))
        email = None
        if r.random() < self.cfg.identifiers.email_share:
            email = email_for(NAMES[int(r.integers(len(NAMES)))], r)
        return _Advertiser(aid, net, slots, email)

    def _phones_on(self, adv: _Advertiser, slot: int, day: int) -> list[str]:
        chosen = adv.slots if slot < 0 else [adv.slots[slot % len(adv.slots)]]
        return [nums[bisect.bisect_right(ch, day) - 1] for ch, nums in chosen]

    def _spell(self, sel: _Seller, start: int, end: int, j: int, ghost: bool) -> None:
        """Locations, working days and ads of spell ``j`` (``ghost``: thinned by a campaign, drawn but not shown).

        Everything is drawn from the spell's own stream in an order that no campaign changes; a
        campaign only masks what was drawn: working days it removes (``u >= active_day_prob * f``),
        days those take the ads offline, reposts it skips.
        """
        cfg, w = self.cfg, self.w
        s, o = cfg.sellers, cfg.organizers
        r = np.random.Generator(np.random.Philox(key=[self.spell_key, j]))
        text_seed = int(r.integers(2**63))
        n = end - start + 1
        loc = np.full(n, self.code_index[sel.home], dtype=np.int64)
        touring = np.zeros(n, dtype=bool)
        if sel.network_id is not None and r.random() >= o.stay_prob:
            net = self.networks[sel.network_id - 1]
            circuit = [self.code_index[c] for c in net.circuit]
            t, ci = 0, int(r.integers(len(circuit)))
            while t < n:
                leg = int(r.integers(o.leg_days_min, o.leg_days_max + 1))
                loc[t : t + leg] = circuit[ci % len(circuit)]
                t += leg
                ci += 1
            touring = loc != self.code_index[sel.home]
        elif n > s.tour_days_min and r.random() < s.tour_prob:
            d = min(int(r.integers(s.tour_days_min, s.tour_days_max + 1)), n - 1)
            dest = int(r.choice(len(w.codes), p=w.tour_weight))
            if dest != loc[0]:
                off = int(r.integers(0, n - d + 1))
                loc[off : off + d] = dest
                touring[off : off + d] = True
        day = np.arange(start, end + 1)
        vis = (day >= 0) & (day < cfg.world.days)
        f = np.ones(n)
        f[vis] = w.campaign_factor[self.county_index[loc[vis]], day[vis]]
        u_work, u_off = r.random(n), r.random(n)
        worked = vis & (u_work < s.active_day_prob)  # without campaigns
        active = worked & (u_work < s.active_day_prob * f)
        np.add.at(self.baseline_days, loc[worked], 1)
        offline = worked & ~active & (u_off < s.campaign_offline_share)
        tr: np.random.Generator | None = None
        if not ghost and self.texts:
            tr = np.random.Generator(np.random.Philox(key=text_seed))
            self.writer.reseed(text_seed)
        if active.any() and not ghost:
            self.act_seller.append(np.full(int(active.sum()), sel.seller_id, dtype=np.int32))
            self.act_day.append(day[active].astype(np.int32))
            self.act_kommun.append(loc[active])
            self.act_genuine.append(True)
            self.act_len.append(int(active.sum()))
            sel.first_day = min(sel.first_day, int(day[active][0]))
            sel.last_day = max(sel.last_day, int(day[active][-1]))
            sel.active_days += int(active.sum())
        # legs: runs of one location
        cuts = np.flatnonzero(np.diff(loc)) + 1
        bounds = [0, *cuts.tolist(), n]
        for li in range(len(bounds) - 1):
            a, b = bounds[li], bounds[li + 1] - 1
            last = li == len(bounds) - 2
            k = w.codes[int(loc[a])]
            self._ad(
                sel_or_none=sel,
                kommun=k,
                first=start + a,
                last=start + b,
                stale_ok=last,
                touring_days=(b - a + 1) if touring[a] else 0,
                sites=sel.sites,
                r=r,
                tr=tr,
                ghost=ghost,
                offline=(offline, start) if offline.any() else None,
            )

    @staticmethod
    def _online(a: int, b: int, offline: tuple[npt.NDArray[np.bool_], int] | None) -> list[tuple[int, int]]:
        """Runs of days in ``a..b`` that are not offline (``offline``: mask over the spell and its first day)."""
        if offline is None:
            return [(a, b)]
        mask, d0 = offline
        lo, hi = max(a, d0), min(b, d0 + len(mask) - 1)
        if lo > hi or not mask[lo - d0 : hi - d0 + 1].any():
            return [(a, b)]
        out: list[tuple[int, int]] = []
        run = -1
        for d in range(a, b + 1):
            off = d0 <= d < d0 + len(mask) and bool(mask[d - d0])
            if off and run >= 0:
                out.append((run, d - 1))
                run = -1
            elif not off and run < 0:
                run = d
        if run >= 0:
            out.append((run, b))
        return out

    def _ad(
        self,
        *,
        sel_or_none: _Seller | None,
        kommun: str,
        first: int,
        last: int,
        stale_ok: bool,
        touring_days: int,
        sites: tuple[int, ...],
        r: np.random.Generator,
        tr: np.random.Generator | None,
        ghost: bool = False,
        scam: dict[str, object] | None = None,
        offline: tuple[npt.NDArray[np.bool_], int] | None = None,
    ) -> None:
        """Post one ad (one stay in one place) on the given sites, with reposts, bumps and staleness.

        ``r`` draws the schedule and ``tr`` the text (None: no text, for a ``ghost`` ad of a thinned
        spell, whose site ids are reserved but which is never shown, or when texts are not wanted).
        Campaigns skip scheduled reposts of
        genuine ads (a uniform per repost against ``repost_factor``) and take the ad offline on
        ``offline`` days; neither changes what is drawn.
        """
        cfg = self.cfg
        days = cfg.world.days
        ad_uid = self.next_ad = self.next_ad + 1
        shared = (
            self.shared_numbers[int(r.integers(len(self.shared_numbers)))]
            if (self.shared_numbers and r.random() < cfg.identifiers.shared_number_ad_share)
            else None
        )
        if sel_or_none is not None:
            sel = sel_or_none
            meta: dict[str, object] = {
                "seller_id": sel.seller_id,
                "advertiser_id": sel.advertiser_id,
                "network_id": sel.network_id,
                "kommun": kommun,
                "is_scam": False,
            }
            rep_f = self.w.repost_factor[self.county_index[self.code_index[kommun]]]
        else:
            assert scam is not None
            meta = {
                "seller_id": None,
                "advertiser_id": scam["advertiser_id"],
                "network_id": None,
                "kommun": kommun,
                "is_scam": True,
            }
            rep_f = None
        meta["live_first"], meta["live_last"] = first, last  # the stay itself, before staleness
        posted_any = False
        for si in sites:
            site = cfg.sites.sites[si]
            end = last
            if stale_ok and r.random() < site.stale_prob:
                end = last + int(r.geometric(1.0 / site.stale_days_mean))
            end = min(end, days - 1)
            if end < 0:
                continue
            slug = self.slugs.get((si, kommun))
            if slug is None:
                slug = self.slugs[(si, kommun)] = self.w.city_page(site, kommun)[0]
            t = first
            key = -1
            text: dict[str, object] | None = None
            segs: list[list[object]] = []  # [key, online_from, online_to, posted_day, text]
            while t <= end:
                nxt = t + int(r.geometric(1.0 / site.repost_days)) if t <= last else end + 1
                v_end = min(nxt - 1, end) if nxt <= last else end
                if v_end >= 0:
                    u_skip, u_text = r.random(), r.random()
                    new_key = key < 0 or site.assigns_new_id_on_repost
                    new_text = not segs or u_text < cfg.sites.text_change_prob
                    skipped = bool(segs) and rep_f is not None and 0 <= t < days and u_skip >= rep_f[t]
                    k_new = key
                    if new_key:  # reserved even when a campaign skips the repost: ids do not shift
                        k_new = len(self.site_keys)
                        self.site_keys.append((si, ad_uid, max(t, 0)))
                    txt = text
                    if new_text:
                        txt = self._text(sel_or_none, scam, kommun, t, touring_days, shared, tr) if tr else {}
                    if skipped:
                        segs[-1][2] = v_end
                    else:
                        key, text = k_new, txt
                        segs.append([key, max(t, 0), v_end, t, text])
                t = v_end + 1
            if ghost:
                continue
            for k_, a, b, posted, txt_ in segs:
                for a2, b2 in self._online(int(a), int(b), offline):  # type: ignore[call-overload]
                    self.versions.append(AdVersion(si, int(k_), a2, b2, int(posted), slug, txt_))  # type: ignore[arg-type, call-overload]
                    posted_any = True
        if posted_any:
            self.ads[ad_uid] = meta
            if sel_or_none is not None:
                self.posted_sellers.add(sel_or_none.seller_id)

    def _text(
        self,
        sel: _Seller | None,
        scam: dict[str, object] | None,
        kommun: str,
        day: int,
        touring_days: int,
        shared: str | None,
        r: np.random.Generator,
    ) -> dict[str, object]:
        idc = self.cfg.identifiers
        if sel is not None:
            adv = self.advertisers[sel.advertiser_id]
            phones = self._phones_on(adv, sel.phone_slot, day)
            images, name, age, style = sel.images, sel.name, sel.stated_age, sel.style
            language, langs, price, email = sel.writes, sel.languages, sel.price, adv.email
            aid, nid = sel.advertiser_id, sel.network_id
        else:
            assert scam is not None
            phones = [str(scam["phone"])]
            images = list(scam["images"])  # type: ignore[call-overload]
            name, age, style = str(scam["name"]), int(scam["age"]), int(scam["style"])  # type: ignore[call-overload]
            language, langs, price, email = str(scam["language"]), ["en"], 1000, None
            aid, nid = int(scam["advertiser_id"]), None  # type: ignore[call-overload]
        if shared is not None:
            phones = [*phones, shared]
        k = min(len(images), int(r.integers(1, idc.images_per_ad_max + 1)))
        shown = [images[int(x)] for x in r.choice(len(images), size=k, replace=False)]
        shown = [
            flip_bits(h, r, idc.near_duplicate_bits_max) if r.random() < idc.near_duplicate_prob else h for h in shown
        ]
        t = self.writer.render(
            style=style,
            language=language,
            name=name,
            age=age,
            kommun=kommun,
            touring_days=touring_days,
            phones=phones,
            emails=[email] if email else [],
            langs=langs,
            price_base=price,
        )
        for ph in phones:
            self.ident.add(("phone", ph, aid, nid, ph in self.shared_numbers))
        if email:
            self.ident.add(("email", email, aid, nid, False))
        for h in images:
            self.ident.add(("image", f"{h:016x}", aid, nid, False))
        rec: dict[str, object] = {
            "title": t.title,
            "body": t.body,
            "location": t.location,
            "age": age,
            "price": t.price,
            "language": t.language,
            "name": t.name,
            "image_hashes": [f"{h:016x}" for h in shown],
        }
        if t.phones:
            rec["phones"] = t.phones
        if t.emails:
            rec["emails"] = t.emails
        return rec

    def _scams(self, n_sellers: int) -> None:
        cfg, w, r = self.cfg, self.w, self.rng["scam"]
        sc = cfg.sites
        self.writer.reseed(int(r.integers(2**63)))  # scams draw everything from their own stream
        years = (cfg.world.days + cfg.world.burn_in_days) / 365.0
        n = int(r.poisson(sc.scam_advertisers_per_million_year * w.population.sum() / 1e6 * years))
        genuine_images = [h for sel in self.sellers for h in sel.images[:1]]
        self.scam_ages: dict[int, int] = {}
        for i in range(n):
            aid = len(self.advertisers) + 1
            self.advertisers[aid] = _Advertiser(aid, None, [], None)
            sid = n_sellers + 1 + i
            start = int(r.integers(-cfg.world.burn_in_days, cfg.world.days))
            dur = int(_lognormal_days(r, sc.scam_days_median, 0.6, 1, 60)[0])
            n_c = int(r.integers(1, sc.scam_cities_max + 1))
            cities = sorted({int(x) for x in r.choice(len(w.codes), size=n_c, p=w.tour_weight)})
            stolen = (
                [int(genuine_images[int(x)]) for x in r.choice(len(genuine_images), size=min(3, len(genuine_images)))]
                if genuine_images
                else [int(x) for x in new_image_hashes(r, 2)]
            )
            scam: dict[str, object] = {
                "advertiser_id": aid,
                "phone": new_phones(r, 1)[0],
                "name": NAMES[int(r.integers(len(NAMES)))],
                "age": int(r.integers(19, 23)),
                "style": int(r.integers(2**31)),
                "language": "sv" if r.random() < 0.5 else "en",
                "images": [flip_bits(h, r, cfg.identifiers.near_duplicate_bits_max) for h in stolen],
            }
            self.scam_ages[sid] = int(scam["age"])  # type: ignore[call-overload]
            k = int(r.integers(1, len(sc.sites) + 1))
            sites = tuple(sorted(int(x) for x in r.choice(len(sc.sites), size=k, replace=False)))
            for c in cities:
                kommun = w.codes[c]
                before = self.next_ad
                self._ad(
                    sel_or_none=None,
                    kommun=kommun,
                    first=start,
                    last=start + dur - 1,
                    stale_ok=False,
                    touring_days=0,
                    sites=sites,
                    r=r,
                    tr=r,
                    scam=scam,
                )
                if self.next_ad in self.ads and self.next_ad > before:
                    self.ads[self.next_ad]["scam_seller_id"] = sid
            d = np.arange(max(start, 0), min(start + dur, cfg.world.days), dtype=np.int32)
            for c in cities:
                if len(d):
                    self.act_seller.append(np.full(len(d), sid, dtype=np.int32))
                    self.act_day.append(d)
                    self.act_kommun.append(np.full(len(d), c, dtype=np.int64))
                    self.act_genuine.append(False)
                    self.act_len.append(len(d))

    def _finish(self) -> Supply:
        w = self.w
        codes = np.array(w.codes)
        if self.act_day:
            kom = codes[np.concatenate(self.act_kommun)]
            seller = np.concatenate(self.act_seller)
            day = np.concatenate(self.act_day)
            genuine = np.repeat(np.array(self.act_genuine), self.act_len)
        else:
            kom, seller, day = np.zeros(0, dtype="<U4"), np.zeros(0, np.int32), np.zeros(0, np.int32)
            genuine = np.zeros(0, dtype=bool)
        o = np.lexsort((seller, day))
        ages = {s.seller_id: s.age for s in self.sellers}
        ages.update(getattr(self, "scam_ages", {}))
        activity = SupplyActivity(
            seller_id=seller[o].astype(np.int32),
            day=day[o].astype(np.int32),
            kommun=kom[o].astype("<U4"),
            genuine=genuine[o],
            seller_age=ages,
            baseline_days={c: int(n) for c, n in zip(w.codes, self.baseline_days.tolist(), strict=True) if n},
        )
        seller_rows: list[dict[str, object]] = []
        adv_first: dict[int, int] = {}
        shown = self.posted_sellers
        for sel in self.sellers:
            if sel.active_days == 0 and sel.seller_id not in shown:
                continue  # never visible in the simulated window
            none = sel.active_days == 0
            seller_rows.append(
                {
                    "seller_id": sel.seller_id,
                    "person_id": sel.person_id,
                    "advertiser_id": sel.advertiser_id,
                    "network_id": sel.network_id if sel.network_id is not None else "",
                    "home_kommun": sel.home,
                    "age": sel.age,
                    "stated_age": sel.stated_age,
                    "languages": ";".join(sel.languages),
                    "first_day": "" if none else sel.first_day,
                    "last_day": "" if none else sel.last_day,
                    "active_days": sel.active_days,
                }
            )
            adv_first.setdefault(sel.advertiser_id, sel.first_day)
        net_rows: list[dict[str, object]] = []
        by_net: dict[int, list[_Seller]] = {}
        for sel in self.sellers:
            if sel.network_id is not None and (sel.active_days or sel.seller_id in shown):
                by_net.setdefault(sel.network_id, []).append(sel)
        for net in self.networks:
            members = by_net.get(net.network_id, [])
            if not members:
                continue
            net_rows.append(
                {
                    "network_id": net.network_id,
                    "n_sellers": len({m.person_id for m in members}),
                    "cities": ";".join(net.circuit),
                    "first_day": min((m.first_day for m in members if m.active_days), default=""),
                    "last_day": max((m.last_day for m in members if m.active_days), default=""),
                }
            )
        versions = self.versions
        return Supply(
            versions=versions,
            site_keys=self.site_keys,
            ads=self.ads,
            sellers=seller_rows,
            networks=net_rows,
            identifiers=sorted(self.ident, key=lambda x: (x[0], x[1], x[2])),
            activity=activity,
        )


def simulate_supply(
    world: World, seq: np.random.SeedSequence, progress: Progress | None = None, *, texts: bool = True
) -> Supply:
    """Draw the supply side of the market.

    Args:
        world: the compiled frame (:meth:`World.build`).
        seq: the seed sequence of the supply side (spawned from the run's seed).
        progress: optional callback ``(stage, fraction done)``.
        texts: False leaves ad texts empty (about four times faster; everything else is the same,
            since texts draw from streams of their own): for weekly series, not for output files.

    Returns:
        The :class:`Supply`, ready for :mod:`lagesbild.simulate.output`.
    """
    return _Builder(world, seq, progress, texts).run()


def dumps(obj: object) -> bytes:
    """JSON with sorted keys (the output's one serialization)."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
