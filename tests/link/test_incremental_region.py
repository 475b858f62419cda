"""Incremental linking clusters only the region new ads touch, and equals a full relink (issue 18).

Simulated worlds are imported day by day into a store on both backends; after each day's
incremental run, the stored ids and summary tables must equal those of a clustering of every
stored site ad from scratch, and at the end those of ``link run --full``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, replace
from datetime import date, timedelta
from itertools import groupby
from pathlib import Path

import pytest
from sqlalchemy import text

from lagesbild.ingest import iter_observations
from lagesbild.link import LinkSettings, relink_stored, run
from lagesbild.link import runner as runner_module
from lagesbild.link.summarize import summarize
from lagesbild.observations import Observation
from lagesbild.privacy import Pseudonymizer
from lagesbild.simulate import load_config, simulate
from lagesbild.store import Store
from lagesbild.store.links import LinkStore

KEY = bytes(range(32))
TABLES = ("link_ads", "link_persons", "link_advertisers", "link_networks")
_WORLDS: dict[tuple[str, int], list[list[Observation]]] = {}


def _days(preset: str, seed: int, tmp: Path) -> list[list[Observation]]:
    """The world's observations, one list per day (simulated once per test session)."""
    if (preset, seed) not in _WORLDS:
        simulate(load_config(preset), seed, tmp)
        obs = [o for batch in iter_observations(tmp / "observations.jsonl.gz", Pseudonymizer(KEY)) for o in batch]
        obs.sort(key=lambda o: o.seen_at)
        _WORLDS[(preset, seed)] = [list(g) for _, g in groupby(obs, key=lambda o: o.seen_at[:10])]
    return _WORLDS[(preset, seed)]


def _import(store: Store, rows: list[Observation], name: str) -> None:
    store.import_observations([rows], source=name, sha256=hashlib.sha256(name.encode()).hexdigest())


def _row(r: dict) -> tuple:  # type: ignore[type-arg]
    return tuple(sorted((k, str(v)) for k, v in r.items()))


def _stored(ls: LinkStore) -> tuple[dict, dict]:  # type: ignore[type-arg]
    # the key index holds each site ad's advertiser (migration 19): as stored with the site ad, NULL on marker rows
    keys = ls._raw(
        "SELECT k.advertiser_id, l.advertiser_id FROM link_keys k LEFT JOIN link_site_ads l "
        "ON l.site = k.site AND l.site_ad_id = k.site_ad_id",
        (),
    )
    assert keys and all(a == b for a, b in keys), "link_keys.advertiser_id differs from the site ad's"
    tables = {t: sorted(map(_row, ls.table(t))) for t in TABLES}
    tables["link_keys"] = sorted(
        tuple(r) for r in ls._raw("SELECT k, site, site_ad_id, advertiser_id FROM link_keys WHERE site <> ''", ())
    )
    tables["big_keys"] = sorted(ls.big_keys())
    tables["link_network_index"] = sorted(str(tuple(x)) for x in ls.network_index()[0])
    tables["link_image_groups"] = sorted(tuple(r) for r in ls._raw("SELECT hash, grp FROM link_image_groups", ()))
    return ls.labels(), tables


def _from_scratch(store: Store, settings: LinkSettings | None = None) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """Ids and summary rows of a clustering of every stored site ad (nothing written)."""
    settings = settings or LinkSettings()
    ads, linked = relink_stored(store, settings)
    r = linked.result
    s = summarize(ads, r)
    labels = dict(zip(r.keys, r.all_ids(), strict=True))
    tables = {t: sorted(_row(asdict(x)) for x in getattr(s, t.removeprefix("link_"))) for t in TABLES}
    # the key index: every site ad's blocking keys, with its advertiser, and the keys under more than max_bucket
    index_of = runner_module._index_of(settings)
    tables["link_keys"] = sorted((k, a.site, a.site_ad_id, labels[a.key][2]) for a in ads.ads for k in index_of(a)[0])
    sizes = Counter(k for a in ads.ads for k in index_of(a)[0])
    tables["big_keys"] = sorted(k for k, n in sizes.items() if n > settings.max_bucket)
    # what the network level reads instead of every site ad (compared as a table too)
    tables["link_network_index"] = sorted(
        str(x) for x in runner_module._network_rows(ads.ads, [ids[2] for ids in r.all_ids()])
    )
    tables["link_image_groups"] = sorted(runner_module._group_rows(linked.image_group).items())
    return labels, tables


