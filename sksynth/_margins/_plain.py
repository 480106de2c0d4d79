"""A fitted column margin in plain words, for people who do not read scipy.

``ColumnMargin.describe`` names the family and its parameters
(``lognormal(s=0.1854, loc=0, scale=17.28)``); :func:`plain_words` says
what that means for the values: their shape (symmetric, skewed to the right,
spread evenly), their centre, their usual spread, and the spikes.
"""

import math

import numpy as np
from scipy.special import ndtr

from ._families import ParametricMargin

# Normal quantiles one standard deviation either side of the centre: about
# two thirds of a bell curve's values lie between them.
_ONE_SIGMA = (float(ndtr(-1.0)), float(ndtr(1.0)))
_QUARTILES = (0.25, 0.5, 0.75)
# Spikes named one by one, the largest first.
_SHOWN_ATOMS = 3
# Beta shapes closer than this ratio are called symmetric.
_SYMMETRIC_RATIO = 1.1


def plain_number(value):
    """``value`` with four significant digits, thousands separated, and no
    exponent between 1e-4 and 1e9 (``36,940``, ``925.4``, ``0.01289``)."""
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    magnitude = math.floor(math.log10(abs(value)))
    if not -4 <= magnitude < 9:
        return f"{value:.3g}"
    decimals = max(0, 3 - magnitude)
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def plain_words(margin):
    """What a fitted :class:`ColumnMargin` says about the column's values.

    Parameters
    ----------
    margin : ColumnMargin
        A fitted margin.

    Returns
    -------
    text : str
        One line, such as ``"skewed to the right, median 925.4; two thirds
        of the values within a factor 1.45 of it (636.5 to 1,345)"``.
    """
    if margin.continuous is None:
        parts = [_discrete_words(margin)]
    else:
        parts = [_continuous_words(margin)]
        if margin.atoms.size:
            parts.append(_spike_words(margin))
    if margin.missing_rate > 0:
        parts.append(f"{_percent(margin.missing_rate)} missing")
    return "; ".join(parts)


def _percent(share):
    return f"{100 * share:.3g} %"


def _between(low, high):
    return f"{plain_number(low)} and {plain_number(high)}"


def _from_to(low, high):
    return f"{plain_number(low)} to {plain_number(high)}"


def _continuous_words(margin):
    continuous = margin.continuous
    family = getattr(continuous, "family", None)
    params = getattr(continuous, "params", {})
    low, high = _quantiles(margin, (0.0, 1.0))
    if family == "normal" and not margin.atoms.size:
        loc, scale = params["loc"], params["scale"]
        return (
            f"symmetric bell curve around {plain_number(loc)}; two thirds of the "
            f"values within ±{plain_number(scale)} of it "
            f"({_from_to(loc - scale, loc + scale)})"
        )
    if family == "lognormal" and params.get("loc") == 0 and not margin.atoms.size:
        median, factor = params["scale"], math.exp(params["s"])
        return (
            f"skewed to the right, median {plain_number(median)}; two thirds of "
            f"the values within a factor {factor:.3g} of it "
            f"({_from_to(median / factor, median * factor)})"
        )
    if family == "uniform":
        return f"spread evenly between {_between(low, high)}"
    if family == "exponential":
        return (
            f"most values near {plain_number(params['loc'])}, fewer and fewer "
            f"above: mean {plain_number(params['loc'] + params['scale'])}"
        )
    quartiles = _quantiles(margin, _QUARTILES)
    return (
        f"{_shape_words(continuous)}: median {plain_number(quartiles[1])}, the "
        f"middle half between {_between(quartiles[0], quartiles[2])}"
    )


def _shape_words(continuous):
    """The shape a family gives the values."""
    if not isinstance(continuous, ParametricMargin):
        return "shape taken from the data (no formula)"
    family, params = continuous.family, continuous.params
    if family in ("lognormal", "gamma"):
        return "skewed to the right"
    if family == "student_t":
        return "symmetric, with more extreme values than a bell curve"
    if family == "truncnorm":
        return "bell curve cut at the lowest and highest values"
    if family == "beta":
        ratio = params["a"] / params["b"]
        bounds = _between(params["loc"], params["loc"] + params["scale"])
        if ratio > _SYMMETRIC_RATIO:
            return f"between {bounds}, skewed to the left"
        if ratio < 1 / _SYMMETRIC_RATIO:
            return f"between {bounds}, skewed to the right"
        return f"between {bounds}, symmetric"
    return "symmetric bell curve"


def _quantiles(margin, levels):
    return margin.ppf(np.asarray(levels, dtype=float))


def _spike_words(margin):
    """The largest spikes (atoms) of a margin with a continuous part."""
    order = np.argsort(-margin.atom_probs, kind="stable")[:_SHOWN_ATOMS]
    shown = ", ".join(
        f"{_percent(margin.atom_probs[i])} exactly {plain_number(margin.atoms[i])}"
        for i in order
    )
    more = margin.atoms.size - order.size
    return f"spikes: {shown}" + (f" and {more} more" if more else "")


def _discrete_words(margin):
    """A margin that takes only the values seen in ``fit``."""
    n_values = margin.atoms.size
    if n_values == 1:
        return f"always {plain_number(margin.atoms[0])}"
    order = np.argsort(-margin.atom_probs, kind="stable")[:_SHOWN_ATOMS]
    common = ", ".join(
        f"{plain_number(margin.atoms[i])} ({_percent(margin.atom_probs[i])})"
        for i in order
    )
    return (
        f"only the {n_values} values seen in fit, from "
        f"{_from_to(margin.atoms.min(), margin.atoms.max())}; most common {common}"
    )
