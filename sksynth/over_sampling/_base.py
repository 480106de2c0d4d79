"""Shared base of the sksynth over-samplers."""

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from imblearn.utils._docstring import _random_state_docstring
from imblearn.utils._validation import _check_X
from scipy import sparse
from sklearn.utils import check_consistent_length, check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import validate_data

from .._data import (
    append_rows,
    check_unique_columns,
    is_dask_collection,
    is_dataframe,
    is_series,
    missing_mask_object,
    take_rows,
)
from .._docstring import (
    constraints_docstring,
    linked_amounts_docstring,
    linked_columns_docstring,
)
from ..constraints._enforce import fit_rules
from ..constraints._frames import as_frame
from ..constraints._linked import linking_of

# Fresh resamplings to replace new rows that break a rule enforced by rejection.
_MAX_REDRAWS = 10

_categorical_features_docstring = """categorical_features : "from_dtype" or \
array-like, default="from_dtype"
        Columns to model as categorical, as in
        :class:`~imblearn.over_sampling.SMOTENC`: "from_dtype" takes pandas
        category, object, string and boolean columns; otherwise column names,
        indices or a boolean mask. String columns are categorical in any case.
    """.rstrip()

_column_options_docstring = """id_columns : "auto", None or array-like, default="auto"
        Identifier columns (keys such as ``customer_id``): not modelled; each
        new row gets a new key in the training format, unique and never a
        key of ``X``. "auto" takes a column with at least 10 rows, no missing
        value, a distinct value in every row, of text or integers, that looks
        like a key (its name ends with "id", "key", "uuid" or "guid" as a
        word, or, for text, every value holds a digit or all have the same
        length); None models every column; a list gives them by name, index
        or boolean mask.

    discrete_features : "auto" or array-like, default="auto"
        Numeric and date columns whose new values are only values of ``X``:
        "auto" takes columns with at most two distinct values, with at most 20
        held by two rows or more on average, or whose values other than
        spikes repeat ten times or more on average; a list gives exactly the
        discrete columns (an empty list smooths every numeric column).

    """ + constraints_docstring("new row", "the rows of ``X``")

_resampler_attributes_docstring = """sampling_strategy_ : dict
        Number of rows added to each class.
    constraints_ : list
        The rules every new row keeps: those of ``constraints``, and those
        of the linked columns (see ``linked_columns``, where an over-sampler
        has it).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen in ``fit``. Defined only when ``X`` has
        feature names that are all strings."""

_verbose_docstring = """verbose : int, default=0
        Progress output on standard output. 0 prints nothing; 1 prints one
        line per step of ``fit_resample`` with its time (the column kinds
        found, then one line per class grown); 2 also prints the steps of
        the model of each class, indented."""

DOCSTRINGS = {
    "sampling_strategy": BaseOverSampler._sampling_strategy_docstring,
    "random_state": _random_state_docstring,
    "categorical_features": _categorical_features_docstring,
    "column_options": _column_options_docstring,
    "linked_columns": linked_columns_docstring("new rows"),
    "linked_amounts": linked_amounts_docstring("new rows"),
    "resampler_attributes": _resampler_attributes_docstring,
    "verbose": _verbose_docstring,
}


