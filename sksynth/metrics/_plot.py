"""Figures comparing synthetic with real data (needs the ``plot`` extra)."""

import os
import textwrap
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve
from sklearn.model_selection import cross_val_predict
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

from .._data import BOOLEAN, CATEGORICAL, DATETIME, TIMEDELTA
from ._detection import detection_problem, detector_fitting
from ._fidelity import _level_shares, pairwise_associations
from ._privacy import _dcr_distances
from ._report import SyntheticDataReport
from ._tables import encode_tables

# Folds of the detection ROC curve that save_figures draws.
_ROC_FOLDS = 3
# Rows of each table the ROC curves of save_figures use, and synthetic and
# holdout rows its distance histograms query: enough for the shapes of curves
# and histograms (the AUCs within about 0.01 of those on 10,000 rows), for
# less than half the time of evaluate_synthetic's tests.
_FIGURE_DETECTION_ROWS = 5000
_FIGURE_DISTANCE_QUERIES = 1500


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "Plotting needs matplotlib: pip install 'sksynth[plot]'."
        ) from exc
    return plt


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "columns": ["array-like", None],
        "n_cols": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def plot_marginals(real, synthetic, *, columns=None, n_cols=4):
    """Overlay the distribution of each column, real against synthetic.

    Numbers as histograms of the share of rows on common bins, categories as
    horizontal bars of their shares (the 15 most frequent real levels, with
    their full names), missing values as their share in the title. A numeric
    column with more than 10 values whose 99th percentile of ``|x|`` is more
    than 20 times its median (a median of 0 counting: mostly zeros and a long
    tail) is drawn on a symlog x axis and a log y axis; otherwise one whose
    skewness exceeds 3 (a long right tail) on a log x axis (symlog when it
    holds values <= 0).

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    columns : list, default=None
        Names (or positions) of the columns to show; None shows all.
    n_cols : int, default=4
        Panels per row.

    Returns
    -------
    figure : matplotlib.figure.Figure
        The figure, one panel per column.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import plot_marginals
    >>> rng = np.random.RandomState(0)
    >>> figure = plot_marginals(rng.normal(size=(200, 2)), rng.normal(size=(200, 2)))
    >>> len(figure.axes)
    2
    """
    plt = _pyplot()
    specs, (real_values, synthetic_values) = encode_tables(real, synthetic)
    return _marginals(plt, specs, real_values, synthetic_values, columns, n_cols)


