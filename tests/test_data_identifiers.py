"""Tests of identifier columns in the data layer: the "auto" rule, declared
``id_columns``, and the new keys ``decode`` generates (unique, never a
training key, in the training format and dtype) (issue 12)."""

import re
import string
import uuid
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sksynth._data import IDENTIFIER, TableSchema, encode_condition
from sksynth._data._columns import looks_like_key_name

N_ROWS = 40
# Derandomized: the same examples on every run, like a fixed seed.
PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, database=None
)


def _frame(column, name):
    """A table of ``column`` and a number column beside it."""
    return pd.DataFrame({name: column, "x": np.arange(len(column), dtype=float)})


def _schema(column, name="key", **kwargs):
    return TableSchema.from_data(_frame(column, name), **kwargs)


def _new_keys(schema, n_samples, seed=0, name="key"):
    """Keys ``decode`` gives the identifier column ``name``."""
    values = np.zeros((n_samples, len(schema.modelled)))
    return schema.decode(values, rng=np.random.RandomState(seed))[name]


def _distinct(rng, n, high):
    return rng.choice(high, n, replace=False)


def _codes(rng, n=N_ROWS):
    """Customer codes like C000123."""
    return [f"C{v:06d}" for v in _distinct(rng, n, 10**6)]


def _uuids(rng, n=N_ROWS, upper=False):
    keys = [str(uuid.UUID(bytes=rng.bytes(16))) for _ in range(n)]
    return [k.upper() for k in keys] if upper else keys


def _letters(rng, n=N_ROWS, size=3):
    """Distinct upper-case codes of ``size`` letters, like airport codes."""
    codes = set()
    while len(codes) < n:
        codes.add("".join(rng.choice(list(string.ascii_uppercase), size)))
    return sorted(codes)


# -- the "auto" rule ------------------------------------------------------------

_rng = np.random.RandomState(0)
_POSITIVES = {
    "customer_id codes": ("customer_id", _codes(_rng)),
    "uuid strings": ("reference", _uuids(_rng)),
    "integer order_id": ("order_id", _distinct(_rng, N_ROWS, 10**5)),
    "CamelCase CustomerID": ("CustomerID", _distinct(_rng, N_ROWS, 10**5)),
    "airport codes": ("airport", _letters(_rng)),
    "digits everywhere": ("label", [f"item{v}x" for v in _distinct(_rng, N_ROWS, 999)]),
    "string dtype": ("code", pd.array(_codes(_rng), dtype="string")),
    "object dtype": ("code", pd.Series(_codes(_rng), dtype=object)),
    "Int64 order_id": ("order_id", pd.array(np.arange(N_ROWS), dtype="Int64")),
    "uint16 id": ("id", np.arange(N_ROWS, dtype=np.uint16)),
    "python ints in objects": (
        "order_id",
        pd.Series(list(range(N_ROWS)), dtype=object),
    ),
}


@pytest.mark.parametrize("name, column", _POSITIVES.values(), ids=_POSITIVES.keys())
def test_auto_rule_takes_keys_for_identifiers(name, column):
    schema = _schema(column, name)

    assert schema.columns[0].kind == IDENTIFIER
    assert schema.auto_identifiers == [name]
    # Identifiers are not modelled: encode leaves them out.
    assert schema.modelled == [1]
    assert schema.encode(_frame(column, name)).shape == (len(column), 1)


_NEGATIVES = {
    "9 rows": ("customer_id", _codes(_rng, 9)),
    "a missing value": ("customer_id", _codes(_rng)[:-1] + [None]),
    "a repeated value": ("customer_id", (lambda c: c[:-1] + c[:1])(_codes(_rng))),
    "floats": ("order_id", np.arange(N_ROWS) + 0.5),
    "whole floats": ("order_id", np.arange(N_ROWS, dtype=float)),
    "booleans": ("flag_id", np.arange(N_ROWS) % 2 == 0),
    "pandas category": ("customer_id", pd.Categorical(_codes(_rng))),
    "paid": ("paid", _distinct(_rng, N_ROWS, 10**5)),
    "valid": ("valid", _distinct(_rng, N_ROWS, 10**5)),
    "grid": ("grid", _distinct(_rng, N_ROWS, 10**5)),
    "android": ("android", _distinct(_rng, N_ROWS, 10**5)),
    "integers named n": ("n", _distinct(_rng, N_ROWS, 10**5)),
}


