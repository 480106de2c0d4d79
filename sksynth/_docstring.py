"""Docstring text shared by the synthesizers, written once.

Class docstrings hold ``%(categorical_features)s``, ``%(column_options)s``,
``%(linked_columns)s``, ``%(verbose)s`` and ``%(synthesizer_attributes)s``
where this text goes.
(imbalanced-learn's ``Substitution`` formats with braces, which numpydoc's
``{"a", "b"}`` value sets already use, hence ``%``-formatting here.)
"""

_CATEGORICAL_FEATURES = """categorical_features : "from_dtype" or array-like, \
default="from_dtype"
        Columns to model as categorical. "from_dtype" takes pandas category,
        object, string and boolean columns; otherwise column names, indices or
        a boolean mask. String columns are categorical in any case."""

_COLUMN_OPTIONS_PREFIX = """id_columns : "auto", None or array-like, default="auto"
        Identifier columns (keys such as ``customer_id``): not modelled; every
        synthetic row gets a new key in the training format, unique within
        the sample and never a training key. "auto" takes a column for an
        identifier when it has at least 10 rows, no missing value, a distinct
        value in every row, holds text or integers, and looks like a key
        (its name ends with "id", "key", "uuid" or "guid" as a word, or, for
        text, every value holds a digit or all values have the same length),
        and warns naming it; None (or an empty list) models every column; a
        list gives the identifier columns by name, index or boolean mask.
    discrete_features : "auto" or array-like, default="auto"
        Numeric (and date) columns that take only the values seen in ``fit``:
        no synthetic value of such a column is a value the training column
        never held. "auto" takes a column with at most two distinct values,
        with at most 20 held by two rows or more on average, or whose values
        other than spikes repeat ten times or more on average (a rate grid,
        ages, counts, measurements rounded to a unit); a list gives exactly
        the discrete columns, and an empty list smooths every numeric
        column.
    """


def constraints_docstring(rows, fitted_on):
    """The ``constraints`` parameter's text: ``rows`` that keep the rules
    ("synthetic row"), ``fitted_on`` the rows ``"auto"`` reads."""
    return f"""constraints : None, "auto" or list of rules, default=None
        Rules every {rows} keeps (see :mod:`sksynth.constraints`):
        :class:`~sksynth.constraints.Inequality`,
        :class:`~sksynth.constraints.Range`,
        :class:`~sksynth.constraints.FixedCombinations`,
        :class:`~sksynth.constraints.Formula` and
        :class:`~sksynth.constraints.Implication` are enforced exactly,
        :class:`~sksynth.constraints.Predicate` by rejection. "auto" uses the
        rules :func:`~sksynth.constraints.detect_constraints` finds in
        {fitted_on}; the rules used are in ``constraints_``."""


def linked_columns_docstring(rows):
    """The ``linked_columns`` parameter's text, for models that draw
    columns apart (``rows``: "synthetic rows")."""
    return f"""linked_columns : "auto" or None, default="auto"
        Few-valued columns the data link, learnt as one column of the
        combinations seen, so that {rows} keep the rules they follow. Two
        columns are linked when a pair of their values (a husband who is
        female) is held by at most 1/100 of the rows that independent
        columns would give it, and that is at least 10 rows. Linked pairs
        join in groups of at most 300 combinations seen, the pairs whose
        ruled-out values chance would give most rows first, each seen at
        least 50 times on average; each group is a
        :class:`~sksynth.constraints.FixedCombinations` rule, listed in
        ``constraints_``. Only the columns of a DataFrame whose column names
        are all strings are linked; columns read by the rules of
        ``constraints`` or named in ``categorical_features``,
        ``discrete_features`` or ``id_columns`` keep their own treatment (a
        position or a mask there turns linking off), and columns with more
        than 64 values (20 for numbers) are never linked. Amounts that
        exclude one another are linked too: number columns whose most common
        value (0) holds half of the rows, never both away from it though
        chance would give that 10 rows, are kept apart by a
        :class:`~sksynth.constraints.MutuallyExclusive` rule (by rejection).
        Number (or date) columns in an order no row breaks, though
        independent columns would break it in 5 % of the rows (a mean never
        above a maximum, an end never before its start), get an
        :class:`~sksynth.constraints.Inequality` rule: the higher column is
        learnt as its difference to the lower one. A number column's most
        common value (held by a tenth of the rows) that no row leaves
        without another column's most common value, though chance would give
        that 10 rows (no page written where none was asked for), gets an
        :class:`~sksynth.constraints.Implication`. None models every column
        on its own."""


def linked_amounts_docstring(rows):
    """The ``linked_columns`` parameter's text for the forests, whose leaves
    keep the combinations of few-valued columns by themselves."""
    return f"""linked_columns : "auto" or None, default="auto"
        Amounts that exclude one another (a capital gain and a capital loss)
        are kept apart in {rows}: number columns whose most common value
        (0) holds half of the rows, never both away from it though chance
        would give that 10 rows or more, get a
        :class:`~sksynth.constraints.MutuallyExclusive` rule, kept by
        rejection and listed in ``constraints_``. Number (or date) columns
        in an order no row breaks, though independent columns would break it
        in 5 % of the rows (a mean never above a maximum), get an
        :class:`~sksynth.constraints.Inequality` rule, and a most common
        value that implies another column's (no page written where none was
        asked for) an :class:`~sksynth.constraints.Implication`, both kept by
        rejection too; where independent columns would break one of the
        orders in a quarter of the pairs of rows, the orders are learnt as
        differences instead (rejection would keep too many rows that hold
        them trivially).
        Few-valued columns are not merged: the forest's groups leave out the
        combinations the data rule out by the same test. None adds no
        rule."""


_COLUMN_OPTIONS = _COLUMN_OPTIONS_PREFIX + constraints_docstring(
    "synthetic row", "the training rows"
)

VERBOSE = """verbose : int, default=0
        Progress output on standard output. 0 prints nothing; 1 prints one
        line per step of ``fit`` with its time (the column kinds found, then
        the model's steps, or one line per class model when each class gets
        its own) and the time of ``sample`` for draws of 100,000 rows or
        more; 2 also prints the steps of each class model, indented, and
        finer steps (one line per column for some models)."""

_SYNTHESIZER_ATTRIBUTES = """constraints_ : list
        The rules enforced: those of ``constraints``, and those of the
        linked columns (see ``linked_columns``, where a synthesizer has
        it); ``describe_constraints()`` tells how each is enforced.
    column_kinds_ : dict
        Kind of each column as seen in ``fit``: "continuous", "integer",
        "boolean", "categorical", "datetime", "timedelta" or "identifier".
    discrete_features_ : list
        Names (positions for arrays) of the numeric and date columns that
        take only the values seen in ``fit``.
    id_columns_ : list
        Names (positions for arrays) of the identifier columns.
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
        "column_options": _COLUMN_OPTIONS,
        "linked_columns": linked_columns_docstring("synthetic rows"),
        "linked_amounts": linked_amounts_docstring("synthetic rows"),
        "verbose": VERBOSE,
        "synthesizer_attributes": _SYNTHESIZER_ATTRIBUTES,
    }
    return cls
