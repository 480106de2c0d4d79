"""Docstring text shared by the synthesizers, written once.

Class docstrings hold ``%(categorical_features)s`` and
``%(synthesizer_attributes)s`` where this text goes. (imbalanced-learn's
``Substitution`` formats with braces, which numpydoc's ``{"a", "b"}`` value
sets already use, hence ``%``-formatting here.)
"""

_CATEGORICAL_FEATURES = """categorical_features : "from_dtype" or array-like, \
default="from_dtype"
        Columns to model as categorical. "from_dtype" takes pandas category,
        object, string and boolean columns; otherwise column names, indices or
        a boolean mask. String columns are categorical in any case."""

_SYNTHESIZER_ATTRIBUTES = """column_kinds_ : dict
        Kind of each column as seen in ``fit``: "continuous", "integer",
        "boolean" or "categorical".
    target_type_ : {"classification", "regression"} or None
        How ``y`` was modelled; None when fitted without ``y``.
    classes_ : ndarray of shape (n_classes,)
        Class labels, when fitted with a classification target.
    class_prior_ : ndarray of shape (n_classes,)
        Share of each class in the training data.
    n_samples_fit_ : int
        Number of rows seen in ``fit``.
    random_state_ : RandomState
        Generator that ``sample`` draws from when it is given no
        ``random_state``.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen in ``fit``. Defined only when ``X`` has
        column names that are all strings."""


def synthesizer_docstring(cls):
    """Fill in the docstring text every synthesizer shares."""
    cls.__doc__ = cls.__doc__ % {
        "categorical_features": _CATEGORICAL_FEATURES,
        "synthesizer_attributes": _SYNTHESIZER_ATTRIBUTES,
    }
    return cls
