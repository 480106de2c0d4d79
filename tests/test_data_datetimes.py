"""Tests of dates, timestamps and durations in the data layer: the round trip
of every kind of date column, calendar granularity, decoding onto the
granularity and the range, and dates in ``conditions`` (issue 12)."""

import datetime
import zoneinfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sksynth._data import (
    DATETIME,
    TIMEDELTA,
    TableSchema,
    TargetSchema,
    encode_condition,
)

N_ROWS = 60
# Derandomized: the same examples on every run, like a fixed seed.
PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, database=None
)


def _round_trip(X, **kwargs):
    schema = TableSchema.from_data(X, **kwargs)
    return schema, schema.decode(schema.encode(X))


def _with_missing(series, share, rng):
    """``series`` with about ``share`` of its rows missing (the first one too)."""
    series = series.copy()
    missing = rng.rand(len(series)) < share
    missing[0] = True
    series[missing] = None
    return series


def _stamps(start, unit, n, rng, high=40_000):
    """``n`` random timestamps from ``start``, whole multiples of ``unit``."""
    offsets = pd.to_timedelta(rng.randint(0, high, n), unit=unit)
    return pd.Series(pd.Timestamp(start) + offsets)


def _on_unit(values, unit):
    """Whether datetime64 / timedelta64 values are whole multiples of a numpy
    unit (NaT counts as on it)."""
    values = np.asarray(values)
    present = values[~np.isnat(values)]
    prefix = "datetime64" if values.dtype.kind == "M" else "timedelta64"
    return bool(np.all(present.astype(f"{prefix}[{unit}]") == present))


# -- round trips ----------------------------------------------------------------


@pytest.mark.parametrize(
    "unit, tick",
    [("s", "s"), ("ms", "ms"), ("ms", "s"), ("us", "us"), ("ns", "ns"), ("ns", "us")],
)
def test_datetime64_units_round_trip_with_missing_values(unit, tick):
    rng = np.random.RandomState(0)
    when = _stamps("2021-05-04", tick, N_ROWS, rng).astype(f"datetime64[{unit}]")
    X = pd.DataFrame({"when": _with_missing(when, 0.2, rng), "x": rng.rand(N_ROWS)})

    schema, X_decoded = _round_trip(X)

    spec = schema.columns[0]
    assert spec.kind == DATETIME
    # The granularity is the values' (whole seconds stored in ms: seconds).
    assert spec.codec.unit == tick
    assert spec.codec.storage == unit
    assert spec.missing_rate == pytest.approx(X["when"].isna().mean())
    assert X_decoded["when"].dtype == np.dtype(f"datetime64[{unit}]")
    pd.testing.assert_frame_equal(X_decoded, X)


@pytest.mark.parametrize("tz", ["UTC", "Europe/Oslo", "America/New_York"])
@pytest.mark.parametrize("unit", ["s", "ns"])
def test_timezone_aware_round_trip_keeps_unit_and_timezone(tz, unit):
    rng = np.random.RandomState(1)
    when = _stamps("2021-01-01", "min", N_ROWS, rng, high=500_000)
    when = (
        when.dt.tz_localize("UTC").dt.tz_convert(tz).astype(f"datetime64[{unit}, {tz}]")
    )
    X = pd.DataFrame({"when": _with_missing(when, 0.1, rng)})

    schema, X_decoded = _round_trip(X)

    assert schema.columns[0].codec.tz is not None
    assert X_decoded["when"].dtype == X["when"].dtype
    pd.testing.assert_frame_equal(X_decoded, X)


@pytest.mark.parametrize(
    "start, end", [("2021-03-27", "2021-03-29"), ("2021-10-30", "2021-11-01")]
)
def test_hourly_oslo_times_across_a_clock_change_round_trip(start, end):
    # Spring forward: 02:00-03:00 does not exist. Fall back: 02:00-03:00 comes
    # twice; its first (summer) instance is left out (see the test below).
    when = pd.date_range(start, end, freq="h", tz="Europe/Oslo")
    first_of_two = when.tz_localize(None).duplicated(keep="last")
    X = pd.DataFrame({"when": when[~first_of_two]})

    schema, X_decoded = _round_trip(X)

    assert schema.columns[0].codec.granularity == "hour"
    pd.testing.assert_frame_equal(X_decoded, X)


