"""Tests of the data layer: column kinds, encoding and the container round trip."""

import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse

from sksynth import GaussianCopulaSynthesizer
from sksynth._data import (
    BOOLEAN,
    CATEGORICAL,
    CONTINUOUS,
    INTEGER,
    MAX_CLASSES,
    TableSchema,
    TargetSchema,
)
from sksynth._data._columns import missing_mask_object
from sksynth._data._encoding import _column_extremes, numeric_array_specs, numeric_spec

N_SAMPLES = 2000
# Derandomized: the same examples on every run, like a fixed seed.
PROPERTY_SETTINGS = settings(
    max_examples=50, deadline=None, derandomize=True, database=None
)


def _round_trip(X, categorical_features="from_dtype"):
    schema = TableSchema.from_data(X, categorical_features)
    return schema, schema.decode(schema.encode(X))


def _kinds(schema):
    return [column.kind for column in schema.columns]


def _assert_object_array_equal(actual, expected):
    """Equal dtype and values, missing markers (None, NaN, pandas.NA) included."""
    assert actual.dtype == expected.dtype
    pd.testing.assert_frame_equal(
        pd.DataFrame(actual, dtype=object), pd.DataFrame(expected, dtype=object)
    )


def _proportion_tolerance(p, n):
    """Four standard errors of a proportion ``p`` estimated from ``n`` draws."""
    return 4 * np.sqrt(p * (1 - p) / n)


# -- round trip: numpy arrays -------------------------------------------------


@pytest.mark.parametrize(
    "dtype, kind",
    [
        (np.float64, CONTINUOUS),
        (np.float32, CONTINUOUS),
        (np.int64, INTEGER),
        (np.int32, INTEGER),
        (np.uint8, INTEGER),
        (np.bool_, BOOLEAN),
    ],
)
def test_array_round_trip(dtype, kind):
    rng = np.random.RandomState(0)
    if np.dtype(dtype).kind == "f":
        X = rng.normal(10, 3, size=(30, 3)).astype(dtype)
        X[rng.rand(30, 3) < 0.2] = np.nan
    elif np.dtype(dtype).kind == "b":
        X = rng.rand(30, 3) < 0.4
    else:
        X = rng.randint(0, 200, size=(30, 3)).astype(dtype)

    schema, X_decoded = _round_trip(X)

    assert _kinds(schema) == [kind] * 3
    assert isinstance(X_decoded, np.ndarray)
    assert X_decoded.dtype == X.dtype
    np.testing.assert_array_equal(X_decoded, X)


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_object_array_round_trip_keeps_values_and_missing_marker(missing):
    X = np.array(
        [
            ["red", 1.5, 3, True],
            ["blue", missing, 4, False],
            [missing, 2.25, missing, True],
            ["red", -0.5, 7, missing],
        ],
        dtype=object,
    )

    schema, X_decoded = _round_trip(X)

    assert _kinds(schema) == [CATEGORICAL, CONTINUOUS, INTEGER, BOOLEAN]
    _assert_object_array_equal(X_decoded, X)


@pytest.mark.parametrize("dtype", ["<U5", "S5"])
def test_string_array_round_trip_keeps_its_dtype(dtype):
    X = np.array([["lima", "a"], ["oslo", "b"], ["pune", "a"]], dtype=dtype)

    schema, X_decoded = _round_trip(X)

    assert _kinds(schema) == [CATEGORICAL, CATEGORICAL]
    assert X_decoded.dtype == X.dtype
    np.testing.assert_array_equal(X_decoded, X)


# -- round trip and kinds: DataFrame columns ----------------------------------

_N_ROWS = 8
_rng = np.random.RandomState(0)
_FLOATS = np.round(_rng.normal(5, 2, _N_ROWS), 3)
_INTS = _rng.randint(-50, 50, _N_ROWS)
_BOOLS = _rng.rand(_N_ROWS) < 0.5
_WORDS = _rng.choice(["oslo", "lima", "pune"], _N_ROWS)
_HOLES = np.array([False, True, False, False, True, False, False, False])


def _with_holes(values, missing):
    values = np.asarray(values, dtype=object).copy()
    values[_HOLES] = missing
    return values


DATAFRAME_COLUMNS = {
    "float64": (pd.Series(np.where(_HOLES, np.nan, _FLOATS)), CONTINUOUS),
    "float32": (
        pd.Series(np.where(_HOLES, np.nan, _FLOATS).astype(np.float32)),
        CONTINUOUS,
    ),
    "int64": (pd.Series(_INTS), INTEGER),
    "uint8": (pd.Series(np.abs(_INTS).astype(np.uint8)), INTEGER),
    "bool": (pd.Series(_BOOLS), BOOLEAN),
    "Int64": (pd.Series(_with_holes(_INTS, pd.NA), dtype="Int64"), INTEGER),
    "boolean": (pd.Series(_with_holes(_BOOLS, None), dtype="boolean"), BOOLEAN),
    "Float64": (pd.Series(_with_holes(_FLOATS, pd.NA), dtype="Float64"), CONTINUOUS),
    "Float64-whole": (
        pd.Series(_with_holes(_INTS.astype(float), pd.NA), dtype="Float64"),
        INTEGER,
    ),
    "float64-whole": (pd.Series(np.where(_HOLES, np.nan, _INTS)), INTEGER),
    "category-unobserved-levels": (
        pd.Series(
            pd.Categorical(
                _with_holes(_WORDS, None), categories=["kyiv", "lima", "oslo", "pune"]
            )
        ),
        CATEGORICAL,
    ),
    "category-ordered-int": (
        pd.Series(
            pd.Categorical(
                _with_holes(_INTS % 3, np.nan), categories=[2, 1, 0, 9], ordered=True
            )
        ),
        CATEGORICAL,
    ),
    "object-str-None": (
        pd.Series(_with_holes(_WORDS, None), dtype=object),
        CATEGORICAL,
    ),
    "object-str-nan": (
        pd.Series(_with_holes(_WORDS, np.nan), dtype=object),
        CATEGORICAL,
    ),
    "object-str-NA": (
        pd.Series(_with_holes(_WORDS, pd.NA), dtype=object),
        CATEGORICAL,
    ),
    "object-float-None": (
        pd.Series(_with_holes(_FLOATS, None), dtype=object),
        CONTINUOUS,
    ),
    "object-int": (pd.Series(_INTS.tolist(), dtype=object), INTEGER),
    "object-bool-None": (
        pd.Series(_with_holes(_BOOLS, None), dtype=object),
        BOOLEAN,
    ),
    "str": (pd.Series(_with_holes(_WORDS, None), dtype="str"), CATEGORICAL),
    "string": (pd.Series(_with_holes(_WORDS, None), dtype="string"), CATEGORICAL),
    "string[pyarrow]": (
        pd.Series(_with_holes(_WORDS, None), dtype="string[pyarrow]"),
        CATEGORICAL,
    ),
    "double[pyarrow]": (
        pd.Series(_with_holes(_FLOATS, None), dtype="double[pyarrow]"),
        CONTINUOUS,
    ),
    "int64[pyarrow]": (
        pd.Series(_with_holes(_INTS, None), dtype="int64[pyarrow]"),
        INTEGER,
    ),
}


