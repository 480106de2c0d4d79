"""Identifier columns: recognised, never modelled, generated anew.

An identifier (a key such as ``customer_id``) holds one distinct value per
row: modelling it would copy training keys into the synthetic rows, which
leaks records and breaks the key. Its *format* is learnt instead, and every
synthetic row gets a new value in that format, unique within the sample and
different from every training value.

The format of text keys is the prefix and suffix all training values share
(``C`` in ``C000123``) and the character classes of the part between them
(digits, upper- or lower-case letters, hexadecimal digits; other characters
kept as they are), with the frequency of each pattern. Integer keys keep the
number of digits of the training keys. Training values are kept only as
64-bit hashes, to exclude them.

Rows drawn apart, in partitions (``sksynth.dask.sample``), get keys unique
across partitions too: the generator of partition ``i`` of ``P`` is a
``KeyBlockRandomState``, and its keys are those of block ``i``: integer keys
equal to ``i`` modulo ``P``, text keys whose last characters, read as a
number in their character classes, equal ``i`` modulo ``P``.
"""

import re
from dataclasses import dataclass

import numpy as np

from ._columns import INTEGER, column_label, looks_like_key_name, missing_share

#: Fewest rows for a column to be taken for an identifier by "auto".
MIN_IDENTIFIER_ROWS = 10
_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_HEX_LOWER = "0123456789abcdef"
_HEX_UPPER = "0123456789ABCDEF"
# Character classes of a pattern: one letter per character.
_CLASSES = {"9": _DIGITS, "A": _UPPER, "a": _LOWER, "x": _HEX_LOWER, "X": _HEX_UPPER}
_MAX_ROUNDS = 50
# Largest integer key: 19-digit keys stay below the int64 limit (the draw's
# exclusive bound, one more, too).
_MAX_INTEGER_KEY = int(np.iinfo(np.int64).max) - 1
# Keys the format of a text identifier is read from.
_FORMAT_SAMPLE = 10_000
_FNV_OFFSET = np.uint64(14695981039346656037)
_FNV_PRIME = np.uint64(1099511628211)


class KeyBlockRandomState(np.random.RandomState):
    """A RandomState that draws the identifier keys of one block of ``count``.

    Keys drawn with generators of different blocks never coincide, so
    partitions sampled apart get keys unique across partitions; everything
    else is drawn as by a plain RandomState of the same seed.

    Parameters
    ----------
    seed : int, BitGenerator or None
        Seed of the generator, as for ``np.random.RandomState``.
    index : int
        The block, ``0 <= index < count``.
    count : int
        Number of blocks (partitions).
    """

    def __init__(self, seed, index, count):
        super().__init__(seed)
        self.key_block = (int(index), int(count))


def _key_block(rng):
    """``(index, count)`` of a ``KeyBlockRandomState``, ``(0, 1)`` otherwise."""
    return getattr(rng, "key_block", (0, 1))


def is_auto_identifier(name, values, missing, kind):
    """The "auto" rule: whether a column is an identifier.

    A column is an identifier when it has at least ``MIN_IDENTIFIER_ROWS``
    (10) rows, no missing value, a distinct value in every row, holds text or
    integers (never floats, booleans, dates or a pandas category), and looks
    like a key: its name ends with ``id``, ``key``, ``uuid`` or ``guid`` as a
    word (``customer_id``, ``CustomerID``, ``orderKey``), or, for text, every
    value holds a digit or all values have the same length (codes such as
    ``C000123``, hashes).

    Parameters
    ----------
    name : object
        Column name.
    values : ndarray
        The column (object array of text, or numbers).
    missing : ndarray of bool
        Missing mask.
    kind : {"text", "integer"}
        What the column holds.

    Returns
    -------
    is_identifier : bool
    """
    n_rows = values.shape[0]
    if n_rows < MIN_IDENTIFIER_ROWS or missing.any():
        return False
    if kind == "integer":
        return looks_like_key_name(name) and _sorted_unique(values).size == n_rows
    if not all(issubclass(type_, str) for type_ in set(map(type, values))):
        return False
    if len(set(values.tolist())) != n_rows:
        return False
    if _are_dates(values):
        # Distinct dates in text (one per row of a daily table) are dates.
        return False
    if looks_like_key_name(name):
        return True
    text = values.astype(str)
    lengths = np.char.str_len(text)
    return bool(np.all(lengths == lengths[0]) or np.all(_holds_digit(text)))