def test_ambiguous_hour_of_the_fall_back_round_trips():
    # Encoded in local wall time, the two 02:00 of the fall-back night encoded
    # alike and decoded in standard time (+01:00): hourly aware times are
    # encoded in UTC, local midnights (below) in wall time.
    when = pd.date_range("2021-10-30", "2021-11-01", freq="h", tz="Europe/Oslo")
    X = pd.DataFrame({"when": when})

    _, X_decoded = _round_trip(X)

    pd.testing.assert_frame_equal(X_decoded, X)


def test_local_midnights_across_both_clock_changes_stay_days():
    when = pd.date_range("2021-03-01", "2021-11-30", freq="D", tz="Europe/Oslo")
    X = pd.DataFrame({"when": when})

    schema, X_decoded = _round_trip(X)

    assert schema.columns[0].codec.granularity == "day"
    pd.testing.assert_frame_equal(X_decoded, X)
    # Any encoded value decodes to a local midnight, in summer as in winter.
    values = np.linspace(-3, len(when) + 3, 997)[:, None]
    decoded = schema.decode(values)["when"]
    assert (decoded.dt.hour == 0).all() and (decoded.dt.minute == 0).all()
    assert decoded.min() == when.min() and decoded.max() == when.max()


def test_date_objects_in_an_object_column_round_trip():
    rng = np.random.RandomState(2)
    days = rng.randint(0, 3000, N_ROWS)
    dates = [datetime.date(1995, 1, 1) + datetime.timedelta(days=int(d)) for d in days]
    X = pd.DataFrame({"born": _with_missing(pd.Series(dates, dtype=object), 0.2, rng)})

    schema, X_decoded = _round_trip(X)

    spec = schema.columns[0]
    assert (spec.kind, spec.codec.objects, spec.codec.granularity) == (
        DATETIME,
        "date",
        "day",
    )
    assert X_decoded["born"].dtype == object
    pd.testing.assert_frame_equal(X_decoded, X)
    present = X_decoded["born"].dropna()
    assert all(type(v) is datetime.date for v in present)


@pytest.mark.parametrize("tz", [None, datetime.timezone.utc, "Europe/Oslo"])
def test_datetime_objects_in_an_object_column_round_trip(tz):
    rng = np.random.RandomState(3)
    tzinfo = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
    start = datetime.datetime(2022, 1, 1, tzinfo=tzinfo)
    stamps = [
        start + datetime.timedelta(minutes=int(m)) for m in rng.randint(0, 10**5, 40)
    ]
    X = pd.DataFrame({"seen": _with_missing(pd.Series(stamps, dtype=object), 0.1, rng)})

    schema, X_decoded = _round_trip(X)

    spec = schema.columns[0]
    assert (spec.codec.objects, spec.codec.granularity) == ("datetime", "minute")
    pd.testing.assert_frame_equal(X_decoded, X)
    present = X_decoded["seen"].dropna()
    assert all(type(v) is datetime.datetime and v.tzinfo == tzinfo for v in present)


def test_datetime_objects_of_several_timezones_raise_naming_the_column():
    stamps = [
        datetime.datetime(2022, 1, 1, tzinfo=zoneinfo.ZoneInfo("Europe/Oslo")),
        datetime.datetime(2022, 1, 2, tzinfo=datetime.timezone.utc),
    ]
    X = pd.DataFrame({"seen": pd.Series(stamps * 3, dtype=object)})

    with pytest.raises(ValueError, match="Column 'seen' holds datetimes of several"):
        TableSchema.from_data(X)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_timedelta64_column_round_trip(unit):
    rng = np.random.RandomState(4)
    waited = pd.Series(pd.to_timedelta(rng.randint(0, 10**6, N_ROWS), unit="s"))
    waited = _with_missing(waited.astype(f"timedelta64[{unit}]"), 0.15, rng)
    X = pd.DataFrame({"waited": waited})

    schema, X_decoded = _round_trip(X)

    spec = schema.columns[0]
    assert (spec.kind, spec.codec.granularity) == (TIMEDELTA, "second")
    assert X_decoded["waited"].dtype == np.dtype(f"timedelta64[{unit}]")
    pd.testing.assert_frame_equal(X_decoded, X)