def _marginals(plt, specs, real_values, synthetic_values, columns=None, n_cols=4):
    names = [spec.name for spec in specs]
    if columns is not None and len(columns) == 0:
        raise ValueError(
            "columns is empty: pass the names (or positions) of the columns to "
            "show, or None for all."
        )
    unknown = [] if columns is None else [c for c in columns if c not in names]
    if unknown:
        raise ValueError(
            f"columns {unknown} are not columns of the tables; they are {names}."
        )
    chosen = [
        j for j, spec in enumerate(specs) if columns is None or spec.name in columns
    ]
    n_rows = int(np.ceil(len(chosen) / n_cols))
    n_panels = min(n_cols, len(chosen))
    # A fixed layout in inches, with room on the left of each panel for the
    # longest category name in full (tight_layout would draw the figure once
    # more to measure it). 0.055 inch per character at 7 points.
    longest = max(
        [len(str(level)) for j in chosen for level in _top_levels(specs[j])] + [6]
    )
    plot_w, plot_h, left, gap_h = 3.2, 2.4, 0.055 * longest + 0.25, 0.9
    caption = 0.45
    width = n_panels * (plot_w + left) + 0.2
    height = n_rows * (plot_h + gap_h) + caption
    figure, axes = plt.subplots(
        n_rows,
        n_panels,
        figsize=(width, height),
        squeeze=False,
        gridspec_kw={
            "left": left / width,
            "right": 1 - 0.2 / width,
            "wspace": left / plot_w,
            "bottom": (caption + 0.6) / height,
            "top": 1 - 0.3 / height,
            "hspace": gap_h / plot_h,
        },
    )
    for ax, j in zip(axes.ravel(), chosen, strict=False):
        spec, a, b = specs[j], real_values[:, j], synthetic_values[:, j]
        if spec.kind in (CATEGORICAL, BOOLEAN):
            _category_bars(ax, spec, a, b)
        else:
            # Dates keep a linear axis, labelled with dates.
            _number_histograms(ax, a, b, scaled=spec.kind != DATETIME)
            if spec.kind in (DATETIME, TIMEDELTA):
                _time_axis(ax, spec.codec)
        missing = f" (missing {np.isnan(a).mean():.0%} / {np.isnan(b).mean():.0%})"
        ax.set_title(
            f"{spec.name}{missing if np.isnan(a).any() or np.isnan(b).any() else ''}",
            fontsize=9,
        )
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(chosen) :]:
        ax.set_visible(False)
    # On the first panel with something drawn (not one missing in every row).
    for ax in axes.ravel():
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
            break
    caption = (
        "Each panel compares one column: the share of real rows (blue) and of "
        "synthetic rows (orange) in each range or category; alike bars mean a "
        "faithful column."
    )
    if any(specs[j].kind in (CATEGORICAL, BOOLEAN) for j in chosen):
        caption += " Categories: the 15 most frequent in the real rows."
    scales = {(ax.get_xscale(), ax.get_yscale()) for ax in figure.axes}
    if any(x != "linear" and y == "linear" for x, y in scales):
        caption += " Log x axes stretch long right tails (skewed amounts, counts)."
    if ("symlog", "log") in scales:
        caption += (
            " Symlog x and log y axes show columns of mostly zeros with a few "
            "large values."
        )
    _caption(figure, caption, layout=False)
    return figure


def _report_figure_data(report, specs):
    """What ``report`` computed for the figures (empty without a report), once
    checked that it was computed on tables of the same columns."""
    if report is None:
        return {}
    computed = report._figure_data
    names = [spec.name for spec in specs]
    if not computed or computed["columns"] != names:
        raise ValueError(
            "report must be the report of evaluate_synthetic on the same tables: "
            f"it was computed on columns {computed.get('columns')}, the tables "
            f"have {names}. Pass that report, or report=None to compute the "
            "figures."
        )
    return computed


def _caption(figure, text, layout=True):
    """A caption for a reader, wrapped to the figure's width, in a margin
    kept at its bottom (figures are saved without ``bbox_inches="tight"``,
    which draws each one twice)."""
    # About 14 characters of 9 points per inch.
    lines = textwrap.wrap(text, width=int(14 * figure.get_figwidth()))
    figure.text(
        0.5,
        0.08 / figure.get_figheight(),
        "\n".join(lines),
        ha="center",
        va="bottom",
        fontsize=9,
    )
    if not layout:
        return
    margin = (0.2 + 0.17 * len(lines)) / figure.get_figheight()
    engine = figure.get_layout_engine()
    if engine is not None and "rect" in engine.get():
        engine.set(rect=(0, margin, 1, 1 - margin / 4))
    else:
        figure.tight_layout(rect=(0, margin, 1, 1))


# A numeric column is drawn on a symlog x axis and a log y axis when it has
# more than this many values and the 99th percentile of |x| exceeds this many
# times its median (a median of 0 with a nonzero 99th percentile counts:
# mostly zeros plus a tail, like Adult's capital_gain).
_TAIL_MIN_VALUES = 10
_TAIL_RATIO = 20
# Otherwise, on a log x axis (symlog when it holds values <= 0) when its
# skewness exceeds this: a long right tail squeezes the bulk of the rows into
# a few bins of a linear axis (California housing's total_rooms and
# population, about 4 and 5). An exponential column (2) and a symmetric one
# (0) stay linear.
_SKEWNESS = 3


