"""Base class of sksynth synthesizers: the synthesizer API, written once."""

import numbers
import os
import warnings
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, DensityMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._data import (
    IDENTIFIER,
    TableSchema,
    TargetSchema,
    caller_stacklevel,
    check_unique_columns,
    encode_condition,
    is_dask_collection,
)
from ._margins import column_novelty
from ._progress import LARGE_DRAW, Progress, describe_columns, describe_label
from ._summary import ColumnSummary
from .constraints._enforce import fit_rules, sample_with_rules
from .constraints._linked import linking_of

# Bytes per value a draw of ``sample`` holds at its peak (the encoded table,
# the latent draws and the decoded output, each 8 bytes per value or more).
_BYTES_PER_VALUE = 64


def check_sample_count(n_samples):
    """``n_samples`` as an int, or a ValueError: a whole number >= 1."""
    if isinstance(n_samples, bool | np.bool_) or not isinstance(
        n_samples, numbers.Integral
    ):
        raise ValueError(
            f"`n_samples` must be an integer >= 1; got {n_samples!r} of type "
            f"{type(n_samples).__name__}."
        )
    if n_samples < 1:
        raise ValueError(f"`n_samples` must be an integer >= 1; got {n_samples}.")
    return int(n_samples)


def check_n_samples(n_samples, n_columns=1):
    """Validate the number of rows asked of ``sample``, and that they fit in
    this machine's memory."""
    n_samples = check_sample_count(n_samples)
    memory = _physical_memory()
    per_row = _BYTES_PER_VALUE * max(n_columns, 1)
    if memory is not None and n_samples * per_row > memory:
        chunk = max(int(memory / 4 / per_row), 1)
        raise ValueError(
            f"`n_samples`={n_samples} rows of {n_columns} columns need about "
            f"{_bytes(n_samples * per_row)} while sampling, more than this "
            f"machine's {_bytes(memory)} of memory. Draw them in chunks of at "
            f"most {chunk} rows (successive calls to sample draw new rows) and "
            "write each chunk out."
        )
    return int(n_samples)


def _physical_memory():
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def _bytes(n):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.1f} {unit}" if unit != "bytes" else f"{n:.0f} bytes"
        n /= 1024


@dataclass(eq=False)
class Layout:
    """What a synthesizer's model is fitted on.

    Parameters
    ----------
    columns : list of ColumnSpec
        The modelled columns, and a target modelled as a column last.
    target : int or None
        Position of the target among ``columns``, None when there is none
        (no ``y``, or one model per class).
    target_type : {"classification", "regression"} or None
        Kind of that target.
    summaries : list of ColumnSummary or None
        Out of core (``partial_fit``, ``fit`` on a Dask DataFrame), what all
        the rows say about each column (the model is fitted on a sample of
        them); None when the model sees every row.
    table : ndarray or None
        With one model per class, the rows of every class (encoded like the
        model's own): a combination of values the whole table rules out (a
        missing workclass with an occupation) is ruled out in each class,
        whose own rows may be too few to tell. None otherwise.
    """

    columns: list
    target: int | None = None
    target_type: str | None = None
    summaries: list | None = None
    table: np.ndarray | None = None

    @property
    def n_features(self):
        """Columns that are features (all but the target)."""
        return len(self.columns) - (self.target is not None)


