"""The three-panel plot of a counterfactual (STS) campaign evaluation.

Panels: observed vs the counterfactual with its band; the pointwise effect (observed minus
expected) during the campaign; the cumulative effect. Labels in Swedish (``lang="sv"``) or English.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lagesbild.campaigns.sts import StsEffect

_LABELS = {
    "sv": {
        "observed": "Observerat", "expected": "Kontrafaktiskt (förväntat)", "band": "Intervall",
        "pointwise": "Effekt per period (observerat − förväntat)", "cumulative": "Kumulativ effekt",
        "period": "Period", "start": "Kampanjstart", "title": "Kampanjeffekt",
    },
    "en": {
        "observed": "Observed", "expected": "Counterfactual (expected)", "band": "Interval",
        "pointwise": "Pointwise effect (observed − expected)", "cumulative": "Cumulative effect",
        "period": "Period", "start": "Campaign start", "title": "Campaign effect",
    },
}  # fmt: skip


def plot_sts(effect: StsEffect, path: Path, *, title: str = "", lang: str = "sv") -> Path:
    """Write the three-panel PNG of ``effect`` to ``path`` and return it.

    Raises:
        ValueError: ``lang`` is neither ``sv`` nor ``en``.
    """
    if lang not in _LABELS:
        raise ValueError(f"lang must be sv or en, not {lang!r}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = _LABELS[lang]
    n = len(effect.observed)
    x = np.arange(n)
    post = x[effect.n_pre : effect.n_pre + len(effect.pointwise)]
    fig, axes = plt.subplots(3, 1, figsize=(9, 9), sharex=True)
    try:
        ax = axes[0]
        # the first one-step-ahead prediction has no history behind it (the filter's initial state)
        f = 1 if effect.n_pre > 1 else 0
        ax.fill_between(x[f:], effect.expected_low[f:], effect.expected_high[f:], color="tab:blue", alpha=0.2,
                        label=t["band"])  # fmt: skip
        ax.plot(x[f:], effect.expected[f:], color="tab:blue", linestyle="--", label=t["expected"])
        ax.plot(x, effect.observed, color="black", label=t["observed"])
        ax.legend(loc="best", fontsize="small")
        ax.set_title(f"{t['title']}: {title}" if title else t["title"])
        axes[1].plot(post, effect.pointwise, color="tab:red")
        axes[1].set_ylabel(t["pointwise"], fontsize="small")
        axes[2].plot(post, effect.cumulative_series, color="tab:purple")
        axes[2].set_ylabel(t["cumulative"], fontsize="small")
        axes[2].set_xlabel(t["period"])
        for a in axes:
            a.axvline(effect.n_pre - 0.5, color="grey", linestyle=":", label=None)
        for a in axes[1:]:
            a.axhline(0.0, color="grey", linewidth=0.8)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100)
    finally:
        plt.close(fig)
    return path
