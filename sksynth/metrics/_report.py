"""One report of fidelity, detection, privacy and utility, beside its real ceiling."""

from collections.abc import Mapping
from functools import partial
from numbers import Integral

import numpy as np
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, validate_params

from .._data import CATEGORICAL, TableSchema, TargetSchema, is_dataframe
from ._detection import _detection_auc
from ._fidelity import (
    _contingency_similarity,
    _correlation_similarity,
    _ks_complement,
    _missing_similarity,
    _tv_complement,
)
from ._privacy import _dcr_share, _exact_copy_share, _nndr
from ._tables import encode_tables
from ._tstr import TSTRScorer

# Metric name -> (what it is, whether higher is better).
_DESCRIPTIONS = {
    "ks_complement": ("numeric margins, 1 - KS", True),
    "tv_complement": ("categorical margins, 1 - TV", True),
    "missing_similarity": ("missing shares", True),
    "correlation_similarity": ("numeric pairs, correlations", True),
    "contingency_similarity": ("pairs with categories, tables", True),
    "detection_auc": ("gradient boosting tells apart (0.5 best)", False),
    "detection_auc_logistic": ("logistic regression tells apart", False),
    "dcr_share": ("closer to train than holdout (0.5 best)", False),
    "exact_copy_share": ("exact copies of train rows", False),
    "nndr": ("nearest/second nearest train row", True),
    "tstr": ("model trained on synthetic, on test", True),
    "model_agreement": ("same prediction as real-trained model", True),
    "output_ks": ("real model's outputs, synthetic vs test", False),
}


class SyntheticDataReport(Mapping):
    """Figures of a synthetic table beside the same figures for real data.

    A mapping ``{metric: {"synthetic": value, "real_holdout": value}}``: the
    synthetic figure compares the synthetic rows with the real training rows;
    the real-holdout figure is the same metric with fresh real rows in place
    of the synthetic ones, the best a synthesizer can be expected to reach.
    Printing it shows a table; :meth:`to_frame` returns a DataFrame.

    Parameters
    ----------
    scores : dict
        ``{metric: {"synthetic": float, "real_holdout": float}}``.
    notes : list of str
        Remarks on what was or could not be computed.

    Examples
    --------
    >>> from sksynth.metrics import SyntheticDataReport
    >>> report = SyntheticDataReport(
    ...     {"ks_complement": {"synthetic": 0.95, "real_holdout": 0.97}}
    ... )
    >>> report["ks_complement"]["synthetic"]
    0.95
    >>> print(report)
    metric                    synthetic  real holdout  what it measures
    ...
    ks_complement                 0.950         0.970  numeric margins, 1 - KS ...
    """

    def __init__(self, scores, notes=()):
        self._scores = dict(scores)
        self.notes = list(notes)

    def __getitem__(self, key):
        return self._scores[key]

    def __iter__(self):
        return iter(self._scores)

    def __len__(self):
        return len(self._scores)

    def to_frame(self):
        """The report as a DataFrame, one row per metric.

        Returns
        -------
        frame : DataFrame
            Columns "synthetic", "real_holdout" and "description".
        """
        import pandas as pd

        rows = {
            name: {**values, "description": _DESCRIPTIONS.get(name, ("", True))[0]}
            for name, values in self._scores.items()
        }
        return pd.DataFrame.from_dict(rows, orient="index")

    def __str__(self):
        lines = [
            f"{'metric':<24}{'synthetic':>11}{'real holdout':>14}  what it measures",
            "-" * 90,
        ]
        for name, values in self._scores.items():
            description, higher = _DESCRIPTIONS.get(name, ("", True))
            arrow = "(higher is better)" if higher else "(lower is better)"
            if name in ("detection_auc", "detection_auc_logistic", "dcr_share"):
                arrow = ""
            lines.append(
                f"{name:<24}{_format(values['synthetic']):>11}"
                f"{_format(values['real_holdout']):>14}  {description} {arrow}".rstrip()
            )
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)

    def __repr__(self):
        return f"SyntheticDataReport({len(self)} metrics)\n{self}"


