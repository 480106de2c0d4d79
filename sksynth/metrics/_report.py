"""One report of fidelity, detection, privacy and utility, beside its real ceiling."""

import copy
from collections.abc import Mapping
from functools import partial
from numbers import Integral

import numpy as np
from sklearn.base import is_classifier
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from threadpoolctl import threadpool_limits

from .._data import (
    TargetSchema,
    align_columns,
    column_of,
    is_dataframe,
    like,
    split_column,
)
from .._progress import Progress, describe_columns
from ._detection import (
    _column_detection_aucs,
    _detection_auc,
    _detection_scores,
    _hgb_features,
)
from ._fidelity import (
    _contingency_similarity,
    _correlation_similarity,
    _ks_complement,
    _missing_similarity,
    _tv_complement,
    pairwise_associations,
)
from ._privacy import (
    _close_share,
    _closer_share,
    _distance_features,
    _exact_copy_share,
    _median_ratio,
    _nearest,
    _nearest_other,
)
from ._tables import FeatureMap, encode_tables, subsample_rows
from ._tstr import TSTRScorer

# Metric name -> (what it says, in plain words; whether higher is better).
# Detection AUCs and the DCR share are best at 0.5.
_DESCRIPTIONS = {
    "ks_complement": (
        "numeric columns, each: same spread of values (1 - KS distance)",
        True,
    ),
    "tv_complement": (
        "categorical columns, each: same shares of levels (1 - TV distance)",
        True,
    ),
    "missing_similarity": ("same share of missing values per column", True),
    "correlation_similarity": ("numeric pairs: same correlations", True),
    "contingency_similarity": ("pairs with a category: same joint shares", True),
    "detection_auc": (
        "gradient boosting tells synthetic from real rows (0.5 = cannot)",
        False,
    ),
    "detection_auc_logistic": (
        "a linear model tells synthetic from real rows (0.5 = cannot)",
        False,
    ),
    "dcr_share": (
        "rows closer to a training row than to an unseen one (0.5 = no leak)",
        False,
    ),
    "close_record_share": (
        "rows nearer a training row than 95 % of unseen rows are (0.05 = no leak)",
        False,
    ),
    "exact_copy_share": ("rows that copy a training row exactly", False),
    "nndr": (
        "nearest training row no nearer than the next one (low = near copies)",
        True,
    ),
    "tstr": ("model trained on synthetic rows, scored on real test rows", True),
    "model_agreement": (
        "same predictions as the model trained on real rows (ceiling: a model "
        "trained on half of the holdout, scored on the other half)",
        True,
    ),
    "output_ks": (
        "real-trained model's outputs differ on synthetic vs real rows",
        False,
    ),
}

# Figures best at 0.5: their distance to 0.5 is compared with the ceiling's.
_CENTRED = ("detection_auc", "detection_auc_logistic", "dcr_share")
# Detection AUCs below 0.5 count as 0.5: where the tables look alike a
# cross-validated AUC falls below 0.5 by chance (each training fold holds
# fewer rows of the table its test fold holds more of), which tells nothing
# about the synthetic rows.
_DETECTION = ("detection_auc", "detection_auc_logistic")

# A figure is as good as real when it is no worse than its ceiling by more
# than this (the sampling noise of the figures at a few thousand rows), or
# than _COPY_TOLERANCE for the share of exact copies.
_TOLERANCE = 0.02
_COPY_TOLERANCE = 0.005
# The share of fresh rows that counts as close, for the share of close
# records; whose tolerance is the tolerance times this ratio of the standard
# error of a share of _CLOSE_QUANTILE to that of a share of 0.5 (the
# tolerance's own scale): 0.44.
_CLOSE_QUANTILE = 0.05
_CLOSE_SCALE = np.sqrt(_CLOSE_QUANTILE * (1 - _CLOSE_QUANTILE)) / 0.5

# The metrics of the utility test.
_UTILITY = ("tstr", "model_agreement", "output_ks")

# Why a figure is missing, when its tables hold nothing to compare.
_MISSING_REASONS = {
    "ks_complement": "no numeric columns",
    "tv_complement": "no categorical columns",
    "correlation_similarity": "fewer than two numeric columns",
    "contingency_similarity": "no pair of columns with a categorical one",
    "dcr_share": "no holdout given",
    **dict.fromkeys(_UTILITY, "no holdout to test models on"),
}

# Why a figure has no real ceiling, when the synthetic figure is there.
_MISSING_CEILING_REASONS = {
    "model_agreement": (
        "no real ceiling: no half of the holdout can train a model (fewer than "
        "2 rows, or a single class)"
    ),
}

# Columns and pairs the verdict names.
_N_NAMED = 3


