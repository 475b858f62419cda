"""Age profile and travel flows from extracted judgments (the Östergötland report's figures)."""

from __future__ import annotations

from lagesbild.verdicts import VerdictRecord, age_profile, travel_flows


def rec(age: int | None, home: str | None, offence: str | None) -> VerdictRecord:
    return VerdictRecord(None, None, "2024-05-01", None, age, home, offence, True, 50, 100, False)


def test_age_profile_gives_range_mean_median_and_bands() -> None:
    p = age_profile([rec(19, "0580", "0580"), rec(37, "0580", "0580"), rec(69, "0581", "0581"), rec(None, None, None)])
    assert (p.n, p.n_with_age, p.min, p.max, p.median) == (4, 3, 19, 69, 37.0)
    assert p.mean is not None and abs(p.mean - 125 / 3) < 1e-9
    assert dict(p.bands) == {"18-24": 1, "25-34": 0, "35-44": 1, "45-54": 0, "55-64": 0, "65-": 1}


def test_empty_age_profile_has_no_figures() -> None:
    p = age_profile([])
    assert (p.n, p.mean, p.min) == (0, None, None)
    assert all(n == 0 for _, n in p.bands)


def test_travel_flows_share_own_municipality_and_into_the_two_largest() -> None:
    rows = [
        rec(40, "0580", "0580"),  # Linköping, own
        rec(40, "0580", "0580"),
        rec(40, "0581", "0581"),  # Norrköping, own
        rec(40, "0583", "0580"),  # Motala -> Linköping
        rec(40, "0562", "0581"),  # Finspång -> Norrköping
        rec(40, "0583", "0583"),  # Motala, own
        rec(40, "0180", "0180"),  # outside the county: left out with lan="05"
        rec(40, None, "0580"),  # home unknown: left out
    ]
    f = travel_flows(rows, lan="05")
    assert f.n == 6
    assert set(f.largest) == {"0580", "0581"}
    assert f.own_share == 4 / 6
    assert f.share_into_largest == 5 / 6
    assert f.share_travelled_into_largest == 2 / 5
    assert f.flows[0].home == "0580" and f.flows[0].offence == "0580" and f.flows[0].count == 2
    assert sum(x.count for x in f.flows) == 6


def test_travel_flows_without_judgments_have_no_shares() -> None:
    f = travel_flows([], lan="05")
    assert (f.n, f.own_share, f.share_into_largest, f.share_travelled_into_largest) == (0, None, None, None)


def test_public_api_is_complete() -> None:
    import types

    import lagesbild.verdicts as v

    public = {
        n
        for n in dir(v)
        if not n.startswith("_") and n != "annotations" and not isinstance(getattr(v, n), types.ModuleType)
    }
    assert public == set(v.__all__)
