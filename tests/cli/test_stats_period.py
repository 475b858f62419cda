"""``stats --period``: an unknown period is a clear input error (exit 2), never a traceback (was ValueError)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lagesbild.cli import app
from lagesbild.errors import InputError
from lagesbild.settings import Settings
from lagesbild.store import Store

runner = CliRunner()


def test_an_unknown_period_exits_2_with_the_allowed_values(settings: Settings) -> None:
    base = ["--home", str(settings.home), "--db", settings.db]
    assert runner.invoke(app, [*base, "init"]).exit_code == 0
    res = runner.invoke(app, [*base, "stats", "--period", "week"])
    assert res.exit_code == 2, res.output
    assert "period" in res.output and "year, month or day" in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    for period in ("year", "month", "day"):
        assert runner.invoke(app, [*base, "stats", "--period", period]).exit_code == 0


@settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(period=st.text(max_size=30))
def test_any_period_gives_counts_or_an_input_error(store: Store, period: str) -> None:
    try:
        rows = store.observation_counts(period=period)
    except InputError as exc:
        assert exc.field == "period" and period not in ("year", "month", "day")
        assert len(str(exc)) < 300, "the message does not echo a long value"
    else:
        assert period in ("year", "month", "day") and rows == []