@pytest.mark.parametrize("name", DATAFRAME_COLUMNS)
def test_dataframe_column_round_trip_and_kind(name):
    series, kind = DATAFRAME_COLUMNS[name]
    X = pd.DataFrame({name: series})

    schema, X_decoded = _round_trip(X)

    assert _kinds(schema) == [kind]
    assert schema.columns[0].missing_rate == pytest.approx(series.isna().mean())
    pd.testing.assert_frame_equal(X_decoded, X)


def test_dataframe_round_trip_all_columns_together():
    X = pd.DataFrame({name: series for name, (series, _) in DATAFRAME_COLUMNS.items()})

    schema, X_decoded = _round_trip(X)

    assert schema.names == list(X.columns)
    assert _kinds(schema) == [kind for _, kind in DATAFRAME_COLUMNS.values()]
    pd.testing.assert_frame_equal(X_decoded, X)


def test_dataframe_round_trip_keeps_column_order_and_non_string_names():
    X = pd.DataFrame({2: _FLOATS, 0: _WORDS, "b": _INTS})

    _, X_decoded = _round_trip(X)

    pd.testing.assert_frame_equal(X_decoded, X)


def test_category_keeps_levels_never_observed_in_dtype():
    dtype = pd.CategoricalDtype(["a", "b", "never", "seen"])
    X = pd.DataFrame({"c": pd.Categorical(["b", "a", "b"], dtype=dtype)})

    schema = TableSchema.from_data(X)
    X_decoded = schema.decode(np.array([[0.0], [1.0], [np.nan]]))

    assert list(schema.columns[0].categories) == ["a", "b"]
    assert X_decoded["c"].dtype == dtype
    assert X_decoded["c"].tolist()[:2] == ["a", "b"]
    assert pd.isna(X_decoded["c"].iloc[2])


def test_object_column_with_mixed_missing_markers_decodes_to_the_first_one():
    X = pd.DataFrame({"o": pd.Series(["x", None, "y", np.nan, pd.NA], dtype=object)})

    _, X_decoded = _round_trip(X)

    np.testing.assert_array_equal(X_decoded["o"].isna(), X["o"].isna())
    assert X_decoded["o"].dtype == object
    assert all(value is None for value in X_decoded["o"][X["o"].isna()])


def test_object_array_takes_numpy_float_nan_for_missing_as_pandas_does():
    # np.float32 NaN is no Python float: it counts as missing all the same.
    column = np.array(["a", np.float32("nan"), "b", "a"], dtype=object)
    schema = TableSchema.from_data(column.reshape(-1, 1))
    frame_schema = TableSchema.from_data(pd.DataFrame({"c": column}))

    for spec in (schema.columns[0], frame_schema.columns[0]):
        assert list(spec.categories) == ["a", "b"]
        assert spec.missing_rate == 0.25
    np.testing.assert_array_equal(
        schema.encode(column.reshape(-1, 1))[:, 0], [0.0, np.nan, 1.0, 0.0]
    )


@pytest.mark.parametrize(
    "pool",
    [
        ["a", "bb"],
        [1, np.int64(2)],
        [None],
        [pd.NA],
        [np.nan, 1.5],
        [np.float32("nan"), np.float32(1)],
        ["a", None],
        ["a", np.nan],
        [pd.Timestamp("2020-01-01"), pd.NaT],
        ["x", pd.NA, np.nan, None, 3, 2.5, pd.NaT, True],
    ],
)
def test_missing_mask_of_object_values_is_pandas_isna(pool):
    # One type of value, types that are never missing, and mixed types take
    # different paths; the mask is the same as pandas gives.
    rng = np.random.RandomState(0)
    values = np.empty(50, dtype=object)
    values[:] = [pool[i] for i in rng.randint(0, len(pool), values.size)]

    np.testing.assert_array_equal(missing_mask_object(values), pd.isna(values))
    assert missing_mask_object(values[:0]).shape == (0,)


# -- column kinds and categorical_features ------------------------------------


@pytest.fixture
def small_frame():
    return pd.DataFrame(
        {
            "price": [1.5, 2.25, 3.0, 4.75],
            "city": ["oslo", "lima", "oslo", "pune"],
            "rooms": [1, 2, 3, 2],
            "sold": [True, False, True, True],
        }
    )


def test_kinds_from_dtypes(small_frame):
    schema = TableSchema.from_data(small_frame)

    assert _kinds(schema) == [CONTINUOUS, CATEGORICAL, INTEGER, BOOLEAN]
    np.testing.assert_array_equal(
        schema.columns[1].categories, ["lima", "oslo", "pune"]
    )
    np.testing.assert_array_equal(schema.columns[3].categories, [False, True])
    assert (schema.columns[0].low, schema.columns[0].high) == (1.5, 4.75)
    assert (schema.columns[2].low, schema.columns[2].high) == (1, 3)


