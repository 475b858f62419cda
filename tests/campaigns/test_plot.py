"""The three-panel STS plot: written by the library and by ``campaigns evaluate --plot``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from lagesbild.campaigns.plot import plot_sts
from lagesbild.campaigns.sts import sts_effect
from lagesbild.cli import campaigns as campaigns_cmd

CI_EXAMPLE = Path(__file__).parents[1] / "data" / "anchors" / "ci_example.csv"


def _assert_real_png(path: Path) -> None:
    import matplotlib.image as mpimg

    assert path.stat().st_size > 20_000
    img = mpimg.imread(path)
    assert img.shape[0] == 900 and img.shape[1] == 900  # 9x9 inches at 100 dpi
    rgb = img[..., :3]
    # not blank: many pixels are not white, and the colours vary
    assert (rgb.mean(axis=2) < 0.9).mean() > 0.01
    assert float(rgb.std()) > 0.05


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_plot_sts_writes_three_panels(tmp_path: Path, lang: str) -> None:
    data = np.genfromtxt(CI_EXAMPLE, delimiter=",", skip_header=1, usecols=(1, 2))
    eff = sts_effect(data[:, 0], data[:, 1], 70)
    out = plot_sts(eff, tmp_path / "sub" / "effect.png", title="Exempel", lang=lang)
    _assert_real_png(out)
    with pytest.raises(ValueError, match="lang"):
        plot_sts(eff, tmp_path / "x.png", lang="de")


def _app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        pass

    root.add_typer(campaigns_cmd.app, name="campaigns")
    return root


def test_evaluate_plot_option(tmp_path: Path) -> None:
    runner = CliRunner()
    png = tmp_path / "ci.png"
    args = ["campaigns", "evaluate", "--series", str(CI_EXAMPLE), "--start", "2025-05-05"]
    res = runner.invoke(_app(), [*args, "--method", "sts", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    _assert_real_png(png)
    bad = tmp_path / "glm.png"
    res = runner.invoke(_app(), [*args, "--method", "glm", "--plot", str(bad)])
    assert res.exit_code != 0 and "--plot" in res.output and not bad.exists()
