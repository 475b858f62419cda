"""campaigns.target: ranking areas for a campaign by demand, activity and inflow."""

from __future__ import annotations

import pytest

from lagesbild.campaigns.target import AreaInput, rank_targets


def _areas() -> list[AreaInput]:
    return [
        AreaInput("0580", "Linköping", demand=900.0, activity=600.0, inflow=0.3, judgments=40),
        AreaInput("0581", "Norrköping", demand=700.0, activity=300.0, inflow=0.6, judgments=30),
        AreaInput("0584", "Vadstena", demand=50.0, activity=None, inflow=0.9, judgments=3),
        AreaInput("0586", "Mjölby", demand=None, activity=None, inflow=None),
    ]


def test_ranks_by_mean_component_rank() -> None:
    rows = rank_targets(_areas())
    assert [r.code for r in rows] == ["0580", "0581", "0584", "0586"]
    lkp, nkp = rows[0], rows[1]
    assert lkp.ranks == {"demand": 1, "activity": 1, "inflow": 2}
    assert lkp.score == pytest.approx(4 / 3)
    assert nkp.ranks == {"demand": 2, "activity": 2, "inflow": 1}
    assert nkp.score == pytest.approx(5 / 3)
    assert "aktivitet: 67 % av områdets köp" in lkp.reasons
    assert "inflöde: 60 % av köparna bor i andra kommuner" in nkp.reasons


def test_missing_components_are_no_data_not_zero() -> None:
    rows = {r.code: r for r in rank_targets(_areas())}
    vad = rows["0584"]
    # activity missing, inflow suppressed (3 judgments < 5): the score rests on demand only
    assert vad.based_on == ("demand",)
    assert vad.score == 3.0
    assert "aktivitet: inga data" in vad.reasons
    assert any("färre än 5 bedömningar" in s for s in vad.reasons)
    assert vad.values["inflow"] is None
    mj = rows["0586"]
    assert mj.score is None and mj.based_on == () and mj.rank == 4
    assert all("inga data" in s for s in mj.reasons)


def test_top_and_bad_input() -> None:
    assert [r.code for r in rank_targets(_areas(), top=2)] == ["0580", "0581"]
    with pytest.raises(ValueError, match="0580: inflow"):
        rank_targets([AreaInput("0580", "Linköping", inflow=1.5, judgments=10)])
    with pytest.raises(ValueError, match="top"):
        rank_targets(_areas(), top=0)


def test_inputs_from_county_suite_reads_allocations_and_residence() -> None:
    from types import SimpleNamespace
    from typing import Any, cast

    from lagesbild.campaigns.target import inputs_from_suite

    def fig(v: float | None) -> Any:
        return SimpleNamespace(estimate=v)

    suite = SimpleNamespace(
        area="05",
        by_kommun={
            "0580": {"purchases": fig(600.0), "demand_12m": fig(900.0)},
            "0581": {"purchases": fig(None), "demand_12m": fig(700.0)},
            "05?": {"purchases": fig(50.0)},
        },
        by_lan={},
        details={"residence": {"rows": [
            {"kommun": "0580", "judgments": 12, "visitor_share": {"median": 0.4, "low": 0.2, "high": 0.6}},
            {"kommun": "0581", "judgments": 2, "visitor_share": None},
        ]}},
    )  # fmt: skip
    got = {a.code: a for a in inputs_from_suite(cast(Any, suite))}
    assert set(got) == {"0580", "0581"}  # the unplaced bucket is no candidate
    assert (got["0580"].activity, got["0580"].demand, got["0580"].inflow, got["0580"].judgments) == (
        600.0, 900.0, 0.4, 12,
    )  # fmt: skip
    assert got["0581"].activity is None and got["0581"].inflow is None
    assert got["0580"].name == "Linköping"