def test_timedelta_objects_in_an_object_column_round_trip():
    rng = np.random.RandomState(5)
    waited = [datetime.timedelta(minutes=int(m)) for m in rng.randint(0, 9000, 30)]
    X = pd.DataFrame({"waited": pd.Series(waited, dtype=object)})

    schema, X_decoded = _round_trip(X)

    assert schema.columns[0].codec.objects == "timedelta"
    pd.testing.assert_frame_equal(X_decoded, X)
    assert all(type(v) is datetime.timedelta for v in X_decoded["waited"])


@pytest.mark.parametrize(
    "dtype, unit",
    [("datetime64[D]", "D"), ("datetime64[ns]", "D"), ("datetime64[s]", "h")],
)
def test_numpy_datetime64_2d_array_round_trip(dtype, unit):
    rng = np.random.RandomState(6)
    X = np.datetime64("1960-01-01", unit) + rng.randint(0, 10**5, (40, 3))
    X = X.astype(dtype)
    X[rng.rand(40, 3) < 0.1] = np.datetime64("NaT")

    schema, X_decoded = _round_trip(X)

    assert [c.kind for c in schema.columns] == [DATETIME] * 3
    assert [c.codec.unit for c in schema.columns] == [unit] * 3
    assert isinstance(X_decoded, np.ndarray) and X_decoded.dtype == X.dtype
    np.testing.assert_array_equal(X_decoded, X)


def test_numpy_timedelta64_2d_array_round_trip():
    rng = np.random.RandomState(7)
    X = rng.randint(-500, 500, (30, 2)).astype("timedelta64[m]")
    X[0, 1] = np.timedelta64("NaT")

    schema, X_decoded = _round_trip(X)

    assert [c.kind for c in schema.columns] == [TIMEDELTA] * 2
    assert X_decoded.dtype == X.dtype
    np.testing.assert_array_equal(X_decoded, X)


def test_dates_before_1970_round_trip_and_encode_as_whole_numbers():
    rng = np.random.RandomState(8)
    when = _stamps("1890-07-14", "D", N_ROWS, rng, high=28_000)
    X = pd.DataFrame({"when": when})

    schema, X_decoded = _round_trip(X)

    encoded = schema.encode(X)[:, 0]
    assert schema.columns[0].codec.granularity == "day"
    np.testing.assert_array_equal(encoded, np.round(encoded))
    assert encoded.min() == 0
    pd.testing.assert_frame_equal(X_decoded, X)


@pytest.mark.parametrize("container", ["pandas", "numpy"])
def test_all_missing_datetime_column_round_trips(container):
    when = np.full(12, np.datetime64("NaT"), dtype="datetime64[ns]")
    X = pd.DataFrame({"when": when, "x": np.arange(12.0)})
    if container == "numpy":
        X = when[:, None]

    schema, X_decoded = _round_trip(X)

    spec = schema.columns[0]
    assert spec.kind == DATETIME and spec.missing_rate == 1.0
    if container == "pandas":
        pd.testing.assert_frame_equal(X_decoded, X)
    else:
        assert X_decoded.dtype == X.dtype and np.isnat(X_decoded).all()


def test_nanosecond_timestamps_within_100_days_keep_their_nanoseconds():
    # Float64 holds whole numbers up to 2**53: 104 days of nanoseconds.
    rng = np.random.RandomState(9)
    offsets = rng.randint(0, 100 * 86_400, N_ROWS).astype(np.int64) * 10**9
    offsets += rng.randint(0, 10**9, N_ROWS)
    when = pd.Series(pd.Timestamp("2021-01-01") + pd.to_timedelta(offsets, unit="ns"))
    X = pd.DataFrame({"when": when.astype("datetime64[ns]")})

    schema, X_decoded = _round_trip(X)

    assert schema.columns[0].codec.granularity == "nanosecond"
    pd.testing.assert_frame_equal(X_decoded, X)


# -- granularity ----------------------------------------------------------------