def _holds_digit(text):
    """Whether each string of a str array holds a digit 0-9."""
    codes = text.view(np.uint32).reshape(text.size, -1)
    return ((codes >= ord("0")) & (codes <= ord("9"))).any(axis=1)


def _sorted_unique(values):
    """``np.unique`` of a 1D array by a sort: numpy's hash-based unique of
    integers takes twenty times as long on a million distinct keys."""
    values = np.sort(values)
    if values.size < 2:
        return values
    return values[np.concatenate([[True], values[1:] != values[:-1]])]


def _isin_sorted(values, sorted_values):
    """``np.isin(values, sorted_values)`` for distinct ``sorted_values``."""
    if sorted_values.size == 0:
        return np.zeros(values.shape, dtype=bool)
    index = np.searchsorted(sorted_values, values)
    return sorted_values[np.minimum(index, sorted_values.size - 1)] == values


_ISO_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
)


def _are_dates(values):
    """Whether every text value is an ISO-8601 date or date and time."""
    return all(_ISO_DATE.fullmatch(v) for v in values.tolist())


@dataclass(eq=False)
class IdentifierFormat:
    """What an identifier column looks like, learnt at ``fit``.

    Parameters
    ----------
    kind : {"text", "integer"}
        Text keys or integer keys.
    hashes : ndarray of uint64
        Sorted hashes of the training values (to exclude them).
    prefix, suffix : str
        Text every training key starts and ends with.
    patterns : list of str
        Character-class patterns of the middle parts ("9" digit, "A"
        upper-case, "a" lower-case, "x"/"X" hexadecimal, other characters as
        they are), with ``pattern_shares`` their frequencies.
    low, high : int
        Range integer keys are drawn from.
    missing_rate : float
        Share of missing keys (declared identifier columns only).
    """

    kind: str
    hashes: np.ndarray
    prefix: str = ""
    suffix: str = ""
    patterns: list | None = None
    pattern_shares: np.ndarray | None = None
    low: int = 0
    high: int = 0
    missing_rate: float = 0.0

    @classmethod
    def learn(cls, name, values, missing, kind):
        """Learn the format of the non-missing ``values`` of a column."""
        present = values[~missing]
        missing_rate = missing_share(missing)
        if kind == INTEGER or kind == "integer":
            numbers = np.asarray(present, dtype=np.int64)
            low, high = _integer_range(numbers)
            return cls(
                "integer",
                _sorted_unique(_hash_integers(numbers)),
                low=low,
                high=high,
                missing_rate=missing_rate,
            )
        text = np.asarray(present, dtype=object).astype(str)
        # The format is read off a sample of the keys; every key is hashed.
        step = max(1, text.size // _FORMAT_SAMPLE)
        sample = text[::step].tolist()
        prefix, suffix = _common_ends(sample)
        middles = [v[len(prefix) : len(v) - len(suffix)] for v in sample]
        hexadecimal = _is_hexadecimal(middles)
        patterns, counts = np.unique(
            [_pattern(m, hexadecimal) for m in middles] or [""], return_counts=True
        )
        return cls(
            "text",
            _sorted_unique(_hash_text(text)),
            prefix,
            suffix,
            patterns.tolist(),
            counts / counts.sum(),
            missing_rate=missing_rate,
        )

    def generate(self, n_samples, rng):
        """``n_samples`` new keys, unique, none a training key (None where a
        declared identifier column draws a missing value)."""
        if self.kind == "integer":
            keys = self._new_integers(n_samples, rng)
        else:
            keys = self._new_text(n_samples, rng)
        keys = np.asarray(keys, dtype=object)
        if self.missing_rate > 0:
            keys[rng.random_sample(n_samples) < self.missing_rate] = None
        return keys

    def _new_integers(self, n_samples, rng):
        low, high = self.low, self.high
        block, n_blocks = _key_block(rng)
        keys = np.zeros(0, dtype=np.int64)
        key_hashes = np.zeros(0, dtype=np.uint64)
        for _ in range(_MAX_ROUNDS):
            room = (high - low + 1 - self.hashes.size) // n_blocks - keys.size
            if room < 2 * (n_samples - keys.size):
                high = min(
                    low + 2 * (high - low + 1 + n_samples * n_blocks),
                    _MAX_INTEGER_KEY,
                )
            size = 2 * (n_samples - keys.size) + 16
            # Drawn as integers: floats would wrap past int64 and round keys
            # beyond 2**53 to multiples of a power of two. Keys of block
            # ``block`` are ``block + n_blocks * j``.
            first = -(-(low - block) // n_blocks)
            last = (high - block) // n_blocks
            candidates = rng.randint(first, last + 1, size=size, dtype=np.int64)
            if n_blocks > 1:
                candidates = candidates * n_blocks + block
            keys, key_hashes = self._keep_new(
                keys, key_hashes, candidates, _hash_integers
            )
            if keys.size >= n_samples:
                break
        return rng.permutation(keys[:n_samples]).astype(object)

    def _new_text(self, n_samples, rng):
        keys = np.zeros(0, dtype=str)
        key_hashes = np.zeros(0, dtype=np.uint64)
        extra = 0
        for _ in range(_MAX_ROUNDS):
            size = 2 * (n_samples - keys.size) + 16
            candidates = self._draw_text(size, extra, rng)
            before = keys.size
            keys, key_hashes = self._keep_new(keys, key_hashes, candidates, _hash_text)
            if keys.size >= n_samples:
                break
            if keys.size - before < (n_samples - before) / 4:
                # The patterns hold too few new keys: one character more.
                extra += 1
        return keys[:n_samples].astype(object)

    def _draw_text(self, size, extra, rng):
        """``size`` keys drawn from the patterns, as a str array."""
        which = rng.choice(len(self.patterns), size=size, p=self.pattern_shares)
        filled = []
        for k, pattern in enumerate(self.patterns):
            rows = np.flatnonzero(which == k)
            if rows.size:
                middles = _fill(
                    pattern + _pad(pattern, extra), rows.size, rng, _key_block(rng)
                )
                filled.append((rows, middles))
        middles = np.empty(size, dtype=np.result_type(*(m for _, m in filled)))
        for rows, values in filled:
            middles[rows] = values
        return np.char.add(np.char.add(self.prefix, middles), self.suffix)

    def _keep_new(self, keys, key_hashes, candidates, hash_function):
        """``keys`` followed by the ``candidates`` that are neither training
        keys nor kept already (first draws of a repeat), with their hashes."""
        hashes = hash_function(candidates)
        fresh = ~_isin_sorted(hashes, self.hashes)
        hashes = np.concatenate([key_hashes, hashes[fresh]])
        _, first = np.unique(hashes, return_index=True)
        first = np.sort(first)
        return np.concatenate([keys, candidates[fresh]])[first], hashes[first]

    def describe(self):
        if self.kind == "integer":
            return f"integer keys from {self.low} to {self.high}"
        pattern = self.patterns[0] if self.patterns else ""
        shown = self.prefix + pattern.replace("9", "#").replace("\0", "") + self.suffix
        return f"text keys like {shown!r}"


def _integer_range(numbers):
    """Keys with the training keys' number of digits."""
    if numbers.size == 0:
        return 1, 10**6
    low, high = int(numbers.min()), int(numbers.max())
    if low < 0:
        return low, high
    digits_low, digits_high = len(str(low)), len(str(high))
    high = min(10**digits_high - 1, _MAX_INTEGER_KEY)
    return (0 if digits_low == 1 else 10 ** (digits_low - 1)), high


def _common_ends(values):
    """Longest prefix and (non-overlapping) suffix of every value (a list of
    strings)."""
    if not values:
        return "", ""
    shortest = min(len(v) for v in values)
    prefix = 0
    while prefix < shortest and len({v[prefix] for v in values}) == 1:
        prefix += 1
    # Keep the varying part non-empty, and digits of a number whole: a shared
    # leading zero of "000123", "000456" is part of the number.
    while prefix and values[0][prefix - 1].isdigit():
        prefix -= 1
    suffix = 0
    while suffix < shortest - prefix and len({v[-1 - suffix] for v in values}) == 1:
        suffix += 1
    while suffix and values[0][len(values[0]) - suffix].isdigit():
        suffix -= 1
    return values[0][:prefix], values[0][len(values[0]) - suffix :] if suffix else ""


def _is_hexadecimal(middles):
    """The hexadecimal class of middle parts that are hexadecimal strings
    holding letters: "x" (lower-case) or "X" (upper-case), else None."""
    joined = "".join(middles)
    letters = {c for c in joined if c.isalpha()}
    if letters and letters <= set("abcdef"):
        return "x"
    if letters and letters <= set("ABCDEF"):
        return "X"
    return None


def _pattern(text, hexadecimal):
    out = []
    for c in text:
        # The digits of upper-case hexadecimal keys are of the upper-case class.
        if hexadecimal and c in _CLASSES[hexadecimal]:
            out.append(hexadecimal)
        elif c in _DIGITS:
            out.append("9")
        elif c in _UPPER:
            out.append("A")
        elif c in _LOWER:
            out.append("a")
        else:
            out.append("\0" + c)
    return "".join(out)


def _pad(pattern, extra):
    """Classes of ``extra`` more characters: like the pattern's last one."""
    if not extra:
        return ""
    last = next((c for c in reversed(pattern) if c in _CLASSES), "9")
    return last * extra


def _fill(pattern, size, rng, block=(0, 1)):
    """``size`` random strings of a pattern (literal characters kept), built
    as a block of code points viewed as strings.

    With ``block=(i, P)``, ``P > 1``, the last class characters (as many as
    make at least ``P`` values, one more class character appended when the
    pattern has too few) read as a number in their classes equal ``i``
    modulo ``P``: strings of different blocks differ.
    """
    index, n_blocks = block
    parts = _pattern_parts(pattern)
    if n_blocks > 1:
        while np.prod([float(len(a)) for a in parts if a is not None]) < n_blocks:
            parts.append(_CLASSES[_pad(pattern, 1) or "9"])
    digits = [None] * len(parts)
    if n_blocks > 1:
        digits = _block_digits(parts, size, rng, index, n_blocks)
    points = []
    for part, fixed in zip(parts, digits, strict=True):
        if isinstance(part, int):
            points.append(np.full(size, part, dtype=np.uint32))
            continue
        alphabet = np.frombuffer(part.encode("utf-32-le"), dtype=np.uint32)
        if fixed is None:
            fixed = rng.randint(0, alphabet.size, size)
        points.append(alphabet[fixed])
    if not points:
        return np.full(size, "")
    block_points = np.ascontiguousarray(np.column_stack(points))
    return block_points.view(f"<U{len(points)}").ravel()


def _pattern_parts(pattern):
    """A pattern as a list: the alphabet of each class character, the code
    point of each literal one."""
    parts, index = [], 0
    while index < len(pattern):
        c = pattern[index]
        if c == "\0":
            parts.append(ord(pattern[index + 1]))
            index += 2
            continue
        parts.append(_CLASSES[c])
        index += 1
    return parts


def _block_digits(parts, size, rng, index, n_blocks):
    """Digits of the last class characters, a number equal to ``index``
    modulo ``n_blocks`` drawn uniformly; None for the other parts."""
    digits = [None] * len(parts)
    tail, radix = [], 1
    for k in range(len(parts) - 1, -1, -1):
        if isinstance(parts[k], str):
            tail.append(k)
            radix *= len(parts[k])
            if radix >= n_blocks:
                break
    # Uniform over the numbers below ``radix`` that are ``index`` mod n_blocks.
    n_values = -(-(radix - index) // n_blocks)
    number = index + n_blocks * rng.randint(0, n_values, size, dtype=np.int64)
    for k in tail:
        base = len(parts[k])
        digits[k] = number % base
        number = number // base
    return digits


def _hash_text(values):
    """64-bit FNV-1a hashes of strings, vectorised over the characters."""
    text = np.asarray(values)
    if text.dtype.kind != "U":
        text = text.astype(str)
    if text.size == 0:
        return np.zeros(0, dtype=np.uint64)
    width = max(text.dtype.itemsize // 4, 1)
    codes = np.ascontiguousarray(text).view(np.uint32).reshape(text.size, width)
    lengths = np.char.str_len(text)
    h = np.full(text.size, _FNV_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for position in range(width):
            live = position < lengths
            mixed = (h ^ codes[:, position].astype(np.uint64)) * _FNV_PRIME
            h = np.where(live, mixed, h)
        h = (h ^ lengths.astype(np.uint64)) * _FNV_PRIME
    return h


def _hash_integers(values):
    """64-bit mixes of integers (splitmix64's finaliser)."""
    x = np.asarray(values, dtype=np.int64).view(np.uint64).copy()
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


def identifier_condition_error(name):
    return ValueError(
        f"`conditions` names column {column_label(name)}, an identifier: sksynth "
        "does not model identifiers (every synthetic row gets a new one), so it "
        "cannot condition on them. Leave it out of `conditions`."
    )