@pytest.mark.parametrize("name, column", _NEGATIVES.values(), ids=_NEGATIVES.keys())
def test_auto_rule_leaves_other_columns_modelled(name, column):
    schema = _schema(column, name)

    assert schema.columns[0].kind != IDENTIFIER
    assert schema.auto_identifiers == []


def test_auto_rule_boundary_of_10_rows():
    codes = _codes(np.random.RandomState(1), 10)

    assert _schema(codes[:9], "customer_id").columns[0].kind != IDENTIFIER
    assert _schema(codes, "customer_id").columns[0].kind == IDENTIFIER


def test_words_without_digits_of_varied_lengths_are_categorical():
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    words += ["eta", "theta", "iota", "kappa", "lambda", "mu"]

    assert _schema(words, "word").columns[0].kind == "categorical"
    # The same words under a key-like name are keys.
    assert _schema(words, "word_id").columns[0].kind == IDENTIFIER


def test_hashtags_without_digits_are_categorical():
    # Only the digits 0-9 make a code of varied lengths, not "#".
    tags = ["#alpha", "#beta", "#gamma", "#delta", "#epsilon", "#zeta"]
    tags += ["#eta", "#theta", "#iota", "#kappa", "#lambda", "#mu"]
    numbered = [f"{tag}{i}" for i, tag in enumerate(tags)]

    assert _schema(tags, "tag").columns[0].kind == "categorical"
    assert _schema(numbered, "tag").columns[0].kind == IDENTIFIER


def test_auto_rule_skips_columns_listed_in_categorical_features():
    codes = _codes(np.random.RandomState(2))

    schema = _schema(codes, "customer_id", categorical_features=["customer_id"])

    assert schema.columns[0].kind == "categorical"
    assert schema.auto_identifiers == []


def test_auto_rule_skips_integer_columns_of_numpy_arrays():
    # Array columns have no names: integers are never keys by "auto".
    X = np.column_stack([np.arange(N_ROWS), np.arange(N_ROWS) % 4])

    schema = TableSchema.from_data(X)

    assert [c.kind for c in schema.columns] == ["integer", "integer"]
    assert schema.auto_identifiers == []


def test_auto_rule_takes_text_codes_of_object_arrays():
    codes = _codes(np.random.RandomState(3))
    X = np.array([[c, k % 3] for k, c in enumerate(codes)], dtype=object)

    schema = TableSchema.from_data(X)

    assert schema.columns[0].kind == IDENTIFIER and schema.auto_identifiers == [0]


def test_auto_rule_compares_large_integer_keys_exactly():
    # Consecutive 19-digit keys are equal as float64 (spaced 256 apart there):
    # they were modelled as numbers, as about 4 distinct values.
    keys = 1_500_000_000_000_000_000 + np.arange(N_ROWS, dtype=np.int64)

    schema = _schema(keys, "order_id")

    assert schema.columns[0].kind == IDENTIFIER


@pytest.mark.parametrize(
    "name",
    ["id", "ID", "customer_id", "CustomerID", "customerId", "orderKey", "order-key"],
)
def test_key_like_names(name):
    assert looks_like_key_name(name)


@pytest.mark.parametrize(
    "name", ["paid", "valid", "grid", "android", "monkey", "PAID", "idx", "ids", 3]
)
def test_names_that_are_not_key_like(name):
    assert not looks_like_key_name(name)