def _axis_scales(values):
    """The ``(x scale, y scale)`` of the histogram of the real ``values``:
    ``"symlog"`` and ``"log"`` for a long tail of large magnitudes (see
    _TAIL_RATIO), ``"log"`` (or ``"symlog"``) and ``"linear"`` for a
    right-skewed column (see _SKEWNESS), else both ``"linear"``."""
    if np.unique(values).size <= _TAIL_MIN_VALUES:
        return "linear", "linear"
    median, q99 = np.quantile(np.abs(values), [0.5, 0.99])
    if q99 > _TAIL_RATIO * median:
        return "symlog", "log"
    centred = values - values.mean()
    skewness = np.mean(centred**3) / np.mean(centred**2) ** 1.5
    if skewness > _SKEWNESS:
        return ("log" if values.min() > 0 else "symlog"), "linear"
    return "linear", "linear"


def _number_histograms(ax, a, b, scaled=True):
    """Histograms of the shares of rows of both tables on common bins.

    A table with no value in the column draws nothing. Heavy-tailed and
    right-skewed columns get bins even on their log or symlog axis (whose
    linear part spans the smallest nonzero magnitudes), unless not
    ``scaled``.
    """
    observed = [x[~np.isnan(x)] for x in (a, b)]
    values = np.concatenate(observed)
    if not values.size:
        ax.text(0.5, 0.5, "missing in every row", ha="center", transform=ax.transAxes)
        return
    x_scale, y_scale = "linear", "linear"
    if scaled:
        x_scale, y_scale = _axis_scales(observed[0] if observed[0].size else values)
    if x_scale == "log" and values.min() <= 0:
        # Synthetic values <= 0 where the real ones are positive.
        x_scale = "symlog"
    if x_scale == "log":
        bins = np.geomspace(values.min(), values.max(), 41)
        ax.set_xscale("log")
        ax.set_xlabel("value (log axis)", fontsize=8)
    elif x_scale == "symlog":
        magnitude = np.abs(values[values != 0])
        threshold = float(np.quantile(magnitude, 0.01)) if magnitude.size else 1.0
        bins = _symlog_edges(values, threshold)
        ax.set_xscale("symlog", linthresh=threshold)
        ax.set_xlabel(f"value (symlog axis: linear below {threshold:g})", fontsize=8)
    else:
        bins = _bin_edges(values)
        ax.set_xlabel("value", fontsize=8)
    ax.set_yscale(y_scale)
    for x, label, color in zip(
        observed, ("real", "synthetic"), ("C0", "C1"), strict=True
    ):
        if x.size:
            # One filled step patch per table: 40 bars each cost far more to
            # draw.
            shares = np.histogram(x, bins=bins)[0] / x.size
            ax.stairs(shares, bins, fill=True, alpha=0.5, label=label, color=color)
    ax.set_ylabel("share of rows", fontsize=8)


def _symlog_edges(values, threshold, n_bins=40):
    """Bin edges evenly spaced on a symlog axis of linear part ``threshold``."""

    def forward(x):
        return np.sign(x) * np.log1p(np.abs(x) / threshold)

    low, high = forward(values.min()), forward(values.max())
    if high <= low:
        high = low + 1.0
    edges = np.linspace(low, high, n_bins + 1)
    return np.sign(edges) * threshold * np.expm1(np.abs(edges))


def _bin_edges(values, n_bins=40):
    """``n_bins`` histogram bins of ``values``; whole numbers (counts, ages,
    dates) get bins of a whole number of units centred on them, so that no
    bin holds one more value than its neighbours."""
    low, high = values.min(), values.max()
    if not np.all(values == np.round(values)):
        return np.histogram_bin_edges(values, bins=n_bins)
    step = max(1.0, np.ceil((high - low + 1) / n_bins))
    return np.arange(low - 0.5, high + step, step)


