"""Figures comparing synthetic with real data (needs the ``plot`` extra)."""

import os
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_curve
from sklearn.model_selection import cross_val_predict
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params
from threadpoolctl import threadpool_limits

from .._data import BOOLEAN, CATEGORICAL, DATETIME, TIMEDELTA
from ._detection import detection_problem
from ._fidelity import _level_shares, pairwise_correlations
from ._privacy import _nearest
from ._tables import FeatureMap, encode_tables, subsample_rows

# Folds of the detection ROC curve that save_figures draws.
_ROC_FOLDS = 3


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

    Numbers as histograms on common bins, categories as bars of their shares
    (the 15 most frequent levels), missing values as their share in the
    title.

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
    figure, axes = plt.subplots(
        n_rows,
        min(n_cols, len(chosen)),
        figsize=(4 * min(n_cols, len(chosen)), 3 * n_rows),
        squeeze=False,
    )
    for ax, j in zip(axes.ravel(), chosen, strict=False):
        spec, a, b = specs[j], real_values[:, j], synthetic_values[:, j]
        if spec.kind in (CATEGORICAL, BOOLEAN):
            _category_bars(ax, spec, a, b)
        else:
            _number_histograms(ax, a, b)
            if spec.kind in (DATETIME, TIMEDELTA):
                _time_axis(ax, spec.codec)
        missing = f" (missing {np.isnan(a).mean():.0%} / {np.isnan(b).mean():.0%})"
        ax.set_title(
            f"{spec.name}{missing if np.isnan(a).any() or np.isnan(b).any() else ''}",
            fontsize=9,
        )
    for ax in axes.ravel()[len(chosen) :]:
        ax.set_visible(False)
    # On the first panel with something drawn (not one missing in every row).
    for ax in axes.ravel():
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
            break
    figure.tight_layout()
    return figure


def _number_histograms(ax, a, b):
    """Histograms of the values of both tables on common bins.

    A table with no value in the column draws nothing: an empty histogram has
    no density.
    """
    observed = [x[~np.isnan(x)] for x in (a, b)]
    values = np.concatenate(observed)
    if not values.size:
        ax.text(0.5, 0.5, "missing in every row", ha="center", transform=ax.transAxes)
        return
    bins = _bin_edges(values)
    for x, label, color in zip(
        observed, ("real", "synthetic"), ("C0", "C1"), strict=True
    ):
        if x.size:
            ax.hist(x, bins=bins, density=True, alpha=0.5, label=label, color=color)


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


def _category_bars(ax, spec, a, b):
    n_levels = len(spec.categories)
    shares = [_level_shares(x, n_levels)[:n_levels] for x in (a, b)]
    top = np.argsort(-shares[0], kind="stable")[:15]
    positions = np.arange(top.size)
    ax.bar(positions - 0.2, shares[0][top], width=0.4, label="real")
    ax.bar(positions + 0.2, shares[1][top], width=0.4, label="synthetic")
    ax.set_xticks(positions)
    ax.set_xticklabels(
        [str(spec.categories[k])[:12] for k in top], rotation=60, fontsize=7
    )


