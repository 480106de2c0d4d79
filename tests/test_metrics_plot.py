"""Tests of sksynth.metrics figures (sksynth/metrics/_plot.py)."""

import re
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
    # A categorical and a numeric column have an association (eta) to draw;
    # a single column has none.
    rng = np.random.RandomState(0)
    real = pd.DataFrame({"c": rng.choice(["a", "b"], 200), "x": rng.normal(size=200)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = save_figures(real, real.sample(frac=1, random_state=0), tmp_path)
        single = save_figures(real[["c"]], real[["c"]], tmp_path / "single")
    assert [p.name for p in paths] == [
        "marginals.png",
        "correlation_difference.png",
        "detection_roc.png",
    ]
    assert [p.name for p in single] == ["marginals.png", "detection_roc.png"]
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
    for patch in figure.axes[0].patches:  # one step patch per table
        edges = patch.get_data().edges
        assert np.allclose(edges % 1, 0.5)
        assert np.allclose(np.diff(edges), 2.0)


def test_association_figure_names_rows_without_overlapping_its_neighbours():
    # The row names of the second and third panels once ran over the heat
    # map on their left.
    real = _small_frame(100).rename(columns={"a": "a rather long column name"})
    figure = plot_correlation_difference(
        real,
        _small_frame(100, seed=1).rename(columns={"a": "a rather long column name"}),
    )
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    panels = figure.axes[:3]
    for ax in panels:
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == ["a rather long column name", "b", "g"]
    others = [ax for ax in figure.axes if ax not in panels]  # colour bars
    for left, right in zip([panels[0], others[0]], panels[1:], strict=True):
        names_start = min(
            t.get_window_extent(renderer).x0 for t in right.get_yticklabels()
        )
        assert names_start >= left.get_window_extent(renderer).x1


def test_association_figure_includes_categorical_columns_and_names_measures():
    real, synthetic = _small_frame(200), _small_frame(200, seed=1)
    real = real.assign(h=np.where(real["a"] > 0, "up", "down"))
    synthetic = synthetic.assign(h=np.where(synthetic["b"] > 0, "up", "down"))
    figure = plot_correlation_difference(real, synthetic)
    assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == [
        "a",
        "b",
        "g",
        "h",
    ]
    title = figure._suptitle.get_text()
    assert "Pearson correlation" in title
    assert "Cramér's V" in title
    assert "correlation ratio eta" in title
    # a and h go together in the real rows only.
    real_matrix = figure.axes[0].images[0].get_array()
    synthetic_matrix = figure.axes[1].images[0].get_array()
    assert real_matrix[0, 3] > 0.7 and synthetic_matrix[0, 3] < 0.2


def test_association_difference_scale_is_symmetric_and_fits_the_data():
    from sksynth.metrics._fidelity import pairwise_associations
    from sksynth.metrics._tables import encode_tables

    real, synthetic = _small_frame(300), _small_frame(300, seed=1)
    synthetic["b"] = synthetic["a"] * 0.3 + synthetic["b"]
    figure = plot_correlation_difference(real, synthetic)
    difference = figure.axes[2]
    low, high = difference.images[0].get_clim()
    specs, tables = encode_tables(real, synthetic)
    gap = np.abs(
        pairwise_associations(specs, tables[1])
        - pairwise_associations(specs, tables[0])
    ).max()
    assert low == -high
    assert high == pytest.approx(gap)
    colour_bar_labels = [ax.get_ylabel() for ax in figure.axes[3:]]
    assert "synthetic - real" in colour_bar_labels


def test_pairwise_associations_match_hand_computations():
    from sksynth.metrics._fidelity import pairwise_associations
    from sksynth.metrics._tables import encode_tables

    frame = pd.DataFrame(
        {
            "x": ["a", "a", "a", "a", "b", "b", "b", "b"],
            "y": ["u", "u", "u", "v", "u", "v", "v", "v"],
            "z": [1.0, 2.0, 3.0, 2.0, 5.0, 6.0, 7.0, 6.0],
            "w": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.5],
        }
    )
    specs, (values,) = encode_tables(frame)
    matrix = pairwise_associations(specs, values)
    names = [spec.name for spec in specs]
    x, y, z, w = (names.index(c) for c in "xyzw")
    # Cramér's V of [[3, 1], [1, 3]]: chi2 = 2, n = 8, sqrt(2 / 8) = 0.5.
    assert matrix[x, y] == pytest.approx(0.5)
    # Eta of z by x: group means 2 and 6, overall 4: between 8 * 2^2 = 32,
    # within 2 + 2 = 4, total 36.
    assert matrix[x, z] == pytest.approx(np.sqrt(32 / 36))
    assert matrix[z, w] == pytest.approx(np.corrcoef(frame["z"], frame["w"])[0, 1])
    assert np.allclose(matrix, matrix.T)
    assert np.allclose(np.diag(matrix), 1.0)
    # Rows with a missing value in a pair are left out of that pair only.
    extra = pd.DataFrame({"x": ["b", None], "y": [None, "u"], "z": [np.nan, 9.0]})
    with_missing = pd.concat([frame, extra.assign(w=[3.0, 4.0])], ignore_index=True)
    specs, (values,) = encode_tables(with_missing)
    matrix = pairwise_associations(specs, values)
    assert matrix[x, y] == pytest.approx(0.5)
    assert matrix[x, z] == pytest.approx(np.sqrt(32 / 36))


def test_detection_roc_draws_both_detectors_with_their_auc():
    real, synthetic = _small_frame(200), _small_frame(200, seed=1)
    synthetic["a"] += 1.0
    figure = plot_detection_roc(real, synthetic, random_state=0)
    legend = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert len(legend) == 3
    assert re.fullmatch(r"gradient boosting \(AUC 0\.\d\d\)", legend[0])
    assert re.fullmatch(r"logistic regression \(AUC 0\.\d\d\)", legend[1])
    assert legend[2] == "chance (AUC 0.50)"
    auc = float(legend[1][-5:-1])
    assert auc > 0.65  # a shifted mean: logistic regression sees it


def test_heavy_tailed_columns_get_a_symlog_axis():
    rng = np.random.RandomState(0)
    n_rows = 1000
    gain = np.where(rng.uniform(size=n_rows) < 0.9, 0, rng.lognormal(8, 1.5, n_rows))
    real = pd.DataFrame(
        {
            "gain": gain.round(),
            "age": rng.randint(18, 90, n_rows),
            "flag": rng.randint(0, 2, n_rows),
        }
    )
    figure = plot_marginals(real, real.iloc[::-1])
    scales = {ax.get_title(): ax.get_xscale() for ax in figure.axes}
    assert scales == {"gain": "symlog", "age": "linear", "flag": "linear"}
    assert all(ax.get_ylabel() == "share of rows" for ax in figure.axes)
    # Heights are shares of rows: they add up to 1.
    for patch in figure.axes[1].patches:
        assert patch.get_data().values.sum() == pytest.approx(1.0)


def test_right_skewed_columns_get_a_log_axis_and_symmetric_ones_do_not():
    # California housing's total_rooms and population (skewness 4 and 5, 99th
    # percentile 5 times the median) stayed on linear axes, their bulk in a
    # few bins.
    rng = np.random.RandomState(0)
    n_rows = 2000
    real = pd.DataFrame(
        {
            "rooms": rng.lognormal(7.5, 0.9, n_rows).round(),
            "visits": np.where(
                rng.uniform(size=n_rows) < 0.05, 0, rng.lognormal(3, 1, n_rows)
            ).round(),
            "price": rng.normal(1000, 100, n_rows),
            "share": rng.uniform(0, 1, n_rows),
            "latitude": np.r_[
                rng.normal(34, 0.5, n_rows // 2), rng.normal(38, 0.8, n_rows // 2)
            ],
            "wait": rng.exponential(10, n_rows),
        }
    )
    figure = plot_marginals(real, real.iloc[::-1])
    scales = {
        ax.get_title(): (ax.get_xscale(), ax.get_yscale())
        for ax in figure.axes
        if ax.get_visible()
    }
    assert scales == {
        "rooms": ("log", "linear"),
        "visits": ("symlog", "linear"),
        "price": ("linear", "linear"),
        "share": ("linear", "linear"),
        "latitude": ("linear", "linear"),
        "wait": ("linear", "linear"),
    }
    rooms = figure.axes[0]
    assert rooms.get_xlabel() == "value (log axis)"
    # Bins even on the log axis, holding every row.
    edges = rooms.patches[0].get_data().edges
    assert np.allclose(np.diff(np.log(edges)), np.log(edges[1] / edges[0]))
    assert rooms.patches[0].get_data().values.sum() == pytest.approx(1.0)
    caption = min(figure.texts, key=lambda text: text.get_position()[1])
    assert "Log x axes stretch long right tails" in caption.get_text()
    assert "mostly zeros" not in caption.get_text()


def test_marginals_show_category_names_in_full():
    levels = ["Married-civ-spouse", "Married-spouse-absent", "Never-married"]
    rng = np.random.RandomState(0)
    real = pd.DataFrame({"status": rng.choice(levels, 300), "x": rng.normal(size=300)})
    figure = plot_marginals(real, real.iloc[::-1])
    labels = {t.get_text() for t in figure.axes[0].get_yticklabels()}
    assert labels == set(levels)
    assert figure.axes[0].get_xlabel() == "share of rows"
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    start = min(
        t.get_window_extent(renderer).x0 for t in figure.axes[0].get_yticklabels()
    )
    assert start >= 0


def test_dcr_names_its_unit_and_its_rows():
    train, synthetic, holdout = (_small_frame(100, seed=s) for s in range(3))
    figure = plot_dcr(train, synthetic, holdout)
    ax = figure.axes[0]
    assert ax.get_xlabel() == (
        "distance to the closest training row (standardised units)"
    )
    assert ax.get_ylabel() == "share of rows"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["synthetic rows", "real holdout rows (not used in fitting)"]
    # Synthetic rows farther than the holdout ones (Adult's copula) are read
    # too, not only a pile of copies near 0.
    caption = min(figure.texts, key=lambda text: text.get_position()[1])
    assert "not a leak" in caption.get_text()


def test_every_figure_has_a_caption(tmp_path):
    train, synthetic, holdout = (_small_frame(100, seed=s) for s in range(3))
    figures = [
        plot_marginals(train, synthetic),
        plot_correlation_difference(train, synthetic),
        plot_detection_roc(train, synthetic, random_state=0),
        plot_dcr(train, synthetic, holdout),
    ]
    for figure in figures:
        # The lowest text (the association figure has a title too).
        caption = min(figure.texts, key=lambda text: text.get_position()[1])
        assert len(caption.get_text()) > 60
        assert "_" not in caption.get_text()
        # The caption sits inside the figure, below the panels.
        panels_bottom = min(ax.get_position().y0 for ax in figure.axes)
        assert 0 < caption.get_position()[1] < panels_bottom


def test_save_figures_reuses_what_the_report_computed(
    metrics_table, tmp_path, monkeypatch
):
    # The figures fitted the detection classifiers, searched the nearest
    # training rows and computed the associations once more after
    # evaluate_synthetic had.
    from sksynth.metrics import _plot, evaluate_synthetic

    train, holdout = metrics_table.iloc[:700], metrics_table.iloc[700:]
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(train).sample(700)
    report = evaluate_synthetic(train, synthetic, holdout=holdout, random_state=0)

    def computed_again(*args, **kwargs):
        raise AssertionError("save_figures computed what the report holds")

    for name in ("_detection_curves", "_dcr_distances", "pairwise_associations"):
        monkeypatch.setattr(_plot, name, computed_again)
    figures = {}
    monkeypatch.setattr(_plot, "_detection_roc", _keep(_plot._detection_roc, figures))
    paths = save_figures(
        train, synthetic, tmp_path, holdout=holdout, random_state=0, report=report
    )
    assert [p.name for p in paths] == [
        "marginals.png",
        "correlation_difference.png",
        "detection_roc.png",
        "dcr.png",
    ]
    # The legend gives the report's AUCs.
    legend = [t.get_text() for t in figures["figure"].axes[0].get_legend().get_texts()]
    aucs = [report[f"detection_auc{m}"]["synthetic"] for m in ("", "_logistic")]
    assert legend[:2] == [
        f"gradient boosting (AUC {aucs[0]:.2f})",
        f"logistic regression (AUC {aucs[1]:.2f})",
    ]


def _keep(function, kept):
    """``function``, keeping the figure it returns in ``kept["figure"]``."""

    def wrapper(*args, **kwargs):
        kept["figure"] = function(*args, **kwargs)
        return kept["figure"]

    return wrapper


def test_save_figures_rejects_the_report_of_other_tables(metrics_table, tmp_path):
    from sksynth.metrics import SyntheticDataReport, evaluate_synthetic

    train = metrics_table.iloc[:300]
    report = evaluate_synthetic(
        train[["a", "b"]], train[["a", "b"]], metrics="fidelity", random_state=0
    )
    for other in (report, SyntheticDataReport({})):
        with pytest.raises(ValueError, match="report must be the report of evaluate"):
            save_figures(train, train, tmp_path, report=other)