class SyntheticDataReport(Mapping):
    """Figures of a synthetic table beside the same figures for real data.

    A mapping ``{metric: {"synthetic": value, "real_holdout": value}}``: the
    synthetic figure compares the synthetic rows with the real training rows;
    the real-holdout figure is the same metric with fresh real rows in place
    of the synthetic ones, the best a synthesizer can be expected to reach.
    Printing it shows a verdict in plain words (which figures are as good as
    real data, which columns give the synthetic rows away), then a table;
    :meth:`to_frame` returns a DataFrame.

    A figure is "as good as real" when it is no worse than its ceiling by
    more than ``tolerance`` (0.005 for the share of exact copies, 0.44 times
    it for the share of close records, whose noise is that of a share of
    0.05 rather than 0.5); detection
    AUCs and the DCR share are best at 0.5, and their distance to 0.5 is
    compared (a detection AUC below 0.5, chance in cross-validation where the
    tables look alike, counts as 0.5).

    With rules, ``report["constraints"]`` is a table, one row per rule (its
    text as index), of the share of rows that break it: columns
    ``"synthetic"`` and ``"real_holdout"``. A DataFrame when pandas is
    installed, else ``{"synthetic": {rule: share}, "real_holdout": {rule:
    share}}``; either way ``report["constraints"]["synthetic"][rule]`` is a
    share.

    Parameters
    ----------
    scores : dict
        ``{metric: {"synthetic": float, "real_holdout": float}}``.
    notes : list of str
        Remarks on what was or could not be computed.
    constraints : dict, default=None
        ``{rule text: {"synthetic": float, "real_holdout": float}}``: the
        share of rows that break each rule (None: no rules checked).
    column_table : DataFrame, default=None
        One row per column, see Attributes.
    pair_table : DataFrame, default=None
        One row per pair of columns, see Attributes.
    tstr_scoring : str, default=None
        What the ``"tstr"`` figure is, e.g. ``"ROC AUC, binary target"``.
    holdout : bool, default=True
        Whether the ceilings come from a real holdout (else from two halves
        of the real rows).
    tolerance : float, default=None
        How much worse than its ceiling a figure may be and still count as
        good as real: the sampling noise of the figures. None: 0.02.
        :func:`evaluate_synthetic` passes ``max(0.02, 1 / sqrt(n))``, ``n``
        the rows of the smallest table compared.

    Attributes
    ----------
    notes : list of str
        Remarks on what was or could not be computed.
    column_table : DataFrame or None
        Indexed by column: ``"kind"``; ``"shape_metric"`` (``"ks_complement"``
        for numbers, ``"tv_complement"`` for categories), ``"shape"`` and its
        ceiling ``"shape_real_holdout"``; the shares of missing values
        ``"missing_real"`` and ``"missing_synthetic"``; ``"detection_auc"``,
        the ROC AUC of telling synthetic from real rows by that column alone
        (0.5: it gives nothing away), and its ceiling
        ``"detection_auc_real_holdout"``. A dict of lists without pandas.
    pair_table : DataFrame or None
        One row per pair: ``"column_1"``, ``"column_2"``, ``"measure"``
        (``"correlation"`` for two numbers, ``"cramers_v"`` for two
        categories, ``"correlation_ratio"`` for one of each, see
        ``sksynth.metrics._fidelity.pairwise_associations``), the association in
        the ``"real"`` and ``"synthetic"`` rows and their ``"difference"``
        (synthetic minus real).
    tstr_scoring : str or None
        What the ``"tstr"`` figure is.
    tolerance : float
        How much worse than its ceiling a figure may be and still count as
        good as real.

    Examples
    --------
    >>> from sksynth.metrics import SyntheticDataReport
    >>> report = SyntheticDataReport(
    ...     {"ks_complement": {"synthetic": 0.95, "real_holdout": 0.97}}
    ... )
    >>> report["ks_complement"]["synthetic"]
    0.95
    >>> print(report)
    Verdict: 0 of 1 metrics as good as real data ...
    ...
    metric                    synthetic  real holdout  verdict  what it measures
    ...
    ks_complement                 0.950         0.970  worse    numeric columns...
    >>> report = SyntheticDataReport(
    ...     {"ks_complement": {"synthetic": 0.95, "real_holdout": 0.97}},
    ...     constraints={"start <= end": {"synthetic": 0.02, "real_holdout": 0.0}},
    ... )
    >>> print(report["constraints"]["synthetic"]["start <= end"])
    0.02
    >>> print(report)
    Verdict: ...
    rule                      synthetic  real holdout  share of rows that break it
    ...
    start <= end                  2.00%         0.00%
    """

    def __init__(
        self,
        scores,
        notes=(),
        constraints=None,
        *,
        column_table=None,
        pair_table=None,
        tstr_scoring=None,
        holdout=True,
        tolerance=None,
    ):
        self._scores = dict(scores)
        self.notes = list(notes)
        self._constraints = None if constraints is None else dict(constraints)
        self.column_table = column_table
        self.pair_table = pair_table
        self.tstr_scoring = tstr_scoring
        self._holdout = holdout
        self.tolerance = _TOLERANCE if tolerance is None else float(tolerance)
        # Set by evaluate_synthetic: what the figures draw (column names,
        # detection scores, distances, associations), for save_figures.
        self._figure_data = {}

    def __getitem__(self, key):
        if key == "constraints" and self._constraints is not None:
            return self._constraints_table()
        return self._scores[key]

    def __iter__(self):
        yield from self._scores
        if self._constraints is not None:
            yield "constraints"

    def __len__(self):
        return len(self._scores) + (self._constraints is not None)

    def _constraints_table(self):
        """The shares of rows that break each rule, one row per rule."""
        columns = {
            column: {rule: shares[column] for rule, shares in self._constraints.items()}
            for column in ("synthetic", "real_holdout")
        }
        try:
            import pandas as pd
        except ImportError:
            return columns
        table = pd.DataFrame(columns, index=list(self._constraints), dtype=float)
        table.index.name = "rule"
        return table

    def to_frame(self):
        """The report as a DataFrame, one row per metric.

        The shares of rows that break each rule are the table
        ``report["constraints"]``.

        Returns
        -------
        frame : DataFrame
            Columns "synthetic", "real_holdout" and "description".
        """
        import pandas as pd

        rows = {
            name: {**values, "description": self._description(name)}
            for name, values in self._scores.items()
        }
        return pd.DataFrame.from_dict(rows, orient="index")

    def to_html(self, path, *, figures=None):
        """Write the report as one self-contained HTML file, to read and share.

        The verdict, the table of metrics, the rules, the columns that give
        the synthetic rows away most and the pairs of columns whose
        association changed most (20 rows of each at most), the notes, and
        the figures embedded as images: no network access, no external file.

        Parameters
        ----------
        path : str or path-like
            The HTML file to write.
        figures : str, path-like or dict, default=None
            The figures to embed: the folder that
            :func:`~sksynth.metrics.save_figures` wrote, or a dict
            ``{name: PNG bytes}``. None: the page says how to add them.

        Returns
        -------
        path : Path
            The file written.

        Examples
        --------
        >>> from sksynth.metrics import SyntheticDataReport
        >>> report = SyntheticDataReport(
        ...     {"ks_complement": {"synthetic": 0.95, "real_holdout": 0.97}}
        ... )
        >>> report.to_html("report.html")  # doctest: +SKIP
        """
        from ._html import write_html

        return write_html(self, path, figures)

    def _description(self, name):
        description = _DESCRIPTIONS.get(name, ("", True))[0]
        if name == "tstr" and self.tstr_scoring:
            description = f"{description}: {self.tstr_scoring}"
        if name == "model_agreement" and str(self.tstr_scoring).endswith(
            "numeric target"
        ):
            description = description.replace(
                "same predictions as", "correlation of the predictions with"
            )
        return description

    def _verdict(self, name):
        """``("good" | "worse" | "missing", reason)`` of one figure."""
        values = self._scores[name]
        synthetic, ceiling = values["synthetic"], values["real_holdout"]
        if _missing(synthetic):
            reason = _MISSING_REASONS.get(name, "could not be computed")
            if (name == "dcr_share" or name in _UTILITY) and self._holdout:
                reason = "could not be computed"
            return "missing", reason
        if _missing(ceiling):
            return "missing", _MISSING_CEILING_REASONS.get(
                name, "no real ceiling to compare with"
            )
        higher = _DESCRIPTIONS.get(name, ("", True))[1]
        tolerance = self.tolerance
        if name == "exact_copy_share":
            tolerance = _COPY_TOLERANCE
        elif name == "close_record_share":
            tolerance = self.tolerance * _CLOSE_SCALE
        if name in _DETECTION:
            gap = max(synthetic, 0.5) - max(ceiling, 0.5)
        elif name in _CENTRED:
            gap = abs(synthetic - 0.5) - abs(ceiling - 0.5)
        else:
            gap = ceiling - synthetic if higher else synthetic - ceiling
        return ("good" if gap <= tolerance else "worse"), ""

    def _label(self, name):
        if name == "tstr" and self.tstr_scoring:
            return f"tstr ({self.tstr_scoring})"
        return name

    def _verdict_lines(self):
        """The plain-words summary printed above the table."""
        verdicts = {name: self._verdict(name) for name in self._scores}
        good = [self._label(n) for n, (v, _) in verdicts.items() if v == "good"]
        worse = [
            f"{self._label(n)}: {_format(self._scores[n]['synthetic'])} against "
            f"{_format(self._scores[n]['real_holdout'])}"
            for n, (v, _) in verdicts.items()
            if v == "worse"
        ]
        missing = [
            f"{self._label(n)} ({reason})"
            for n, (v, reason) in verdicts.items()
            if v == "missing"
        ]
        ceiling = "a real holdout" if self._holdout else "two halves of the real rows"
        lines = [
            f"Verdict: {len(good)} of {len(good) + len(worse)} metrics as good as "
            f"real data (within {self.tolerance:.2f} of the same metric for {ceiling})."
        ]
        if good:
            lines.append(f"  As good as real: {', '.join(good)}.")
        if worse:
            lines.append(f"  Worse than real: {', '.join(worse)}.")
        if missing:
            lines.append(f"  Not computed: {', '.join(missing)}.")
        lines.extend(self._giveaway_lines())
        return lines

    def _giveaway_lines(self):
        """The columns that tell synthetic rows apart most, and the pairs
        whose association changed most."""
        lines = []
        table = _as_columns(self.column_table)
        if table is not None and not np.all(np.isnan(table["detection_auc"])):
            auc = np.asarray(table["detection_auc"], dtype=float)
            ceiling = np.asarray(table["detection_auc_real_holdout"], dtype=float)
            names = list(table["column"])
            order = np.argsort(-np.nan_to_num(auc, nan=0.0), kind="stable")
            named = [
                f"{names[i]} ({auc[i]:.2f})"
                for i in order[:_N_NAMED]
                if auc[i] - max(ceiling[i], 0.5) > self.tolerance
            ]
            if named:
                lines.append(
                    "  Columns that give the synthetic rows away most (detection "
                    "AUC of the column alone, 0.5 = not at all): "
                    f"{', '.join(named)}."
                )
            else:
                how = ""
                if "detection_auc" in self._scores and (
                    self._verdict("detection_auc")[0] == "worse"
                ):
                    how = " the rows differ in how columns go together"
                lines.append(
                    "  No column alone gives the synthetic rows away (each one's "
                    f"detection AUC within {self.tolerance:.2f} of its real ceiling)"
                    + (f";{how}." if how else ".")
                )
        pairs = _as_columns(self.pair_table)
        if pairs is not None and len(pairs["difference"]):
            difference = np.abs(np.asarray(pairs["difference"], dtype=float))
            order = np.argsort(-np.nan_to_num(difference), kind="stable")
            named = [
                f"{pairs['column_1'][i]} & {pairs['column_2'][i]} "
                f"({pairs['real'][i]:.2f} real, {pairs['synthetic'][i]:.2f} "
                "synthetic)"
                for i in order[:_N_NAMED]
                if difference[i] > 0.1
            ]
            if named:
                lines.append(
                    "  Pairs of columns whose association changed most: "
                    f"{', '.join(named)}."
                )
        return lines

    def _metric_rows(self):
        """One row per metric for the printout and the HTML page: name,
        scores, verdict label ("ok", "worse" or "-"), verdict, and what it
        measures (with the reason a figure is missing)."""
        for name, values in self._scores.items():
            verdict, reason = self._verdict(name)
            label = {"good": "ok", "worse": "worse", "missing": "-"}[verdict]
            description = self._description(name)
            if reason:
                description = f"not computed: {reason}. {description}"
            yield name, values, label, verdict, description

    def __str__(self):
        lines = self._verdict_lines()
        if self._scores:
            header = "real holdout" if self._holdout else "real halves"
            lines += [
                "",
                f"{'metric':<24}{'synthetic':>11}{header:>14}  {'verdict':<9}"
                "what it measures",
                "-" * 100,
            ]
        for name, values, label, _, description in self._metric_rows():
            lines.append(
                f"{name:<24}{_format(values['synthetic']):>11}"
                f"{_format(values['real_holdout']):>14}  {label:<9}"
                f"{description}".rstrip()
            )
        if self._constraints is not None:
            lines.extend(self._constraint_lines())
        lines.extend(f"note: {note}" for note in self.notes)
        return "\n".join(lines)

    def _constraint_lines(self):
        """The printed table of rules: each rule's text and its shares."""
        width = max([24, *(len(rule) + 2 for rule in self._constraints)])
        header = "real holdout" if self._holdout else "no holdout"
        lines = [
            "",
            f"{'rule':<{width}}{'synthetic':>11}{header:>14}  "
            "share of rows that break it",
            "-" * max(90, width + 25),
        ]
        for rule, shares in self._constraints.items():
            lines.append(
                f"{rule:<{width}}{_percent(shares['synthetic']):>11}"
                f"{_percent(shares['real_holdout']):>14}"
            )
        if not self._constraints:
            lines.append("(no rules)")
        return lines

    def __repr__(self):
        rules = ""
        if self._constraints is not None:
            rules = f", {len(self._constraints)} rules"
        return f"SyntheticDataReport({len(self._scores)} metrics{rules})\n{self}"