@validate_params(
    {"real": ["array-like"], "synthetic": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def plot_correlation_difference(real, synthetic):
    """Heat map of synthetic minus real correlations of the numeric columns.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.

    Returns
    -------
    figure : matplotlib.figure.Figure
        Real correlations, synthetic correlations and their difference.

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
    numeric = [j for j, spec in enumerate(specs) if spec.is_numeric]
    if len(numeric) < 2:
        raise ValueError(
            "plot_correlation_difference needs two numeric columns or more; the "
            f"tables have {len(numeric)}. Compare categorical columns with "
            "sksynth.metrics.contingency_similarity."
        )
    names = [str(specs[j].name) for j in numeric]
    matrices = [
        pairwise_correlations(values[:, numeric])
        for values in (real_values, synthetic_values)
    ]
    matrices.append(matrices[1] - matrices[0])
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    titles = ("real", "synthetic", "synthetic - real")
    for ax, matrix, title in zip(axes, matrices, titles, strict=True):
        image = ax.imshow(matrix, vmin=-1, vmax=1, cmap="RdBu_r")
        ax.set_title(title)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(names, rotation=90, fontsize=7)
        # Row names on the first panel only: longer ones ran over its neighbour.
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels(names if ax is axes[0] else [], fontsize=7)
    figure.colorbar(image, ax=axes, shrink=0.8)
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
    """ROC curve of gradient boosting telling synthetic rows from real ones.

    Out-of-fold probabilities of the classifier of
    :func:`~sksynth.metrics.detection_auc`; the diagonal is "cannot tell".

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
        Controls subsampling, folds and classifier.

    Returns
    -------
    figure : matplotlib.figure.Figure
        The ROC curve.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth.metrics import plot_detection_roc
    >>> rng = np.random.RandomState(0)
    >>> real, synthetic = rng.normal(size=(200, 2)), rng.normal(size=(200, 2))
    >>> figure = plot_detection_roc(real, synthetic, random_state=0)
    >>> figure.axes[0].get_title()
    'Detecting synthetic rows'
    """
    plt = _pyplot()
    specs, (real_values, synthetic_values) = encode_tables(real, synthetic)
    features, labels, model, folds = detection_problem(
        specs,
        real_values,
        synthetic_values,
        "gradient_boosting",
        cv,
        max_samples,
        random_state,
        caller="plot_detection_roc",
    )
    with threadpool_limits(limits=1):
        proba = cross_val_predict(
            model, features, labels, cv=folds, method="predict_proba"
        )
    fpr, tpr, _ = roc_curve(labels, proba[:, 1])
    figure, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot(fpr, tpr, label="gradient boosting")
    ax.plot([0, 1], [0, 1], "k--", label="cannot tell")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.set_title("Detecting synthetic rows")
    ax.legend()
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
    does not have.

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
    'distance to the closest training row'
    """
    plt = _pyplot()
    rng = check_random_state(random_state)
    specs, (train_values, synthetic_values, holdout_values) = encode_tables(
        train, synthetic, holdout, names=("synthetic", "holdout")
    )
    features = FeatureMap(specs, train_values)
    reference = features.transform(train_values)
    distances = [
        _nearest(
            reference, features.transform(subsample_rows(values, max_samples, rng))
        )[:, 0]
        for values in (synthetic_values, holdout_values)
    ]
    # The range shows 99 % of each table's rows at least (one row at least:
    # an empty histogram cannot be scaled to a density).
    upper = max(np.quantile(d, 0.99, method="higher") for d in distances)
    bins = np.linspace(0, upper if upper > 0 else 1.0, 50)
    figure, ax = plt.subplots(figsize=(6, 4))
    for distance, label in zip(distances, ("synthetic", "real holdout"), strict=True):
        ax.hist(distance, bins=bins, density=True, alpha=0.5, label=label)
    ax.set_xlabel("distance to the closest training row")
    ax.set_ylabel("density")
    ax.legend()
    return figure


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "folder": [str, os.PathLike],
        "holdout": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def save_figures(real, synthetic, folder, *, holdout=None, random_state=None):
    """Write the comparison figures as PNG files into ``folder``.

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

    Returns
    -------
    paths : list of Path
        The files written: ``marginals.png``, ``correlation_difference.png``
        (when the tables have two numeric columns or more),
        ``detection_roc.png`` and, with a holdout, ``dcr.png``.

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
    # Every table is checked before a figure is drawn or the folder made.
    others = (synthetic,) if holdout is None else (synthetic, holdout)
    specs, (real_values, synthetic_values, *_) = encode_tables(
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
    figures = {}
    try:
        figures["marginals.png"] = plot_marginals(real, synthetic)
        if sum(spec.is_numeric for spec in specs) >= 2:
            figures["correlation_difference.png"] = plot_correlation_difference(
                real, synthetic
            )
        figures["detection_roc.png"] = plot_detection_roc(
            real, synthetic, cv=_ROC_FOLDS, random_state=random_state
        )
        if holdout is not None:
            figures["dcr.png"] = plot_dcr(
                real, synthetic, holdout, random_state=random_state
            )
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, figure in figures.items():
            path = folder / name
            figure.savefig(path, dpi=100, bbox_inches="tight")
            paths.append(path)
    finally:
        # Closed on errors too: pyplot keeps every open figure alive.
        for figure in figures.values():
            plt.close(figure)
    return paths