@pytest.mark.parametrize(
    "categorical_features",
    [
        ["rooms"],
        np.array(["rooms"]),
        pd.Index(["rooms"]),
        [2],
        [-2],
        np.array([2]),
        [False, False, True, False],
        np.array([False, False, True, False]),
    ],
    ids=lambda value: f"{type(value).__name__}-{np.asarray(value).tolist()}",
)
def test_categorical_features_override(small_frame, categorical_features):
    schema, X_decoded = _round_trip(small_frame, categorical_features)

    assert _kinds(schema) == [CONTINUOUS, CATEGORICAL, CATEGORICAL, BOOLEAN]
    np.testing.assert_array_equal(schema.columns[2].categories, [1, 2, 3])
    np.testing.assert_array_equal(schema.encode(small_frame)[:, 2], [0, 1, 2, 1])
    pd.testing.assert_frame_equal(X_decoded, small_frame)


def test_declared_categorical_numbers_in_array_and_strings_always_categorical():
    X = np.array([[1.5, 10.0], [np.nan, 20.0], [1.5, 10.0], [4.0, 30.0]])

    schema, X_decoded = _round_trip(X, [True, False])

    assert _kinds(schema) == [CATEGORICAL, INTEGER]
    np.testing.assert_array_equal(schema.columns[0].categories, [1.5, 4.0])
    np.testing.assert_array_equal(schema.encode(X)[:, 0], [0, np.nan, 0, 1])
    np.testing.assert_array_equal(X_decoded, X)


@pytest.mark.parametrize("categorical_features", [[], [False] * 4])
def test_string_columns_are_categorical_even_when_not_declared(
    small_frame, categorical_features
):
    schema = TableSchema.from_data(small_frame, categorical_features)
    array_schema = TableSchema.from_data(
        small_frame.to_numpy(dtype=object), categorical_features
    )

    assert _kinds(schema) == [CONTINUOUS, CATEGORICAL, INTEGER, BOOLEAN]
    assert _kinds(array_schema) == [CONTINUOUS, CATEGORICAL, INTEGER, BOOLEAN]


def test_whole_number_float_column_is_integer_and_decoding_rounds():
    X = pd.DataFrame({"n": [1.0, 4.0, np.nan, 2.0], "x": [0.5, 1.0, 1.5, 2.0]})

    schema = TableSchema.from_data(X)
    X_decoded = schema.decode(np.array([[1.4, 0.7], [2.6, 1.2], [np.nan, 1.9]]))

    assert _kinds(schema) == [INTEGER, CONTINUOUS]
    assert X_decoded["n"].dtype == np.float64
    np.testing.assert_array_equal(X_decoded["n"], [1.0, 3.0, np.nan])
    np.testing.assert_array_equal(X_decoded["x"], [0.7, 1.2, 1.9])


@pytest.mark.parametrize(
    "tail, kind",
    [
        (2.0, INTEGER),
        (0.5, CONTINUOUS),
        (2.0**60 + 0.5, CONTINUOUS),
        (2.0**60, CONTINUOUS),
    ],
    ids=["whole", "fraction", "huge fraction", "beyond exact integers"],
)
@pytest.mark.parametrize("container", ["frame", "array"])
def test_whole_numbers_are_read_to_the_last_row(tail, kind, container):
    # The first rows of a column decide most columns; a column whose first
    # rows are whole numbers is still read to its last row.
    values = np.r_[np.arange(5000.0) % 97, tail]
    X = pd.DataFrame({"n": values, "x": np.linspace(0, 1, values.size)})
    if container == "array":
        X = X.to_numpy()

    schema = TableSchema.from_data(X, discrete_features=[])

    assert _kinds(schema)[0] == kind


@pytest.mark.parametrize(
    "categorical_features, match",
    [
        (["zz"], r"names column 'zz', which is not a column of X"),
        (np.array(["price", "zz"]), r"names column 'zz'"),
        ([4], r"index 4, out of range for 4 columns"),
        ([-5], r"index -5, out of range for 4 columns"),
        ([True, False], r"boolean mask needs 4 entries, one per column; got 2"),
        ([[0, 1]], r"1D list .* got an array of shape \(1, 2\)"),
        ([0.5], r"got values of dtype float64"),
    ],
)
def test_categorical_features_errors(small_frame, categorical_features, match):
    with pytest.raises(ValueError, match=match):
        TableSchema.from_data(small_frame, categorical_features)


def test_categorical_features_errors_on_arrays():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="names column 'a'.*Columns are: \\[0, 1\\]"):
        TableSchema.from_data(X, ["a"])
    with pytest.raises(ValueError, match="index 2, out of range for 2 columns"):
        TableSchema.from_data(X, [2])


# -- property tests -----------------------------------------------------------

_table_shapes = hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=8)


@PROPERTY_SETTINGS
@given(
    X=hnp.arrays(
        dtype=st.sampled_from([np.float64, np.float32]),
        shape=_table_shapes,
        elements=st.floats(allow_infinity=False, width=32),
    )
)
def test_property_float_array_round_trip(X):
    schema, X_decoded = _round_trip(X)

    assert X_decoded.dtype == X.dtype
    np.testing.assert_array_equal(X_decoded, X)
    for j, column in enumerate(schema.columns):
        assert column.missing_rate == pytest.approx(np.isnan(X[:, j]).mean())


@PROPERTY_SETTINGS
@given(
    X=hnp.arrays(
        dtype=np.float64,
        shape=_table_shapes,
        elements=st.floats(allow_infinity=False, width=32, min_value=0, max_value=200)
        | st.just(np.nan)
        | st.sampled_from([0.0, 1.0, 7.0, 2.0**60]),
    ),
    dtype=st.sampled_from([np.float64, np.float32, np.int64, np.uint8]),
)
def test_property_block_specs_equal_column_specs(X, dtype):
    # The whole-array profile of a numeric array (row blocks) finds what the
    # column-by-column one finds.
    if np.dtype(dtype).kind in "iu":
        X = np.nan_to_num(X).clip(0, 200)
    X = X.astype(dtype)
    blocks = numeric_array_specs(X, ["auto"] * X.shape[1])
    columns = [
        numeric_spec(j, X.dtype, X[:, j].astype(float)) for j in range(X.shape[1])
    ]
    for fast, slow in zip(blocks, columns, strict=True):
        assert fast.kind == slow.kind
        np.testing.assert_equal(
            [fast.low, fast.high, fast.missing_rate],
            [slow.low, slow.high, slow.missing_rate],
        )
        assert (fast.support.kind, fast.support.decimals) == (
            slow.support.kind,
            slow.support.decimals,
        )
        np.testing.assert_array_equal(fast.support.values, slow.support.values)


