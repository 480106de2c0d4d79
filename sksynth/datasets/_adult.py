"""UCI Adult (Census Income), read from the gzip CSV shipped in the package."""

from importlib import resources

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

from .._data import import_pandas

_FILE = "adult.csv.gz"
_TARGET = "income"
_INTEGER_COLUMNS = [
    "age",
    "fnlwgt",
    "education_num",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
]
_TEXT_COLUMNS = [
    "workclass",
    "education",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "native_country",
    _TARGET,
]

DESCR = """\
.. _adult_dataset:

UCI Adult (Census Income)
-------------------------

48,842 people from the 1994 US Census: 14 features (6 integer, 8
categorical) and whether the yearly income exceeds 50,000 dollars
(``<=50K`` 37,155, ``>50K`` 11,687). 6,465 cells are missing, in
``workclass``, ``occupation`` and ``native_country``. The rows are those of
the training file (32,561) followed by those of the test file (16,281).

Source: UCI Machine Learning Repository, "Adult" (Becker, B. and Kohavi, R.,
1996), https://doi.org/10.24432/C5XW20, licensed under CC BY 4.0.
"""


def _pandas():
    return import_pandas("sksynth.datasets")


@validate_params(
    {"return_X_y": ["boolean"], "as_frame": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def load_adult(*, return_X_y=False, as_frame=True):
    """Load the UCI Adult (Census Income) data set (classification).

    48,842 people from the 1994 US Census, described by 14 columns, and
    whether their yearly income exceeds 50,000 dollars. The table ships with
    sksynth (a 600 KB gzip CSV), so no download is needed. It holds a coding
    that synthetic rows must keep: each ``education`` level has one
    ``education_num``.

    =================   ==============================================
    Rows                48,842 (32,561 training + 16,281 test rows)
    Features            14: 6 integer, 8 categorical
    Missing cells       6,465 (workclass, occupation, native_country)
    Classes             ``<=50K`` 37,155, ``>50K`` 11,687
    =================   ==============================================

    Requires pandas.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=True
        If True, the data is a pandas DataFrame: the integer columns as
        ``int64``, the text columns as ``category`` (missing values as NaN)
        and the target a categorical Series named ``income``. If False,
        ``data`` is an object ndarray and ``target`` an ndarray of strings.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : {DataFrame, ndarray} of shape (48842, 14)
            The features.
        target : {Series, ndarray} of shape (48842,)
            The income class, ``"<=50K"`` or ``">50K"``.
        frame : DataFrame of shape (48842, 15)
            The features and the target together; None if ``as_frame`` is
            False.
        feature_names : list of str
            The names of the feature columns.
        target_names : ndarray of shape (2,)
            The two classes.
        DESCR : str
            A description of the data set and its source.

    (data, target) : tuple if ``return_X_y`` is True
        The features and the target.

    Notes
    -----
    The text columns are pandas categoricals rather than strings: their
    levels are declared once (a subsample keeps every level), sksynth's
    synthesizers read the levels from the dtype and return synthetic rows
    with the same categorical dtype, and the table takes under a third of
    the memory of string columns.

    The data come from the UCI Machine Learning Repository [1]_ and are
    licensed under the Creative Commons Attribution 4.0 International
    (CC BY 4.0) licence. The files ``adult.data`` and ``adult.test`` are
    joined; ``?`` is read as missing and the trailing ``.`` of the test
    labels is dropped.

    References
    ----------
    .. [1] Becker, B. and Kohavi, R. (1996). Adult. UCI Machine Learning
       Repository. https://doi.org/10.24432/C5XW20

    Examples
    --------
    >>> from sksynth.datasets import load_adult
    >>> X, y = load_adult(return_X_y=True)
    >>> X.shape
    (48842, 14)
    >>> y.value_counts().to_dict()
    {'<=50K': 37155, '>50K': 11687}
    """
    pd = _pandas()
    frame = _read_frame(pd)
    feature_names = [name for name in frame.columns if name != _TARGET]
    data, target = frame[feature_names], frame[_TARGET]
    target_names = np.asarray(target.cat.categories, dtype=object)
    if not as_frame:
        data = data.astype(object).where(data.notna(), np.nan).to_numpy()
        target = target.to_numpy(dtype=object)
        frame = None
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=feature_names,
        target_names=target_names,
        DESCR=DESCR,
    )


def _read_frame(pd):
    dtypes = dict.fromkeys(_INTEGER_COLUMNS, "int64")
    dtypes.update(dict.fromkeys(_TEXT_COLUMNS, "category"))
    source = resources.files(__package__).joinpath("data", _FILE)
    with resources.as_file(source) as path:
        return pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""])
