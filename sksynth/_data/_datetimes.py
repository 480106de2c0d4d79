"""Dates, timestamps and durations as numbers, and back.

A datetime column is encoded as the number of its *granularity* (the
coarsest calendar unit every training value is a whole multiple of: years,
months, days, hours, minutes, seconds, milli-, micro- or nanoseconds) since
the first training value; a duration as the number of its granularity. Those
are whole numbers, so the column is numeric with whole-number (or discrete)
support, and decoding rounds back to the granularity: daily data stay daily,
first-of-the-month dates stay on the first of the month.

Timezone-aware columns are encoded in their local wall time (so that local
midnights stay midnights) and localised back on decoding. Float64 holds whole
numbers exactly up to 2**53: nanosecond timestamps keep their granularity
over about 100 days.
"""

import datetime
import re
from dataclasses import dataclass

import numpy as np

from ._columns import DATETIME, TIMEDELTA

# Granularities from the coarsest, with their numpy unit code.
_DATETIME_UNITS = ("Y", "M", "D", "h", "m", "s", "ms", "us", "ns")
_TIMEDELTA_UNITS = ("D", "h", "m", "s", "ms", "us", "ns")
# A time of day followed by a UTC offset: "2020-03-01T00:00+01:00", "...Z".
_UTC_OFFSET = re.compile(r"\d:\d\d(:\d\d(\.\d*)?)?\s*(Z|[+-]\d\d(:?\d\d)?)$", re.I)
_UNIT_NAMES = {
    "Y": "year",
    "M": "month",
    "D": "day",
    "h": "hour",
    "m": "minute",
    "s": "second",
    "ms": "millisecond",
    "us": "microsecond",
    "ns": "nanosecond",
}


@dataclass(eq=False)
class TimeCodec:
    """How a datetime or duration column turns into numbers and back.

    Parameters
    ----------
    kind : {"datetime", "timedelta"}
        Dates and times, or durations.
    unit : str
        Granularity as a numpy unit code ("Y", "M", "D", "h", "m", "s",
        "ms", "us", "ns"): one encoded unit.
    storage : str
        numpy unit of the values as given (``datetime64[us]`` stores "us").
    origin : int
        Encoded zero, in ``unit`` since the epoch (datetimes; 0 for durations).
    tz : object
        Timezone of an aware pandas column, None otherwise.
    objects : {None, "date", "datetime", "timedelta"}
        Python objects the column held (an object column), None for
        datetime64 / timedelta64 columns.
    utc : bool, default=False
        Whether an aware column is encoded in UTC (its instants, exact across
        clock changes) rather than in its local wall time (chosen when local
        time has the coarser granularity, such as local midnights).
    """

    kind: str
    unit: str
    storage: str
    origin: int = 0
    tz: object = None
    objects: str | None = None
    utc: bool = False

    @property
    def granularity(self):
        """Readable name of the granularity, e.g. "day"."""
        return _UNIT_NAMES[self.unit]

    def to_numbers(self, values):
        """Encode datetime64 / timedelta64 values (NaT is NaN)."""
        missing = np.isnat(values)
        coarse = values.astype(self._dtype(self.unit))
        # The origin is taken off in integers: float64 holds nanoseconds since
        # 1970 only to 256 ns.
        ticks = (coarse.view(np.int64) - self.origin).astype(float)
        ticks[missing] = np.nan
        # Values finer than the granularity (new rows to score or condition
        # on) keep their fraction of a unit.
        fine = ~missing & (coarse.astype(values.dtype) != values)
        if fine.any():
            ticks[fine] += _fraction(values[fine], coarse[fine], self.unit)
        return ticks

    def from_numbers(self, x):
        """datetime64 / timedelta64 values (in the storage unit) of encoded numbers."""
        missing = np.isnan(x)
        ticks = np.where(missing, 0, np.round(x)).astype(np.int64) + self.origin
        coarse = ticks.view(self._dtype(self.unit))
        out = coarse.astype(self._dtype(self.storage))
        out[missing] = (
            np.datetime64("NaT") if self.kind == DATETIME else np.timedelta64("NaT")
        )
        return out

    def _dtype(self, unit):
        prefix = "datetime64" if self.kind == DATETIME else "timedelta64"
        return np.dtype(f"{prefix}[{unit}]")

    def describe(self):
        what = "dates" if self.kind == DATETIME else "durations"
        return f"{what} by the {self.granularity}"


def _fraction(values, coarse, unit):
    """Part of a unit by which ``values`` exceed their truncation ``coarse``."""
    if unit in ("Y", "M"):
        # Calendar units have no fixed length: measured in days of the unit.
        days = (values - coarse.astype(values.dtype)) / np.timedelta64(1, "D")
        return days / (366.0 if unit == "Y" else 31.0)
    return (values - coarse.astype(values.dtype)) / np.timedelta64(1, unit)


def granularity(values, kind):
    """Coarsest unit every non-missing value is a whole multiple of."""
    present = values[~np.isnat(values)]
    storage = np.datetime_data(values.dtype)[0]
    units = _DATETIME_UNITS if kind == DATETIME else _TIMEDELTA_UNITS
    prefix = "datetime64" if kind == DATETIME else "timedelta64"
    if storage not in units or present.size == 0:
        return storage if storage in units else "s"
    for unit in units[: units.index(storage)]:
        coarse = present.astype(f"{prefix}[{unit}]")
        if np.all(coarse.astype(values.dtype) == present):
            return unit
    return storage