@PROPERTY_SETTINGS
@given(
    X=hnp.arrays(
        dtype=np.int64,
        shape=_table_shapes,
        # float64 holds every whole number exactly up to 2**53.
        elements=st.integers(-(2**53), 2**53),
    )
)
def test_property_int_array_round_trip(X):
    schema, X_decoded = _round_trip(X)

    assert _kinds(schema) == [INTEGER] * X.shape[1]
    assert X_decoded.dtype == X.dtype
    np.testing.assert_array_equal(X_decoded, X)


@PROPERTY_SETTINGS
@given(
    data=st.data(),
    n_rows=st.integers(1, 10),
    enforce_range=st.booleans(),
)
def test_property_decoded_integer_columns_are_whole(data, n_rows, enforce_range):
    whole = st.integers(-(10**6), 10**6).map(float) | st.just(np.nan)
    column = data.draw(hnp.arrays(np.float64, (n_rows, 1), elements=whole))
    assume(not np.isnan(column).all())
    schema = TableSchema.from_data(column)
    values = data.draw(
        hnp.arrays(
            np.float64,
            (data.draw(st.integers(1, 10)), 1),
            elements=st.floats(-1e15, 1e15),
        )
    )

    X_decoded = schema.decode(values, enforce_range=enforce_range)

    assert schema.columns[0].kind == INTEGER
    np.testing.assert_array_equal(X_decoded, np.round(X_decoded))


@PROPERTY_SETTINGS
@given(
    data=st.data(),
    dtype=st.sampled_from([np.float64, np.int64]),
)
def test_property_enforce_range_keeps_numbers_in_observed_range(data, dtype):
    elements = st.floats(-1e6, 1e6) if dtype == np.float64 else st.integers(-99, 99)
    X = data.draw(
        hnp.arrays(dtype, (data.draw(st.integers(1, 10)), 2), elements=elements)
    )
    schema = TableSchema.from_data(X)
    values = data.draw(hnp.arrays(np.float64, (data.draw(st.integers(1, 20)), 2)))
    if dtype == np.int64:
        # An int64 array has no missing values, so a model never emits NaN.
        values[np.isnan(values)] = 0.0

    X_decoded = schema.decode(values, enforce_range=True)

    assert X_decoded.dtype == X.dtype
    in_range = (X.min(axis=0) <= X_decoded) & (X_decoded <= X.max(axis=0))
    # Only missing values (NaN in, NaN out) are outside the range.
    np.testing.assert_array_equal(in_range, ~np.isnan(values))


@PROPERTY_SETTINGS
@given(
    data=st.data(),
    container=st.sampled_from(["numpy", "object", "category", "str"]),
)
def test_property_categorical_decode_gives_seen_categories(data, container):
    words = st.sampled_from(["a", "b", "c", "dd", "eee"])
    training = data.draw(st.lists(words | st.none(), min_size=1, max_size=12))
    if container == "numpy":
        X = np.array(training, dtype=object).reshape(-1, 1)
    else:
        dtype = {"object": object, "category": "category", "str": "str"}[container]
        X = pd.DataFrame({"w": pd.Series(training, dtype=dtype)})
    schema = TableSchema.from_data(X)
    codes = data.draw(
        hnp.arrays(np.float64, (data.draw(st.integers(1, 20)), 1), elements=st.floats())
    )

    X_decoded = schema.decode(codes)

    decoded = pd.Series(np.asarray(X_decoded).ravel().tolist())
    seen = {word for word in training if word is not None}
    assert set(decoded.dropna()) <= seen
    # With no level seen in fit every decoded value is missing.
    expected_missing = np.isnan(codes.ravel()) | (not seen)
    np.testing.assert_array_equal(decoded.isna(), expected_missing)


@PROPERTY_SETTINGS
@given(
    training=st.lists(st.sampled_from(["x", "y", "z"]), min_size=1, max_size=10),
    new=st.lists(st.sampled_from(["x", "y", "z", "new", "other"]), min_size=1),
)
def test_property_encode_codes_index_categories_or_flag_unseen(training, new):
    schema = TableSchema.from_data(np.array(training, dtype=object).reshape(-1, 1))
    categories = list(schema.columns[0].categories)

    codes = schema.encode(np.array(new, dtype=object).reshape(-1, 1))[:, 0]

    expected = [categories.index(v) if v in categories else -1 for v in new]
    np.testing.assert_array_equal(codes, expected)


# -- edge cases ---------------------------------------------------------------


def test_constant_column_round_trips_and_decodes_to_its_value():
    X = pd.DataFrame({"c": np.full(5, 3.5), "k": np.full(5, 7)})

    schema, X_decoded = _round_trip(X)
    X_clipped = schema.decode(np.array([[-10.0, 100.0], [10.0, -3.0]]))

    pd.testing.assert_frame_equal(X_decoded, X)
    assert X_clipped["c"].tolist() == [3.5, 3.5]
    assert X_clipped["k"].tolist() == [7, 7]


@pytest.mark.parametrize(
    "series",
    [
        pd.Series([np.nan] * 4),
        pd.Series([None] * 4, dtype="Int64"),
        pd.Series([None] * 4, dtype="boolean"),
        pd.Series([None] * 4, dtype="str"),
        pd.Series([None] * 4, dtype=object),
        pd.Series([None] * 4, dtype="category"),
    ],
    ids=lambda series: str(series.dtype),
)
def test_all_missing_column(series):
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "gone": series})

    schema, X_decoded = _round_trip(X)

    assert schema.columns[1].missing_rate == 1.0
    assert np.isnan(schema.encode(X)[:, 1]).all()
    pd.testing.assert_frame_equal(X_decoded, X)