_YEARS = pd.Series(pd.to_datetime([f"{y}-01-01" for y in range(1901, 2050, 3)]))
_MONTHS = pd.Series(pd.date_range("1955-01-01", periods=50, freq="7MS"))


def _granular(unit, rng):
    if unit == "Y":
        return _YEARS
    if unit == "M":
        return _MONTHS
    tick = {"D": "D", "h": "h", "m": "min", "s": "s", "ms": "ms", "us": "us"}[unit]
    return _stamps("1962-03-04", tick, N_ROWS, rng)


_UNITS = ["Y", "M", "D", "h", "m", "s", "ms", "us"]


_UNIT_NAMES = ["year", "month", "day", "hour", "minute", "second"]
_UNIT_NAMES += ["millisecond", "microsecond"]


@pytest.mark.parametrize("unit, name", list(zip(_UNITS, _UNIT_NAMES, strict=True)))
def test_granularity_is_the_coarsest_unit_of_every_value(unit, name):
    when = _granular(unit, np.random.RandomState(10))
    X = pd.DataFrame({"when": when})

    schema = TableSchema.from_data(X)

    codec = schema.columns[0].codec
    assert (codec.unit, codec.granularity) == (unit, name)
    # One value off the unit makes the column one unit finer.
    if unit != "us":
        finer = when.copy()
        finer[3] += pd.Timedelta(1, "us")
        schema = TableSchema.from_data(pd.DataFrame({"when": finer}))
        assert schema.columns[0].codec.unit == "us"


def test_first_of_month_dates_are_months_but_the_second_is_days():
    when = pd.Series(pd.date_range("2020-01-01", periods=24, freq="MS"))
    shifted = when + pd.Timedelta(days=1)

    months = TableSchema.from_data(pd.DataFrame({"when": when})).columns[0]
    days = TableSchema.from_data(pd.DataFrame({"when": shifted})).columns[0]

    assert months.codec.granularity == "month"
    assert days.codec.granularity == "day"


@PROPERTY_SETTINGS
@given(
    unit=st.sampled_from(_UNITS + ["D_oslo", "h_oslo", "M_oslo"]),
    seed=st.integers(0, 2**16),
    values=st.lists(
        st.one_of(st.floats(-1e4, 1e5), st.just(float("nan"))), min_size=1, max_size=60
    ),
)
def test_property_decode_lands_on_the_granularity_and_inside_the_range(
    unit, seed, values
):
    rng = np.random.RandomState(seed)
    base, _, tz = unit.partition("_")
    when = _granular(base, rng)
    if tz:
        when = when.dt.tz_localize("Europe/Oslo", nonexistent="shift_forward")
    when = _with_missing(when, 0.1, rng)
    schema = TableSchema.from_data(pd.DataFrame({"when": when}))
    encoded = np.array(values)[:, None]

    decoded = schema.decode(encoded, enforce_range=True)["when"]

    assert decoded.dtype == when.dtype
    np.testing.assert_array_equal(decoded.isna(), np.isnan(values))
    present = decoded.dropna()
    assert (present >= when.min()).all() and (present <= when.max()).all()
    wall = present.dt.tz_localize(None) if tz else present
    assert _on_unit(wall.to_numpy(), base)


@PROPERTY_SETTINGS
@given(
    unit=st.sampled_from(["Y", "M", "D", "h", "s"]),
    values=st.lists(st.floats(-200, 300), min_size=1, max_size=30),
)
def test_property_decode_without_range_stays_on_the_granularity(unit, values):
    when = _granular(unit, np.random.RandomState(11))
    schema = TableSchema.from_data(pd.DataFrame({"when": when}))

    decoded = schema.decode(np.array(values)[:, None], enforce_range=False)["when"]

    assert _on_unit(decoded.to_numpy(), unit)
    # Decoding is the nearest whole unit from the first date.
    expected = np.round(values) - np.round(values).min()
    got = schema.encode(pd.DataFrame({"when": decoded}))[:, 0]
    np.testing.assert_array_equal(got - got.min(), expected)


# -- new rows -------------------------------------------------------------------


