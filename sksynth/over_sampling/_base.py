"""Shared base of the sksynth over-samplers."""

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from imblearn.utils._docstring import _random_state_docstring
from imblearn.utils._validation import _check_X
from scipy import sparse
from sklearn.utils import check_consistent_length
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import validate_data

from .._data import is_dataframe

_categorical_features_docstring = """categorical_features : "from_dtype" or \
array-like, default="from_dtype"
        Columns to model as categorical, as in
        :class:`~imblearn.over_sampling.SMOTENC`: "from_dtype" takes pandas
        category, object, string and boolean columns; otherwise column names,
        indices or a boolean mask. String columns are categorical in any case.
    """.rstrip()

_resampler_attributes_docstring = """sampling_strategy_ : dict
        Number of rows added to each class.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen in ``fit``. Defined only when ``X`` has
        feature names that are all strings."""

DOCSTRINGS = {
    "sampling_strategy": BaseOverSampler._sampling_strategy_docstring,
    "random_state": _random_state_docstring,
    "categorical_features": _categorical_features_docstring,
    "resampler_attributes": _resampler_attributes_docstring,
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
    }

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


def as_rows(X):
    """A table as an ndarray of rows (a DataFrame through ``to_numpy``)."""
    return X.to_numpy() if is_dataframe(X) else np.asarray(X)


def stack_resampled(X, y, X_new, y_new):
    """The original rows followed by the new ones, as arrays."""
    original, new = as_rows(X), as_rows(X_new)
    if original.dtype != new.dtype:
        original, new = original.astype(object), new.astype(object)
    X_resampled = np.concatenate([original, new.reshape(-1, original.shape[1])])
    return X_resampled, np.concatenate([y, np.asarray(y_new, dtype=y.dtype)])
