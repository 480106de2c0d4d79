"""Tests of sksynth.metrics figures (sksynth/metrics/_plot.py)."""

import warnings

import numpy as np
import pandas as pd
import pytest

from sksynth import GaussianCopulaSynthesizer
from sksynth.metrics import (
    plot_correlation_difference,
    plot_dcr,
    plot_detection_roc,
    plot_marginals,
    save_figures,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def _small_frame(n_rows, seed=0):
    rng = np.random.RandomState(seed)
    return pd.DataFrame(
        {
            "a": rng.normal(size=n_rows),
            "b": rng.normal(size=n_rows),
            "g": rng.choice(["x", "y"], n_rows),
        }
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


@pytest.mark.parametrize("n_rows", [1, 2])
def test_figures_of_one_or_two_rows(n_rows):
    real, synthetic = _small_frame(n_rows), _small_frame(n_rows, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plot_marginals(real, synthetic)
        plot_correlation_difference(real, synthetic)
        plot_dcr(real, synthetic, _small_frame(n_rows, seed=2))
        # Once the synthetic histogram fell outside the range, empty.
        plot_dcr(_small_frame(200), synthetic, _small_frame(200, seed=2))


@pytest.mark.parametrize("n_real, n_synthetic", [(1, 1), (2, 2), (200, 1), (200, 2)])
def test_detection_roc_needs_rows_for_its_folds(n_real, n_synthetic):
    # Issue 15: scikit-learn's "n_splits=3 cannot be greater than the number of
    # members in each class" (or a shape mismatch for 200 real and 1 synthetic
    # row) instead of a message naming the rows.
    real, synthetic = _small_frame(n_real), _small_frame(n_synthetic, seed=1)
    match = (
        rf"plot_detection_roc needs at least cv=3 rows in each table; got {n_real} "
        rf"real and {n_synthetic} synthetic rows. Pass more rows or a smaller cv."
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=match):
            plot_detection_roc(real, synthetic, random_state=0)


@pytest.mark.parametrize("n_real, n_synthetic", [(1, 1), (2, 2), (200, 2)])
def test_save_figures_of_one_or_two_rows_says_why(n_real, n_synthetic, tmp_path):
    # Issue 15: a scikit-learn error from inside the detection ROC curve.
    real, synthetic = _small_frame(n_real), _small_frame(n_synthetic, seed=1)
    match = (
        rf"save_figures needs at least 3 rows in each table for the detection ROC "
        rf"curve \(3 folds\); got {n_real} real and {n_synthetic} synthetic rows"
    )
    with pytest.raises(ValueError, match=match):
        save_figures(real, synthetic, tmp_path / "figures", holdout=real)
    assert not (tmp_path / "figures").exists()


def test_save_figures_of_three_rows(tmp_path):
    real, synthetic = _small_frame(3), _small_frame(3, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = save_figures(real, synthetic, tmp_path, holdout=real, random_state=0)
    assert [p.name for p in paths] == [
        "marginals.png",
        "correlation_difference.png",
        "detection_roc.png",
        "dcr.png",
    ]


@pytest.mark.parametrize("missing_in", [("real", "synthetic"), ("real",), ()])
def test_figures_of_a_column_missing_in_every_row_warn_nothing(missing_in, tmp_path):
    # Issue 15: numpy's histogram divided by zero for a column with no value;
    # the legend, on the first panel, then had nothing to show.
    tables = {"real": _small_frame(100), "synthetic": _small_frame(100, seed=1)}
    for name in missing_in:
        tables[name] = tables[name].assign(a=np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = save_figures(*tables.values(), tmp_path, random_state=0)
        figure = plot_marginals(*tables.values())
    assert len(paths) == 3
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert texts == (["missing in every row"] if len(missing_in) == 2 else [])
    assert figure.axes[0 if len(missing_in) < 2 else 1].get_legend() is not None


@pytest.mark.parametrize(
    "plot, kwargs, match",
    [
        (plot_marginals, {"n_cols": 0}, "The 'n_cols' parameter of plot_marginals"),
        (plot_marginals, {"columns": "ab"}, "The 'columns' parameter of plot_"),
        (plot_marginals, {"columns": []}, "columns is empty: pass the names"),
        (plot_detection_roc, {"cv": 1}, "The 'cv' parameter of plot_detection_roc"),
        (plot_detection_roc, {"max_samples": 2}, "The 'max_samples' parameter"),
    ],
)
def test_figure_parameters_are_validated(plot, kwargs, match):
    # Once a ZeroDivisionError (n_cols=0) and errors from matplotlib or
    # scikit-learn's folds.
    real = _small_frame(50)
    with pytest.raises(ValueError, match=match):
        plot(real, real, **kwargs)


def test_save_figures_folder_is_validated():
    real = _small_frame(50)
    with pytest.raises(ValueError, match="The 'folder' parameter of save_figures"):
        save_figures(real, real, None)
    with pytest.raises(ValueError, match="The 'max_samples' parameter of plot_dcr"):
        plot_dcr(real, real, real, max_samples=0)


def test_marginals_label_dates_with_dates_and_durations_with_their_unit():
    rng = np.random.RandomState(0)
    n_rows = 200
    frame = pd.DataFrame(
        {
            "signup": pd.Timestamp("2021-03-01")
            + pd.to_timedelta(rng.randint(0, 400, n_rows), unit="D"),
            "wait": pd.to_timedelta(rng.randint(0, 90, n_rows), unit="min"),
        }
    )
    figure = plot_marginals(frame, frame.sample(frac=1, random_state=1))
    dates, waits = figure.axes[:2]
    first = frame["signup"].min()
    # The data layer counts days from the first date: 0 is that date.
    assert dates.xaxis.get_major_formatter()(0) == first.strftime("%Y-%m-%d")
    assert dates.xaxis.get_major_formatter()(31) == (
        first + pd.Timedelta(days=31)
    ).strftime("%Y-%m-%d")
    assert waits.get_xlabel() == "minutes"


def test_marginals_bins_of_whole_numbers_are_centred_on_them():
    # 40 bins over 63 ages put two ages in some bins and one in others: a
    # comb that the data do not have.
    rng = np.random.RandomState(0)
    real = pd.DataFrame({"age": rng.randint(18, 81, 500), "x": rng.normal(size=500)})
    figure = plot_marginals(real, real.iloc[::-1])
    edges = np.array([patch.get_x() for patch in figure.axes[0].patches])
    assert np.allclose(edges % 1, 0.5)
    widths = {round(patch.get_width(), 9) for patch in figure.axes[0].patches}
    assert widths == {2.0}


def test_correlation_difference_names_rows_on_the_first_panel_only():
    real = _small_frame(100)
    figure = plot_correlation_difference(real, _small_frame(100, seed=1))
    labels = [[t.get_text() for t in ax.get_yticklabels()] for ax in figure.axes[:3]]
    assert labels[0] == ["a", "b"]
    assert labels[1] == labels[2] == ["", ""]