def test_all_missing_numpy_column():
    X = np.array([[1.0, np.nan], [2.0, np.nan]])

    schema, X_decoded = _round_trip(X)

    assert np.isnan(schema.columns[1].low) and np.isnan(schema.columns[1].high)
    np.testing.assert_array_equal(X_decoded, X)


def test_single_row():
    X = pd.DataFrame(
        {"x": [1.5], "n": [3], "c": ["a"], "b": [True], "k": pd.Categorical(["u"])}
    )

    schema, X_decoded = _round_trip(X)

    assert _kinds(schema) == [CONTINUOUS, INTEGER, CATEGORICAL, BOOLEAN, CATEGORICAL]
    pd.testing.assert_frame_equal(X_decoded, X)


@pytest.mark.parametrize("container", ["object", "str", "category", "numpy"])
def test_5000_levels_encode_decode_exact_and_fast(container):
    rng = np.random.RandomState(0)
    levels = np.array([f"level_{i:04d}" for i in range(5000)], dtype=object)
    values = rng.permutation(np.repeat(levels, 3))
    if container == "numpy":
        X = values.reshape(-1, 1)
    else:
        X = pd.DataFrame({"c": pd.Series(values, dtype=container)})

    start = time.perf_counter()
    schema, X_decoded = _round_trip(X)
    elapsed = time.perf_counter() - start

    assert len(schema.columns[0].categories) == 5000
    if container == "numpy":
        _assert_object_array_equal(X_decoded, X)
    else:
        pd.testing.assert_frame_equal(X_decoded, X)
    # Vectorised lookups take milliseconds; a per-row Python loop over
    # categories would take minutes.
    assert elapsed < 5


@pytest.mark.parametrize("scale", [1e-12, 1e12])
def test_extreme_magnitudes_round_trip_exactly(scale):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 2)) * scale
    X[3, 0] = np.nan
    frame = pd.DataFrame(X, columns=["a", "b"])

    _, X_decoded = _round_trip(X)
    _, frame_decoded = _round_trip(frame)

    np.testing.assert_array_equal(X_decoded, X)
    pd.testing.assert_frame_equal(frame_decoded, frame)


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros((0, 2)), "0 sample"),
        (np.zeros((3, 0)), "0 feature"),
        (pd.DataFrame({"a": [], "b": []}), "0 sample"),
        (pd.DataFrame(index=range(3)), "0 feature"),
        (np.ones(3), "Expected 2D array"),
        (pd.Series([1.0, 2.0]), "Expected a 2-dimensional container"),
    ],
    ids=["rows-array", "cols-array", "rows-frame", "cols-frame", "1d", "series"],
)
def test_empty_or_1d_input_raises(X, match):
    with pytest.raises(ValueError, match=match):
        TableSchema.from_data(X)


@pytest.mark.parametrize(
    "make", [sparse.csr_matrix, sparse.csr_array, sparse.coo_matrix]
)
def test_sparse_input_raises(make):
    X = make(np.eye(3))
    with pytest.raises(TypeError, match="do not accept sparse input.*toarray"):
        TableSchema.from_data(X)
    schema = TableSchema.from_data(np.eye(3))
    with pytest.raises(TypeError, match="sparse"):
        schema.encode(X)


@pytest.mark.parametrize(
    "X, categorical_features, match",
    [
        (np.array([[1.0, 2.0], [np.inf, 3.0]]), "from_dtype", "Column 0 contains 1"),
        (pd.DataFrame({"a": [1.0, -np.inf, np.inf]}), "from_dtype", "Column 'a' .* 2"),
        (pd.DataFrame({"a": [1.0, np.inf]}), ["a"], "Column 'a' contains 1"),
        (np.array([[1, np.inf]], dtype=object), "from_dtype", "Column 1 contains 1"),
    ],
)
def test_infinite_values_raise_naming_the_column(X, categorical_features, match):
    with pytest.raises(ValueError, match=match + ".*infinite.*Replace them"):
        TableSchema.from_data(X, categorical_features)


def test_infinite_values_at_encode_raise_naming_the_column(small_frame):
    schema = TableSchema.from_data(small_frame)

    with pytest.raises(ValueError, match="Column 'price' contains 1 infinite"):
        schema.encode(small_frame.assign(price=[1.0, np.inf, 2.0, 3.0]))


@pytest.mark.parametrize(
    "X, error, match",
    [
        (
            pd.DataFrame({"z": np.array([1 + 2j, 3j])}),
            TypeError,
            "Column 'z' has dtype complex128.*Convert it",
        ),
        (
            np.array([[1 + 2j, 3j]]),
            ValueError,
            "Complex data not supported: column 0 .* real and imaginary",
        ),
        (
            pd.DataFrame({"tags": pd.Series([["a"], ["b"]], dtype=object)}),
            TypeError,
            "Column 'tags' has dtype object holding list.*drop it",
        ),
        (
            pd.DataFrame({"p": pd.period_range("2024-01", periods=3, freq="M")}),
            TypeError,
            "Column 'p' has dtype period.*Convert it to numbers, dates or strings",
        ),
    ],
    ids=["complex", "complex-array", "list", "period"],
)
def test_unsupported_dtypes_raise_naming_the_column_and_the_fix(X, error, match):
    with pytest.raises(error, match=match):
        TableSchema.from_data(X)