def _missing(value):
    return value is None or np.isnan(value)


def _as_columns(table):
    """``{name: list}`` of a column or pair table (DataFrame or dict), the
    index of a column table as ``"column"``; None for no table."""
    if table is None:
        return None
    if isinstance(table, dict):
        return table
    columns = {name: table[name].tolist() for name in table.columns}
    if "column" not in columns:
        columns["column"] = list(table.index)
    return columns


def _table(columns, index=None):
    """A DataFrame of ``{name: list}`` (a dict of lists without pandas)."""
    try:
        import pandas as pd
    except ImportError:
        return columns if index is None else {"column": index, **columns}
    frame = pd.DataFrame(columns, index=index)
    if index is not None:
        frame.index.name = "column"
    return frame


def _format(value):
    return "-" if value is None or np.isnan(value) else f"{value:.3f}"


def _percent(share):
    return "-" if share is None or np.isnan(share) else f"{100 * share:.2f}%"


# Groups of metrics that ``evaluate_synthetic(metrics=...)`` chooses from.
_GROUPS = ("fidelity", "detection", "privacy", "utility")

# Synthetic rows, and as many fresh real rows, that query the neighbour
# searches of the privacy figures at most. With 5,000 queries the standard
# error of a share is at most 0.71 points (0.5 / sqrt(5000)); 10,000 would
# give 0.5 points for twice the distance computations.
_PRIVACY_QUERIES = 5000