class BaseSynthesizer(DensityMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class for synthesizers: ``fit``, ``sample``, ``score_samples``, ``score``.

    It validates the input through the data layer, fits one model per class
    for a classification target (a continuous target is one more column), and
    decodes samples into the training container. Subclasses implement
    ``_fit_table``, ``_sample_table`` and ``_log_density`` on encoded float
    arrays; their models hold ``margins``, one fitted column model per
    column, from which ``score_samples`` scores values the model cannot
    produce (see ``sksynth._margins.column_novelty``).

    Warning: This class should not be used directly. Use the derived classes
    instead.
    """

    # A class target is modelled as one more (categorical) column when True,
    # by one model per class when False.
    _target_as_column = False

    _parameter_constraints: dict = {
        "categorical_features": [StrOptions({"from_dtype"}), "array-like"],
        "id_columns": [StrOptions({"auto"}), "array-like", None],
        "discrete_features": [StrOptions({"auto"}), "array-like"],
        "constraints": [None, StrOptions({"auto"}), list, tuple],
        "enforce_range": ["boolean"],
        "target_type": [StrOptions({"auto", "classification", "regression"})],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    @abstractmethod
    def _fit_table(self, values, layout, rng):
        """Fit a model to encoded ``values`` laid out as ``layout`` says."""

    @abstractmethod
    def _sample_table(self, model, n_samples, rng, conditions):
        """Draw encoded rows; ``conditions`` maps column index to encoded value."""

    @abstractmethod
    def _log_density(self, model, values, columns, ignore=None):
        """Log density of encoded rows over the column indices ``columns``,
        the other columns marginalised out, and in each row the entries where
        ``ignore`` (a boolean array like ``values``) is True. ``ignore`` is
        given when scoring rows (``score_samples``), None for the exact
        density of ``conditions``."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the distribution of ``X``, or the joint one of ``(X, y)``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training table: numeric, integer, boolean, categorical, date,
            duration and identifier columns, missing values allowed.
        y : array-like of shape (n_samples,), default=None
            Optional target. Class labels (strings, booleans, categories, or
            whole numbers with few distinct values) give one model per class;
            other numbers are modelled as one more column.

        Returns
        -------
        self : object
            Fitted synthesizer.
        """
        if is_dask_collection(X) or is_dask_collection(y):
            from .dask._fit import fit_collection

            return fit_collection(self, X, y)
        self.__dict__.pop("_summary", None)  # from an earlier partial_fit
        progress = Progress.of(self)
        check_unique_columns(X)
        X = validate_data(self, X, skip_check_array=True)
        rng = check_random_state(self.random_state)
        self._rules = fit_rules(
            self.constraints, X, self.enforce_range, linking_of(self)
        )
        if self._rules is not None:
            X = self._rules.transform(X)
        self._schema = TableSchema.from_data(
            X, self.categorical_features, self.id_columns, self.discrete_features
        )
        _warn_auto_identifiers(self._schema, type(self).__name__)
        values = self._schema.encode(X)
        progress.lap(f"schema: {describe_columns(self._schema.columns)}")
        target = None if y is None else self._target_schema(y, values.shape[0])
        self._fit_encoded(values, y, target, rng)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Learn the distribution of a table seen in chunks, one chunk per call.

        Each chunk is seen once and may come in any order (one file per
        month, sorted by date): the model after the last call is that of all
        the rows. The margins come from statistics of every row (exact
        counts of categories and of columns with few values, and a t-digest,
        a mergeable quantile summary, of the other numeric columns); the
        dependence between columns is learnt on a uniform sample of the rows
        kept across chunks, at most 200,000 rows per class of the target
        (rows of smallest random keys, seeded by ``random_state``). The
        first chunk decides each column's kind, the target's type and fits
        the rules of ``constraints`` (which must then be a list of rules);
        later chunks add categories, widen ranges and add values of discrete
        columns. Every call refits the model on the sample and statistics,
        so it is usable after each chunk (pass large chunks: a refit takes
        seconds). ``fit`` starts afresh, and ``partial_fit`` after ``fit``
        starts a new table. The estimator keeps its sample of training rows
        between calls: a pickled model holds them. Needs the ``dask`` extra
        (``pip install 'sksynth[dask]'``) for its digests; see the user
        guide's "Big data".

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            One chunk of the training table, with the columns of the first.
        y : array-like of shape (n_samples,), default=None
            Its target, given with every chunk or with none.

        Returns
        -------
        self : object
            Fitted synthesizer.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> from sksynth import GaussianCopulaSynthesizer
        >>> rng = np.random.RandomState(0)
        >>> X = pd.DataFrame({"a": rng.normal(size=3000)})
        >>> X["b"] = X["a"] + rng.normal(size=3000)
        >>> X = X.sort_values("a")  # the chunks arrive in order
        >>> synth = GaussianCopulaSynthesizer(random_state=0)
        >>> for chunk in np.array_split(np.arange(3000), 3):
        ...     synth = synth.partial_fit(X.iloc[chunk])
        >>> synth.n_samples_fit_
        3000
        >>> round(float(synth.correlation_[0, 1]), 1)
        0.7
        """
        if is_dask_collection(X) or is_dask_collection(y):
            raise TypeError(
                "partial_fit takes chunks in memory (DataFrames or arrays); pass a "
                "Dask DataFrame to fit, which reads its partitions on the workers."
            )
        check_unique_columns(X)
        summary = getattr(self, "_summary", None)
        if summary is None:
            summary = self._start_summary(X, y)
        else:
            X = validate_data(self, X, skip_check_array=True, reset=False)
            if (y is None) != (summary.target is None):
                which = (
                    "this chunk but not the first"
                    if y is not None
                    else "the first chunk but not this one"
                )
                raise ValueError(
                    f"partial_fit got y with {which}; give the target with every "
                    "chunk or with none."
                )
        progress = Progress.of(self)
        if summary.rules is not None:
            # Combinations and ranges of this chunk.
            summary.rules.extend(summary.rules.extension(X))
            X = summary.rules.transform(X)
        summary.add(X, y)
        progress.lap(
            lambda: (
                f"chunk {summary.n_parts}: {X.shape[0]:,} rows, {summary.n_rows:,} "
                f"in all, sample of {summary.sample.n_rows:,}"
            )
        )
        self._fit_summary(summary)
        return self

    def _start_summary(self, X, y):
        """The out-of-core state of a first chunk: its schema, rules, target."""
        from ._summary import TableSummary

        if isinstance(self.constraints, str):
            raise ValueError(
                'constraints="auto" detects rules on the whole table, which '
                "partial_fit never holds. Detect them on a sample, "
                "rules = sksynth.constraints.detect_constraints(X_sample), and "
                "pass constraints=rules."
            )
        X = validate_data(self, X, skip_check_array=True)
        rules = fit_rules(self.constraints, X, self.enforce_range, linking_of(self))
        table = X if rules is None else rules.transform(X)
        schema = TableSchema.from_data(
            table, self.categorical_features, self.id_columns, self.discrete_features
        )
        _warn_auto_identifiers(schema, type(self).__name__)
        n_rows = table.shape[0]
        target = None if y is None else self._target_schema(y, n_rows, schema)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        return TableSummary(seed, schema, rules, target)

    def _target_schema(self, y, n_rows, schema=None):
        """The target's schema, checked against the columns of ``X``."""
        target = TargetSchema.from_data(y, n_rows, self.target_type)
        _check_target_name(target, schema or self._schema)
        return target

    def _fit_summary(self, summary):
        """Fit the model on the sample of ``summary``, with the margins of all
        rows (see :meth:`partial_fit`)."""
        self._summary = summary
        self._rules = summary.rules
        self._schema = summary.schema
        per_class = summary.classification and not self._target_as_column
        X, y = summary.sample.rows(uniform=not per_class)
        values = self._schema.encode(X)
        target = None
        if y is not None:
            kind = "classification" if summary.classification else "regression"
            target = TargetSchema.from_data(y, values.shape[0], kind)
            if not summary.classification:
                target.spec = _widened_target(
                    target.spec, summary.summaries(n_columns=values.shape[1] + 1)[-1]
                )
        rng = check_random_state(self.random_state)
        self._fit_encoded(values, y, target, rng, summary)

    def _fit_encoded(self, values, y, target, rng, summary=None):
        """Fit on encoded ``values`` (and the target ``y`` as ``target``
        says); ``summary``: the statistics of all rows, out of core."""
        self.constraints_ = [] if self._rules is None else list(self._rules.rules)
        self.n_features_in_ = (
            self._schema.n_columns if self._rules is None else self._rules.n_columns
        )
        self.n_samples_fit_ = values.shape[0] if summary is None else summary.n_rows
        columns = self._schema.columns
        self.column_kinds_ = {c.name: c.kind for c in columns}
        self.discrete_features_ = [c.name for c in columns if c.is_discrete]
        self.id_columns_ = [c.name for c in columns if c.kind == IDENTIFIER]
        self._fit_target(values, y, target, rng, summary)
        self.random_state_ = rng
        self._describe_fit()

    def _describe_fit(self):
        """Set the public fitted attributes of the subclass from ``_models``."""

    def _per_class(self, describe):
        """``describe(model)`` of the one model, or ``{class: describe(model)}``
        with a classification target (one model per class)."""
        if not self._one_model_per_class():
            return describe(self._models[0])
        return {
            label: describe(model)
            for label, model in zip(self.classes_, self._models, strict=True)
        }

    def _modelled_names(self):
        """Names of the modelled columns, and of a target modelled as a column."""
        names = [c.name for c in self._schema.modelled_columns]
        if self._target is not None and not self._one_model_per_class():
            names.append(self._target.name)
        return names

    def _fit_target(self, values, y, target, rng, summary=None):
        columns = self._schema.modelled_columns
        self._target = target
        self.target_type_ = None
        for stale in ("classes_", "class_prior_"):  # from an earlier fit with y
            self.__dict__.pop(stale, None)

        def summaries(label=..., n_columns=len(columns)):
            if summary is None:
                return None
            return summary.summaries(label, n_columns)

        if y is None:
            layout = Layout(columns, summaries=summaries())
            self._models = [self._fit_table(values, layout, rng)]
            return
        y_values = target.encode(y)
        if not target.is_classification:
            self.target_type_ = "regression"
            joint = np.column_stack([values, y_values])
            layout = Layout(
                [*columns, target.spec],
                len(columns),
                "regression",
                summaries(n_columns=len(columns) + 1),
            )
            self._models = [self._fit_table(joint, layout, rng)]
            return
        self.target_type_ = "classification"
        # Kept with the models: a parameter changed after fit (a subclass's
        # ``_target_as_column`` may follow one) does not change their layout.
        self._models_per_class = not self._target_as_column
        codes = y_values.astype(int)
        classes = np.asarray(target.decode(np.arange(len(target.classes))))
        self.classes_ = classes
        if summary is None:
            counts = np.bincount(codes, minlength=len(target.classes))
        else:
            counts = summary.class_counts(target.classes)
        self.class_prior_ = counts / counts.sum()
        if self._target_as_column:
            joint = np.column_stack([values, y_values])
            column_summaries = summaries()
            if column_summaries is not None:
                column_summaries.append(ColumnSummary(counts.sum(), 0, counts))
            layout = Layout(
                [*columns, target.spec],
                len(columns),
                "classification",
                column_summaries,
            )
            self._models = [self._fit_table(joint, layout, rng)]
            return
        _warn_single_row_classes(classes, counts, type(self).__name__)
        progress = Progress.of(self)
        self._models = []
        for k, label in enumerate(classes):
            with progress.step(f"class {describe_label(label)}: {counts[k]} rows"):
                layout = Layout(
                    columns, summaries=summaries(target.classes[k]), table=values
                )
                self._models.append(self._fit_table(values[codes == k], layout, rng))

    def _one_model_per_class(self):
        return self.target_type_ == "classification" and self._models_per_class

    def sample(self, n_samples=1, random_state=None, conditions=None):
        """Draw synthetic rows.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to draw.
        random_state : int, RandomState instance or None, default=None
            Seed or generator for this call. None draws from the generator
            kept at ``fit`` (``random_state_``), so successive calls differ
            and the sequence is reproducible from the estimator's
            ``random_state``.
        conditions : dict, default=None
            Column values to hold fixed, ``{column: value}``: columns by name
            for a DataFrame (by position for an array), the target by the name
            of the Series ``y`` (or ``"y"``). Dates may be given as strings,
            dates, datetimes or Timestamps. Rows are drawn from the
            conditional distribution given these values. A value the column
            cannot take (a number off a discrete column's values or off its
            whole numbers, a date finer than its granularity, an unseen
            category, an identifier) is an error.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features)
            Synthetic rows, in the container, column order, dtypes and
            categories of the training ``X``; identifier columns hold new
            keys.
        y : ndarray or Series of shape (n_samples,)
            Synthetic targets, returned only when fitted with ``y``.
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples, self.n_features_in_ + 1)
        if random_state is None:
            rng = self.random_state_
        else:
            rng = check_random_state(random_state)
        progress = Progress.of(self)
        if self._rules is None:
            drawn = self._draw(n_samples, rng, conditions)
        else:
            drawn = sample_with_rules(
                self._rules,
                lambda n, given: self._draw(n, rng, given),
                n_samples,
                conditions,
            )
        progress.lap(f"sample: {n_samples} rows", 1 if n_samples >= LARGE_DRAW else 2)
        return drawn

    def describe_constraints(self):
        """The rules enforced and how, one line each.

        Returns
        -------
        text : str
            One line per rule: the rule in words and how it is enforced
            (by a transform of the table the model learns, or by rejection);
            empty without ``constraints``, and one line saying so when
            ``constraints="auto"`` found no rule.

        Examples
        --------
        >>> import numpy as np
        >>> import pandas as pd
        >>> from sksynth import TreeSynthesizer
        >>> from sksynth.constraints import Inequality
        >>> rng = np.random.RandomState(0)
        >>> built = rng.randint(1900, 2010, 300)
        >>> remodelled = built + rng.randint(0, 9, 300)
        >>> X = pd.DataFrame({"built": built, "remodelled": remodelled})
        >>> synth = TreeSynthesizer(constraints=[Inequality("built", "remodelled")])
        >>> print(synth.fit(X).describe_constraints())
        built <= remodelled  (models remodelled minus its lower bound)
        """
        check_is_fitted(self)
        if self._rules is not None:
            return "\n".join(self._rules.describe())
        if isinstance(self.constraints, str):
            # "auto" ran and found nothing: say so rather than print nothing.
            return 'no rules: constraints="auto" found none in the training rows'
        return ""

    def _draw(self, n_samples, rng, conditions):
        """Rows of the modelled table (and targets) given ``conditions``."""
        feature_conditions, target_code = self._encode_conditions(conditions)
        if self._target is None:
            values = self._sample_table(
                self._models[0], n_samples, rng, feature_conditions
            )
            return self._schema.decode(values, self.enforce_range, rng)
        if not self._one_model_per_class():
            if target_code is not None:
                feature_conditions[len(self._schema.modelled)] = float(target_code)
            joint = self._sample_table(
                self._models[0], n_samples, rng, feature_conditions
            )
            return self._decode(joint[:, :-1], joint[:, -1], rng)
        return self._sample_classes(n_samples, rng, feature_conditions, target_code)

    def _sample_classes(self, n_samples, rng, conditions, target_code):
        if target_code is not None:
            counts = np.zeros(len(self._models), dtype=int)
            counts[int(target_code)] = n_samples
        else:
            counts = _allocate(n_samples, self._class_weights(conditions), rng)
        blocks, labels = [], []
        for k, count in enumerate(counts):
            if count:
                blocks.append(
                    self._sample_table(self._models[k], count, rng, conditions)
                )
                labels.append(np.full(count, float(k)))
        order = rng.permutation(n_samples)
        values = np.concatenate(blocks)[order]
        return self._decode(values, np.concatenate(labels)[order], rng)

    def _class_weights(self, conditions):
        """Class probabilities given the conditioned columns (Bayes' rule)."""
        if not conditions:
            return self.class_prior_
        log_prior = np.log(self.class_prior_)
        columns = sorted(conditions)
        row = np.full((1, len(self._schema.modelled)), np.nan)
        for j, value in conditions.items():
            row[0, j] = value
        log_weights = log_prior + np.array(
            [self._log_density(model, row, columns)[0] for model in self._models]
        )
        if not np.isfinite(log_weights).any():
            raise impossible_conditions_error(
                [c.name for c in self._schema.modelled_columns],
                columns,
                lambda j: any(
                    np.isfinite(self._log_density(model, row, [j])[0])
                    for model in self._models
                ),
                "that no class of the target produces (zero density in every "
                "class); condition on values seen in fit.",
            )
        weights = np.exp(log_weights - logsumexp(log_weights))
        return weights / weights.sum()

    def _decode(self, values, y_values, rng):
        X = self._schema.decode(values, self.enforce_range, rng)
        return X, self._target.decode(y_values, self.enforce_range)

    def _encode_conditions(self, conditions):
        """Map ``{column: value}`` to ``{index: encoded value}`` and the target."""
        if conditions is None:
            return {}, None
        if not isinstance(conditions, dict):
            raise TypeError(
                "`conditions` must be a dict {column: value}; got "
                f"{type(conditions).__name__}."
            )
        columns = self._schema.columns
        position = {c.name: j for j, c in enumerate(columns)}
        modelled = {j: k for k, j in enumerate(self._schema.modelled)}
        target_name = None if self._target is None else self._target.name
        encoded, target_code = {}, None
        for key, value in conditions.items():
            if key not in position:
                if key == target_name:
                    target_code = encode_condition(self._target.spec, value, "target")
                    continue
                names = [c.name for c in columns]
                target = f" and the target {target_name!r}" if target_name else ""
                raise ValueError(
                    f"`conditions` names column {key!r}, which is not a column seen "
                    f"in fit. Columns are {names}{target}."
                )
            spec = columns[position[key]]
            value = encode_condition(spec, value, "column")
            encoded[modelled[position[key]]] = value
        return encoded, target_code

    def score_samples(self, X):
        """Log density of each row of ``X`` under the fitted distribution.

        When fitted with ``y`` the target is marginalised out: this is the log
        density of ``X`` alone. Every row with the training columns gets a
        finite score: a value the model cannot produce (a value of a discrete
        column or a category not seen in ``fit``, a number where the model
        has no density, a missing value in a column that had none) counts as
        drawn, with probability ``1 / (n + 1)`` for ``n`` training rows,
        from a wide normal distribution (mean and three times the standard
        deviation of the column) for numbers, or as the one outcome "unseen"
        or "missing"; the model then leaves that column out of the row. The
        other values of such columns get the factor ``1 - 1 / (n + 1)``, so
        the distribution still sums to one. Identifier columns are not
        scored.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows to score, with the columns seen in ``fit``.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
            Log density of each row.
        """
        values, penalty = self._encode_rows(X)
        columns = list(range(values.shape[1]))
        if self._target is None or not self._one_model_per_class():
            if self._target is not None:
                values = np.column_stack([values, np.full(values.shape[0], np.nan)])
            log_density = self._score(self._models[0], values, columns)
        else:
            per_class = np.column_stack(
                [self._score(model, values, columns) for model in self._models]
            )
            log_density = logsumexp(per_class + np.log(self.class_prior_), axis=1)
        return log_density + penalty

    def _encode_rows(self, X):
        """Encoded rows of ``X``, checked against the training columns, and
        the log factor of the rows that break an enforced rule (a novel
        outcome, probability ``1 / (n + 1)``: held-out rows keep finite
        scores; 0 without rules)."""
        check_is_fitted(self)
        check_unique_columns(X)
        X = validate_data(self, X, skip_check_array=True, reset=False)
        if self._rules is None:
            return self._schema.encode(X), 0.0
        table = self._rules.transform(X)
        penalty = self._rules.log_penalty(X, self.n_samples_fit_, table)
        return self._schema.encode(table), penalty

    def _score(self, model, values, columns):
        """Log density with novel values scored by the column models."""
        novel, log_factor = column_novelty(model.margins, values, columns)
        return self._log_density(model, values, columns, novel) + log_factor

    def score(self, X, y=None):
        """Total log-likelihood of ``X``, or of ``(X, y)`` when fitted with ``y``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows to score.
        y : array-like of shape (n_samples,), default=None
            Targets of the rows. Used when the synthesizer was fitted with a
            target: the score is then the joint log-likelihood.

        Returns
        -------
        log_likelihood : float
            Sum of the log densities.
        """
        if y is None or getattr(self, "_target", None) is None:
            return float(np.sum(self.score_samples(X)))
        values, penalty = self._encode_rows(X)
        y_values = self._target.encode(y)
        if y_values.shape[0] != values.shape[0]:
            raise ValueError(
                f"y has {y_values.shape[0]} values but X has {values.shape[0]} rows."
            )
        columns = list(range(values.shape[1]))
        penalty = np.sum(penalty)
        if not self._one_model_per_class():
            joint = np.column_stack([values, y_values])
            return float(
                np.sum(self._score(self._models[0], joint, [*columns, len(columns)]))
                + penalty
            )
        log_density = np.full(values.shape[0], -np.inf)
        for k, model in enumerate(self._models):
            rows = y_values == k
            if rows.any():
                log_density[rows] = np.log(self.class_prior_[k]) + self._score(
                    model, values[rows], columns
                )
        return float(np.sum(log_density) + penalty)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags


def _check_target_name(target, schema):
    """A target named like a column of X is an error."""
    name = target.name
    if not any(c.name == name for c in schema.columns):
        return
    if target.series_name is None:
        how = (
            "y is an array, so the target takes the name 'y'; pass y as a "
            "pandas Series named differently, e.g. pd.Series(y, "
            "name='target'), or rename that column of X"
        )
    else:
        how = (
            f"rename one of them, e.g. y.rename('{name}_target') or "
            f"X.rename(columns={{{name!r}: '{name}_feature'}})"
        )
    raise ValueError(
        f"The target is named {name!r}, like a column of X, so the two could "
        f"not be told apart in the model and in `conditions`: {how}."
    )


def _widened_target(spec, summary):
    """A continuous target's spec with the range of all the rows."""
    if summary.digest is None or summary.n_observed == 0:
        return spec
    low = min(spec.low, summary.digest.min())
    high = max(spec.high, summary.digest.max())
    return replace(spec, low=float(low), high=float(high))


def _warn_single_row_classes(classes, counts, estimator):
    """One model per class learns nothing but its row from a class of one row,
    and every synthetic row of that class is a copy of a training record."""
    single = [label for label, count in zip(classes, counts) if count == 1]
    if single:
        plain = [x.item() if isinstance(x, np.generic) else x for x in single[:5]]
        shown = ", ".join(repr(label) for label in plain)
        more = f" and {len(single) - 5} more" if len(single) > 5 else ""
        warnings.warn(
            f"{estimator} fits one model per class, and class(es) {shown}{more} "
            "of y have a single training row: every synthetic row of such a "
            "class is a copy of that row. Merge or drop these classes, or use "
            "a synthesizer that models the target as one more column: "
            "TreeSynthesizer, MixtureSynthesizer or "
            "ForestSynthesizer(class_conditional=False).",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )


def _warn_auto_identifiers(schema, estimator):
    if schema.auto_identifiers:
        names = schema.auto_identifiers
        warnings.warn(
            f"{estimator} takes column(s) {names} for identifiers (a distinct "
            "key in every row): they are not modelled, and every synthetic row "
            "gets a new key in their format. Pass id_columns=None to model them, "
            f"or id_columns={names} to say so and silence this warning.",
            UserWarning,
            stacklevel=caller_stacklevel(),
        )


def _allocate(n_samples, weights, rng):
    """Rows per class: the whole part of ``n_samples * weights``, and the rest
    drawn multinomially. Unbiased like a plain multinomial draw, with class
    shares off by less than one row."""
    expected = n_samples * np.asarray(weights)
    counts = np.floor(expected).astype(int)
    remainder = n_samples - counts.sum()
    if remainder:
        fractions = expected - counts
        counts += rng.multinomial(remainder, fractions / fractions.sum())
    return counts


def impossible_conditions_error(names, columns, produces, ending):
    """Error for ``conditions`` on ``columns`` that the model never produces.

    Names the columns whose value alone is impossible (``produces(j)`` is
    False), else says the combination is; ``ending`` completes the message.
    """
    alone = [names[j] for j in columns if not produces(j)]
    given = (
        f"column(s) {alone} values"
        if alone
        else f"columns {[names[j] for j in columns]} a combination of values"
    )
    return ValueError(f"`conditions` gives {given} {ending}")