def _check_day_by_day(
    store: Store, days: list[list[Observation]], n_inc: int, settings: LinkSettings | None = None
) -> list[tuple[int, int]]:
    """Import all but the last ``n_inc`` days and link; then one day at a time, checking each run."""
    head = [o for d in days[:-n_inc] for o in d]
    _import(store, head, "head")
    assert run(store, settings=settings).mode == "full"
    ls = LinkStore(store)
    clustered = []
    for k, day in enumerate(days[-n_inc:]):
        _import(store, day, f"day{k}")
        inc = run(store, settings=settings)
        assert inc.mode == "incremental"
        assert inc.n_observations == len(day)
        clustered.append((inc.n_clustered, inc.n_site_ads))
        labels, tables = _stored(ls)
        want_labels, want_tables = _from_scratch(store, settings)
        assert labels == want_labels, f"day {k}: ids differ from a clustering from scratch"
        assert tables == want_tables, f"day {k}: summaries differ from a clustering from scratch"
        assert inc.n_site_ads == len(labels)
        assert (inc.n_ads, inc.n_advertisers, inc.n_networks) == tuple(len(tables[t]) for t in TABLES[:1] + TABLES[2:])
    labels, tables = _stored(ls)
    full = run(store, full=True, settings=settings)
    assert full.mode == "full"
    assert _stored(ls) == (labels, tables)
    assert (inc.n_persons, inc.n_suspected_fake) == (full.n_persons, full.n_suspected_fake)
    return clustered


@pytest.mark.parametrize(
    ("preset", "seed", "share"),
    [("tiny", 1, 0.9), ("tiny", 2, 0.9), ("tiny", 3, 0.9), ("ostergotland", 1, 0.5), ("ostergotland", 4, 0.5)],
)
def test_incremental_days_equal_a_full_relink(
    store: Store, preset: str, seed: int, share: float, tmp_path_factory: pytest.TempPathFactory
) -> None:
    days = _days(preset, seed, tmp_path_factory.mktemp(f"{preset}{seed}"))
    clustered = _check_day_by_day(store, days, n_inc=4)
    # the point: a day clusters a part of the store again, not all of it (the tiny world is so
    # small that one day's 140 observations touch over half of its advertisers); a day whose
    # observations are all of stored site ads seen again as they were clusters nothing
    assert all(0 <= k < share * n for k, n in clustered), clustered
    assert any(k > 0 for k, _ in clustered), clustered