@pytest.mark.parametrize(
    "X_fit, X_new",
    [
        (
            pd.DataFrame({"c": pd.Series(["a", "b", None], dtype=object)}),
            pd.DataFrame({"c": pd.Series(["b", "zz", None, "a"], dtype=object)}),
        ),
        (
            pd.DataFrame({"c": pd.Series(["a", "b", None], dtype="str")}),
            pd.DataFrame({"c": pd.Series(["b", "zz", None, "a"], dtype="str")}),
        ),
        (
            pd.DataFrame(
                {"c": pd.Categorical(["a", "b", None], categories=["a", "b", "zz"])}
            ),
            pd.DataFrame(
                {
                    "c": pd.Categorical(
                        ["b", "zz", None, "a"], categories=["a", "b", "zz"]
                    )
                }
            ),
        ),
        (
            np.array([["a"], ["b"], [None]], dtype=object),
            np.array([["b"], ["zz"], [None], ["a"]], dtype=object),
        ),
    ],
    ids=["object", "str", "category-unobserved", "numpy"],
)
def test_unseen_categories_encode_to_minus_one(X_fit, X_new):
    schema = TableSchema.from_data(X_fit)

    codes = schema.encode(X_new)[:, 0]

    np.testing.assert_array_equal(codes, [1, -1, np.nan, 0])


def test_unseen_declared_number_encodes_to_minus_one():
    schema = TableSchema.from_data(np.array([[1], [5], [9]]), [0])

    np.testing.assert_array_equal(
        schema.encode(np.array([[9], [4], [1]]))[:, 0], [2, -1, 0]
    )


def test_encode_checks_the_layout(small_frame):
    schema = TableSchema.from_data(small_frame)

    with pytest.raises(ValueError, match="X has 3 columns, but .* fitted with 4"):
        schema.encode(small_frame.iloc[:, :3])
    with pytest.raises(ValueError, match="Column 'rooms' was numeric in fit"):
        schema.encode(small_frame.assign(rooms=["a", "b", "c", "d"]))


# -- target -------------------------------------------------------------------

_target_rng = np.random.RandomState(0)


@pytest.mark.parametrize(
    "y, is_classification",
    [
        (np.array(["cat", "dog", "cat"]), True),
        (np.array(["cat", "dog", "cat"], dtype=object), True),
        (np.array([True, False, True]), True),
        (np.array([0, 2, 1, 2]), True),
        (np.arange(MAX_CLASSES).repeat(2), True),
        (np.arange(MAX_CLASSES + 1).repeat(2), False),
        (_target_rng.randint(1_000, 500_000, 200), False),
        (_target_rng.normal(size=50), False),
        (np.array([0.0, 1.0, 2.0, 1.0]), True),
        (np.array([0.5, 1.0, 2.0, 1.0]), False),
        (pd.Series(["a", "b", "a"], name="label"), True),
        (pd.Series(pd.Categorical(["a", "b", "a"], categories=["a", "b", "c"])), True),
        (pd.Series([1, 3, 1], dtype="Int64"), True),
        (pd.Series([1.5, 3.0, 1.0], dtype="Float64", name="price"), False),
        (pd.Series(_target_rng.randint(1_000, 500_000, 200), name="price"), False),
    ],
    ids=[
        "str-array",
        "object",
        "bool",
        "few-ints",
        "max-classes",
        "max-classes-plus-one",
        "prices",
        "floats",
        "integral-floats",
        "floats-few-values",
        "str-series",
        "category",
        "Int64",
        "Float64",
        "price-series",
    ],
)
def test_target_classification_or_regression(y, is_classification):
    target = TargetSchema.from_data(y, len(y))

    y_decoded = target.decode(target.encode(y))

    assert target.is_classification is is_classification
    if is_classification:
        expected = np.unique(np.asarray(y))
        classes = target.decode(np.arange(len(target.classes), dtype=float))
        np.testing.assert_array_equal(np.asarray(classes), expected)
        np.testing.assert_array_equal(
            target.encode(y), np.searchsorted(expected, np.asarray(y))
        )
    if isinstance(y, pd.Series):
        pd.testing.assert_series_equal(y_decoded, y)
    else:
        assert isinstance(y_decoded, np.ndarray)
        assert y_decoded.dtype == y.dtype
        np.testing.assert_array_equal(y_decoded, y)


def test_target_type_override():
    few_ints = np.array([1, 2, 1, 3])
    floats = np.array([0.5, 1.25, 0.5, 2.0])

    as_regression = TargetSchema.from_data(few_ints, 4, target_type="regression")
    as_classes = TargetSchema.from_data(floats, 4, target_type="classification")

    assert not as_regression.is_classification
    assert as_regression.spec.kind == INTEGER
    assert as_classes.is_classification
    np.testing.assert_array_equal(as_classes.classes, [0.5, 1.25, 2.0])
    np.testing.assert_array_equal(as_classes.encode(floats), [0, 1, 0, 2])
    np.testing.assert_array_equal(as_classes.decode(np.array([2.0, 0.0])), [2.0, 0.5])
    with pytest.raises(ValueError, match="target_type='regression' needs a numeric y"):
        TargetSchema.from_data(np.array(["a", "b"]), 2, target_type="regression")


@pytest.mark.parametrize("y", [np.arange(3), pd.Series([1.0, 2.0, 3.0])])
def test_target_of_wrong_length_raises(y):
    with pytest.raises(ValueError, match="y has 3 values but X has 4 rows"):
        TargetSchema.from_data(y, 4)


@pytest.mark.parametrize(
    "y",
    [
        np.array([1.0, np.nan, 2.0]),
        np.array(["a", None, "b"], dtype=object),
        pd.Series(["a", None, "b"], dtype="str"),
        pd.Series([1, None, 2], dtype="Int64"),
        pd.Series(pd.Categorical(["a", None, "b"])),
    ],
    ids=["float", "object", "str", "Int64", "category"],
)
def test_target_with_missing_values_raises(y):
    with pytest.raises(ValueError, match="y has 1 missing value.*drop those rows"):
        TargetSchema.from_data(y, 3)


def test_target_shape_checks():
    column = TargetSchema.from_data(np.array([[1], [2], [1]]), 3)
    np.testing.assert_array_equal(column.decode(np.array([1.0, 0.0])), [2, 1])
    with pytest.raises(ValueError, match="y must be 1D.*got shape \\(3, 2\\)"):
        TargetSchema.from_data(np.ones((3, 2)), 3)
    with pytest.raises(ValueError, match="Column 'y' contains 1 infinite"):
        TargetSchema.from_data(np.array([1.0, np.inf]), 2)