# Rows of each table the detection classifiers see at most.
_DETECTION_ROWS = 10_000

# Rows of each table the per-column detection test sees at most: the standard
# error of an AUC near 0.5 is then about 0.006 (on each half of the rows).
_COLUMN_DETECTION_ROWS = 5000


@validate_params(
    {
        "real": ["array-like"],
        "synthetic": ["array-like"],
        "holdout": ["array-like", None],
        "target": [str, Integral, None],
        "estimator": [HasMethods(["fit"]), None],
        "scoring": [None, str, callable],
        "detection_cv": [Interval(Integral, 2, None, closed="left")],
        "metrics": [StrOptions({"all", *_GROUPS}), list, tuple],
        "constraints": [None, StrOptions({"auto"}), list, tuple],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
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
    metrics="all",
    constraints=None,
    random_state=None,
    verbose=0,
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
    metrics : "all", str or list of str, default="all"
        Groups of metrics to compute, among ``"fidelity"`` (margins,
        missing shares, correlations and contingency tables), ``"detection"``
        (classifier two-sample tests), ``"privacy"`` (exact copies, nearest
        neighbour distance ratio, distance-to-closest-record share, share of
        close records) and
        ``"utility"`` (train on synthetic, test on real; needs ``target``).
        ``"all"`` computes every group that the arguments allow. Each group
        gives the same figures whichever other groups are computed.
    constraints : None, "auto" or list of rules, default=None
        Rules whose share of breaking rows to report, for the synthetic rows
        and, as the ceiling, for the holdout rows (see
        :mod:`sksynth.constraints`). "auto" uses the rules
        :func:`~sksynth.constraints.detect_constraints` finds in ``real``,
        then those of the columns it links (see :ref:`linked_columns`): the
        combinations of few-valued columns it rules out (a female husband)
        and the amounts that exclude one another (a capital gain and a
        capital loss), which synthesizers keep by default.
        A :class:`~sksynth.constraints.FixedCombinations` rule allows the
        combinations of ``real``: a holdout row with a combination unseen
        there breaks it. Checked whichever ``metrics`` are computed; the
        shares are the table ``report["constraints"]``.
    random_state : int, RandomState instance or None, default=None
        Controls the splits, subsamples and models.
    verbose : int, default=0
        Progress output on standard output: with 1 or more, one line per
        step (reading the tables, then each group of metrics and the rules'
        shares) with its time.

    Returns
    -------
    report : SyntheticDataReport
        Mapping from metric name to ``{"synthetic": ..., "real_holdout":
        ...}`` (and, with ``constraints``, ``"constraints"`` to the table of
        the rules' shares); printing it shows a table. Pass it to
        :func:`~sksynth.metrics.save_figures` (``report=``) to draw the
        figures from what it computed.

    Notes
    -----
    To bound the time on large tables, the detection classifiers see at most
    10,000 rows of each table, and the privacy figures query at most 5,000
    synthetic rows and as many fresh real rows (holdout rows, else rows of
    the second half of ``real``). Both query the same reference rows: the
    NNDR measures distances to training rows; the DCR share compares the
    distances to those training rows and to as many holdout rows other than
    the fresh ones (the larger of the two tables subsampled to the size of the
    other), so that 0.5 is ideal for the synthetic rows and the fresh rows
    alike. The share of close records takes the 5 % quantile of the fresh
    rows' distances to the training rows as its threshold; its ceiling is
    the share of each half of the fresh rows under the other half's
    quantile (0.05 but for noise). It needs no holdout: without one, the
    fresh rows are the second half of ``real`` and the training rows the
    first, so that it compares the synthetic rows with real rows' distances
    to each other.

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
    >>> fidelity = evaluate_synthetic(
    ...     train, synthetic, holdout=holdout, metrics="fidelity", random_state=0
    ... )
    >>> len(fidelity), "detection_auc" in fidelity
    (5, False)
    """
    progress = Progress("evaluate_synthetic", verbose)
    groups = _check_groups(metrics, target)
    # One seed per group, so that a group's figures do not depend on the others.
    *group_seeds, split_seed = check_random_state(random_state).randint(
        np.iinfo(np.int32).max, size=len(_GROUPS) + 1
    )
    seeds = dict(zip(_GROUPS, group_seeds))
    others = (synthetic,) if holdout is None else (synthetic, holdout)
    columns, encoded, schema = encode_tables(
        real, *others, names=("synthetic", "holdout"), return_schema=True
    )
    target_index = None if target is None else _target_index(real, schema, target)
    real_values, synthetic_values = encoded[:2]
    progress.lap(f"tables: {describe_columns(schema.columns)}")
    notes = []
    if schema.auto_identifiers:
        notes.append(
            f"identifier column(s) {schema.auto_identifiers} left out of every figure: "
            "a key is unique per row, and synthetic rows hold new keys."
        )
    if holdout is None:
        reference_values, holdout_values = _split_halves(real_values, split_seed)
        notes.append(
            "no holdout: ceilings compare two halves of the real rows; pass holdout "
            "for the privacy share and the utility test."
        )
    else:
        reference_values, holdout_values = real_values, encoded[2]
    synthetic_pair = (columns, real_values, synthetic_values)
    real_pair = (columns, reference_values, holdout_values)
    if "detection" in groups:
        _check_detection_rows(synthetic_pair, real_pair, detection_cv, holdout is None)
    scores = {}
    if "fidelity" in groups:
        scores.update(
            (name, _pair(metric(*synthetic_pair), metric(*real_pair)))
            for name, metric in _FIDELITY.items()
        )
        progress.lap("fidelity")
    # What the figures draw, kept so that save_figures(report=...) need not
    # compute it again.
    figure_data = {"columns": [spec.name for spec in columns]}
    if "detection" in groups:
        detection, figure_data["detection"] = _detection(
            synthetic_pair, real_pair, detection_cv, seeds
        )
        scores.update(detection)
        progress.lap("detection")
    column_table = pair_table = None
    if groups & {"fidelity", "detection"}:
        column_table, pair_table, associations = _column_tables(
            synthetic_pair, real_pair, groups, seeds["detection"]
        )
        if associations is not None:
            figure_data["associations"] = associations
        progress.lap("column and pair tables")
    if "privacy" in groups:
        privacy, distances = _privacy(
            columns,
            real_values,
            synthetic_values,
            None if holdout is None else holdout_values,
            (reference_values, holdout_values),
            seeds["privacy"],
        )
        scores.update(privacy)
        if distances is not None:
            figure_data["distances"] = distances
        progress.lap("privacy")
    tstr_scoring = None
    if "utility" in groups and target is not None and holdout is not None:
        _check_target_present(columns[target_index].name, encoded, target_index)
        tables = (real, synthetic, holdout)
        if estimator is None:
            utility, tstr_scoring = _default_utility(
                columns,
                encoded,
                target_index,
                tables,
                scoring,
                seeds["utility"],
                schema.modelled[target_index],
            )
            scores.update(utility)
        else:
            if is_dataframe(real):
                tables = [like(table, real) for table in tables]
            splits = [split_column(table, target) for table in tables]
            scores.update(_utility(*splits, estimator, scoring, seeds["utility"]))
            tstr_scoring = _scoring_name(scoring, is_classifier(estimator), None)
        progress.lap("utility (TSTR)")
    elif "utility" in groups and target is not None:
        # Listed, with the reason: a target was given for them.
        scores.update((name, _pair(np.nan, np.nan)) for name in _UTILITY)
    rule_shares = None
    if constraints is not None:
        rule_shares = _rule_shares(constraints, real, synthetic, holdout)
        progress.lap("constraints")
        if not rule_shares:
            notes.append("constraints: no rule to check.")
        elif holdout is None:
            notes.append(
                "no holdout: the rules' shares have no real ceiling; pass holdout "
                "for it."
            )
    report = SyntheticDataReport(
        scores,
        notes,
        rule_shares,
        column_table=column_table,
        pair_table=pair_table,
        tstr_scoring=tstr_scoring,
        holdout=holdout is not None,
        tolerance=max(
            _TOLERANCE,
            1
            / np.sqrt(
                max(
                    1,
                    min(
                        real_values.shape[0],
                        synthetic_values.shape[0],
                        holdout_values.shape[0],
                    ),
                )
            ),
        ),
    )
    report._figure_data = figure_data
    return report


_FIDELITY = {
    "ks_complement": partial(_ks_complement, aggregate=True),
    "tv_complement": partial(_tv_complement, aggregate=True),
    "missing_similarity": partial(_missing_similarity, aggregate=True),
    "correlation_similarity": partial(
        _correlation_similarity, method="pearson", aggregate=True
    ),
    "contingency_similarity": partial(_contingency_similarity, aggregate=True),
}


def _rule_shares(constraints, real, synthetic, holdout):
    """``{rule text: {"synthetic": share, "real_holdout": share}}``: the share
    of rows of each table that break each rule (NaN without a holdout)."""
    from ..constraints import FixedCombinations, detect_constraints
    from ..constraints._frames import as_frame
    from ..constraints._linked import linked_rules

    real_frame = as_frame(real)
    if isinstance(constraints, str):
        # Their fixed combinations are those of real_frame already; then the
        # rules of the columns the data link, as synthesizers keep them.
        rules = detect_constraints(real_frame)
        rules += linked_rules(real_frame, rules)
    else:
        rules = [_checked_rule(rule, real_frame) for rule in constraints]
        # The combinations of the real rows, on a copy: the rule given stays
        # as it was.
        rules = [
            copy.copy(rule).fit(real_frame)
            if isinstance(rule, FixedCombinations)
            else rule
            for rule in rules
        ]
    tables = {}
    for name, table, label in (
        ("synthetic", synthetic, "synthetic"),
        ("real_holdout", holdout, "holdout"),
    ):
        if table is not None:
            table = as_frame(like(align_columns(real, table, label), real))
        tables[name] = table
    shares = {}
    for rule in rules:
        shares[str(rule)] = {
            name: _broken_share(rule, table) for name, table in tables.items()
        }
    return shares


def _checked_rule(rule, real_frame):
    from ..constraints import Constraint

    if not isinstance(rule, Constraint):
        raise TypeError(
            f"constraints holds {type(rule).__name__}, which is not a rule; use "
            "the rules of sksynth.constraints, or 'auto'."
        )
    unknown = rule._unknown_columns(real_frame.columns)
    if unknown:
        raise ValueError(
            f"constraints: rule '{rule}' names column {unknown[0]!r}, which is not "
            f"a column of the tables; columns are {list(real_frame.columns)}. Fix "
            "the rule or drop it."
        )
    return rule


def _broken_share(rule, table):
    if table is None or len(table) == 0:
        return float("nan")
    return float(np.mean(~np.asarray(rule.is_valid(table), dtype=bool)))


def _check_groups(metrics, target):
    """The set of metric groups asked for, checked against the arguments."""
    if metrics == "all":
        return set(_GROUPS)
    if isinstance(metrics, str):
        metrics = [metrics]
    unknown = [group for group in metrics if group not in _GROUPS]
    if unknown or not metrics:
        raise ValueError(
            f"metrics must be 'all' or a non-empty list of {list(_GROUPS)}; got "
            f"{metrics!r}."
        )
    if "utility" in metrics and target is None:
        raise ValueError(
            "metrics asks for 'utility', which needs the target column: pass "
            "target, or leave 'utility' out of metrics."
        )
    return set(metrics)


def _check_detection_rows(synthetic_pair, real_pair, cv, halves):
    """Each table a detection test compares needs ``cv`` rows at least."""
    rows = {
        "real rows": synthetic_pair[1].shape[0],
        "synthetic rows": synthetic_pair[2].shape[0],
    }
    if halves:
        # The halves differ by one row at most; the first is the smaller.
        rows[
            "rows in a half of the real rows (without a holdout the ceilings "
            "compare two halves)"
        ] = real_pair[1].shape[0]
    else:
        rows["holdout rows"] = real_pair[2].shape[0]
    short = [f"{n} {label}" for label, n in rows.items() if n < cv]
    if short:
        got = " and ".join([", ".join(short[:-1]), short[-1]] if short[1:] else short)
        raise ValueError(
            "The detection tests of evaluate_synthetic need at least "
            f"detection_cv={cv} rows in each table; got {got}. Pass "
            "more rows, a smaller detection_cv, or leave 'detection' out of metrics."
        )


def _detection(synthetic_pair, real_pair, cv, seeds):
    """The detection AUCs, and ``{method: (auc, labels, out-of-fold
    probabilities)}`` of the synthetic rows for the ROC curves."""
    rng = check_random_state(seeds["detection"])
    scores, curves = {}, {}
    for name, method in (
        ("detection_auc", "gradient_boosting"),
        ("detection_auc_logistic", "logistic"),
    ):
        synthetic_seed, real_seed = rng.randint(np.iinfo(np.int32).max, size=2)
        curves[method] = _detection_scores(
            *synthetic_pair, method, cv, _DETECTION_ROWS, synthetic_seed
        )
        scores[name] = _pair(
            curves[method][0],
            _detection_auc(*real_pair, method, cv, _DETECTION_ROWS, real_seed),
        )
    return scores, curves


def _pair(synthetic, real_holdout):
    return {"synthetic": float(synthetic), "real_holdout": float(real_holdout)}


def _split_halves(values, rng):
    n = values.shape[0]
    if n < 4:
        raise ValueError(
            f"evaluate_synthetic needs at least 4 rows to split into halves; got {n}. "
            "Pass more rows, or a holdout."
        )
    order = check_random_state(rng).permutation(n)
    return values[order[: n // 2]], values[order[n // 2 :]]


def _target_index(real, schema, target):
    """Position of the target among the encoded columns."""
    names = schema.names
    if is_dataframe(real):
        if target not in names:
            raise ValueError(
                f"target {target!r} is not a column of the tables; columns are {names}."
            )
        position = names.index(target)
    elif isinstance(target, Integral) and 0 <= target < len(names):
        position = int(target)
    else:
        raise ValueError(
            f"target {target!r} is not a column of the tables: for arrays pass the "
            f"position of the target column, from 0 to {len(names) - 1}."
        )
    if position not in schema.modelled:
        raise ValueError(
            f"target {target!r} is an identifier column (a distinct value in every "
            "row): there is nothing to predict. Pick another target."
        )
    return schema.modelled.index(position)


_TABLE_NAMES = ("real", "synthetic", "holdout")


def _check_target_present(name, encoded, target_index):
    """The utility test needs a target in every row of every table."""
    for label, values in zip(_TABLE_NAMES, encoded, strict=True):
        n_missing = int(np.isnan(values[:, target_index]).sum())
        if n_missing:
            raise ValueError(
                f"The target column {name!r} has {n_missing} missing value(s) in "
                f"the {label} rows; the utility test needs a target in every row. "
                f"Drop those rows (e.g. table.dropna(subset=[{name!r}])), or leave "
                "'utility' out of metrics."
            )


def _privacy(columns, real, synthetic, holdout, copies_pair, seed):
    """Exact copies, NNDR and DCR share of synthetic rows and of fresh real rows.

    ``copies_pair`` holds the two real tables of the ceilings: train and
    holdout, else two halves of ``real`` (the first one then stands for the
    training rows). As many synthetic rows and fresh real rows (from the
    holdout, else the second half) query the same reference rows: training
    rows for the NNDR and, with a holdout, training rows and as many holdout
    rows for the DCR share, a fresh row's own entry in the holdout left out.
    The synthetic figures and their ceilings so compare like with like, and
    the search for the two nearest training rows gives the DCR share its
    distances to train.

    Returns the scores and, with a holdout, the distances of the synthetic
    and of the fresh rows to their closest training row (None without).
    """
    rng = check_random_state(seed)
    if holdout is None:
        train, fresh_source = copies_pair
    else:
        if holdout.shape[0] < 4:
            raise ValueError(
                "evaluate_synthetic needs at least 4 holdout rows for the privacy "
                f"figures; got {holdout.shape[0]}. Pass more holdout rows."
            )
        # As many training as holdout rows, so that 0.5 is the ideal share.
        size = min(real.shape[0], holdout.shape[0])
        train = subsample_rows(real, size, rng)
        holdout = fresh_source = subsample_rows(holdout, size, rng)
    n_queries = min(_PRIVACY_QUERIES, synthetic.shape[0], fresh_source.shape[0])
    fresh_rows = rng.choice(fresh_source.shape[0], n_queries, replace=False)
    tables = [
        subsample_rows(synthetic, n_queries, rng),
        fresh_source[fresh_rows],
        train,
    ]
    if holdout is not None:
        tables.append(holdout)
    synthetic_query, fresh_query, train, *reference = _distance_features(
        FeatureMap(columns, real), tables
    )
    synthetic_to_train = _nearest(train, synthetic_query, n_neighbors=2)
    fresh_to_train = _nearest(train, fresh_query, n_neighbors=2)
    scores = {
        "exact_copy_share": _pair(
            _exact_copy_share(real, synthetic, None, None),
            _exact_copy_share(*copies_pair, None, None),
        ),
        "nndr": _pair(_median_ratio(synthetic_to_train), _median_ratio(fresh_to_train)),
        "dcr_share": _pair(float("nan"), float("nan")),
        "close_record_share": _pair(
            _close_share(
                synthetic_to_train[:, 0], fresh_to_train[:, 0], _CLOSE_QUANTILE
            ),
            _fresh_close_share(fresh_to_train[:, 0], rng),
        ),
    }
    distances = None
    if holdout is not None:
        (holdout,) = reference
        distances = (synthetic_to_train[:, 0], fresh_to_train[:, 0])
        scores["dcr_share"] = _pair(
            _closer_share(
                synthetic_to_train[:, 0], _nearest(holdout, synthetic_query)[:, 0]
            ),
            _closer_share(
                fresh_to_train[:, 0], _nearest_other(holdout, fresh_query, fresh_rows)
            ),
        )
    return scores, distances


def _fresh_close_share(fresh, rng):
    """The share of close records of fresh rows: of each half of ``fresh``
    (distances of fresh rows to the training rows) against the quantile of
    the other half, averaged; it differs from _CLOSE_QUANTILE by the noise of
    the quantile and of the share."""
    if fresh.size < 4:
        return float("nan")
    first, second = _split_halves(fresh, rng)
    return 0.5 * (
        _close_share(first, second, _CLOSE_QUANTILE)
        + _close_share(second, first, _CLOSE_QUANTILE)
    )


def _utility(real, synthetic, test, estimator, scoring, seed):
    """TSTR against TRTR on the holdout; each argument is an ``(X, y)`` pair."""
    result, *_ = TSTRScorer(estimator, scoring=scoring, random_state=seed)._compare(
        *real, *synthetic, *test
    )
    return {
        "tstr": _pair(result["tstr"], result["trtr"]),
        "model_agreement": _pair(result["agreement"], result["agreement_reference"]),
        "output_ks": _pair(result["output_ks"], result["output_ks_reference"]),
    }


def _default_utility(
    columns, encoded, target_index, tables, scoring, seed, target_position
):
    """Utility with a histogram gradient-boosting model.

    Its features are the tables as encoded once for every metric; ``tables``
    (real, synthetic, holdout as given) supply the targets (the column named
    as the target, or at ``target_position`` of an array).
    """
    name = columns[target_index].name
    targets = [column_of(table, name, target_position) for table in tables]
    schema = TargetSchema.from_data(targets[0], len(targets[0]))
    feature_columns = columns[:target_index] + columns[target_index + 1 :]
    splits = []
    for label, values, y in zip(_TABLE_NAMES, encoded, targets, strict=True):
        X, categorical = _hgb_features(
            feature_columns, np.delete(values, target_index, axis=1)
        )
        codes = schema.encode(y)
        if schema.is_classification and (codes < 0).any():
            unseen = sorted(set(np.asarray(y)[codes < 0].tolist()), key=str)
            raise ValueError(
                f"The {label} rows hold class(es) {unseen} of the target column "
                f"{columns[target_index].name!r} that the real rows do not; a model "
                "trained on the real rows cannot predict them. Drop those rows or "
                "pass real rows with every class."
            )
        splits.append((X, codes))
    if schema.is_classification:
        model = HistGradientBoostingClassifier
        if scoring is None and len(schema.classes) == 2:
            scoring = "roc_auc"
    else:
        model = HistGradientBoostingRegressor
    estimator = model(
        categorical_features=categorical if categorical.any() else None,
        random_state=seed,
    )
    # One OpenMP thread, as in the detection tests: with two threads on a busy
    # two-core machine the utility test of Adult took 8 times the CPU time.
    name = _scoring_name(
        scoring,
        schema.is_classification,
        len(schema.classes) if schema.is_classification else None,
    )
    with threadpool_limits(limits=1, user_api="openmp"):
        return _utility(*splits, estimator, scoring, seed), name


def _scoring_name(scoring, is_classification, n_classes):
    """What the TSTR figure is, in words: the scoring and the target's type."""
    if n_classes == 2:
        target = "binary target"
    elif n_classes is not None:
        target = f"{n_classes}-class target"
    else:
        target = "classification" if is_classification else "numeric target"
    if scoring is None:
        scoring = "accuracy" if is_classification else "R^2"
    elif scoring == "roc_auc":
        scoring = "ROC AUC"
    elif scoring == "r2":
        scoring = "R^2"
    elif callable(scoring):
        scoring = getattr(scoring, "__name__", type(scoring).__name__)
    return f"{scoring}, {target}"


def _column_tables(synthetic_pair, real_pair, groups, seed):
    """The column table and the pair table of the report, and the matrices
    of associations of the real and the synthetic rows (None without
    ``"fidelity"``).

    Shapes, missing shares and associations when ``"fidelity"`` is computed;
    each column's detection AUC alone when ``"detection"`` is (its own random
    state, drawn from ``seed``: the detection figures stay as they were).
    """
    columns, real_values, synthetic_values = synthetic_pair
    names = [spec.name for spec in columns]
    n = len(columns)
    shape_metric = [
        "ks_complement" if spec.is_numeric else "tv_complement" for spec in columns
    ]
    shapes = {}
    for label, (_, a, b) in (
        ("shape", synthetic_pair),
        ("shape_real_holdout", real_pair),
    ):
        shapes[label] = np.full(n, np.nan)
        if "fidelity" in groups:
            per_column = {
                **_ks_complement(columns, a, b, aggregate=False),
                **_tv_complement(columns, a, b, aggregate=False),
            }
            shapes[label] = np.array([per_column.get(name, np.nan) for name in names])
    missing = np.full((2, n), np.nan)
    if "fidelity" in groups:
        missing = np.array(
            [np.isnan(v).mean(axis=0) for v in (real_values, synthetic_values)]
        )
    aucs = np.full((2, n), np.nan)
    if "detection" in groups:
        rng = np.random.RandomState([seed, 1])
        aucs = np.array(
            [
                _column_detection_aucs(*pair, _COLUMN_DETECTION_ROWS, rng)
                for pair in (synthetic_pair, real_pair)
            ]
        )
    column_table = _table(
        {
            "kind": [str(spec.kind) for spec in columns],
            "shape_metric": shape_metric,
            "shape": shapes["shape"].tolist(),
            "shape_real_holdout": shapes["shape_real_holdout"].tolist(),
            "missing_real": missing[0].tolist(),
            "missing_synthetic": missing[1].tolist(),
            "detection_auc": aucs[0].tolist(),
            "detection_auc_real_holdout": aucs[1].tolist(),
        },
        index=names,
    )
    pair_table = associations = None
    if "fidelity" in groups:
        associations = [
            pairwise_associations(columns, values)
            for values in (real_values, synthetic_values)
        ]
        pair_table = _pair_table(columns, *associations)
    return column_table, pair_table, associations


def _pair_table(columns, real, synthetic):
    """Each pair's association in the ``real`` and the ``synthetic`` rows
    (matrices of :func:`pairwise_associations`)."""
    first, second = np.triu_indices(len(columns), k=1)
    numeric = np.array([spec.is_numeric for spec in columns], dtype=bool)
    kinds = numeric[first].astype(int) + numeric[second]
    measures = np.array(["cramers_v", "correlation_ratio", "correlation"])[kinds]
    return _table(
        {
            "column_1": [columns[a].name for a in first],
            "column_2": [columns[b].name for b in second],
            "measure": measures.tolist(),
            "real": real[first, second].tolist(),
            "synthetic": synthetic[first, second].tolist(),
            "difference": (synthetic[first, second] - real[first, second]).tolist(),
        }
    )