def _format(value):
    return "-" if value is None or np.isnan(value) else f"{value:.3f}"


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "holdout": ["array-like", None],
        "target": [str, Integral, None],
        "estimator": [HasMethods(["fit"]), None],
        "scoring": [None, str, callable],
        "detection_cv": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def evaluate_synthetic(
    real,
    synthetic,
    *,
    holdout=None,
    target=None,
    estimator=None,
    scoring=None,
    detection_cv=3,
    random_state=None,
):
    """Fidelity, detection, privacy and utility of synthetic data, in one report.

    Every figure comes with its real-holdout ceiling: the same metric computed
    between the real training rows and real rows the synthesizer did not see.

    Parameters
    ----------
    real : {array-like, DataFrame} of shape (n_samples, n_features)
        Real rows the synthesizer was fitted on.
    synthetic : {array-like, DataFrame} of shape (n_synthetic, n_features)
        Synthetic rows with the same columns.
    holdout : {array-like, DataFrame} of shape (n_holdout, n_features), default=None
        Real rows the synthesizer did not see, ideally as many as ``real``.
        Without it the ceilings compare two random halves of ``real``, and
        the distance-to-closest-record share and the utility are not computed.
        For that share the larger of ``real`` and ``holdout`` is subsampled
        to the size of the other, so that 0.5 is ideal.
    target : str, default=None
        Name of the target column of DataFrames (its position for arrays).
        With a holdout, a model is trained on the synthetic rows and on the
        real ones and both are tested on the holdout (TSTR vs TRTR).
    estimator : estimator object, default=None
        Model of the utility test; None uses a histogram gradient-boosting
        classifier or regressor, as the target calls for.
    scoring : str or callable, default=None
        Its scoring on the holdout (None: the estimator's ``score``).
    detection_cv : int, default=3
        Folds of the detection tests.
    random_state : int, RandomState instance or None, default=None
        Controls the splits, subsamples and models.

    Returns
    -------
    report : SyntheticDataReport
        Mapping from metric name to ``{"synthetic": ..., "real_holdout":
        ...}``; printing it shows a table.

    Examples
    --------
    >>> import numpy as np
    >>> from sksynth import GaussianCopulaSynthesizer
    >>> from sksynth.metrics import evaluate_synthetic
    >>> rng = np.random.RandomState(0)
    >>> data = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=1000)
    >>> train, holdout = data[:500], data[500:]
    >>> synthetic = GaussianCopulaSynthesizer(random_state=0).fit(train).sample(500)
    >>> report = evaluate_synthetic(train, synthetic, holdout=holdout, random_state=0)
    >>> sorted(report["correlation_similarity"])
    ['real_holdout', 'synthetic']
    >>> print(report)  # doctest: +SKIP
    metric                    synthetic  real holdout  what it measures
    ...
    """
    rng = check_random_state(random_state)

    def seed():
        return rng.randint(np.iinfo(np.int32).max)

    others = (synthetic,) if holdout is None else (synthetic, holdout)
    columns, encoded = encode_tables(real, *others, names=("synthetic", "holdout"))
    real_values, synthetic_values = encoded[:2]
    notes = []
    if holdout is None:
        reference_values, holdout_values = _split_halves(real_values, rng)
        notes.append(
            "no holdout: ceilings compare two halves of the real rows; pass holdout "
            "for the privacy share and the utility test."
        )
    else:
        reference_values, holdout_values = real_values, encoded[2]
    synthetic_pair = (columns, real_values, synthetic_values)
    real_pair = (columns, reference_values, holdout_values)
    scores = {
        name: _pair(metric(*synthetic_pair), metric(*real_pair))
        for name, metric in _FIDELITY.items()
    }
    for name, method in (
        ("detection_auc", "gradient_boosting"),
        ("detection_auc_logistic", "logistic"),
    ):
        scores[name] = _pair(
            _detection_auc(*synthetic_pair, method, detection_cv, 10_000, seed()),
            _detection_auc(*real_pair, method, detection_cv, 10_000, seed()),
        )
    scores["exact_copy_share"] = _pair(
        _exact_copy_share(real_values, synthetic_values, None, seed()),
        _exact_copy_share(reference_values, holdout_values, None, seed()),
    )
    scores["nndr"] = _pair(
        _nndr(*synthetic_pair, 10_000, seed()), _nndr(*real_pair, 10_000, seed())
    )
    scores["dcr_share"] = _dcr_pair(
        columns, real_values, synthetic_values, holdout_values, holdout is None, seed
    )
    if target is not None and holdout is not None:
        splits = [_split_target(t, target) for t in (real, synthetic, holdout)]
        scores.update(_utility(*splits, estimator, scoring, seed()))
    elif target is not None:
        notes.append(
            "no holdout: the utility test (TSTR) needs real rows not seen in fit."
        )
    return SyntheticDataReport(scores, notes)