# -- id_columns -----------------------------------------------------------------


@pytest.fixture
def keyed_frame():
    rng = np.random.RandomState(4)
    return pd.DataFrame(
        {
            "ref": np.arange(N_ROWS) * 7,
            "order_id": _distinct(rng, N_ROWS, 10**5),
            "amount": rng.lognormal(3, 1, N_ROWS),
        }
    )


@pytest.mark.parametrize(
    "id_columns, expected",
    [
        ("auto", ["integer", IDENTIFIER, "continuous"]),
        (["ref"], [IDENTIFIER, "integer", "continuous"]),
        ([0, 1], [IDENTIFIER, IDENTIFIER, "continuous"]),
        ([True, False, False], [IDENTIFIER, "integer", "continuous"]),
        (np.array([-3]), [IDENTIFIER, "integer", "continuous"]),
        (None, ["integer", "integer", "continuous"]),
        ([], ["integer", "integer", "continuous"]),
    ],
)
def test_id_columns_by_name_index_mask_or_none(keyed_frame, id_columns, expected):
    schema = TableSchema.from_data(keyed_frame, id_columns=id_columns)

    assert [c.kind for c in schema.columns] == expected
    # Only "auto" reports its choice (the estimators warn about it).
    auto = ["order_id"] if isinstance(id_columns, str) else []
    assert schema.auto_identifiers == auto


@pytest.mark.parametrize(
    "id_columns, match",
    [
        (["nope"], "`id_columns` names column 'nope', which is not a column of X"),
        ([7], "`id_columns` holds index 7, out of range for 3 columns"),
        ([True], "`id_columns` as a boolean mask needs 3 entries"),
        ("all", "`id_columns` must be 'auto' or a list"),
        ([1.5], "`id_columns` must be 'auto', column names, integer indices"),
    ],
)
def test_bad_id_columns_raise(keyed_frame, id_columns, match):
    with pytest.raises(ValueError, match=match):
        TableSchema.from_data(keyed_frame, id_columns=id_columns)


def test_declared_identifier_with_repeated_values_warns(keyed_frame):
    # A user test named `sex` in id_columns: the synthetic rows carried keys
    # like 'Pmhale', silently.
    X = keyed_frame.assign(sex=np.where(np.arange(N_ROWS) % 3, "Male", "Female"))
    message = (
        f"Column 'sex' is named in id_columns but has 2 distinct values in {N_ROWS} "
        "rows.*leave it out of id_columns"
    )
    with pytest.warns(UserWarning, match=message):
        schema = TableSchema.from_data(X, id_columns=["sex"])
    assert schema.columns[3].kind == IDENTIFIER
    with pytest.warns(UserWarning, match="Column 0 is named in id_columns"):
        TableSchema.from_data(np.repeat([[1.0, 2.0]], 20, axis=0), id_columns=[0])


@pytest.mark.parametrize("how", ["schema", "synthesizer", "over-sampler"])
def test_declared_identifier_warning_points_at_the_callers_line(keyed_frame, how):
    # However deep the data layer is called (and through scikit-learn's fit
    # wrapper), the warning names the user's line, not one of sksynth's.
    from sksynth import GaussianCopulaSynthesizer
    from sksynth.over_sampling import KDEOverSampler

    X = keyed_frame.assign(sex=np.where(np.arange(N_ROWS) % 3, "Male", "Female"))
    y = np.arange(N_ROWS) % 2
    calls = {
        "schema": lambda: TableSchema.from_data(X, id_columns=["sex"]),
        "synthesizer": lambda: GaussianCopulaSynthesizer(id_columns=["sex"]).fit(X),
        "over-sampler": lambda: KDEOverSampler(
            id_columns=["sex"], random_state=0
        ).fit_resample(X, y),
    }
    with pytest.warns(UserWarning, match="Column 'sex' is named in id_columns") as w:
        calls[how]()
    [record] = [r for r in w if "id_columns" in str(r.message)]
    assert record.filename == __file__


