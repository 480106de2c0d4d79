"""Values given in ``sample(conditions=...)``, checked and encoded."""

import numbers

import numpy as np

from ._columns import IDENTIFIER, INTEGER, LATTICE, float_storage, is_missing_value
from ._datetimes import parse_condition
from ._identifiers import identifier_condition_error


def encode_condition(spec, value, what="column"):
    """Encoded value of one condition, validated against the column's spec.

    Parameters
    ----------
    spec : ColumnSpec
        The column conditioned on.
    value : object
        The value asked for.
    what : {"column", "target"}
        How the message names the column.

    Returns
    -------
    encoded : float
    """
    if spec.kind == IDENTIFIER:
        raise identifier_condition_error(spec.name)
    if is_missing_value(value):
        if spec.missing_rate == 0:
            raise ValueError(
                f"`conditions` asks for a missing value in {what} {spec.label}, which "
                "had no missing values in fit. Pass a value it took in fit."
            )
        return np.nan
    if spec.is_levels:
        categories = list(np.asarray(spec.categories))
        if value not in categories:
            shown = categories[:20] + (["..."] if len(categories) > 20 else [])
            raise ValueError(
                f"`conditions` gives {what} {spec.label} the value {value!r}, which "
                f"was not seen in fit. Seen values: {shown}. Pass one of them."
            )
        return float(categories.index(value))
    if spec.is_time:
        moment = parse_condition(value, spec.codec, spec.label)
        encoded = float(spec.codec.to_numbers(np.array([moment]))[0])
    elif isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"`conditions` gives numeric {what} {spec.label} the value {value!r}; "
            "pass a number."
        )
    else:
        encoded = _as_stored(spec, value)
    _check_on_support(spec, encoded, value, what)
    return encoded


def _as_stored(spec, value):
    """A number as the column's float dtype holds it, as ``encode`` gives it:
    5.3 in a float32 column is 5.300000190734863."""
    dtype = float_storage(spec.dtype)
    if dtype is not None:
        with np.errstate(over="ignore"):
            return float(dtype.type(value))
    return float(value)


def _on_support(spec, encoded):
    support = spec.support
    if support is None or support.contains(np.array([encoded]))[0]:
        return True
    if support.kind != LATTICE:
        return False
    # The decimals of a float32 column hold to float32 precision only.
    return _as_stored(spec, support.snap(encoded)) == encoded


def _check_on_support(spec, encoded, value, what):
    if not spec.low <= encoded <= spec.high:
        low, high = _shown(spec, spec.low), _shown(spec, spec.high)
        raise ValueError(
            f"`conditions` gives {what} {spec.label} the value {value!r}, outside the "
            f"range [{low}, {high}] seen in fit. Pass a value in that range."
        )
    support = spec.support
    if _on_support(spec, encoded):
        return
    if support.is_finite:
        values = support.values
        shown = ", ".join(_shown(spec, v) for v in values[:10])
        if values.size > 10:
            shown += (
                f", ... ({values.size} values from {_shown(spec, values[0])} to "
                f"{_shown(spec, values[-1])})"
            )
        raise ValueError(
            f"`conditions` gives {what} {spec.label} the value {value!r}, which this "
            f"model never produces: in fit that column took only the values {shown}. "
            "Pass one of these values."
        )
    if spec.is_time:
        unit = spec.codec.granularity
        raise ValueError(
            f"`conditions` gives {what} {spec.label} the value {value!r}, which is "
            f"not a whole {unit}: every value of that column in fit was. Pass a "
            f"value on the {unit}."
        )
    if support.decimals < 0 or support.exceptions is not None:
        but = ""
        if support.exceptions is not None:
            shown = ", ".join(_shown(spec, v) for v in support.exceptions)
            but = f" (but for {shown})"
        raise ValueError(
            f"`conditions` gives {what} {spec.label} the value {value!r}, which is "
            f"not a multiple of {10.0**-support.decimals:g}: in fit, every value of "
            f"that column was one{but}. Pass such a value."
        )
    if spec.kind == INTEGER or support.decimals == 0:
        raise ValueError(
            f"`conditions` gives {what} {spec.label} the value {value!r}, which is "
            "not a whole number: that column holds whole numbers. Pass a whole "
            "number."
        )
    step = 10.0**-support.decimals
    raise ValueError(
        f"`conditions` gives {what} {spec.label} the value {value!r}, which has "
        f"more than {support.decimals} decimal place(s): every value of that column "
        f"in fit is a multiple of {step:g}. Pass such a value."
    )


def _shown(spec, encoded):
    """An encoded value as the user wrote it (dates as dates, whole numbers
    without a decimal point)."""
    if spec.is_time:
        return str(spec.codec.from_numbers(np.array([float(encoded)]))[0])
    encoded = float(encoded)
    if encoded.is_integer():
        return str(int(encoded))
    dtype = float_storage(spec.dtype)
    if dtype is not None:
        # Shortest text of the stored value: 5.3 in a float32 column.
        return str(dtype.type(encoded))
    return repr(encoded)