_FIDELITY = {
    "ks_complement": partial(_ks_complement, aggregate=True),
    "tv_complement": partial(_tv_complement, aggregate=True),
    "missing_similarity": partial(_missing_similarity, aggregate=True),
    "correlation_similarity": partial(
        _correlation_similarity, method="pearson", aggregate=True
    ),
    "contingency_similarity": partial(_contingency_similarity, aggregate=True),
}


def _pair(synthetic, real_holdout):
    return {"synthetic": float(synthetic), "real_holdout": float(real_holdout)}


def _split_halves(values, rng):
    n = values.shape[0]
    if n < 4:
        raise ValueError(
            f"evaluate_synthetic needs at least 4 rows to split into halves; got {n}. "
            "Pass more rows, or a holdout."
        )
    order = rng.permutation(n)
    return values[order[: n // 2]], values[order[n // 2 :]]


def _split_target(table, target):
    if is_dataframe(table):
        if target not in table.columns:
            raise ValueError(
                f"target {target!r} is not a column of the tables; columns are "
                f"{list(table.columns)}."
            )
        return table.drop(columns=target), table[target]
    values = np.asarray(table)
    keep = [j for j in range(values.shape[1]) if j != target]
    return values[:, keep], values[:, target]


def _dcr_pair(columns, train, synthetic, holdout, no_holdout, seed):
    """DCR share of the synthetic rows, and of fresh real rows in their place."""
    if no_holdout:
        return {"synthetic": float("nan"), "real_holdout": float("nan")}
    # The ceiling: one half of the holdout plays the synthetic rows, the other
    # half the holdout, against as many training rows (so 0.5 is ideal too).
    half_a, half_b = _split_halves(holdout, check_random_state(seed()))
    rows = check_random_state(seed()).permutation(train.shape[0])[: half_b.shape[0]]
    # Equal numbers of training and holdout rows, so that 0.5 is ideal.
    size = min(train.shape[0], holdout.shape[0])
    train_rows = check_random_state(seed()).permutation(train.shape[0])[:size]
    holdout_rows = check_random_state(seed()).permutation(holdout.shape[0])[:size]
    return _pair(
        _dcr_share(
            columns, train[train_rows], synthetic, holdout[holdout_rows], 10_000, seed()
        ),
        _dcr_share(columns, train[rows], half_a, half_b, 10_000, seed()),
    )


def _utility(real, synthetic, test, estimator, scoring, seed):
    """TSTR against TRTR on the holdout; each argument is an ``(X, y)`` pair."""
    if estimator is None:
        real, synthetic, test, estimator, scoring = _default_model(
            real, synthetic, test, scoring, seed
        )
    result = TSTRScorer(estimator, scoring=scoring, random_state=seed).evaluate(
        *real, *synthetic, *test
    )
    return {
        "tstr": _pair(result["tstr"], result["trtr"]),
        # Two models that always agree: the most a synthetic-trained one can do.
        "model_agreement": _pair(result["agreement"], 1.0),
        "output_ks": _pair(result["output_ks"], result["output_ks_reference"]),
    }


def _default_model(real, synthetic, test, scoring, seed):
    """Encoded tables and a histogram gradient-boosting model for them."""
    (X_real, y_real), (X_synth, y_synth), (X_test, y_test) = real, synthetic, test
    schema = TableSchema.from_data(X_real)
    target = TargetSchema.from_data(y_real, len(y_real))
    # Unseen categories (-1) count as missing.
    X_real, X_synth, X_test = (
        np.where(codes < 0, np.nan, codes)
        for codes in (schema.encode(X) for X in (X_real, X_synth, X_test))
    )
    y_real, y_synth, y_test = (target.encode(y) for y in (y_real, y_synth, y_test))
    categorical = np.array(
        [c.kind == CATEGORICAL and len(c.categories) <= 255 for c in schema.columns]
    )
    if target.is_classification:
        model = HistGradientBoostingClassifier
        if scoring is None and len(target.classes) == 2:
            scoring = "roc_auc"
    else:
        model = HistGradientBoostingRegressor
    estimator = model(
        categorical_features=categorical if categorical.any() else None,
        random_state=seed,
    )
    return (X_real, y_real), (X_synth, y_synth), (X_test, y_test), estimator, scoring