# -- end to end through GaussianCopulaSynthesizer -----------------------------


@pytest.fixture(scope="module")
def mixed_frame():
    rng = np.random.RandomState(0)
    n = 1000

    def holes(rate):
        return rng.rand(n) < rate

    return pd.DataFrame(
        {
            "amount": np.where(holes(0.1), np.nan, rng.lognormal(3, 1, n)),
            "count": pd.array(
                np.where(holes(0.2), None, rng.poisson(30, n)), dtype="Int64"
            ),
            "age": rng.randint(18, 90, n),
            "rate": pd.array(
                np.where(holes(0.05), None, rng.beta(2, 5, n)), dtype="Float64"
            ),
            "flag": pd.array(
                np.where(holes(0.15), None, rng.rand(n) < 0.3), dtype="boolean"
            ),
            "member": rng.rand(n) < 0.6,
            "colour": pd.Categorical(
                np.where(holes(0.05), None, rng.choice(["red", "green", "blue"], n)),
                categories=["red", "green", "blue", "violet"],
            ),
            "city": pd.Series(
                np.where(holes(0.3), None, rng.choice(["oslo", "lima", "pune"], n)),
                dtype="str",
            ),
            "label": pd.Series(
                np.where(holes(0.1), None, rng.choice(["u", "v"], n)), dtype=object
            ),
            "score": np.where(holes(0.25), np.nan, rng.normal(50, 10, n)),
            "stars": np.where(holes(0.1), np.nan, rng.randint(1, 6, n).astype(float)),
        }
    )


@pytest.fixture(scope="module")
def mixed_sample(mixed_frame):
    synthesizer = GaussianCopulaSynthesizer(random_state=0).fit(mixed_frame)
    return synthesizer.sample(N_SAMPLES)


def test_sample_keeps_dtypes_and_categories(mixed_frame, mixed_sample):
    assert list(mixed_sample.columns) == list(mixed_frame.columns)
    pd.testing.assert_series_equal(mixed_sample.dtypes, mixed_frame.dtypes)
    assert mixed_sample["colour"].dtype == mixed_frame["colour"].dtype
    for name in ["colour", "city", "label", "flag"]:
        seen = set(mixed_frame[name].dropna())
        assert set(mixed_sample[name].dropna()) <= seen
    assert "violet" not in set(mixed_sample["colour"].dropna())


def test_sample_integers_whole_and_numbers_in_observed_range(mixed_frame, mixed_sample):
    stars = mixed_sample["stars"].dropna()
    np.testing.assert_array_equal(stars, np.round(stars))
    assert set(stars) <= set(mixed_frame["stars"].dropna())
    for name in ["amount", "count", "age", "rate", "score", "stars"]:
        observed = mixed_frame[name].dropna()
        sampled = mixed_sample[name].dropna()
        assert observed.min() <= sampled.min()
        assert sampled.max() <= observed.max()


def test_sample_reproduces_share_of_missing_values(mixed_frame, mixed_sample):
    for name in mixed_frame.columns:
        p = mixed_frame[name].isna().mean()
        p_sample = mixed_sample[name].isna().mean()
        assert abs(p_sample - p) <= _proportion_tolerance(p, N_SAMPLES), name
    assert not mixed_sample["age"].isna().any()
    assert not mixed_sample["member"].isna().any()


def test_enforce_range_false_can_leave_the_observed_range():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"u": rng.uniform(0, 1, 500), "v": rng.normal(size=500)})
    low, high = X["u"].min(), X["u"].max()

    def sample(enforce_range):
        synthesizer = GaussianCopulaSynthesizer(
            marginals={"u": "normal"}, enforce_range=enforce_range, random_state=0
        )
        return synthesizer.fit(X).sample(N_SAMPLES)["u"]

    free, clipped = sample(False), sample(True)

    # A normal margin fitted to U(0, 1) puts 8% of its mass outside [0, 1].
    outside = (free < low) | (free > high)
    assert outside.mean() > 0.04
    assert clipped.between(low, high).all()


def test_sample_object_array_keeps_missing_markers():
    rng = np.random.RandomState(0)
    n = 400
    X = np.empty((n, 3), dtype=object)
    X[:, 0] = rng.choice(["a", "b", "c"], n)
    X[:, 1] = rng.normal(size=n)
    X[:, 2] = rng.randint(0, 1000, n)
    X[rng.rand(n) < 0.3, 0] = None
    X[rng.rand(n) < 0.3, 1] = np.nan

    X_new = GaussianCopulaSynthesizer(random_state=0).fit(X).sample(N_SAMPLES)

    assert X_new.dtype == object
    assert {type(v) for v in X_new[:, 0]} == {str, type(None)}
    numbers = X_new[:, 1].astype(float)
    assert np.isnan(numbers).any() and all(isinstance(v, float) for v in X_new[:, 1])
    assert set(X_new[:, 0]) - {None} <= {"a", "b", "c"}
    assert all(v == round(v) for v in X_new[:, 2])