def test_declared_identifier_of_distinct_keys_does_not_warn(keyed_frame):
    X = keyed_frame.copy()
    X.loc[: N_ROWS // 3, "ref"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TableSchema.from_data(X, id_columns=["ref", "order_id"])


@pytest.mark.parametrize(
    "column, kind",
    [
        (pd.Categorical([f"c{i}" for i in range(N_ROWS)]), "categorical"),
        (np.arange(N_ROWS) % 2 == 0, "boolean"),
        (pd.date_range("2020-01-01", periods=N_ROWS), "datetime"),
    ],
)
def test_declared_identifier_of_a_type_without_keys_warns(keyed_frame, column, kind):
    X = keyed_frame.assign(key=column)
    message = f"Column 'key' is named in id_columns but is modelled as a {kind} column"
    with pytest.warns(UserWarning, match=message):
        schema = TableSchema.from_data(X, id_columns=["key"])
    assert schema.columns[3].kind == kind


def test_declared_identifier_in_a_numpy_array_keeps_the_array_dtype():
    rng = np.random.RandomState(5)
    X = np.column_stack([np.arange(N_ROWS), rng.randint(0, 5, N_ROWS)])

    schema = TableSchema.from_data(X, id_columns=[0])

    X_new = schema.decode(schema.encode(X), rng=np.random.RandomState(0))
    assert X_new.dtype == X.dtype
    assert len(set(X_new[:, 0])) == N_ROWS
    assert not set(X_new[:, 0]) & set(X[:, 0])
    np.testing.assert_array_equal(X_new[:, 1], X[:, 1])


# -- generated keys -------------------------------------------------------------


def _check_new_keys(training, keys, pattern):
    keys = list(keys)
    assert len(set(keys)) == len(keys), "keys repeat"
    assert not set(keys) & set(training), "training keys come back"
    bad = [k for k in keys if not re.fullmatch(pattern, str(k))]
    assert not bad, f"keys off the format {pattern}: {bad[:5]}"


_rng = np.random.RandomState(6)
_FORMATS = {
    "C000123": (_codes(_rng), r"C\d{6}"),
    "zero padded": ([f"{v:06d}" for v in _distinct(_rng, N_ROWS, 10**5)], r"\d{6}"),
    "uuid": (
        _uuids(_rng),
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    ),
    "upper-case uuid": (
        _uuids(_rng, upper=True),
        r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
    ),
    "hexadecimal": (
        [f"{v:012x}" for v in _rng.randint(0, 2**47, N_ROWS)],
        r"[0-9a-f]{12}",
    ),
    "prefix and suffix": (
        [f"INV-{v:05d}/EU" for v in _distinct(_rng, N_ROWS, 10**5)],
        r"INV-\d{5}/EU",
    ),
    "mixed classes": (
        [
            f"{u}{w}-{v:03d}"
            for u, w, v in zip(
                _rng.choice(list(string.ascii_uppercase), N_ROWS),
                _rng.choice(list(string.ascii_lowercase), N_ROWS),
                _distinct(_rng, N_ROWS, 1000),
                strict=True,
            )
        ],
        r"[A-Z][a-z]-\d{3}",
    ),
    "airport codes": (_letters(_rng), r"[A-Z]{3}"),
}


@pytest.mark.parametrize("n_samples", [5, 500])
@pytest.mark.parametrize("training, pattern", _FORMATS.values(), ids=_FORMATS.keys())
def test_new_text_keys_are_unique_unseen_and_in_the_training_format(
    training, pattern, n_samples
):
    schema = _schema(pd.Series(training, dtype=object), "key", id_columns=["key"])

    keys = _new_keys(schema, n_samples)

    assert len(keys) == n_samples
    _check_new_keys(training, keys, pattern)


def test_new_uuids_parse_as_uuids():
    training = _uuids(np.random.RandomState(7))
    schema = _schema(training, "key")

    for key in _new_keys(schema, 50):
        assert str(uuid.UUID(key)) == key


@pytest.mark.parametrize(
    "training, n_samples, pattern",
    [
        (list("abcdefghij"), 16, r"[a-z]+"),
        (list("abcdefghij"), 300, r"[a-z]+"),
        (list(string.ascii_lowercase), 50, r"[a-z]{2,}"),
        (list("0123456789"), 50, r"\d{2,}"),
        ([f"K{d}" for d in range(10)], 40, r"K\d{2,}"),
    ],
)
def test_keys_grow_a_character_when_the_format_is_full(training, n_samples, pattern):
    schema = _schema(training, "key")
    assert schema.columns[0].kind == IDENTIFIER

    keys = _new_keys(schema, n_samples)

    _check_new_keys(training, keys, pattern)


@pytest.mark.parametrize(
    "training, n_samples, digits",
    [
        pytest.param(np.arange(1, N_ROWS + 1), 1000, None, id="1..N"),
        pytest.param(np.arange(0, 10), 100, None, id="0..9"),
        pytest.param(np.arange(1, 101), 50, 3, id="1..100"),
        pytest.param(np.arange(-50, -10), 100, None, id="negative"),
        pytest.param(
            10_000 + _distinct(np.random.RandomState(8), N_ROWS, 90_000),
            2000,
            5,
            id="5 digits",
        ),
        pytest.param(10**15 + np.arange(N_ROWS), 2000, 16, id="16 digits"),
        pytest.param(
            1_500_000_000_000_000_000 + np.arange(N_ROWS) * 977,
            2000,
            19,
            id="19 digits",
        ),
    ],
)
def test_new_integer_keys_are_unique_unseen_and_of_the_training_digits(
    training, n_samples, digits
):
    schema = _schema(training, "order_id")
    assert schema.columns[0].kind == IDENTIFIER

    keys = _new_keys(schema, n_samples, name="order_id")

    assert keys.dtype == training.dtype
    _check_new_keys(training.tolist(), keys.tolist(), r"-?\d+")
    if digits is not None:
        # 19-digit keys wrapped past the int64 limit to negative numbers.
        assert (keys > 0).all()
        assert set(keys.astype(str).str.len()) == {digits}


@pytest.mark.parametrize(
    "column, dtype",
    [
        (pd.Series(_codes(np.random.RandomState(9)), dtype=object), object),
        (pd.Series(_codes(np.random.RandomState(9)), dtype="str"), "str"),
        (pd.Series(_codes(np.random.RandomState(9)), dtype="string"), "string"),
        (np.arange(N_ROWS, dtype=np.int64), np.int64),
        (np.arange(N_ROWS, dtype=np.int32), np.int32),
        (pd.array(np.arange(N_ROWS), dtype="Int64"), "Int64"),
    ],
    ids=["object", "str", "string", "int64", "int32", "Int64"],
)
def test_identifier_dtype_round_trip(column, dtype):
    schema = _schema(column, "customer_id")
    X = _frame(column, "customer_id")

    X_new = schema.decode(schema.encode(X), rng=np.random.RandomState(0))

    assert X_new["customer_id"].dtype == X["customer_id"].dtype
    pd.testing.assert_series_equal(X_new["x"], X["x"])


_KEYS = [f"k{v:03d}" for v in range(19)]


@pytest.mark.parametrize(
    "column, marker",
    [
        (pd.Series([*_KEYS, None], dtype=object), None),
        (pd.Series([*_KEYS, np.nan], dtype=object), np.nan),
        (pd.Series([*_KEYS, None], dtype="string"), pd.NA),
        (pd.Series([*_KEYS, None], dtype="str"), np.nan),
        (pd.array([*range(19), None], dtype="Int64"), pd.NA),
    ],
    ids=["object None", "object NaN", "string", "str", "Int64"],
)
def test_declared_identifier_keeps_its_share_of_missing_values(column, marker):
    n_samples = 4000
    schema = _schema(column, "ref", id_columns=["ref"])

    keys = _new_keys(schema, n_samples, name="ref")

    assert keys.dtype == pd.Series(column).dtype
    missing = keys.isna()
    # 1 key in 20 is missing in fit; four standard errors of the share.
    tolerance = 4 * np.sqrt(0.05 * 0.95 / n_samples)
    assert abs(missing.mean() - 0.05) < tolerance
    got = keys[missing].iloc[0]
    assert got is marker or (marker is np.nan and got != got)
    _check_new_keys(list(pd.Series(column).dropna()), keys[~missing], r"k?\d+")


def test_new_keys_are_reproducible_with_a_seeded_random_state():
    schema = _schema(_codes(np.random.RandomState(10)), "customer_id")

    first = _new_keys(schema, 200, seed=3, name="customer_id")
    again = _new_keys(schema, 200, seed=3, name="customer_id")
    other = _new_keys(schema, 200, seed=4, name="customer_id")

    pd.testing.assert_series_equal(first, again)
    assert (first != other).mean() > 0.9


@pytest.mark.parametrize("kind", ["text", "integer"])
def test_100_000_new_keys_are_unique_and_unseen(kind):
    rng = np.random.RandomState(11)
    n_samples = 100_000
    numbers = _distinct(rng, n_samples, 10**6)
    if kind == "text":
        training = np.char.add("C", np.char.zfill(numbers.astype(str), 6)).astype(
            object
        )
        pattern = r"C\d{6}"
    else:
        training = numbers + 10**6
        pattern = r"\d{7}"
    schema = _schema(training, "customer_id")

    keys = _new_keys(schema, n_samples, name="customer_id")

    assert keys.nunique() == n_samples
    assert not set(keys.tolist()) & set(training.tolist())
    assert keys.astype(str).str.fullmatch(pattern).all()


_SPACES = {
    "ten digits": ("0123456789", 1),
    "two letters, 4 long": ("ab", 4),
    "letters and digits": ("abc12", 2),
    "upper case": ("XYZ", 3),
    "two digits": ("0123456789", 2),
}


@PROPERTY_SETTINGS
@given(
    data=st.data(),
    space=st.sampled_from(list(_SPACES.values())),
    n_samples=st.integers(1, 300),
)
def test_property_new_keys_never_repeat_a_training_key(data, space, n_samples):
    # Training keys fill much of a small format: the generator must look for
    # room, and lengthen keys when there is none.
    alphabet, width = space
    keys = [""]
    for _ in range(width):
        keys = [k + c for k in keys for c in alphabet]
    training = data.draw(
        st.lists(st.sampled_from(keys), min_size=10, max_size=len(keys), unique=True)
    )
    schema = _schema(training, "key", id_columns=["key"])

    new_keys = _new_keys(schema, n_samples)

    assert len(new_keys) == n_samples
    _check_new_keys(training, new_keys, r"\S+")


# -- conditions -----------------------------------------------------------------


def test_conditions_on_an_identifier_raise_naming_it():
    codes = _codes(np.random.RandomState(12))
    spec = _schema(codes, "customer_id").columns[0]

    with pytest.raises(ValueError, match="names column 'customer_id', an identifier"):
        encode_condition(spec, codes[0])
    with pytest.raises(ValueError, match="Leave it out of `conditions`"):
        encode_condition(spec, None)


def test_distinct_dates_in_text_are_not_identifiers():
    # A daily table's date column read as text (Parquet strings, or CSV with
    # detection off) is one distinct value per row: dates, not keys.
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    X = pd.DataFrame(
        {
            "day": days.strftime("%Y-%m-%d"),
            "stamp": days.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x": np.arange(40.0),
        }
    )
    schema = TableSchema.from_data(X)
    assert schema.auto_identifiers == []
