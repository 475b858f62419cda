"""Specification of the simulator's demand side: purchases, buyers, the gravity model, campaigns.

The supply side is replaced by small stand-ins with the fields of the contract
(docs/dev/simulator-contract.md), so these tests do not depend on how sellers are simulated.
Every statistical check uses a fixed seed and states its tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from pydantic import ValidationError

from lagesbild.simulate.demand import (
    BuyersConfig,
    DemandTruth,
    VerdictsConfig,
    campaign_multiplier,
    expected_purchases,
    simulate_demand,
)

# --- stand-ins for the supply engineer's WorldConfig and SupplyActivity ---


@dataclass(frozen=True)
class World:
    start: date = date(2023, 1, 1)
    days: int = 730


@dataclass(frozen=True)
class Campaign:
    name: str
    counties: list[str]
    start: date
    weeks: int
    effect: float


@dataclass(frozen=True)
class Config:
    world: World = field(default_factory=World)
    buyers: BuyersConfig = field(default_factory=BuyersConfig)
    verdicts: VerdictsConfig = field(default_factory=VerdictsConfig)
    campaigns: list[Campaign] = field(default_factory=list)


@dataclass(frozen=True)
class Activity:
    seller_id: npt.NDArray[np.int32]
    day: npt.NDArray[np.int32]
    kommun: npt.NDArray[np.str_]
    genuine: npt.NDArray[np.bool_]
    seller_age: dict[int, int]


def make_supply(sellers_per_day: dict[str, float], days: int = 730, seed: int = 1) -> Activity:
    """Sellers in each municipality, each active on a random share of days, on average
    ``sellers_per_day[kommun]`` active per day."""
    rng = np.random.default_rng(seed)
    ids, ds, ks = [], [], []
    next_id = 0
    for kommun, per_day in sellers_per_day.items():
        n = max(1, int(per_day * 4))
        active = rng.random((n, days)) < per_day / n
        s, d = np.nonzero(active)
        ids.append(s + next_id)
        ds.append(d)
        ks.append(np.full(len(d), kommun))
        next_id += n
    day = np.concatenate(ds).astype(np.int32)
    return Activity(
        seller_id=np.concatenate(ids).astype(np.int32),
        day=day,
        kommun=np.concatenate(ks).astype("<U4"),
        genuine=np.ones(len(day), dtype=bool),
        seller_age=dict.fromkeys(range(next_id), 25),
    )


# Supply of the Östergötland report's scale (about 1,500 purchases a year), concentrated in
# Linköping (0580) and Norrköping (0581) with a little in Motala (0583) and Söderköping (0582).
OSTERGOTLAND = {"0580": 1.5, "0581": 1.2, "0583": 0.15, "0582": 0.05}
LARGEST_TWO = ["0580", "0581"]


@pytest.fixture(scope="module")
def ostergotland() -> tuple[Activity, DemandTruth]:
    activity = make_supply(OSTERGOTLAND)
    return activity, simulate_demand(Config(), activity, np.random.default_rng(7))


def test_purchase_count_matches_active_days_times_clients_per_day() -> None:
    activity = make_supply({"0580": 20.0, "0180": 20.0}, days=365)
    truth = simulate_demand(Config(world=World(days=365)), activity, np.random.default_rng(3))
    expected = len(activity.day) * BuyersConfig().clients_per_active_day
    assert expected == pytest.approx(expected_purchases(Config(world=World(days=365)), activity))
    # negative binomial: sd of the total is about sqrt(n * (m + m^2 / k)) ~ 0.6% here; allow 3%
    assert len(truth) == pytest.approx(expected, rel=0.03)


def test_scam_and_burn_in_days_get_no_purchases() -> None:
    activity = make_supply({"0580": 3.0}, days=100)
    scam = activity.seller_id % 2 == 0
    day = activity.day.copy()
    day[activity.seller_id == 1] -= 200  # seller 1 only active before day 0 (burn-in)
    activity = Activity(activity.seller_id, day, activity.kommun, ~scam, activity.seller_age)
    truth = simulate_demand(Config(world=World(days=100)), activity, np.random.default_rng(3))
    assert len(truth) > 0
    assert not np.isin(truth.seller_id, activity.seller_id[scam]).any()
    assert 1 not in set(truth.seller_id.tolist())


def test_most_purchases_are_made_where_the_buyer_lives(ostergotland: tuple[Activity, DemandTruth]) -> None:
    _, truth = ostergotland
    own = float(np.mean(truth.buyer_kommun == truth.seller_kommun))
    # the report: the majority buy in their own municipality; the defaults give about 0.8
    assert 0.6 < own < 0.95


def test_two_largest_municipalities_take_over_80_percent(ostergotland: tuple[Activity, DemandTruth]) -> None:
    _, truth = ostergotland
    assert float(np.mean(np.isin(truth.seller_kommun, LARGEST_TWO))) > 0.80


def test_buyers_travel_in_from_smaller_municipalities(ostergotland: tuple[Activity, DemandTruth]) -> None:
    _, truth = ostergotland
    in_large = np.isin(truth.seller_kommun, LARGEST_TWO)
    from_small = (truth.buyer_kommun.astype("<U2") == "05") & ~np.isin(truth.buyer_kommun, LARGEST_TWO)
    share = float(np.sum(in_large & from_small) / np.sum(in_large))
    assert 0.03 < share < 0.25
    # a one-county world keeps its buyers mostly inside the county (stand-in markets elsewhere)
    assert float(np.mean(truth.buyer_kommun.astype("<U2") == "05")) > 0.85


def test_nearer_municipalities_send_more_buyers_per_man(ostergotland: tuple[Activity, DemandTruth]) -> None:
    from lagesbild.refdata import bundled_population

    _, truth = ostergotland
    men = bundled_population().by_municipality(sex="m", age_min=18, age_max=65)
    rate = {k: float(np.sum(truth.buyer_kommun == k)) / men[k] for k in ("0586", "0509")}
    # Mjölby (about 30 km from Linköping) versus Ödeshög (about 60 km)
    assert rate["0586"] > rate["0509"]


def test_buyer_ages_within_band_and_mean_near_37(ostergotland: tuple[Activity, DemandTruth]) -> None:
    _, truth = ostergotland
    assert truth.buyer_age.min() >= 18
    assert truth.buyer_age.max() <= 70  # age_max 69 at the start, one more year during the run
    # convicted buyers in Östergötland: mean 37; the profile is calibrated to that (± 1.5 years)
    assert float(truth.buyer_age.mean()) == pytest.approx(37.0, abs=1.5)


def test_buyers_are_fewer_than_purchases_and_keep_their_home(ostergotland: tuple[Activity, DemandTruth]) -> None:
    _, truth = ostergotland
    assert len(np.unique(truth.buyer_id)) < len(truth)
    order = np.argsort(truth.buyer_id, kind="stable")
    ids, homes = truth.buyer_id[order], truth.buyer_kommun[order]
    same = ids[1:] == ids[:-1]
    assert np.all(homes[1:][same] == homes[:-1][same])


SPRING_CAMPAIGN = Campaign("Sluta köpa sex", ["05"], date(2023, 4, 15), 5, -0.15)


def test_campaign_lowers_purchases_by_its_effect_in_its_county_and_weeks() -> None:
    activity = make_supply({"0580": 60.0, "0581": 50.0, "0180": 20.0}, days=365)
    base = simulate_demand(Config(world=World(days=365)), activity, np.random.default_rng(11))
    cfg = Config(world=World(days=365), campaigns=[SPRING_CAMPAIGN])
    with_campaign = simulate_demand(cfg, activity, np.random.default_rng(11))
    first = (SPRING_CAMPAIGN.start - date(2023, 1, 1)).days

    def count(t: DemandTruth, county: str, inside: bool) -> int:
        during = (t.day >= first) & (t.day < first + 35)
        return int(np.sum((t.seller_kommun.astype("<U2") == county) & (during if inside else ~during)))

    ratio = count(with_campaign, "05", True) / count(base, "05", True)
    # common random numbers: the same seed without the campaign is the counterfactual; the
    # difference is about 860 purchases, so its sd is about 0.005 of the ratio: allow 4 sd
    assert ratio == pytest.approx(0.85, abs=0.02)
    assert count(with_campaign, "05", False) == count(base, "05", False)
    assert count(with_campaign, "01", True) == count(base, "01", True)
    assert count(with_campaign, "01", False) == count(base, "01", False)


def test_campaign_run_is_the_counterfactual_minus_the_purchases_it_prevented() -> None:
    activity = make_supply({"0580": 10.0, "0581": 8.0, "0180": 10.0}, days=365)
    verdicts = VerdictsConfig(verdict_share=0.05)
    base = simulate_demand(Config(world=World(days=365), verdicts=verdicts), activity, np.random.default_rng(4))
    cfg = Config(world=World(days=365), verdicts=verdicts, campaigns=[SPRING_CAMPAIGN])
    with_campaign = simulate_demand(cfg, activity, np.random.default_rng(4))

    def rows(t: DemandTruth) -> set[tuple[int, int, int, str, int]]:
        return set(
            zip(
                t.day.tolist(),
                t.seller_id.tolist(),
                t.buyer_id.tolist(),
                t.buyer_kommun.tolist(),
                t.buyer_age.tolist(),
                strict=True,
            )
        )

    assert rows(with_campaign) < rows(base)
    first = (SPRING_CAMPAIGN.start - date(2023, 1, 1)).days
    removed = rows(base) - rows(with_campaign)
    assert all(first <= d < first + 35 for d, *_ in removed)
    in_campaign = {
        v["case_number"]
        for v in base.verdicts
        if v["offence_kommun"][:2] == "05"
        and first <= (date.fromisoformat(v["offence_date"]) - date(2023, 1, 1)).days < first + 35
    }
    untouched = [v for v in base.verdicts if v["case_number"] not in in_campaign]
    assert all(v in with_campaign.verdicts for v in untouched)


def test_campaign_multiplier_covers_start_day_and_five_weeks() -> None:
    cfg = Config(campaigns=[SPRING_CAMPAIGN])
    first = (SPRING_CAMPAIGN.start - date(2023, 1, 1)).days
    day = np.array([first - 1, first, first + 34, first + 35, first], dtype=np.int32)
    kommun = np.array(["0580", "0580", "0581", "0580", "0180"])
    assert campaign_multiplier(cfg, day, kommun).tolist() == pytest.approx([1.0, 0.85, 0.85, 1.0, 1.0])


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    activity = make_supply(OSTERGOTLAND, days=365)
    cfg = Config(world=World(days=365), verdicts=VerdictsConfig(verdict_share=0.05))
    names = ["purchases_kommun_month.csv", "od_flows.csv", "buyer_ages.csv", "verdicts.jsonl"]
    outputs = []
    for run in ("a", "b"):
        summary = simulate_demand(cfg, activity, np.random.default_rng(5)).write(tmp_path / run)
        outputs.append(([(tmp_path / run / "truth" / n).read_bytes() for n in names], summary))
    assert outputs[0] == outputs[1]
    other = simulate_demand(cfg, activity, np.random.default_rng(6)).write(tmp_path / "c")
    assert other != outputs[0][1]


def test_result_does_not_depend_on_the_order_of_supply_entries() -> None:
    activity = make_supply(OSTERGOTLAND, days=200)
    perm = np.random.default_rng(0).permutation(len(activity.day))
    shuffled = Activity(
        activity.seller_id[perm], activity.day[perm], activity.kommun[perm], activity.genuine[perm], activity.seller_age
    )
    cfg = Config(world=World(days=200))
    a = simulate_demand(cfg, activity, np.random.default_rng(2))
    b = simulate_demand(cfg, shuffled, np.random.default_rng(2))
    assert np.array_equal(a.buyer_id, b.buyer_id) and np.array_equal(a.seller_id, b.seller_id)


def test_truth_files_add_up_to_the_purchases(tmp_path: Path, ostergotland: tuple[Activity, DemandTruth]) -> None:
    _, truth = ostergotland
    summary = truth.write(tmp_path)
    truth_dir = tmp_path / "truth"
    for name in ("purchases_kommun_month.csv", "od_flows.csv", "buyer_ages.csv"):
        lines = (truth_dir / name).read_text(encoding="utf-8").splitlines()
        assert lines[0].endswith(",purchases")
        assert sum(int(line.rsplit(",", 1)[1]) for line in lines[1:]) == len(truth)
    months = [line.split(",")[1] for line in (truth_dir / "purchases_kommun_month.csv").read_text().splitlines()[1:]]
    assert set(months) <= {f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)}
    assert sum(v["purchases"] for v in summary["national"].values()) == len(truth)
    assert summary["counties"]["05"]["2023"]["purchases"] == summary["national"]["2023"]["purchases"]
    assert 0 < summary["counties"]["05"]["2023"]["buyers"] <= summary["counties"]["05"]["2023"]["purchases"]


def test_unknown_municipality_is_refused() -> None:
    activity = make_supply({"0580": 1.0}, days=10)
    bad = Activity(activity.seller_id, activity.day, np.full(len(activity.day), "9999"), activity.genuine, {})
    with pytest.raises(ValueError, match="9999"):
        simulate_demand(Config(world=World(days=10)), bad, np.random.default_rng(1))


def test_config_rejects_inconsistent_values_and_is_frozen() -> None:
    with pytest.raises(ValidationError, match="prevalence_12m"):
        BuyersConfig(prevalence_12m=0.1, prevalence_ever=0.075)
    with pytest.raises(ValidationError):
        BuyersConfig(unknown_field=1)  # type: ignore[call-arg]
    cfg = BuyersConfig()
    with pytest.raises(ValidationError):
        cfg.prevalence_ever = 0.1  # type: ignore[misc]


@pytest.mark.parametrize("model", [BuyersConfig, VerdictsConfig])
def test_every_config_field_has_a_default_and_a_description(model: type[BuyersConfig | VerdictsConfig]) -> None:
    model()
    for name, info in model.model_fields.items():
        assert info.description and len(info.description) > 20, name


def test_defaults_carry_the_sources_figures() -> None:
    b = BuyersConfig()
    assert (b.prevalence_ever, b.prevalence_12m) == (0.075, 0.008)
    assert (b.prevalence_age_min, b.prevalence_age_max) == (18, 65)


def test_real_world_config_is_accepted() -> None:
    config = pytest.importorskip("lagesbild.simulate.config")
    cfg = config.WorldConfig(
        campaigns=[config.CampaignConfig(name="k", counties=["05"], start=date(2023, 4, 15), weeks=5, effect=-0.15)]
    )
    truth = simulate_demand(cfg, make_supply(OSTERGOTLAND, days=60), np.random.default_rng(1))
    assert len(truth) > 0


def test_supply_without_any_client_in_some_municipalities() -> None:
    activity = make_supply({"0580": 20.0, "0509": 0.05}, days=30)
    cfg = Config(world=World(days=30), buyers=BuyersConfig(clients_per_active_day=0.05))
    truth = simulate_demand(cfg, activity, np.random.default_rng(1))
    assert len(truth) > 0 and "0509" not in set(truth.seller_kommun.tolist())


def test_no_clients_gives_empty_truth_files(tmp_path: Path) -> None:
    cfg = Config(world=World(days=30), buyers=BuyersConfig(clients_per_active_day=0.0))
    truth = simulate_demand(cfg, make_supply({"0580": 2.0}, days=30), np.random.default_rng(1))
    assert len(truth) == 0 and truth.verdicts == []
    summary = truth.write(tmp_path)
    assert summary == {"counties": {}, "national": {}}
    assert (tmp_path / "truth" / "od_flows.csv").read_text() == "buyer_kommun,seller_kommun,purchases\n"