def _time_axis(ax, codec):
    """Label the x axis of encoded dates with dates, and that of encoded
    durations with their unit (the data layer counts both in their
    granularity, dates from the first training date)."""
    if codec.kind == TIMEDELTA:
        ax.set_xlabel(f"{codec.granularity}s", fontsize=8)
        return
    from matplotlib.ticker import FuncFormatter

    first, last = codec.from_numbers(np.asarray(ax.get_xlim()))
    unit = "D" if last - first >= np.timedelta64(3, "D") else "m"

    def date(x, _):
        return np.datetime_as_string(codec.from_numbers(np.array([x]))[0], unit=unit)

    ax.xaxis.set_major_formatter(FuncFormatter(date))
    ax.tick_params(axis="x", labelrotation=30, labelsize=7)


def _top_levels(spec):
    """Names of the levels a marginal panel may show (none for numbers)."""
    if spec.kind not in (CATEGORICAL, BOOLEAN):
        return []
    return [str(level) for level in spec.categories]


def _category_bars(ax, spec, a, b):
    """Horizontal bars of the shares of the 15 most frequent real levels, with
    their full names."""
    n_levels = len(spec.categories)
    shares = [_level_shares(x, n_levels)[:n_levels] for x in (a, b)]
    top = np.argsort(-shares[0], kind="stable")[:15]
    positions = np.arange(top.size)
    ax.barh(positions - 0.2, shares[0][top], height=0.4, label="real")
    ax.barh(positions + 0.2, shares[1][top], height=0.4, label="synthetic")
    ax.set_yticks(positions)
    ax.set_yticklabels([str(spec.categories[k]) for k in top], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("share of rows", fontsize=8)


@validate_params(
    {"real": ["array-like"], "synthetic": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def plot_correlation_difference(real, synthetic):
    """Heat maps of the association of every pair of columns, and their difference.

    Two numeric columns: Pearson's correlation (-1 to 1); two categorical
    columns: Cramér's V (0 to 1); a numeric and a categorical column: the
    correlation ratio eta (0 to 1). The difference panel (synthetic minus
    real) has a colour scale symmetric around 0 that fits its largest
    absolute difference.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.

    Returns
    -------
    figure : matplotlib.figure.Figure
        Real associations, synthetic associations and their difference.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import plot_correlation_difference
    >>> rng = np.random.RandomState(0)
    >>> real = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=200)
    >>> figure = plot_correlation_difference(real, rng.normal(size=(200, 2)))
    >>> [ax.get_title() for ax in figure.axes[:3]]
    ['real', 'synthetic', 'synthetic - real']
    """
    plt = _pyplot()
    specs, (real_values, synthetic_values) = encode_tables(real, synthetic)
    return _association_difference(plt, specs, real_values, synthetic_values)


def _association_difference(plt, specs, real_values, synthetic_values, matrices=None):
    """The figure of :func:`plot_correlation_difference`; ``matrices``: the
    associations of the real and the synthetic rows when already computed."""
    if len(specs) < 2:
        raise ValueError(
            "plot_correlation_difference needs two columns or more; the tables "
            f"have {len(specs)}. Compare a single column with plot_marginals."
        )
    names = [str(spec.name) for spec in specs]
    if matrices is None:
        matrices = [
            pairwise_associations(specs, values)
            for values in (real_values, synthetic_values)
        ]
    difference = matrices[1] - matrices[0]
    # Symmetric around 0 and fitted to the largest gap (0.05 at least: a
    # faithful table is not drawn as saturated noise).
    limit = max(float(np.abs(difference).max()), 0.05)
    size = max(4.0, 0.28 * len(names) + 2.0)
    figure, axes = plt.subplots(
        1, 3, figsize=(3 * size + 2.0, size + 0.6), layout="constrained"
    )
    numeric = [spec.is_numeric for spec in specs]
    lower = -1 if sum(numeric) >= 2 else 0
    for ax, matrix, title in zip(axes[:2], matrices, ("real", "synthetic")):
        image = ax.imshow(matrix, vmin=lower, vmax=1, cmap="RdBu_r")
        ax.set_title(title)
    figure.colorbar(image, ax=axes[:2], shrink=0.8, label="association")
    image = ax = axes[2].imshow(difference, vmin=-limit, vmax=limit, cmap="PuOr_r")
    axes[2].set_title("synthetic - real")
    figure.colorbar(image, ax=axes[2], shrink=0.8, label="synthetic - real")
    for ax in axes:
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=90, fontsize=7)
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels(names, fontsize=7)
    measures = []
    if sum(numeric) >= 2:
        measures.append("number-number: Pearson correlation (-1 to 1)")
    if len(numeric) - sum(numeric) >= 2:
        measures.append("category-category: Cramér's V (0 to 1)")
    if 0 < sum(numeric) < len(numeric):
        measures.append("number-category: correlation ratio eta (0 to 1)")
    figure.suptitle(
        "How strongly each pair of columns goes together; " + "; ".join(measures),
        fontsize=10,
    )
    _caption(
        figure,
        "Right: synthetic minus real association of each pair; white means the "
        f"synthetic data keep it, the darkest colours a gap of {limit:.2f}.",
    )
    return figure


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "max_samples": [Interval(Integral, 10, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def plot_detection_roc(real, synthetic, *, cv=3, max_samples=10_000, random_state=None):
    """ROC curves of two classifiers telling synthetic rows from real ones.

    Out-of-fold probabilities of the gradient-boosting and the logistic
    classifiers of :func:`~sksynth.metrics.detection_auc`, with the ROC AUC
    of each in the legend; the diagonal is chance (AUC 0.5).

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    cv : int, default=3
        Number of folds.
    max_samples : int or None, default=10000
        Rows drawn from each table beyond this size.
    random_state : int, RandomState instance or None, default=None
        Controls subsampling, folds and classifiers.

    Returns
    -------
    figure : matplotlib.figure.Figure
        The ROC curves.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import plot_detection_roc
    >>> rng = np.random.RandomState(0)
    >>> real, synthetic = rng.normal(size=(200, 2)), rng.normal(size=(200, 2))
    >>> figure = plot_detection_roc(real, synthetic, random_state=0)
    >>> figure.axes[0].get_title()
    'Can a classifier tell synthetic rows from real ones?'
    """
    plt = _pyplot()
    specs, (real_values, synthetic_values) = encode_tables(real, synthetic)
    curves = _detection_curves(
        specs, real_values, synthetic_values, cv, max_samples, random_state
    )
    return _detection_roc(plt, curves)


# The detection classifiers of the ROC figure, with their legend names.
_DETECTORS = {
    "gradient_boosting": "gradient boosting",
    "logistic": "logistic regression",
}


def _detection_curves(specs, real_values, synthetic_values, cv, max_samples, rng):
    """``{method: (auc, labels, out-of-fold probabilities)}`` of both detectors."""
    rng = check_random_state(rng)
    # One seed for both classifiers: the same rows and folds.
    seed = rng.randint(np.iinfo(np.int32).max)
    curves = {}
    for method in _DETECTORS:
        features, labels, model, folds = detection_problem(
            specs,
            real_values,
            synthetic_values,
            method,
            cv,
            max_samples,
            seed,
            caller="plot_detection_roc",
        )
        with detector_fitting():
            proba = cross_val_predict(
                model, features, labels, cv=folds, method="predict_proba"
            )[:, 1]
        curves[method] = (roc_auc_score(labels, proba), labels, proba)
    return curves


def _detection_roc(plt, curves):
    """ROC curves of ``{method: (auc, labels, probabilities)}``."""
    figure, ax = plt.subplots(figsize=(5, 5))
    for method, (auc, labels, proba) in curves.items():
        fpr, tpr, _ = roc_curve(labels, proba)
        ax.plot(fpr, tpr, label=f"{_DETECTORS[method]} (AUC {auc:.2f})")
    ax.plot([0, 1], [0, 1], "k--", label="chance (AUC 0.50)")
    ax.set_xlabel("share of real rows flagged as synthetic\n(false positive rate)")
    ax.set_ylabel("share of synthetic rows caught\n(true positive rate)")
    ax.set_title("Can a classifier tell synthetic rows from real ones?", fontsize=10)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="lower right", fontsize=8)
    _caption(
        figure,
        "Curves near the diagonal (AUC near 0.5): the synthetic rows pass for "
        "real ones. AUC near 1: a classifier tells them apart (held-out folds).",
    )
    return figure


@validate_params(
    {
        "train": ["array-like"],
        "synthetic": ["array-like"],
        "holdout": ["array-like"],
        "max_samples": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def plot_dcr(train, synthetic, holdout, *, max_samples=10_000, random_state=None):
    """Plot histograms of the distance to the closest training row.

    For synthetic rows and for real holdout rows: a synthesizer that copies
    its training rows shows a peak of synthetic rows near 0 that the holdout
    does not have. Distances are those of :func:`~sksynth.metrics.dcr_share`:
    Euclidean on numbers standardised by the training rows and one-hot
    categories scaled so that one differing category counts like one
    standard deviation.

    Parameters
    ----------
    train : {array-like, DataFrame} of shape (n_train, n_features)
        Rows the synthesizer was fitted on.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows.
    holdout : {array-like, DataFrame} of shape (n_holdout, n_features)
        Real rows the synthesizer did not see.
    max_samples : int or None, default=10000
        Rows drawn from each of ``synthetic`` and ``holdout`` beyond this size.
    random_state : int, RandomState instance or None, default=None
        Controls the subsampling.

    Returns
    -------
    figure : matplotlib.figure.Figure
        The two histograms.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import plot_dcr
    >>> rng = np.random.RandomState(0)
    >>> train, synthetic, holdout = (rng.normal(size=(200, 2)) for _ in range(3))
    >>> figure = plot_dcr(train, synthetic, holdout)
    >>> figure.axes[0].get_xlabel()
    'distance to the closest training row (standardised units)'
    """
    plt = _pyplot()
    specs, (train_values, synthetic_values, holdout_values) = encode_tables(
        train, synthetic, holdout, names=("synthetic", "holdout")
    )
    distances = _dcr_distances(
        specs, train_values, synthetic_values, holdout_values, max_samples, random_state
    )
    return _dcr(plt, distances)


def _dcr(plt, distances):
    """Histograms of the ``(synthetic, holdout)`` distances to training rows."""
    # The range shows 99 % of each table's rows at least (one row at least:
    # an empty histogram cannot be scaled to a density).
    upper = max(np.quantile(d, 0.99, method="higher") for d in distances)
    bins = np.linspace(0, upper if upper > 0 else 1.0, 50)
    figure, ax = plt.subplots(figsize=(6.5, 4.5))
    labels = ("synthetic rows", "real holdout rows (not used in fitting)")
    for distance, label in zip(distances, labels, strict=True):
        ax.hist(
            np.minimum(distance, bins[-1]),
            bins=bins,
            weights=np.full(distance.size, 1 / distance.size),
            alpha=0.5,
            label=label,
        )
    ax.set_xlabel("distance to the closest training row (standardised units)")
    ax.set_ylabel("share of rows")
    ax.set_title("How close do rows come to the training rows?", fontsize=10)
    ax.legend(fontsize=8)
    _caption(
        figure,
        "1 unit = one standard deviation of a number, or one differing category. "
        "Synthetic rows piled near 0, unlike the holdout rows, copy training "
        "rows; alike histograms mean no more closeness than fresh real rows. "
        "Synthetic rows farther away than the holdout rows miss where real rows "
        "lie: a gap in fidelity, not a leak.",
    )
    return figure


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "folder": [str, os.PathLike],
        "holdout": ["array-like", None],
        "random_state": ["random_state"],
        "report": [SyntheticDataReport, None],
    },
    prefer_skip_nested_validation=True,
)
def save_figures(
    real, synthetic, folder, *, holdout=None, random_state=None, report=None
):
    """Write the comparison figures as PNG files into ``folder``.

    The tables are encoded once for every figure. Given the ``report`` of
    :func:`~sksynth.metrics.evaluate_synthetic` on the same tables, the
    figures draw what it computed: the out-of-fold scores of its detection
    classifiers (the AUCs of the legend are those of the report), the
    distances of its privacy figures and the associations of its pair table,
    so that drawing adds only drawing time. Otherwise (or for what the report
    did not compute) the detection curves use up to 5,000 rows of each table
    (their AUCs can differ from those of
    :func:`~sksynth.metrics.evaluate_synthetic`, on 10,000 rows, by about
    0.01) and the distance histograms up to 1,500 synthetic and holdout rows.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real training rows.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows.
    folder : str or path
        Folder to write to (created when missing).
    holdout : {array-like, DataFrame} of shape (n_holdout, n_features), default=None
        Real rows not seen in fit; needed for the DCR histograms.
    random_state : int, RandomState instance or None, default=None
        Controls the detection and the subsampling.
    report : SyntheticDataReport, default=None
        The report of :func:`~sksynth.metrics.evaluate_synthetic` on these
        tables, whose detection scores, distances and associations the
        figures reuse; None computes them.

    Returns
    -------
    paths : list of Path
        The files written: ``marginals.png``, ``correlation_difference.png``
        (when the tables have two columns or more), ``detection_roc.png``
        and, with a holdout, ``dcr.png``.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sksynth.metrics import save_figures
    >>> rng = np.random.RandomState(0)
    >>> real, synthetic = rng.normal(size=(200, 2)), rng.normal(size=(200, 2))
    >>> paths = save_figures(real, synthetic, tempfile.mkdtemp(), random_state=0)
    >>> [path.name for path in paths]
    ['marginals.png', 'correlation_difference.png', 'detection_roc.png']
    """
    plt = _pyplot()
    rng = check_random_state(random_state)
    # Every table is checked before a figure is drawn or the folder made.
    others = (synthetic,) if holdout is None else (synthetic, holdout)
    specs, (real_values, synthetic_values, *holdout_values) = encode_tables(
        real, *others, names=("synthetic", "holdout")
    )
    n_real, n_synthetic = real_values.shape[0], synthetic_values.shape[0]
    if min(n_real, n_synthetic) < _ROC_FOLDS:
        raise ValueError(
            f"save_figures needs at least {_ROC_FOLDS} rows in each table for the "
            f"detection ROC curve ({_ROC_FOLDS} folds); got {n_real} real and "
            f"{n_synthetic} synthetic rows. Pass more rows, or draw the other "
            "figures with plot_marginals and plot_correlation_difference."
        )
    computed = _report_figure_data(report, specs)
    pair = (specs, real_values, synthetic_values)
    figures = {}
    try:
        figures["marginals.png"] = _marginals(plt, *pair)
        if len(specs) >= 2:
            figures["correlation_difference.png"] = _association_difference(
                plt, *pair, computed.get("associations")
            )
        curves = computed.get("detection")
        if curves is None:
            curves = _detection_curves(*pair, _ROC_FOLDS, _FIGURE_DETECTION_ROWS, rng)
        figures["detection_roc.png"] = _detection_roc(plt, curves)
        if holdout_values:
            distances = computed.get("distances")
            if distances is None:
                distances = _dcr_distances(
                    *pair, holdout_values[0], _FIGURE_DISTANCE_QUERIES, rng
                )
            figures["dcr.png"] = _dcr(plt, distances)
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, figure in figures.items():
            path = folder / name
            figure.savefig(path, dpi=100)
            paths.append(path)
    finally:
        # Closed on errors too: pyplot keeps every open figure alive.
        for figure in figures.values():
            plt.close(figure)
    return paths