def test_buckets_over_max_bucket_are_kept_as_markers_and_equal_a_full_relink(
    store: Store, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # the keys filed under more than max_bucket site ads are kept as marker rows (an unchanged site ad's text bucket
    # over it is followed whole without counting it); a small max_bucket makes many of them change day by day
    days = _days("tiny", 1, tmp_path_factory.mktemp("tiny1"))
    settings = LinkSettings(max_bucket=3)
    _check_day_by_day(store, days, n_inc=4, settings=settings)
    assert len(LinkStore(store).big_keys()) > 10


def _seen_again(day: list[Observation], when: str) -> list[Observation]:
    """The last observation of each site ad in ``day``, seen again at ``when`` as it was."""
    last = {(o.site, o.site_ad_id): o for o in sorted(day, key=lambda o: o.seen_at)}
    return [o._replace(seen_at=when + o.seen_at[10:]) for o in last.values()]


@pytest.mark.parametrize(("preset", "seed"), [("tiny", 1), ("ostergotland", 4)])
def test_a_day_of_site_ads_seen_again_clusters_nothing_and_equals_a_full_relink(
    store: Store, preset: str, seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # site ads seen again with nothing new but the day (a live ad on the next crawl, an old ad
    # listed again) are quiet: they cannot change a person, advertiser or network, so the region is
    # empty; only their ads (a later last day can end or start a re-publication chain), persons,
    # advertisers and networks are summarized again, and everything equals a clustering from scratch
    days = _days(preset, seed, tmp_path_factory.mktemp(f"{preset}{seed}"))
    _import(store, [o for d in days for o in d], "all")
    assert run(store).mode == "full"
    ls = LinkStore(store)
    before, _ = _stored(ls)
    last_day = max(o.seen_at[:10] for o in days[-1])
    everything = [o for d in days for o in d]
    n_ad_ids_moved = 0
    for k, gap in enumerate((1, 3)):  # the next day (runs of days grow), then after a gap (a new period)
        when = str(date.fromisoformat(last_day) + timedelta(days=gap))
        # every stored site ad of every tenth advertiser: old ones too, listed again after later ones began
        advs = sorted({v[2] for v in before.values() if v[2] is not None})[:: 10 if preset == "tiny" else 4]
        keep = {key for key, v in before.items() if v[2] in set(advs)}
        again = _seen_again([o for o in everything if (o.site, o.site_ad_id) in keep], when)
        _import(store, again, f"again{k}")
        inc = run(store)
        assert inc.mode == "incremental"
        assert inc.n_observations == len(again) > 0
        assert (inc.n_clustered, inc.n_quiet) == (0, len(again))
        labels, tables = _stored(ls)
        want_labels, want_tables = _from_scratch(store)
        assert labels == want_labels
        assert tables == want_tables
        assert {v[1:] for v in labels.values()} == {v[1:] for v in before.values()}  # persons and up as before
        n_ad_ids_moved += sum(labels[key][0] != before[key][0] for key in labels)
        last_day = when
        before = labels
    assert n_ad_ids_moved > 0  # the ad level was computed again (and still equals a clustering from scratch)
    labels, tables = _stored(ls)
    assert run(store, full=True).mode == "full"
    assert _stored(ls) == (labels, tables)


def test_last_days_change_no_person_advertiser_or_network(tmp_path_factory: pytest.TempPathFactory) -> None:
    # what lets a site ad seen again skip the region (runner._linking_fields): the rules read a site
    # ad's days and last day only at the ad level; moving them leaves every other level as it was
    import numpy as np

    from lagesbild.link import link_observations
    from lagesbild.link.cluster import link
    from lagesbild.records.link import SiteAds

    days = _days("ostergotland", 1, tmp_path_factory.mktemp("ostergotland1"))
    ads, linked = link_observations([o for d in days[:60] for o in d])
    rng = np.random.default_rng(0)
    later = []
    for a in ads.ads:
        end = date.fromisoformat(a.last_seen) + timedelta(days=int(rng.integers(0, 40)))
        later.append(replace(a, last_seen=str(end), days=[*a.days, str(end)] if str(end) != a.last_seen else a.days))
    moved = link(SiteAds.of(later), linked.settings).result
    r = linked.result
    assert moved.keys == r.keys
    assert [x[1:] for x in moved.all_ids()] == [x[1:] for x in r.all_ids()]
    assert moved.fake_person.tolist() == r.fake_person.tolist()
    assert moved.shared_numbers == r.shared_numbers
    assert [x[0] for x in moved.all_ids()] != [x[0] for x in r.all_ids()]  # the ad level did move


def test_a_region_too_large_clusters_everything_with_the_same_result(
    store: Store, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = _days("tiny", 1, tmp_path_factory.mktemp("tiny1"))
    monkeypatch.setattr(runner_module, "_MIN_LIMIT", 0)
    monkeypatch.setattr(LinkStore, "stored_site_ads", lambda self: 2)  # limit 1 site ad
    clustered = _check_day_by_day(store, days, n_inc=2)
    assert all(k == n for k, n in clustered), clustered


def test_an_interrupted_incremental_run_leaves_the_store_as_it_was(
    store: Store, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    days = _days("tiny", 2, tmp_path_factory.mktemp("tiny2"))
    _import(store, [o for d in days[:-1] for o in d], "head")
    run(store)
    ls = LinkStore(store)

    def snapshot() -> tuple[object, ...]:
        with store.engine.connect() as conn:
            keys = sorted(conn.execute(text("SELECT k, site, site_ad_id FROM link_keys")).all())
            chunks = sorted(conn.execute(text("SELECT k, hash FROM link_image_chunks")).all())
            n_runs = conn.execute(text("SELECT COUNT(*) FROM link_runs")).scalar_one()
        return _stored(ls), keys, chunks, n_runs

    before = snapshot()
    _import(store, days[-1], "last")

    def fail(conn: object) -> dict[str, int]:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(LinkStore, "_totals", staticmethod(fail))  # raised inside the transaction, after the writes
    with pytest.raises(RuntimeError):
        run(store)
    monkeypatch.undo()
    assert snapshot() == before
    assert run(store).mode == "incremental"


def test_a_store_linked_before_the_key_index_is_relinked_in_full(store: Store) -> None:
    from tests.link.test_store_links import DAY1, DAY2

    _import(store, DAY1, "a")
    run(store)
    with store.engine.begin() as conn:  # as migration 14 leaves a store linked before it
        conn.execute(text("DELETE FROM link_keys"))
        conn.execute(text("DELETE FROM link_image_chunks"))
    _import(store, DAY2, "b")
    assert run(store).mode == "full"
    with store.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM link_keys")).scalar_one() > 0
    assert run(store).mode == "incremental"


def test_a_store_linked_under_other_rules_is_relinked_in_full(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.link.test_store_links import DAY1, DAY2

    _import(store, DAY1, "a")
    run(store)
    rules = LinkStore(store).rules()
    assert rules is not None
    # other settings (or another version of the rules' code) give another fingerprint
    monkeypatch.setattr(runner_module, "_fingerprint", lambda s: rules + 1)
    _import(store, DAY2, "b")
    assert run(store).mode == "full"
    assert LinkStore(store).rules() == rules + 1
    monkeypatch.undo()
    assert run(store).mode == "full"  # back to the real rules: relinked once more
    assert run(store).mode == "incremental"


def test_the_rules_fingerprint_follows_the_words_the_template_keys_read(monkeypatch: pytest.MonkeyPatch) -> None:
    # the robust template keys drop place names (gazetteer) and language names (normalizer rules):
    # a change in either data set changes the keys, so it must change the fingerprint too
    from lagesbild.link import LinkSettings

    s = LinkSettings()
    before = runner_module._fingerprint(s)
    assert runner_module._fingerprint(s) == before
    languages, places = runner_module._template_words()
    monkeypatch.setattr(runner_module, "_template_words", lambda: (languages, places | {"nyort"}))
    assert runner_module._fingerprint(s) != before
    monkeypatch.setattr(runner_module, "_template_words", lambda: (languages - {next(iter(languages))}, places))
    assert runner_module._fingerprint(s) != before


def test_the_rules_fingerprint_changes_with_round_6_defaults() -> None:
    # a store linked under round 5's county rules is relinked in full under round 6's defaults
    from lagesbild.link import LinkSettings

    county = LinkSettings(network_place_containment=1.0, network_single_key_chance=0.1, network_unorganized_chance=0.01)
    assert county != LinkSettings()
    assert runner_module._fingerprint(county) != runner_module._fingerprint(LinkSettings())
    for name in ("network_place_containment", "network_single_key_chance", "network_unorganized_chance"):
        assert runner_module._fingerprint(replace(LinkSettings(), **{name: getattr(county, name)})) != (
            runner_module._fingerprint(LinkSettings())
        )


def _check(store: Store, day: list[Observation], name: str, settings: LinkSettings | None = None) -> int:
    """Import ``day``, run incrementally, check it equals a clustering from scratch; the site ads clustered."""
    _import(store, day, name)
    inc = run(store, settings=settings)
    assert inc.mode == "incremental"
    assert _stored(LinkStore(store)) == _from_scratch(store, settings), (
        f"{name}: differs from a clustering from scratch"
    )
    return inc.n_clustered


def test_a_number_that_stays_shared_does_not_bring_its_other_users_into_the_region(store: Store) -> None:
    """Rule 1's shared numbers link nothing: a new site ad with one is clustered without the number's other users.

    Whether a number is shared is judged again on the narrow rows of all its site ads whenever a
    new or changed site ad shows it; when the judgement flips, every user is clustered again.
    """
    from tests.link.conftest import obs

    women = [("Anna", 24, "0580"), ("Bella", 30, "0581"), ("Cleo", 22, "0582"), ("Dina", 27, "0583")]
    head = [
        obs("s", f"{n}-{k}", 1 + k, name=n, age=a, kommun=m, phones=(f"own-{n}", "agency"), body=f"{n} {k} text {m}")
        for n, a, m in women
        for k in range(3)
    ]
    # a number that shows alone on one woman's ads (her own), for the flip to shared below
    head += [obs("s", f"Fia-{k}", 2 + k, name="Fia", age=33, kommun="0584", phones=("fia",)) for k in range(2)]
    _import(store, head, "head")
    assert run(store).mode == "full"
    shared = LinkStore(store).shared_number_keys()
    assert len(shared) == 1  # "agency": with four profiles, never alone

    # a fifth woman with her own number and the agency's: only her site ad is clustered
    ella = [obs("s", "Ella-0", 10, name="Ella", age=29, kommun="0586", phones=("own-Ella", "agency"))]
    assert _check(store, ella, "ella") == 1
    assert LinkStore(store).shared_number_keys() == shared

    # the number becomes someone's own (alone on most of its site ads): every user is clustered again
    alone = [obs("s", f"Anna-x{k}", 11, phones=("agency",), kommun="0580") for k in range(16)]
    assert _check(store, alone, "alone") >= 16 + 3 * 4 + 1
    assert LinkStore(store).shared_number_keys() == set()

    # Fia's number becomes shared (another woman shows it beside her own): Fia's site ads are clustered again
    gun = [obs("s", f"Gun-{k}", 12, name="Gun", age=41, kommun="0584", phones=("fia", "own-Gun")) for k in range(3)]
    assert _check(store, gun, "gun") >= 5
    assert len(LinkStore(store).shared_number_keys()) == 1


def test_an_oversized_text_bucket_of_unchanged_site_ads_is_followed_whole(store: Store) -> None:
    """A text bucket of unchanged site ads filed under more than ``max_bucket`` site ads is followed whole.

    The clustering skips such a bucket; a region that saw only part of it (no more than ``max_bucket``)
    would pair its site ads. The texts are one template with a word appended, chosen so that each is
    one MinHash value from another (32 values, 4 bands of 8): Y's from X's in band 0, Z's in band 1,
    W's from Z's in band 0, P's and Q's in band 1. The band-1 buckets {X, Y} and {Z, W} tie X to Y
    and Z to W by text; band 0 files X, Z, P and Q together (bands 2 and 3 all six): over max_bucket.
    """
    from tests.link.conftest import TEXT, obs

    from lagesbild.link.collect import collect

    settings = LinkSettings(max_bucket=3)
    base = TEXT.format(n="Anna", a=24)

    def anna(ad_id: str, day: int, words: str, photo: str = "") -> Observation:
        return obs("s", ad_id, day, images=(photo,) if photo else (), body=f"{base} {words}".strip())

    head = [
        anna("X", 1, ""),  # no number, e-mail or photo: tied to Y (a photo) by text alone (band 1)
        anna("Y", 1, "bavo", "0123456789abcdef"),  # band 0 another value
        anna("Z", 2, "bake"),  # band 1 another value: tied to W alone; band 0 as X's
        anna("W", 2, "bake baka", "fedcba9876543210"),  # band 0 a third value
        anna("P", 3, "bena"),  # band 0 as X's, band 1 its own
        anna("Q", 3, "binu"),  # band 0 as X's, band 1 its own
    ]
    head += [obs("s", f"Bella-{k}", 1 + k, name="Bella", age=31, phones=("+46701740607",)) for k in range(2)]
    bands = {a.site_ad_id: a.signature.reshape(settings.lsh_bands, -1) for a in collect(head, settings=settings)[0].ads}

    def same(a: str, b: str) -> list[bool]:  # the bands two texts share (one value apart: similarity 31/32)
        assert (bands[a] != bands[b]).sum() == 1
        return [bool((x == y).all()) for x, y in zip(bands[a], bands[b], strict=True)]

    assert same("X", "Y") == same("Z", "W") == [False, True, True, True]
    assert same("X", "Z") == same("X", "P") == same("X", "Q") == [True, False, True, True]
    assert bands["Y"][0].tolist() != bands["W"][0].tolist()
    _import(store, head, "head")
    assert run(store, settings=settings).mode == "full"
    labels = LinkStore(store).labels()
    person = {k: labels[("s", k)][1] for k in "XYZWPQ"}
    assert person["X"] == person["Y"] != person["Z"] == person["W"]  # band 0 over max_bucket pairs nothing
    assert len({person[k] for k in "XZPQ"}) == 4

    # new site ads with Y's photo and W's (not a number: a site ad with a number on a new one has all its keys
    # followed, text too) pull their advertisers, X and Z unchanged, into the region: of the band-0 bucket it holds
    # X and Z alone (bands 2 and 3 hold four there), which it would pair unless the bucket is followed whole
    new = [
        obs("s", "N1", 10, images=("0123456789abcdef",), kommun="0581", body="Ny i stan, ring mig"),
        obs("s", "N2", 10, images=("fedcba9876543210",), kommun="0582", body="Ny i staden, hör av dig"),
    ]
    assert _check(store, new, "new", settings) == 8  # not Bella's site ads
    after = LinkStore(store).labels()
    assert after[("s", "X")][1] != after[("s", "Z")][1]


def test_a_photo_a_few_bits_from_a_stored_one_joins_its_person_and_a_crowded_chunk_clusters_everything(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Image hashes are followed to the stored hashes within ``image_max_bits`` (found through shared 16-bit chunks)."""
    from tests.link.conftest import obs

    head = [obs("s", f"anna-{k}", 1 + k, images=("0123456789abcdef",)) for k in range(3)]
    head += [obs("s", f"bella-{k}", 1 + k, name="Bella", age=31, images=("fedcba9876543210",)) for k in range(3)]
    _import(store, head, "head")
    assert run(store).mode == "full"
    anna = LinkStore(store).labels()[("s", "anna-0")][1]

    # one bit away, no number, another text and town: only the photo can bring in Anna's site ads
    near = [obs("s", "anna-new", 10, images=("0123456789abcdee",), kommun="0581", body="Ny i stan, ring mig")]
    assert _check(store, near, "near") == 4  # Anna's site ads, not Bella's
    assert LinkStore(store).labels()[("s", "anna-new")][1] == anna

    monkeypatch.setattr(runner_module, "IMAGE_CHUNK_MAX", 1)  # a chunk shared by more hashes than this
    crowded = [obs("s", "anna-newer", 11, images=("0123456789abcdec",), kommun="0581", body="Ny i stan, ring mig")]
    _import(store, crowded, "crowded")
    inc = run(store)
    assert inc.n_clustered == inc.n_site_ads == 8
    assert _stored(LinkStore(store)) == _from_scratch(store)


def test_an_advertiser_outside_the_region_whose_network_is_renamed_is_rewritten(store: Store) -> None:
    """A network is named after its earliest site ad: when new ads join it to an older advertiser, the ids of
    its advertisers outside the region (tied by template only, not clustered again) change too."""
    from tests.link.conftest import obs
    from tests.link.test_template_networks import CIRCUIT, _ads, _background

    dora = [obs("s1", f"d{k}", 1 + k, name="Dora", age=35, phones=("ph_d",), kommun="0180") for k in range(2)]
    head = _background() + dora + _ads("c", "Cilla", 22, "ph_c", CIRCUIT, day0=3)
    head += _ads("a", "Anna", 24, "ph_a", CIRCUIT, day0=5) + _ads("b", "Bella", 27, "ph_a", CIRCUIT, day0=5)
    _import(store, head, "head")
    assert run(store).mode == "full"
    before = LinkStore(store).labels()
    cilla_net = before[("s1", "c00")][3]
    assert cilla_net is not None and cilla_net == before[("s1", "a00")][3]  # tied by template, named after c00
    assert before[("s1", "d0")][3] is None

    # Anna's number and Dora's on one new ad: one advertiser, and the network is named after Dora's first ad
    joined = [obs("s1", "a-new", 20, phones=("ph_a", "ph_d"), kommun="0580", body="Ring mig")]
    _check(store, joined, "joined")
    after = LinkStore(store).labels()
    assert after[("s1", "c00")][3] == after[("s1", "d0")][3] != cilla_net


def test_a_stored_photo_in_a_crowded_chunk_makes_the_run_cluster_everything(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Image groups ignore a 16-bit chunk shared by more than ``IMAGE_CHUNK_MAX`` hashes (a blank or a logo): the full
    run keeps those chunks, and a region that reaches a photo in one clusters everything instead."""
    from tests.link.conftest import obs

    monkeypatch.setattr(runner_module, "IMAGE_CHUNK_MAX", 2)
    women = [("Anna", 24, "0123aaaaaaaaaaaa"), ("Bella", 31, "0123555555555555"), ("Cleo", 28, "0123f0f0f0f0f0f0")]
    head = [
        obs("s", f"{n}-{k}", 1 + k, name=n, age=a, phones=(f"own-{n}",), images=(h,), body=f"{n} {k}")
        for n, a, h in women
        for k in range(2)
    ]
    _import(store, head, "head")
    assert run(store).mode == "full"
    assert len(LinkStore(store).crowded_chunks()) == 1  # the three photos' first 16 bits

    # a new site ad of Anna's with no photo: her stored photo is in the crowded chunk
    _import(store, [obs("s", "Anna-new", 10, phones=("own-Anna",), body="Ny")], "anna")
    inc = run(store)
    assert inc.n_clustered == inc.n_site_ads == 7
    assert _stored(LinkStore(store)) == _from_scratch(store)


def test_a_full_run_refreshes_the_planner_statistics_on_postgresql(pg_url: str) -> None:
    """Without statistics PostgreSQL scans link_keys for every key list (an incremental day after a full run took
    20 times longer); a full run analyzes the tables it rewrote."""
    from tests.link.conftest import obs

    store = Store.open(pg_url)
    try:
        _import(
            store, [obs("s", f"a{k}", 1 + k, phones=("own-a",), images=("0123456789abcdef",)) for k in range(3)], "h"
        )
        assert run(store).mode == "full"
        with store.engine.connect() as conn:
            analyzed = conn.execute(
                text(
                    "SELECT relname FROM pg_stat_user_tables WHERE relname LIKE 'link_%' "
                    "AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)"
                )
            ).scalars()
            assert {"link_keys", "link_site_ads", "link_image_groups", "link_network_index"} <= set(analyzed)
            # and vacuumed: the key lookups of the next runs are index-only scans (all-visible pages)
            vacuumed = conn.execute(
                text("SELECT relname FROM pg_stat_user_tables WHERE relname LIKE 'link_%' AND last_vacuum IS NOT NULL")
            ).scalars()
            assert {"link_keys", "link_site_ads", "link_image_groups"} <= set(vacuumed)
    finally:
        store.close()