def test_sample_edge_columns():
    rng = np.random.RandomState(0)
    n = 300
    tiny = rng.normal(size=n) * 1e-12
    huge = rng.normal(size=n) * 1e12
    X = pd.DataFrame(
        {
            "constant": np.full(n, 3.5),
            "constant_int": np.full(n, 7),
            "all_missing": np.full(n, np.nan),
            "all_missing_str": pd.Series([None] * n, dtype="str"),
            "all_missing_Int64": pd.Series([None] * n, dtype="Int64"),
            "single_value": np.where(rng.rand(n) < 0.3, np.nan, 5.0),
            "single_level": ["only"] * n,
            "tiny": tiny,
            "huge": huge,
        }
    )

    X_new = GaussianCopulaSynthesizer(random_state=0).fit(X).sample(N_SAMPLES)

    pd.testing.assert_series_equal(X_new.dtypes, X.dtypes)
    assert (X_new["constant"] == 3.5).all()
    assert (X_new["constant_int"] == 7).all()
    for name in ["all_missing", "all_missing_str", "all_missing_Int64"]:
        assert X_new[name].isna().all()
    assert set(X_new["single_value"].dropna()) == {5.0}
    p = X["single_value"].isna().mean()
    tolerance = _proportion_tolerance(p, N_SAMPLES)
    assert abs(X_new["single_value"].isna().mean() - p) <= tolerance
    assert (X_new["single_level"] == "only").all()
    for name, values in [("tiny", tiny), ("huge", huge)]:
        sampled = X_new[name]
        assert values.min() <= sampled.min() and sampled.max() <= values.max()
        # The standard deviation of a sample standard deviation is about
        # sigma / sqrt(2 n); margins fitted to n training rows add as much.
        relative_se = np.sqrt(1 / (2 * N_SAMPLES) + 1 / (2 * n))
        assert abs(sampled.std() / values.std() - 1) < 4 * relative_se


def test_sample_3000_level_categorical():
    rng = np.random.RandomState(0)
    levels = np.array([f"sku_{i:04d}" for i in range(3000)], dtype=object)
    n = 6000
    X = pd.DataFrame(
        {
            "sku": pd.Series(rng.permutation(np.repeat(levels, 2)), dtype=object),
            "price": rng.lognormal(2, 0.5, n),
        }
    )

    synthesizer = GaussianCopulaSynthesizer(random_state=0).fit(X)
    X_new = synthesizer.sample(N_SAMPLES)

    assert synthesizer.column_kinds_["sku"] == CATEGORICAL
    pd.testing.assert_series_equal(X_new.dtypes, X.dtypes)
    assert set(X_new["sku"]) <= set(levels)
    # 2000 draws from 3000 equally likely levels hit about 1460 distinct ones.
    assert X_new["sku"].nunique() > 1000


@pytest.mark.parametrize(
    "values, kind", [([1 + 2j, 3j, 2 + 0j], "complex"), ([[1], [2], [3]], "list")]
)
def test_object_column_of_non_labels_names_the_column(values, kind):
    frame = pd.DataFrame({"z": pd.Series(values, dtype=object), "x": [1.0, 2.0, 3.0]})
    with pytest.raises(TypeError, match=f"Column 'z' has dtype object holding {kind}"):
        TableSchema.from_data(frame)


def test_block_specs_across_many_blocks(monkeypatch):
    import sksynth._data._encoding as encoding

    monkeypatch.setattr(encoding, "SPEC_BLOCK_ROWS", 7)
    rng = np.random.RandomState(0)
    X = np.column_stack(
        [
            rng.normal(size=100),
            rng.randint(0, 9, 100).astype(float),
            np.full(100, np.nan),
            rng.randint(0, 9, 100) + np.r_[np.zeros(99), 0.5],  # one fraction
        ]
    )
    X[rng.rand(100) < 0.2, 0] = np.nan
    specs = numeric_array_specs(X, ["auto"] * X.shape[1])
    assert [s.kind for s in specs] == [CONTINUOUS, INTEGER, CONTINUOUS, CONTINUOUS]
    assert specs[0].low == np.nanmin(X[:, 0]) and specs[0].high == np.nanmax(X[:, 0])
    assert specs[0].missing_rate == pytest.approx(np.isnan(X[:, 0]).mean())
    assert np.isnan(specs[2].low) and specs[2].missing_rate == 1.0


def test_boolean_column_rejects_text_in_place_of_booleans():
    schema = TableSchema.from_data(pd.DataFrame({"member": [True, False, True]}))
    with pytest.raises(
        ValueError, match="'member' was boolean in fit but holds 'True'"
    ):
        schema.encode(pd.DataFrame({"member": ["True", "False", "True"]}))
    # Booleans with missing values, and 0/1 numbers, still encode.
    encoded = schema.encode(pd.DataFrame({"member": [True, None, 0]}, dtype=object))
    np.testing.assert_array_equal(encoded[:, 0], [1.0, np.nan, 0.0])


def test_object_column_of_integers_comes_back_as_integers():
    X = np.array([[0.5, 28, "a"], [1.5, 9, "b"], [2.5, None, "a"]], dtype=object)
    schema, decoded = _round_trip(X)
    assert [type(v) for v in decoded[:2, 1]] == [int, int]
    assert decoded[2, 1] is None
    assert type(decoded[0, 0]) is float


@pytest.mark.parametrize("dtype", ["uint8", "int8", "UInt8"])
def test_values_beyond_an_integer_dtype_are_clipped_not_wrapped(dtype):
    info = np.iinfo(dtype.lower())
    # Distinct values: a lattice of whole numbers, not a discrete column
    # (which would snap to its values).
    X = pd.DataFrame({"c": pd.array(np.arange(info.max - 30, info.max + 1), dtype)})
    schema = TableSchema.from_data(X)
    values = np.array([[info.max + 5.0], [info.min - 5.0]])
    decoded = schema.decode(values, enforce_range=False)
    assert not schema.columns[0].is_discrete
    assert decoded["c"].tolist() == [info.max, info.min]


def test_one_column_frame_target_keeps_its_name():
    y = pd.DataFrame({"income": ["lo", "hi", "lo", "hi"]})
    target = TargetSchema.from_data(y, 4)
    assert target.series_name == "income"
    decoded = target.decode(target.encode(y))
    assert decoded.name == "income"
    assert decoded.tolist() == ["lo", "hi", "lo", "hi"]


@PROPERTY_SETTINGS
@given(
    block=hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 300), st.integers(1, 6)),
        elements=st.floats(allow_nan=True, allow_infinity=True),
    )
)
def test_property_column_extremes_equal_the_plain_reduction(block):
    # Rows folded into wide rows, then reduced: the same minimum and maximum
    # (NaN where a column holds one) whatever the number of rows.
    low, high = _column_extremes(block)
    np.testing.assert_array_equal(low, np.minimum.reduce(block, axis=0))
    np.testing.assert_array_equal(high, np.maximum.reduce(block, axis=0))