@pytest.mark.parametrize(
    "training, new, expected",
    [
        (pd.date_range("2020-01-01", periods=30, freq="D"), "2020-01-03 12:00", 2.5),
        (pd.date_range("2020-01-01", periods=30, freq="D"), "2020-01-03 06:00", 2.25),
        (pd.date_range("2020-01-01", periods=30, freq="h"), "2020-01-01 02:30", 2.5),
        (
            pd.date_range("2020-01-01", periods=30, freq="s"),
            "2020-01-01 00:00:04.5",
            4.5,
        ),
        (pd.date_range("2020-01-01", periods=30, freq="MS"), "2020-03-16 12:00", None),
    ],
)
def test_encoding_new_rows_finer_than_the_granularity_gives_a_fraction(
    training, new, expected
):
    schema = TableSchema.from_data(pd.DataFrame({"when": training}))

    encoded = schema.encode(pd.DataFrame({"when": [pd.Timestamp(new)]}))[0, 0]

    if expected is None:
        # Months: two and a bit (15.5 days of a month counted as 31 days).
        assert 2 < encoded < 3
    else:
        assert encoded == pytest.approx(expected)
    # Decoding rounds to the nearest whole unit.
    decoded = schema.decode(np.array([[encoded]]))["when"][0]
    assert decoded == training[int(np.round(encoded))]


def test_encoding_an_aware_column_converts_other_timezones():
    when = pd.date_range("2021-01-01", periods=30, freq="D", tz="Europe/Oslo")
    schema = TableSchema.from_data(pd.DataFrame({"when": when}))
    new = pd.DataFrame({"when": when[[4, 17]].tz_convert("Asia/Tokyo")})

    np.testing.assert_array_equal(schema.encode(new)[:, 0], [4.0, 17.0])


@pytest.mark.filterwarnings("ignore:Could not infer format")
def test_encoding_text_in_a_date_column_raises_naming_it():
    schema = TableSchema.from_data(
        pd.DataFrame({"when": pd.date_range("2021-01-01", periods=10)})
    )

    with pytest.raises(ValueError, match="Column 'when' held dates in fit"):
        schema.encode(pd.DataFrame({"when": ["soon"] * 3}))


# -- conditions -----------------------------------------------------------------


@pytest.fixture
def date_schema():
    """Daily dates in 2020 (naive and in Oslo) and waiting times in hours."""
    rng = np.random.RandomState(12)
    when = pd.Series(pd.date_range("2020-01-01", "2020-12-30", freq="D"))
    n = len(when)
    waited = pd.to_timedelta(rng.randint(0, 100, n), unit="h")
    X = pd.DataFrame(
        {
            "when": when,
            "local": when.dt.tz_localize("Europe/Oslo"),
            "waited": waited,
        }
    )
    return TableSchema.from_data(X)


_MARCH_1 = 60.0


@pytest.mark.parametrize(
    "value",
    [
        "2020-03-01",
        "2020-03-01 00:00:00",
        "2020-03-01T00:00+00:00",
        datetime.datetime(2020, 3, 1),
        datetime.date(2020, 3, 1),
        pd.Timestamp("2020-03-01"),
        pd.Timestamp("2020-03-01", tz="UTC"),
        np.datetime64("2020-03-01"),
        np.datetime64("2020-03-01T00:00:00.000000000"),
    ],
    ids=repr,
)
def test_condition_on_a_naive_date_column_accepts_date_values(date_schema, value):
    assert encode_condition(date_schema.columns[0], value) == _MARCH_1


@pytest.mark.parametrize(
    "value",
    [
        "2020-03-01",
        "2020-03-01T00:00+01:00",
        "2020-02-29T23:00Z",
        datetime.datetime(2020, 3, 1),
        datetime.datetime(2020, 2, 29, 23, tzinfo=datetime.timezone.utc),
        pd.Timestamp("2020-03-01", tz="Europe/Oslo"),
        pd.Timestamp("2020-03-01 08:00", tz="Asia/Tokyo"),
        pd.Timestamp("2020-03-01"),
        np.datetime64("2020-03-01"),
    ],
    ids=repr,
)
def test_condition_on_an_aware_column_takes_its_local_time(date_schema, value):
    # Aware values are converted to the column's timezone; naive ones are its
    # wall time. Strings with an offset were read by numpy, which dropped it.
    assert encode_condition(date_schema.columns[1], value) == _MARCH_1