def make_codec(values, kind, tz=None, objects=None):
    """The codec of datetime64 / timedelta64 ``values`` (its origin: the first
    value, at the granularity)."""
    unit = granularity(values, kind)
    storage = np.datetime_data(values.dtype)[0]
    codec = TimeCodec(kind, unit, storage, 0, tz, objects)
    present = values[~np.isnat(values)]
    if kind == DATETIME and present.size:
        codec.origin = int(present.min().astype(codec._dtype(unit)).view(np.int64))
    return codec


# -- values of the column kinds -----------------------------------------------


def object_time_kind(observed):
    """'date', 'datetime' or 'timedelta' when every value of an object array
    is one of those Python objects (pandas Timestamps count as datetimes),
    else None."""
    if observed.size == 0:
        return None
    types = set(map(type, observed.tolist()))
    if all(issubclass(t, datetime.datetime) for t in types):
        return "datetime"
    if all(issubclass(t, datetime.date) for t in types):
        # Some datetimes among dates: a mixed column, not taken for dates.
        if any(issubclass(t, datetime.datetime) for t in types):
            return None
        return "date"
    if all(issubclass(t, datetime.timedelta) for t in types):
        return "timedelta"
    return None


def objects_to_times(values, missing, objects, label):
    """datetime64 / timedelta64 array of an object array of Python objects,
    and the timezone shared by aware datetimes (None for naive ones)."""
    observed = values[~missing]
    tz = None
    if objects == "datetime":
        zones = {v.tzinfo for v in observed}
        if len(zones) > 1:
            raise ValueError(
                f"Column {label} holds datetimes of several timezones "
                f"({len(zones)}); convert them to one timezone first."
            )
        tz = zones.pop() if zones else None
        if tz is not None:
            naive = [v.replace(tzinfo=None) for v in observed]
            observed = np.array(naive, dtype=object)
        unit, filler = "us", np.datetime64("NaT")
    elif objects == "date":
        unit, filler = "D", np.datetime64("NaT")
    else:
        unit, filler = "us", np.timedelta64("NaT")
    prefix = "timedelta64" if objects == "timedelta" else "datetime64"
    out = np.full(values.shape[0], filler, dtype=f"{prefix}[{unit}]")
    out[~missing] = np.array(observed.tolist(), dtype=f"{prefix}[{unit}]")
    return out, tz


def times_to_objects(times, codec, missing_value):
    """Python date / datetime / timedelta objects of datetime64 values."""
    missing = np.isnat(times)
    if codec.objects == "date":
        out = times.astype("datetime64[D]").astype(object)
    else:
        out = times.astype(f"{times.dtype.str[1:].split('[')[0]}[us]").astype(object)
        if codec.tz is not None:
            out = np.array(
                [v if v is None else v.replace(tzinfo=codec.tz) for v in out],
                dtype=object,
            )
    out = np.asarray(out, dtype=object)
    out[missing] = missing_value
    return out


def parse_condition(value, codec, label):
    """A condition value on a datetime / duration column as datetime64 /
    timedelta64 in the column's encoded frame (UTC or local wall time): a
    string, a date, a datetime, a Timestamp, a numpy value. A naive value on
    an aware column is a local time of its timezone."""
    try:
        if codec.kind == TIMEDELTA:
            if isinstance(value, str):
                import pandas as pd

                return pd.Timedelta(value).to_timedelta64()
            return np.timedelta64(value)
        if isinstance(value, str) and _UTC_OFFSET.search(value):
            # numpy warns about and drops the offset: parsed by pandas.
            import pandas as pd

            value = pd.Timestamp(value)
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            naive = _wall_time(value, codec.tz, codec.utc)
            return np.datetime64(naive.replace(tzinfo=None))
        return _local_to_frame(np.datetime64(value), codec)
    except (ValueError, TypeError) as exc:
        what, example = (
            ("a duration", "'2 days'")
            if codec.kind == TIMEDELTA
            else ("a date", "'2021-03-01'")
        )
        raise ValueError(
            f"`conditions` gives column {label} the value {value!r}, which is not "
            f"{what}: {exc}. Pass {what} such as {example}."
        ) from None


def _local_to_frame(moment, codec):
    """A naive local time of an aware column, in the frame it is encoded in."""
    if not codec.utc or codec.tz is None:
        return moment
    import pandas as pd

    stamp = pd.Timestamp(moment).tz_localize(
        codec.tz, ambiguous=False, nonexistent="shift_forward"
    )
    return stamp.tz_convert("UTC").tz_localize(None).to_datetime64()


def coarser(unit, other):
    """Whether granularity ``unit`` is coarser than ``other``."""
    return _DATETIME_UNITS.index(unit) < _DATETIME_UNITS.index(other)


def _wall_time(value, tz, utc=False):
    """Naive time of an aware datetime, as the column encodes it: in UTC, or
    local time in the column's timezone."""
    if utc:
        tz = datetime.timezone.utc
    if tz is not None:
        value = (
            value.astimezone(tz)
            if not hasattr(value, "tz_convert")
            else (value.tz_convert(tz))
        )
    return value.replace(tzinfo=None)