class BaseSynthesisOverSampler(BaseOverSampler):
    """Base class of the over-samplers that work on mixed tables.

    Inputs reach ``_fit_resample`` as they were given (DataFrames keep their
    dtypes) so that the data layer sees column kinds; ``fit`` runs the whole
    resampling so that every fitted attribute exists after it.

    Warning: This class should not be used directly. Use the derived classes
    instead.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "categorical_features": [StrOptions({"from_dtype"}), "array-like"],
        "id_columns": [StrOptions({"auto"}), "array-like", None],
        "discrete_features": [StrOptions({"auto"}), "array-like"],
        "constraints": [None, StrOptions({"auto"}), list, tuple],
        "verbose": ["verbose"],
    }

    def fit_resample(self, X, y, **params):
        """Resample the dataset.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Data to resample: numeric, integer, boolean, categorical, date,
            duration and identifier columns, missing values allowed.
        y : array-like of shape (n_samples,)
            Class labels, none missing.
        **params : dict
            Extra parameters of imbalanced-learn's ``fit_resample``.

        Returns
        -------
        X_resampled : {array-like, DataFrame} of shape (n_samples_new, n_features)
            The original rows followed by the new ones, in the container of
            ``X``.
        y_resampled : array-like of shape (n_samples_new,)
            Their labels.

        Notes
        -----
        A Dask DataFrame ``X`` with a Dask Series ``y`` gives a lazy Dask
        DataFrame and Series: the original partitions followed by new ones,
        drawn on the workers (see :mod:`sksynth.dask`, ``fit_resample`` on
        Dask input).
        """
        if is_dask_collection(X) or is_dask_collection(y):
            from ..dask._resample import fit_resample as fit_resample_dask

            return fit_resample_dask(self, X, y)
        # Checked before imbalanced-learn reads the labels, where a missing
        # label fails with a type error of numpy's sort (no y at all is
        # imbalanced-learn's to report).
        if y is not None:
            _check_no_missing_target(y)
        check_unique_columns(X)
        rules = None
        if y is not None:
            rules = fit_rules(self.constraints, X, linking=linking_of(self))
        self.constraints_ = [] if rules is None else list(rules.rules)
        if rules is None:
            return super().fit_resample(X, y, **params)
        return self._fit_resample_with_rules(X, y, rules, params)

    def _fit_resample_with_rules(self, X, y, rules, params):
        """Resample the table the rules transform, and turn the new rows
        back; new rows that break a rule enforced by rejection are drawn
        again (by fresh resamplings of the same data)."""
        X_model = rules.transform(X)
        X_res, y_res = super().fit_resample(X_model, y, **params)
        # The fitted feature names are those of X, not of the model's table.
        validate_data(self, X, reset=True, skip_check_array=True)
        n = len(X_model)
        X_new = rules.inverse_transform(take_rows(X_res, np.arange(n, len(X_res))))
        y_res = np.asarray(y_res)
        y_new = y_res[n:]
        indices = getattr(self, "sample_indices_", None)
        indices_new = None if indices is None else indices[n:]
        rejection = rules.checked_rules
        if rejection:
            X_new, y_new, indices_new = self._redraw_rejected(
                X_model, y, rules, rejection, X_new, y_new, indices_new
            )
        if indices is not None:
            self.sample_indices_ = np.concatenate([indices[:n], indices_new])
        y_out = np.concatenate([y_res[:n], np.asarray(y_new, dtype=y_res.dtype)])
        if is_series(y):
            y_out = type(y)(y_out, name=y.name)
        return append_rows(X, X_new), y_out

    def _redraw_rejected(self, X_model, y, rules, rejection, X_new, y_new, idx):
        from sklearn.base import clone

        rng = check_random_state(self.random_state)
        broken = {}
        valid = _keeps_rules(X_new, rejection, broken)
        need = {label: int(np.sum(~valid & (y_new == label))) for label in set(y_new)}
        parts = [
            (
                take_rows(X_new, np.flatnonzero(valid)),
                y_new[valid],
                None if idx is None else idx[valid],
            )
        ]
        n = len(X_model)
        for _ in range(_MAX_REDRAWS):
            if not any(need.values()):
                break
            other = clone(self).set_params(
                constraints=None, random_state=rng.randint(np.iinfo(np.int32).max)
            )
            if "linked_columns" in other.get_params():
                # The rules found by linking are those being kept here.
                other.set_params(linked_columns=None)
            X_more, y_more = other.fit_resample(X_model, y)
            extra = rules.inverse_transform(
                take_rows(X_more, np.arange(n, len(X_more)))
            )
            y_extra = np.asarray(y_more)[n:]
            ok = _keeps_rules(extra, rejection, broken)
            rows = []
            for label, count in need.items():
                found = np.flatnonzero(ok & (y_extra == label))[:count]
                need[label] = count - found.size
                rows.append(found)
            rows = np.sort(np.concatenate(rows))
            more_idx = getattr(other, "sample_indices_", None)
            parts.append(
                (
                    take_rows(extra, rows),
                    y_extra[rows],
                    None if more_idx is None else more_idx[n:][rows],
                )
            )
        if any(need.values()):
            failing = sorted(
                (rule for rule in broken if broken[rule]), key=broken.get, reverse=True
            )
            names = "; ".join(f"{rule} ({broken[rule]} rows)" for rule in failing)
            raise ValueError(
                f"Too few new rows satisfy the rules: {sum(need.values())} row(s) "
                f"still missing after {_MAX_REDRAWS} resamplings. New rows broke "
                f"{names}; loosen or drop the rule(s) named."
            )
        X_out = parts[0][0]
        for part, _, _ in parts[1:]:
            X_out = append_rows(X_out, part)
        y_out = np.concatenate([p[1] for p in parts])
        idx_out = None if idx is None else np.concatenate([p[2] for p in parts])
        return X_out, y_out, idx_out

    def _check_X_y(self, X, y):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if sparse.issparse(X):
            raise TypeError(
                "sksynth over-samplers do not accept sparse input; got a sparse "
                "matrix. Convert it with X.toarray()."
            )
        X = _check_X(X)
        check_consistent_length(X, y)
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        return X, y, binarize_y

    def fit(self, X, y):
        """Resample once and keep the fitted attributes.

        Use ``fit_resample`` to get the resampled data; ``fit`` runs the same
        computation and discards its output.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Data to resample.
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            Fitted over-sampler.
        """
        self.fit_resample(X, y)
        return self

    # Whether ``fit_resample`` sets ``sample_indices_`` (the source row of
    # every output row).
    _sets_sample_indices = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = self._sets_sample_indices
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        tags.input_tags.sparse = False
        return tags


def _keeps_rules(X, rules, broken):
    """Rows of ``X`` that satisfy every one of ``rules``; ``broken`` counts,
    by rule, the rows that break it (for the error that names them)."""
    frame = as_frame(X)
    valid = np.ones(len(frame), dtype=bool)
    for rule in rules:
        passed = rule.is_valid(frame)
        broken[str(rule)] = broken.get(str(rule), 0) + int(np.count_nonzero(~passed))
        valid &= passed
    return valid


def _check_no_missing_target(y):
    """Class labels must all be there: a missing label is no class."""
    values = y.to_numpy() if is_series(y) or is_dataframe(y) else np.asarray(y)
    if values.dtype.kind in "fc":
        n_missing = int(np.isnan(values).sum())
    elif values.dtype.kind == "O":
        n_missing = int(missing_mask_object(values).sum())
    else:
        n_missing = 0
    if n_missing:
        raise ValueError(
            f"y has {n_missing} missing value(s); drop those rows or fill them in "
            "before resampling: a missing label is no class."
        )


def stack_resampled(X, y, X_new, y_new):
    """The original rows followed by the new ones (in ``X``'s container, an
    array when the over-sampler returns arrays), and their labels."""
    X_resampled = append_rows(X, X_new)
    return X_resampled, np.concatenate([y, np.asarray(y_new, dtype=y.dtype)])