@pytest.mark.parametrize(
    "value, match",
    [
        ("2020-03-01 12:00", "not a whole day"),
        (pd.Timestamp("2020-03-01 00:00:01"), "not a whole day"),
        ("2021-01-01", "outside the range"),
        (datetime.date(1999, 12, 31), "outside the range"),
        ("next tuesday", "which is not a date"),
        (3.5, "which is not a date"),
        (5, "which is not a date"),
    ],
    ids=repr,
)
def test_condition_errors_name_the_date_column(date_schema, value, match):
    with pytest.raises(ValueError, match=f"column 'when' .*{match}"):
        encode_condition(date_schema.columns[0], value)


@pytest.mark.parametrize(
    "value",
    [
        "5 hours",
        pd.Timedelta(hours=5),
        np.timedelta64(5, "h"),
        datetime.timedelta(hours=5),
    ],
    ids=repr,
)
def test_condition_on_a_duration_column_accepts_durations(date_schema, value):
    assert encode_condition(date_schema.columns[2], value) == 5.0


@pytest.mark.parametrize(
    "value, match",
    [
        ("5 hours 30 minutes", "not a whole hour"),
        ("500 hours", "outside the range"),
        ("a while", "not a duration"),
    ],
)
def test_condition_errors_name_the_duration_column(date_schema, value, match):
    with pytest.raises(ValueError, match=f"column 'waited' .*{match}"):
        encode_condition(date_schema.columns[2], value)


def test_missing_condition_on_a_date_column_without_missing_values_raises(
    date_schema,
):
    with pytest.raises(ValueError, match="missing value in column 'when'"):
        encode_condition(date_schema.columns[0], pd.NaT)


def test_condition_on_a_discrete_date_column_lists_its_dates():
    when = pd.Series(pd.to_datetime(["2020-01-06", "2020-01-13", "2020-01-27"] * 20))
    spec = TableSchema.from_data(pd.DataFrame({"monday": when})).columns[0]

    assert spec.is_discrete
    assert encode_condition(spec, "2020-01-13") == 7.0
    with pytest.raises(ValueError, match="column 'monday' .*2020-01-06.*2020-01-27"):
        encode_condition(spec, "2020-01-20")


# -- the target -----------------------------------------------------------------


@pytest.mark.parametrize("container", ["pandas", "numpy"])
def test_datetime_target_is_a_regression_target_that_round_trips(container):
    rng = np.random.RandomState(13)
    y = _stamps("2019-06-01", "D", N_ROWS, rng, high=700).rename("due")
    if container == "numpy":
        y = y.to_numpy()

    target = TargetSchema.from_data(y, N_ROWS)

    assert not target.is_classification
    assert target.spec.kind == DATETIME
    y_decoded = target.decode(target.encode(y))
    if container == "pandas":
        pd.testing.assert_series_equal(y_decoded, y)
    else:
        np.testing.assert_array_equal(y_decoded, y)
    # Any encoded value decodes to a day inside the observed range.
    clipped = target.decode(np.array([-50.3, 0.4, 1e4]))
    assert list(pd.Series(clipped).dt.normalize() == pd.Series(clipped)) == [True] * 3
    assert clipped.min() == np.min(y) and clipped.max() == np.max(y)


def test_timedelta_target_is_a_regression_target():
    y = pd.Series(pd.to_timedelta(np.arange(N_ROWS) % 17, unit="h"), name="delay")

    target = TargetSchema.from_data(y, N_ROWS, target_type="regression")

    assert target.spec.kind == TIMEDELTA and not target.is_classification
    pd.testing.assert_series_equal(target.decode(target.encode(y)), y)


@pytest.mark.parametrize(
    "y, what",
    [
        (pd.Series(pd.date_range("2020-01-01", periods=N_ROWS)), "dates"),
        (pd.Series(pd.to_timedelta(np.arange(N_ROWS), unit="h")), "durations"),
    ],
)
def test_datetime_target_as_classes_raises(y, what):
    # The classes came back as 1970 timestamps, silently, before.
    with pytest.raises(ValueError, match=f"needs class labels; y holds {what}"):
        TargetSchema.from_data(y, N_ROWS, target_type="classification")
