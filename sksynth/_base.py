"""Base class of sksynth synthesizers: the synthesizer API, written once."""

import numbers
from abc import ABCMeta, abstractmethod

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, DensityMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._data import BOOLEAN, CATEGORICAL, ColumnSpec, TableSchema, TargetSchema


def check_n_samples(n_samples):
    """Validate the number of rows asked of ``sample``."""
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


class BaseSynthesizer(DensityMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class for synthesizers: ``fit``, ``sample``, ``score_samples``, ``score``.

    It validates the input through the data layer, fits one model per class
    for a classification target (a continuous target is one more column), and
    decodes samples into the training container. Subclasses implement
    ``_fit_table``, ``_sample_table`` and ``_log_density`` on encoded float
    arrays.

    Warning: This class should not be used directly. Use the derived classes
    instead.
    """

    # A class target is modelled as one more (categorical) column when True,
    # by one model per class when False.
    _target_as_column = False

    _parameter_constraints: dict = {
        "categorical_features": [StrOptions({"from_dtype"}), "array-like"],
        "enforce_range": ["boolean"],
        "target_type": [StrOptions({"auto", "classification", "regression"})],
        "random_state": ["random_state"],
    }

    @abstractmethod
    def _fit_table(self, values, columns, rng):
        """Fit a model to encoded ``values`` whose columns ``columns`` describe."""

    @abstractmethod
    def _sample_table(self, model, n_samples, rng, conditions):
        """Draw encoded rows; ``conditions`` maps column index to encoded value."""

    @abstractmethod
    def _log_density(self, model, values, columns):
        """Log density of encoded rows over the column indices ``columns``,
        the other columns marginalised out."""

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the distribution of ``X``, or the joint one of ``(X, y)``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training table: numeric, integer, boolean and categorical columns,
            missing values allowed.
        y : array-like of shape (n_samples,), default=None
            Optional target. Class labels (strings, booleans, categories, or
            whole numbers with few distinct values) give one model per class;
            other numbers are modelled as one more column.

        Returns
        -------
        self : object
            Fitted synthesizer.
        """
        X = validate_data(self, X, skip_check_array=True)
        rng = check_random_state(self.random_state)
        self._schema = TableSchema.from_data(X, self.categorical_features)
        values = self._schema.encode(X)
        self.n_features_in_ = values.shape[1]
        self.n_samples_fit_ = values.shape[0]
        self.column_kinds_ = {c.name: c.kind for c in self._schema.columns}
        self._fit_target(values, y, rng)
        self.random_state_ = rng
        self._describe_fit()
        return self

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

    def _fit_target(self, values, y, rng):
        columns = self._schema.columns
        self._target = None
        self.target_type_ = None
        for stale in ("classes_", "class_prior_"):  # from an earlier fit with y
            self.__dict__.pop(stale, None)
        if y is None:
            self._models = [self._fit_table(values, columns, rng)]
            return
        self._target = TargetSchema.from_data(y, values.shape[0], self.target_type)
        name = self._target_name()
        if any(c.name == name for c in columns):
            how = (
                "y is an array, so the target takes the name 'y'; pass y as a "
                "pandas Series with a name X does not have, or rename that column"
                if self._target.series_name is None
                else "rename one of them, e.g. y.rename('target')"
            )
            raise ValueError(
                f"The target is named {name!r}, like a column of X, so the two "
                f"could not be told apart in the model and in `conditions`: {how}."
            )
        y_values = self._target.encode(y)
        if self._target.is_classification:
            self.target_type_ = "classification"
            codes = y_values.astype(int)
            classes = self._target.decode(np.arange(len(self._target.classes)))
            self.classes_ = np.asarray(classes)
            counts = np.bincount(codes, minlength=len(self._target.classes))
            self.class_prior_ = counts / counts.sum()
            if self._target_as_column:
                joint = np.column_stack([values, y_values])
                target_column = self._target.spec
                self._models = [self._fit_table(joint, [*columns, target_column], rng)]
                return
            self._models = [
                self._fit_table(values[codes == k], columns, rng)
                for k in range(len(self._target.classes))
            ]
        else:
            self.target_type_ = "regression"
            joint = np.column_stack([values, y_values])
            target_column = _target_column_spec(self._target.spec, y_values)
            self._models = [self._fit_table(joint, [*columns, target_column], rng)]

    def _one_model_per_class(self):
        return self.target_type_ == "classification" and not self._target_as_column

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
            of the Series ``y`` (or ``"y"``). Rows are drawn from the
            conditional distribution given these values.

        Returns
        -------
        X : ndarray or DataFrame of shape (n_samples, n_features)
            Synthetic rows, in the container, column order, dtypes and
            categories of the training ``X``.
        y : ndarray or Series of shape (n_samples,)
            Synthetic targets, returned only when fitted with ``y``.
        """
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        rng = self.random_state_ if random_state is None else None
        rng = rng if rng is not None else check_random_state(random_state)
        feature_conditions, target_code = self._encode_conditions(conditions)
        if self._target is None:
            values = self._sample_table(
                self._models[0], n_samples, rng, feature_conditions
            )
            return self._schema.decode(values, self.enforce_range)
        if not self._one_model_per_class():
            if target_code is not None:
                feature_conditions[self.n_features_in_] = float(target_code)
            joint = self._sample_table(
                self._models[0], n_samples, rng, feature_conditions
            )
            return self._decode(joint[:, :-1], joint[:, -1])
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
        return self._decode(values, np.concatenate(labels)[order])

    def _class_weights(self, conditions):
        """Class probabilities given the conditioned columns (Bayes' rule)."""
        log_prior = np.log(self.class_prior_)
        if not conditions:
            return self.class_prior_
        columns = sorted(conditions)
        row = np.full((1, self.n_features_in_), np.nan)
        for j, value in conditions.items():
            row[0, j] = value
        log_weights = log_prior + np.array(
            [self._log_density(model, row, columns)[0] for model in self._models]
        )
        if not np.isfinite(log_weights).any():
            raise impossible_conditions_error(
                [c.name for c in self._schema.columns],
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

    def _decode(self, values, y_values):
        X = self._schema.decode(values, self.enforce_range)
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
        target_name = self._target_name()
        encoded, target_code = {}, None
        for key, value in conditions.items():
            if target_name is not None and key == target_name and key not in position:
                target_code = _encode_condition(self._target.spec, value, "target")
                continue
            if key not in position:
                names = [c.name for c in columns]
                target = f" and the target {target_name!r}" if target_name else ""
                raise ValueError(
                    f"`conditions` names column {key!r}, which is not a column seen "
                    f"in fit. Columns are {names}{target}."
                )
            encoded[position[key]] = _encode_condition(
                columns[position[key]], value, "column"
            )
        return encoded, target_code

    def _target_name(self):
        if self._target is None:
            return None
        return "y" if self._target.series_name is None else self._target.series_name

    def score_samples(self, X):
        """Log density of each row of ``X`` under the fitted distribution.

        When fitted with ``y`` the target is marginalised out: this is the log
        density of ``X`` alone.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows to score, with the columns seen in ``fit``.

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
            Log density of each row (``-inf`` for rows outside the support,
            e.g. with a category not seen in ``fit``).
        """
        check_is_fitted(self)
        X = validate_data(self, X, skip_check_array=True, reset=False)
        values = self._schema.encode(X)
        columns = list(range(values.shape[1]))
        if self._target is None or not self._one_model_per_class():
            if self._target is not None:
                values = np.column_stack([values, np.full(values.shape[0], np.nan)])
            return self._log_density(self._models[0], values, columns)
        per_class = np.column_stack(
            [self._log_density(model, values, columns) for model in self._models]
        )
        return logsumexp(per_class + np.log(self.class_prior_), axis=1)

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
        check_is_fitted(self)
        X = validate_data(self, X, skip_check_array=True, reset=False)
        values = self._schema.encode(X)
        y_values = self._target.encode(y)
        if y_values.shape[0] != values.shape[0]:
            raise ValueError(
                f"y has {y_values.shape[0]} values but X has {values.shape[0]} rows."
            )
        columns = list(range(values.shape[1]))
        if not self._one_model_per_class():
            joint = np.column_stack([values, y_values])
            return float(
                np.sum(
                    self._log_density(self._models[0], joint, [*columns, len(columns)])
                )
            )
        log_density = np.full(values.shape[0], -np.inf)
        for k, model in enumerate(self._models):
            rows = y_values == k
            if rows.any():
                log_density[rows] = np.log(self.class_prior_[k]) + self._log_density(
                    model, values[rows], columns
                )
        return float(np.sum(log_density))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        tags.input_tags.string = True
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags


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


def _target_column_spec(spec, y_values):
    """A continuous target seen as one more column of the table."""
    return ColumnSpec(
        name=spec.name,
        kind=spec.kind,
        dtype=spec.dtype,
        low=float(np.min(y_values)),
        high=float(np.max(y_values)),
    )


def _encode_condition(spec, value, what):
    """Encoded value of one condition, validated against the column's spec."""
    if _is_missing(value):
        if spec.missing_rate == 0:
            raise ValueError(
                f"`conditions` asks for a missing value in {what} {spec.label}, which "
                "had no missing values in fit."
            )
        return np.nan
    if spec.kind in (CATEGORICAL, BOOLEAN):
        categories = list(np.asarray(spec.categories))
        if value not in categories:
            shown = categories[:20] + (["..."] if len(categories) > 20 else [])
            raise ValueError(
                f"`conditions` gives {what} {spec.label} the value {value!r}, which "
                f"was not seen in fit. Seen values: {shown}."
            )
        return float(categories.index(value))
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"`conditions` gives numeric {what} {spec.label} the value {value!r}; "
            "pass a number."
        )
    if not spec.low <= value <= spec.high:
        raise ValueError(
            f"`conditions` gives {what} {spec.label} the value {value!r}, outside the "
            f"range [{spec.low:.6g}, {spec.high:.6g}] seen in fit."
        )
    return float(value)


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


def _is_missing(value):
    """Whether a condition value stands for a missing value (None, NaN, pandas.NA)."""
    if value is None:
        return True
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return type(value).__name__ in ("NAType", "NaTType")
