"""Tests of sksynth.metrics figures (sksynth/metrics/_plot.py)."""

import warnings

import numpy as np
import pandas as pd
import pytest

from sksynth import GaussianCopulaSynthesizer
from sksynth.metrics import (
    plot_marginals,
    save_figures,
)


def test_save_figures_writes_the_comparison_figures(metrics_table, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    train, holdout = metrics_table.iloc[:700], metrics_table.iloc[700:]
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(train).sample(700)
    paths = save_figures(
        train, synthetic, tmp_path / "figures", holdout=holdout, random_state=0
    )
    assert [p.name for p in paths] == [
        "marginals.png",
        "correlation_difference.png",
        "detection_roc.png",
        "dcr.png",
    ]
    assert all(p.stat().st_size > 1000 for p in paths)
    figure = plot_marginals(train, synthetic, columns=["a", "group"])
    assert len([ax for ax in figure.axes if ax.get_visible()]) == 2


def test_figures_of_tables_without_two_numeric_columns(tmp_path):
    rng = np.random.RandomState(0)
    real = pd.DataFrame({"c": rng.choice(["a", "b"], 200), "x": rng.normal(size=200)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = save_figures(real, real.sample(frac=1, random_state=0), tmp_path)
    assert [p.name for p in paths] == ["marginals.png", "detection_roc.png"]
    with pytest.raises(ValueError, match=r"columns \['cc'\] are not columns"):
        plot_marginals(real, real, columns=["cc"])
