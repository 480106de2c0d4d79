"""The ``sksynth`` command line: ``demo``, ``fit-sample``, ``sample``, ``evaluate``,
``balance`` and ``detect-constraints``.

Tables are read and written with pandas, as CSV or (with pyarrow) Parquet,
chosen by the file extension. In a CSV file only empty cells are missing
(``--na-values`` adds markers), so that a level such as "None" or "NA" stays a
level. A CSV text column whose values all are ISO-8601 dates or times, or
durations as pandas writes them, is read as datetime64 / timedelta64
(``--datetime`` forces columns, ``--no-datetime-detection`` turns detection
off); the text format of each such column is recorded and the output is
written in it. Column kinds are inferred by the library from the dtypes read;
``--categorical`` forces columns to categorical. ``--constraints`` takes
``auto`` or a JSON file of rules (as ``detect-constraints --output`` writes
it). Bad input ends with one line ``sksynth: error: ...`` on stderr and exit
code 2.

Tables bigger than memory go through Dask (:mod:`sksynth._cli_dask`): an
input that is a folder or a glob of files, or ``--dask``, ``--workers N`` or
``--scheduler ADDRESS``, reads the table lazily; the output is then a folder
of Parquet files, as it is for an output path that ends with ``/``, has no
extension or names an existing folder.
"""

import argparse
import dataclasses
import os
import shlex
import sys
import textwrap
import threading
import time
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import NamedTuple

_SUFFIXES = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_EXIT_ERROR = 2
# Standard output closed by its reader, as Python itself exits on it.
_EXIT_BROKEN_PIPE = 1
# Steps that last longer than this many seconds report on stderr.
_PROGRESS_DELAY = 2.0
# Tables of more than this many rows get the library's progress lines (the
# estimators' ``verbose=1``) without --verbose.
_VERBOSE_ROWS = 100_000

_DEMO_TARGET = "diagnosis"
# Layout of the demo's margins: column names, then the text wrapped at
# _DEMO_WIDTH characters.
_DEMO_NAME_WIDTH = 27
_DEMO_WIDTH = 96

# The texts pandas reads as missing by default. The command line reads them as
# text (a level "None" is a level) and only notes a numeric column that holds
# one of them.
_PANDAS_NA_TEXTS = frozenset(
    {"#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND"}
    | {"1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}
)
# `fit-sample --save` records the training file's column order on the model
# under this name, for `sample` to write the same order.
_COLUMNS_ATTRIBUTE = "_sksynth_columns"
# ... and the text formats of its dates, times and durations under this name,
# for `sample` to write them the same way.
_TIME_FORMATS_ATTRIBUTE = "_sksynth_time_formats"
# `balance` notes a class grown more than this many times its size.
_GROWTH_NOTE_FOLD = 10

_SAMPLING_STRATEGIES = ("auto", "minority", "not majority", "not minority", "all")


class CommandError(Exception):
    """Bad input to a command; its message is printed as one line."""


# --------------------------------------------------------------------------
# Tables in and out


def _pandas():
    from ._data import import_pandas

    try:
        return import_pandas("the command line")
    except ImportError as exc:
        raise CommandError(_one_line(exc)) from exc


def _one_line(exc):
    """The message of an exception on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


def _file_format(path, role):
    """'csv' or 'parquet' from the extension of ``path``."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise CommandError(
            f"{role} '{path}' has an unsupported extension {suffix or '(none)'!r}; "
            "use .csv or .parquet"
        )
    return _SUFFIXES[suffix]


class Table(NamedTuple):
    """A table read by :func:`read_table`.

    ``frame`` is the DataFrame; ``time_formats`` maps each column read from
    text as dates, times or durations to its :class:`TimeFormat`, and
    ``texts`` holds those columns as they were in the file.
    """

    frame: object
    time_formats: dict
    texts: dict


def read_table(
    path,
    na_values=(),
    datetime_columns=(),
    detect_times=True,
    keep_text=(),
    real=None,
):
    """Read a CSV or Parquet file into a :class:`Table` with at least one row.

    In a CSV file the empty cells and the texts ``na_values`` are missing,
    nothing else: pandas' other defaults ("None", "NA", "null", ...) stay
    text. With ``detect_times``, each CSV text column (but those in
    ``keep_text``) whose values all are ISO-8601 dates or times, or durations
    as pandas writes them, is read as datetime64 / timedelta64; the columns
    ``datetime_columns`` must be (in a Parquet file too). Parquet files hold
    their own dtypes and missing values.

    ``real`` names the table this one is compared with, whose columns of
    dates are ``datetime_columns``: those this table lacks are skipped, and
    an error about the others names ``real``.
    """
    frame, file_format = _read_frame(path, na_values)
    if file_format == "csv":
        _note_numbers_read_as_text(frame, path)
    if real is None:
        for name in datetime_columns:
            _check_column(frame, name, path, "--datetime")
            if name in keep_text:
                raise CommandError(
                    f"column {name!r} is named by --datetime and --categorical; "
                    "name it in one of them"
                )
    else:
        datetime_columns = [name for name in datetime_columns if name in frame.columns]
    detect = detect_times and file_format == "csv"
    return _read_times(frame, path, datetime_columns, detect, keep_text, real)


def _read_frame(path, na_values):
    """The DataFrame of a CSV or Parquet file, and its format."""
    file_format = _file_format(path, "input file")
    if not Path(path).is_file():
        raise CommandError(f"input file '{path}' does not exist")
    pd = _pandas()
    try:
        if file_format == "csv":
            frame = pd.read_csv(path, keep_default_na=False, na_values=["", *na_values])
        else:
            frame = pd.read_parquet(path)
    except pd.errors.EmptyDataError:
        raise CommandError(f"input file '{path}' is empty") from None
    except ImportError:
        raise CommandError(
            f"reading '{path}' needs pyarrow: pip install pyarrow"
        ) from None
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise CommandError(
            f"cannot read '{path}' as {file_format}: {_one_line(exc)}"
        ) from None
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise CommandError(f"input file '{path}' has no data rows")
    return frame, file_format


def _note_numbers_read_as_text(frame, path):
    """Note on stderr each text column that holds numbers and a text pandas
    would read as missing, such as "NA": the column is read as text."""
    pd = _pandas()
    for name in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[name]):
            continue
        values = frame[name].dropna()
        is_marker = values.isin(_PANDAS_NA_TEXTS)
        numbers = values[~is_marker]
        if not is_marker.any() or numbers.empty:
            continue
        if pd.to_numeric(numbers, errors="coerce").notna().all():
            markers = ",".join(sorted(set(values[is_marker])))
            print(
                f"sksynth: note: column {name!r} of '{path}' holds numbers and "
                f"the text {markers!r} ({int(is_marker.sum())} rows), so it is "
                f"read as text; add --na-values {shlex.quote(markers)} to read it "
                "as missing",
                file=sys.stderr,
            )


def write_table(frame, path, time_formats=None, texts=None):
    """Write ``frame`` as CSV or Parquet, by the extension of ``path``.

    In a CSV file the columns of ``time_formats`` are written in their
    :class:`TimeFormat`, and the first rows of the columns of ``texts`` are
    those texts (original rows written as they were read).
    """
    file_format = _file_format(path, "output file")
    try:
        if file_format == "csv":
            frame = _times_as_text(frame, time_formats or {}, texts or {})
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
    except ImportError:
        raise CommandError(
            f"writing '{path}' needs pyarrow: pip install pyarrow"
        ) from None
    except (ValueError, OSError) as exc:
        raise CommandError(f"cannot write '{path}': {_one_line(exc)}") from None
    n_rows, n_columns = frame.shape
    print(f"Wrote {n_rows} rows x {n_columns} columns to {path}")


def _check_column(frame, name, path, option):
    if name not in frame.columns:
        columns = ", ".join(map(str, frame.columns))
        raise CommandError(
            f"{option} column {name!r} is not in '{path}'; its columns are: {columns}"
        )


def _check_target(frame, target, path):
    """Check that ``frame`` holds the column ``target``, beside other columns,
    with a value in every row."""
    _check_column(frame, target, path, "--target")
    if frame.shape[1] == 1:
        raise CommandError(f"'{path}' has no column besides the target {target!r}")
    n_missing = int(frame[target].isna().sum())
    if n_missing:
        raise CommandError(
            f"--target column {target!r} of '{path}' has {n_missing} missing "
            "value(s); drop those rows first"
        )


def split_target(frame, target, path):
    """``(X, y)`` with ``y`` the column ``target`` (None when no target)."""
    if target is None:
        return frame, None
    _check_target(frame, target, path)
    return frame.drop(columns=target), frame[target]


def _check_class_target(counts, name, path):
    """Check that the ``--target`` column ``name``, of class sizes ``counts``,
    holds two classes or more."""
    import numpy as np
    from sklearn.utils.multiclass import type_of_target

    n_classes = len(counts)
    if n_classes < 2:
        label = counts.index.tolist()[0]
        raise CommandError(
            f"--target column {name!r} of '{path}' holds a single class "
            f"({label!r}); balancing needs two classes or more: pick a column of "
            "class labels with several values"
        )
    if type_of_target(np.asarray(counts.index)) == "continuous":
        raise CommandError(
            f"--target column {name!r} of '{path}' holds continuous values "
            f"({n_classes} distinct numbers), not classes; balancing applies to "
            "a column of class labels only: pick one, or for more rows with this "
            f"target use `sksynth fit-sample --target {name}`"
        )


def join_target(X, y, columns):
    """The table ``X`` with ``y`` put back as a column, in the order ``columns``."""
    pd = _pandas()
    if not hasattr(X, "columns"):
        X = pd.DataFrame(X)
    if y is None:
        return X
    if not hasattr(y, "name"):
        y = pd.Series(y, name="y")
    frame = X.copy()
    frame[y.name] = y.set_axis(X.index)
    return frame[columns] if columns is not None else frame


def _categorical_features(option, X, target, path):
    """The ``categorical_features`` and ``target_type`` given by ``--categorical``.

    Naming the target in ``--categorical`` makes it a class label.
    """
    if not option:
        return "from_dtype", "auto"
    names = _comma_list(option)
    target_type = "classification" if target in names else "auto"
    features = [name for name in names if name != target]
    for name in features:
        _check_column(X, name, path, "--categorical")
    return features or "from_dtype", target_type


# --------------------------------------------------------------------------
# Dates, times and durations in CSV text

# ISO-8601 dates and times: a date, then optionally a time (after "T" or a
# space) to the minute, second or fraction of a second, and a UTC offset.
_TIME_PATTERN = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,9})?)?"
    r"(?:Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_OFFSET_PATTERN = r"[+-][0-9]{2}:[0-9]{2}"
# Lengths of a date, and of a date and a time to the second.
_DATE_LENGTH, _SECOND_LENGTH = 10, 19
# Durations as pandas writes them: "1 days", "0 days 01:30:00",
# "-1 days +23:00:00.500000".
_DURATION_PATTERN = (
    r"-?[0-9]+ days?(?: [+-]?[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?)?"
)
_UTC_OFFSETS = frozenset({"Z", "+00:00", "-00:00"})
# Detection looks at the first values of a text column before all of them.
_N_DETECTION_VALUES = 100
# A text column with at least this share of dates (or durations) that holds
# other values is noted on stderr.
_NOTE_TIME_SHARE = 0.5
_N_EXAMPLES = 3


@dataclasses.dataclass(frozen=True)
class TimeFormat:
    """How a column of dates, times or durations is written as text.

    Parameters
    ----------
    kind : {"date", "datetime", "duration"}
        ``YYYY-MM-DD`` dates, dates with a time, or durations (written as
        pandas writes them).
    separator : {"T", " "}
        Between the date and the time.
    precision : int
        Of the time: -1 to the minute, 0 to the second, 1 to 9 digits of
        fractions of a second.
    offset : str
        UTC offset written after every time: "" (none), "Z", "+00:00",
        "+02:00".
    """

    kind: str
    separator: str = "T"
    precision: int = 0
    offset: str = ""


class _NotTimes(Exception):
    """A text column that is not all dates, times or durations.

    ``bad`` holds its texts that are not (those without a UTC offset when
    ``offsets`` is set: some times have one, those do not).
    """

    def __init__(self, kind, bad, n_values, offsets=False):
        super().__init__(kind)
        self.kind = kind
        self.bad = bad
        self.share = 1 - len(bad) / n_values
        self.offsets = offsets

    def problem(self):
        """What the column holds that is not a date, as a phrase."""
        n_rows = f"{len(self.bad)} row{'s' if len(self.bad) > 1 else ''}"
        if self.offsets:
            return (
                f"times with a UTC offset and {n_rows} without (such as "
                f"{self.bad.iloc[0]!r})"
            )
        values = self._examples()
        if len(values) == 1:
            what = "an ISO-8601 date or time" if self.kind == "date" else "a duration"
            what = f"is not {what}"
        else:
            what = "ISO-8601 dates or times" if self.kind == "date" else "durations"
            what = f"are not {what}"
        return f"{', '.join(map(repr, values))} ({n_rows}), which {what}"

    def way_out(self):
        if self.offsets:
            return "give every time an offset, or none"
        values = self._examples()
        markers = shlex.quote(",".join(values))
        them = "it" if len(values) == 1 else "them"
        return f"add --na-values {markers} to read {them} as missing, or correct {them}"

    def _examples(self):
        return list(self.bad.drop_duplicates().iloc[:_N_EXAMPLES])


def _is_text(column):
    pd = _pandas()
    return column.dtype == object or isinstance(column.dtype, pd.StringDtype)


def _read_times(frame, path, datetime_columns, detect, keep_text=(), real=None):
    """The :class:`Table` of ``frame`` with its columns of dates, times and
    durations read: the columns ``datetime_columns`` and, with ``detect``,
    the text columns that look like them (not those in ``keep_text``).

    ``real`` names the table in which the ``datetime_columns`` were read as
    dates, for the message when one is not.
    """
    pd = _pandas()
    time_formats, texts = {}, {}
    for name in frame.columns:
        column = frame[name]
        forced = name in datetime_columns
        if forced:
            if pd.api.types.is_datetime64_any_dtype(
                column
            ) or pd.api.types.is_timedelta64_dtype(column):
                continue
            if not _is_text(column):
                raise _not_text_error(column, name, path, real)
        elif not (detect and name not in keep_text and _is_text(column)):
            continue
        elif not _may_hold_times(column):
            continue
        try:
            times, time_format = _parse_times(column, name, path)
        except _NotTimes as exc:
            if forced:
                raise _not_times_error(exc, name, path, real) from None
            if exc.share >= _NOTE_TIME_SHARE:
                what = "dates" if exc.kind == "date" else "durations"
                _note(
                    f"column {name!r} of '{path}' looks like {what} but holds "
                    f"{exc.problem()}, so it is read as text; {exc.way_out()}"
                )
            continue
        frame[name] = times
        time_formats[name] = time_format
        texts[name] = column
    return Table(frame, time_formats, texts)


def _not_times_error(exc, name, path, real):
    if real is None:
        return CommandError(
            f"--datetime column {name!r} of '{path}' holds {exc.problem()}; "
            f"{exc.way_out()}, or leave the column out of --datetime"
        )
    return CommandError(
        f"column {name!r} of '{path}' holds {exc.problem()}, unlike the same "
        f"column of '{real}'; {exc.way_out()}"
    )


def _not_text_error(column, name, path, real):
    example = column.dropna().iloc[:1].tolist()
    such_as = f" (such as {example[0]!r})" if example else ""
    lead = f"column {name!r} of '{path}' holds {column.dtype} values{such_as}"
    if real is None:
        return CommandError(
            f"--datetime {lead}, not text of dates, times or durations; leave "
            "it out of --datetime"
        )
    return CommandError(
        f"{lead}, unlike the same column of '{real}' (dates, times or "
        f"durations); write it as there"
    )


def _may_hold_times(column):
    """Whether one of the first values of a text column is a date, a time or
    a duration (a quick test before reading every value)."""
    head = column.dropna().iloc[:_N_DETECTION_VALUES].astype(str)
    return bool(
        (
            head.str.fullmatch(_TIME_PATTERN) | head.str.fullmatch(_DURATION_PATTERN)
        ).any()
    )


def _parse_times(column, name, path):
    """datetime64 or timedelta64 values of a column of ISO-8601 dates and
    times or of durations, and its :class:`TimeFormat`; raises
    :class:`_NotTimes` when a value is not one."""
    texts = column.dropna().astype(str)
    if texts.empty:
        return _pandas().to_datetime(column), TimeFormat("date")
    is_time = texts.str.fullmatch(_TIME_PATTERN)
    if is_time.all():
        return _parse_datetimes(column, texts, name, path)
    is_duration = texts.str.fullmatch(_DURATION_PATTERN)
    if is_duration.all():
        return _parse_durations(column, texts)
    if is_duration.sum() > is_time.sum():
        raise _NotTimes("duration", texts[~is_duration], len(texts))
    raise _NotTimes("date", texts[~is_time], len(texts))


def _parse_datetimes(column, texts, name, path):
    """Dates and times read from the ISO-8601 ``texts`` of ``column``.

    Times with a single UTC offset keep it as their timezone (UTC for ``Z``);
    times with several offsets are converted to UTC (with a note).
    """
    pd = _pandas()
    # Every text matches _TIME_PATTERN: its length and its last characters
    # tell its parts.
    lengths = texts.str.len()
    has_time = lengths > _DATE_LENGTH
    is_z = texts.str.endswith("Z")
    tails = texts.str[-6:]
    is_numeric_offset = has_time & tails.str.fullmatch(_OFFSET_PATTERN)
    has_offset = is_z | is_numeric_offset
    if has_offset.any() and not has_offset.all():
        raise _NotTimes("date", texts[~has_offset], len(texts), offsets=True)
    offsets = tails.where(is_numeric_offset, "Z")[has_offset]
    offset, utc = _offset(offsets, name, path)
    times = pd.to_datetime(texts, format="ISO8601", errors="coerce", utc=utc)
    if times.isna().any():
        raise _NotTimes("date", texts[times.isna()], len(texts))
    if not has_time.any():
        return times.reindex(column.index), TimeFormat("date")
    separator = texts[has_time].str[_DATE_LENGTH].mode().iloc[0]
    length = int((lengths - is_z - 6 * is_numeric_offset).max())
    if length > _SECOND_LENGTH:
        precision = length - _SECOND_LENGTH - 1
    else:
        precision = 0 if length == _SECOND_LENGTH else -1
    time_format = TimeFormat("datetime", separator, precision, offset)
    return times.reindex(column.index), time_format


def _offset(offsets, name, path):
    """The offset to write and whether to read in UTC, for times with the UTC
    ``offsets`` (none for naive times)."""
    zones = set(offsets.unique())
    if not zones:
        return "", False
    if zones <= _UTC_OFFSETS:
        return ("Z" if offsets.mode().iloc[0] == "Z" else "+00:00"), True
    if len(zones) == 1:
        return zones.pop(), False
    _note(
        f"column {name!r} of '{path}' holds times with {len(zones)} UTC "
        "offsets, so it is read and written in UTC (+00:00); give every time "
        "one offset to keep it"
    )
    return "+00:00", True


def _parse_durations(column, texts):
    """Durations read from the ``texts`` of ``column``."""
    import numpy as np

    pd = _pandas()
    # Parsed once per distinct text: durations repeat, and parsing is slow.
    codes, uniques = pd.factorize(texts)
    parsed = pd.to_timedelta(np.asarray(uniques, dtype=object), errors="coerce")
    times = pd.Series(parsed[codes], index=texts.index)
    if times.isna().any():
        raise _NotTimes("duration", texts[times.isna()], len(texts))
    return times.reindex(column.index), TimeFormat("duration")


def _times_as_text(frame, time_formats, texts):
    """``frame`` with its columns of ``time_formats`` as text in their
    format, and the texts of ``texts`` in the first rows."""
    pd = _pandas()
    columns = {}
    for name, time_format in time_formats.items():
        if name not in frame.columns:
            continue
        column = frame[name]
        if time_format.kind == "duration":
            if not pd.api.types.is_timedelta64_dtype(column):
                continue
            text = _durations_as_text(column)
        elif pd.api.types.is_datetime64_any_dtype(column):
            text = _datetimes_as_text(column, time_format)
        else:
            continue
        text = text.where(column.notna())
        if name in texts:
            text.iloc[: len(texts[name])] = texts[name].to_numpy(dtype=object)
        columns[name] = text
    return frame.assign(**columns) if columns else frame


def _durations_as_text(column):
    """The text pandas writes for the timedelta64 ``column`` (missing values
    stay missing)."""
    import numpy as np

    pd = _pandas()
    # Formatted once per distinct duration, a slow step; pandas picks one
    # format for the distinct values as for the whole column.
    codes, uniques = pd.factorize(column)
    text = uniques.astype(str).to_numpy(dtype=object)[codes]
    text[codes < 0] = np.nan
    return pd.Series(text, index=column.index, dtype=object)


def _datetimes_as_text(column, time_format):
    """The text of the datetime64 ``column`` in ``time_format`` ("NaT" where
    missing); an aware column in its own wall time."""
    import numpy as np

    pd = _pandas()
    if column.dt.tz is not None:
        column = column.dt.tz_localize(None)
    precision = time_format.precision
    if time_format.kind == "date":
        unit = "D"
    elif precision <= 0:
        unit = "m" if precision < 0 else "s"
    else:
        unit = ("ms", "us", "ns")[(precision - 1) // 3]
    text = np.datetime_as_string(column.to_numpy(), unit=unit)
    if time_format.kind == "date":
        return pd.Series(text, index=column.index, dtype=object)
    if precision > 0:
        # "YYYY-MM-DDTHH:MM:SS." and the digits: the cast cuts the rest.
        text = text.astype(f"<U{20 + precision}")
    text = pd.Series(text, index=column.index, dtype=object)
    if time_format.separator != "T":
        text = text.str.replace("T", time_format.separator, n=1, regex=False)
    return text + time_format.offset


def _saved_time_formats(synthesizer):
    """The :class:`TimeFormat` of each column ``fit-sample --save`` recorded
    on the model (none for a model saved without them)."""
    saved = getattr(synthesizer, _TIME_FORMATS_ATTRIBUTE, None)
    try:
        return {name: TimeFormat(**fields) for name, fields in saved.items()}
    except (AttributeError, TypeError):
        return {}


def _note(message):
    print(f"sksynth: note: {message}", file=sys.stderr)


# --------------------------------------------------------------------------
# Running library code


@contextmanager
def _progress(message):
    """Report ``message`` on stderr if the step lasts over a couple of seconds;
    the library's progress lines (``verbose``) go to stderr too."""
    start = time.perf_counter()
    timer = threading.Timer(
        _PROGRESS_DELAY,
        lambda: print(f"sksynth: {message}...", file=sys.stderr, flush=True),
    )
    timer.daemon = True
    timer.start()
    try:
        with redirect_stdout(sys.stderr):
            yield
    finally:
        timer.cancel()
        elapsed = time.perf_counter() - start
        if elapsed >= _PROGRESS_DELAY:
            print(f"sksynth: {message}: {elapsed:.1f} s", file=sys.stderr, flush=True)


@contextmanager
def _library_errors():
    """Turn the library's messages about bad data into a CommandError."""
    try:
        yield
    except (ValueError, TypeError) as exc:
        raise CommandError(_one_line(exc)) from None


def _verbosity(args, n_rows):
    """The library's ``verbose``: --verbose's count, else 1 for tables of more
    than ``_VERBOSE_ROWS`` rows."""
    if args.verbose is not None:
        return args.verbose
    return int(n_rows > _VERBOSE_ROWS)


# Names on the command line -> sksynth's classes (the options' choices and help).
_SYNTHESIZERS = {
    "copula": "GaussianCopulaSynthesizer",
    "kde": "KDESynthesizer",
    "tree": "TreeSynthesizer",
    "mixture": "MixtureSynthesizer",
    "forest": "ForestSynthesizer",
}
_OVER_SAMPLERS = {
    "kde": "KDEOverSampler",
    "copula": "CopulaOverSampler",
    "tree": "TreeOverSampler",
    "forest": "ForestOverSampler",
    "noise": "NoiseAugmenter",
}


def _choices_help(names, default):
    classes = list(names.values())
    return f"{', '.join(classes[:-1])} or {classes[-1]} (default: {default})"


def _make_synthesizer(
    name,
    categorical_features,
    id_columns,
    target_type,
    random_state,
    constraints=None,
    verbose=0,
    linked_columns="auto",
):
    import sksynth

    synthesizer_class = getattr(sksynth, _SYNTHESIZERS[name])
    return synthesizer_class(
        categorical_features=categorical_features,
        id_columns=id_columns,
        target_type=target_type,
        constraints=constraints,
        random_state=random_state,
        verbose=verbose,
        **_linking(synthesizer_class, linked_columns),
    )


def _make_over_sampler(
    name,
    categorical_features,
    id_columns,
    sampling_strategy,
    random_state,
    constraints=None,
    verbose=0,
    linked_columns="auto",
):
    import sksynth

    over_sampler_class = getattr(sksynth, _OVER_SAMPLERS[name])
    return over_sampler_class(
        sampling_strategy=sampling_strategy,
        categorical_features=categorical_features,
        id_columns=id_columns,
        constraints=constraints,
        random_state=random_state,
        verbose=verbose,
        **_linking(over_sampler_class, linked_columns),
    )


def _linking(estimator_class, linked_columns):
    """``linked_columns`` for an estimator that takes it (the forests keep
    amounts apart with it; their groups leave out what the data rule out)."""
    if "linked_columns" in estimator_class._get_param_names():
        return {"linked_columns": linked_columns}
    return {}


def _linked_option(args):
    """``linked_columns`` of ``--no-linked-columns``."""
    return None if args.no_linked_columns else "auto"


def _sample(synthesizer, n_samples, columns, random_state=None):
    with _progress(f"sampling {n_samples} rows"), _library_errors():
        result = synthesizer.sample(n_samples, random_state=random_state)
    X, y = result if isinstance(result, tuple) else (result, None)
    return join_target(X, y, columns)


def load_synthesizer(path):
    """Load a fitted sksynth synthesizer saved with joblib."""
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    from ._base import BaseSynthesizer

    if not Path(path).is_file():
        raise CommandError(f"model file '{path}' does not exist")
    import joblib

    try:
        synthesizer = joblib.load(path)
    except Exception as exc:  # unpickling fails in many ways
        raise CommandError(
            f"model file '{path}' is not a saved sksynth synthesizer "
            f"({type(exc).__name__}: {_one_line(exc)})"
        ) from None
    if not isinstance(synthesizer, BaseSynthesizer):
        raise CommandError(
            f"model file '{path}' holds a {type(synthesizer).__name__}, not a "
            "sksynth synthesizer; save one with `sksynth fit-sample ... --save`"
        )
    try:
        check_is_fitted(synthesizer)
    except NotFittedError:
        raise CommandError(
            f"the synthesizer in '{path}' is not fitted; fit it before saving"
        ) from None
    return synthesizer


# --------------------------------------------------------------------------
# Commands


def _training_table(args, new_rows):
    """The table of ``args.data`` split on ``--target``, with the column kinds
    ``--categorical`` asks for and its identifiers (noted on stderr: the
    ``new_rows`` get new keys); the output format is checked first."""
    _check_output(args)
    table = read_table(
        args.data,
        args.na_values,
        args.datetime,
        args.detect_times,
        keep_text=_comma_list(args.categorical or ""),
    )
    X, y = split_target(table.frame, args.target, args.data)
    categorical_features, target_type = _categorical_features(
        args.categorical, X, args.target, args.data
    )
    id_columns = _identifier_columns(X, categorical_features, args.data, new_rows)
    return table, X, y, (categorical_features, id_columns), target_type


def _identifier_columns(X, categorical_features, path, new_rows):
    """The columns of ``X`` the library takes for identifiers, by its "auto"
    rule, each noted on stderr (so that the library need not warn)."""
    from ._data import TableSchema

    with _library_errors():
        names = TableSchema.from_data(X, categorical_features).auto_identifiers
    for name in names:
        _note(
            f"column {name!r} of '{path}' holds a distinct key in every row, so "
            f"it is an identifier: {new_rows} get new keys in its format; add "
            f"--categorical {shlex.quote(str(name))} to model it instead"
        )
    return names


def _check_output(args, with_dask=False):
    """Check ``--output``: a .csv or .parquet file, or a Parquet folder (with
    Dask input, always), new or empty; ``--npartitions`` needs a folder."""
    from ._cli_dask import check_folder_output, is_folder_output

    if with_dask or is_folder_output(args.output):
        check_folder_output(args.output, with_dask)
        return
    _file_format(args.output, "output file")
    if getattr(args, "npartitions", None) is not None:
        raise CommandError(
            f"--npartitions applies to a folder of Parquet files; output "
            f"'{args.output}' is one file: give a folder such as out/, or drop "
            "--npartitions"
        )


def _dask_verbosity(args):
    """``verbose`` of a command on Dask input: --verbose's count, else 1."""
    return 1 if args.verbose is None else args.verbose


def fit_sample(args):
    """``sksynth fit-sample``: fit a synthesizer to a table and sample from it."""
    from ._cli_dask import is_folder_output, uses_dask

    if uses_dask(args, args.data):
        return _fit_sample_dask(args)
    table, X, y, column_kinds, target_type = _training_table(args, "the synthetic rows")
    constraints = _constraints_option(args.constraints, X, args.data, args.target)
    synthesizer = _make_synthesizer(
        args.synthesizer,
        *column_kinds,
        target_type,
        args.random_state,
        constraints,
        _verbosity(args, max(len(X), args.n_samples)),
        _linked_option(args),
    )
    name = type(synthesizer).__name__
    with _progress(f"fitting {name} to {len(X)} rows"), _library_errors():
        synthesizer.fit(X, y)
    columns = list(table.frame.columns)
    if is_folder_output(args.output):
        with _dask_session(args, synthesizer.verbose):
            _sample_folder(synthesizer, args, columns, args.random_state)
    else:
        synthetic = _sample(synthesizer, args.n_samples, columns)
        write_table(synthetic, args.output, table.time_formats)
    _after_fit(synthesizer, args, constraints, columns, table.time_formats)
    return 0


def _fit_sample_dask(args):
    """``fit-sample`` on a table read with Dask, into a Parquet folder."""
    _check_output(args, with_dask=True)
    verbose = _dask_verbosity(args)
    with _dask_session(args, verbose):
        table, X, y = _dask_training_table(args)
        categorical_features, target_type = _categorical_features(
            args.categorical, X, args.target, args.data
        )
        constraints = _constraints_option(args.constraints, X, args.data, args.target)
        synthesizer = _make_synthesizer(
            args.synthesizer,
            categorical_features,
            "auto",
            target_type,
            args.random_state,
            constraints,
            verbose,
            _linked_option(args),
        )
        name = type(synthesizer).__name__
        message = f"fitting {name} to the {X.npartitions} partitions of '{args.data}'"
        with _progress(message), _library_errors():
            synthesizer.fit(X, y)
        columns = list(table.frame.columns)
        _sample_folder(synthesizer, args, columns, args.random_state)
    _after_fit(synthesizer, args, constraints, columns, table.time_formats)
    return 0


def _dask_session(args, verbose):
    from ._cli_dask import dask_session

    return dask_session(args, verbose)


def _dask_training_table(args):
    """The table of ``args.data`` read with Dask, and its ``(X, y)``."""
    from ._cli_dask import read_dask_table

    table = read_dask_table(
        args.data,
        args.na_values,
        args.datetime,
        args.detect_times,
        keep_text=_comma_list(args.categorical or ""),
    )
    X, y = _split_dask_target(table.frame, args.target, args.data)
    return table, X, y


def _split_dask_target(frame, target, path):
    """``(X, y)`` of a Dask table, ``y`` its column ``target`` (or None)."""
    if target is None:
        return frame, None
    _check_column(frame, target, path, "--target")
    if len(frame.columns) == 1:
        raise CommandError(f"'{path}' has no column besides the target {target!r}")
    return frame.drop(columns=target), frame[target]


def _sample_folder(synthesizer, args, columns, random_state):
    """Draw ``--n-samples`` rows with :func:`sksynth.dask.sample` into the
    Parquet folder ``--output``, the target joined in ``columns`` order (or
    in the saved order when ``columns`` is None)."""
    from ._cli_dask import join_target, print_written, write_folder
    from .dask import sample as dask_sample

    verbose = synthesizer.verbose
    # Dask shows the partitions' progress: no line from each of them.
    synthesizer.verbose = 0
    try:
        with _library_errors():
            result = dask_sample(
                synthesizer,
                args.n_samples,
                npartitions=args.npartitions,
                random_state=random_state,
            )
        X, y = result if isinstance(result, tuple) else (result, None)
        frame = join_target(X, y, columns)
        if columns is None:
            frame = _saved_column_order(frame, synthesizer)
        with _progress(f"sampling {args.n_samples} rows"), _library_errors():
            n_rows, n_files = write_folder(frame, args.output, verbose)
    finally:
        synthesizer.verbose = verbose
    print_written(n_rows, n_files, len(frame.columns), args.output)


def _after_fit(synthesizer, args, constraints, columns, time_formats):
    """Print the rules kept and save the model (``--save``)."""
    name = type(synthesizer).__name__
    # Rules of --constraints, and the groups of linked columns.
    rules = synthesizer.describe_constraints().splitlines()
    if constraints is not None or rules:
        _print_rules_kept(rules, "synthetic")
    if args.save:
        import joblib

        # The saved model prints nothing: `sample` sets its own verbose.
        synthesizer.set_params(verbose=0)
        setattr(synthesizer, _COLUMNS_ATTRIBUTE, columns)
        time_formats = {
            name: dataclasses.asdict(time_format)
            for name, time_format in time_formats.items()
        }
        setattr(synthesizer, _TIME_FORMATS_ATTRIBUTE, time_formats)
        try:
            joblib.dump(synthesizer, args.save)
        except OSError as exc:
            raise CommandError(
                f"cannot write '{args.save}': {_one_line(exc)}"
            ) from None
        print(f"Saved the fitted {name} to {args.save}")


def sample(args):
    """``sksynth sample``: sample from a saved synthesizer."""
    from ._cli_dask import is_folder_output, uses_dask

    with_dask = uses_dask(args)
    _check_output(args, with_dask)
    synthesizer = load_synthesizer(args.model)
    random_state = args.random_state
    if random_state is None:
        # The saved generator is the same on every load: a fresh one, so that
        # two runs draw different rows.
        import numpy as np

        random_state = np.random.RandomState()
    synthesizer.verbose = _verbosity(args, args.n_samples)
    if with_dask or is_folder_output(args.output):
        with _dask_session(args, synthesizer.verbose):
            _sample_folder(synthesizer, args, None, random_state)
        return 0
    synthetic = _sample(synthesizer, args.n_samples, None, random_state)
    write_table(
        _saved_column_order(synthetic, synthesizer),
        args.output,
        _saved_time_formats(synthesizer),
    )
    return 0


def _saved_column_order(frame, synthesizer):
    """``frame`` in the column order ``fit-sample --save`` recorded on the
    model; as it is (the target last) for a model saved without one."""
    columns = getattr(synthesizer, _COLUMNS_ATTRIBUTE, None)
    if columns is None or set(columns) != set(frame.columns):
        return frame
    return frame[columns]


def evaluate(args):
    """``sksynth evaluate``: print how close a synthetic table is to a real one."""
    from ._cli_dask import uses_dask
    from .metrics import evaluate_synthetic

    if uses_dask(args, args.real, args.synthetic, args.holdout):
        with _dask_session(args, _dask_verbosity(args)):
            real, synthetic, holdout = _evaluation_samples(args)
    else:
        real, synthetic, holdout = _evaluation_tables(args)
    constraints = _constraints_option(args.constraints, real, args.real)
    if args.target is not None:
        tables = [(args.real, real), (args.synthetic, synthetic)]
        if holdout is not None:
            tables.append((args.holdout, holdout))
        for path, frame in tables:
            # Without a holdout the utility test does not run: the target is
            # one more column.
            if holdout is None:
                _check_column(frame, args.target, path, "--target")
            else:
                _check_target(frame, args.target, path)
    with _progress("evaluating"), _library_errors():
        report = evaluate_synthetic(
            real,
            synthetic,
            holdout=holdout,
            target=args.target,
            constraints=constraints,
            random_state=args.random_state,
            verbose=_verbosity(args, max(len(real), len(synthetic))),
        )
    # The files first: a reader that stops early (``| head``) closes standard
    # output, and the report printed first then left them unwritten.
    written = []
    if args.figures:
        written.append(
            _write_figures(
                real, synthetic, holdout, args.figures, args.random_state, report
            )
        )
    if args.html:
        written.append(_write_html(report, real, synthetic, holdout, args))
    print(report)
    for message in filter(None, written):
        print(f"\n{message}")
    return 0


def _evaluation_tables(args):
    """The real, synthetic and holdout (or None) tables of ``evaluate``; the
    columns of dates, times and durations of the real table are read as such
    in the others."""
    real = read_table(args.real, args.na_values, args.datetime, args.detect_times)
    times = {*args.datetime, *real.time_formats}

    def read_other(path):
        return read_table(
            path, args.na_values, times, args.detect_times, real=args.real
        ).frame

    synthetic = read_other(args.synthetic)
    holdout = None if args.holdout is None else read_other(args.holdout)
    return real.frame, synthetic, holdout


def _evaluation_samples(args):
    """The tables of ``evaluate`` read with Dask: of each, a seeded random
    sample of at most ``SAMPLE_ROWS`` rows (said on stdout)."""
    from ._cli_dask import SAMPLE_ROWS, bounded_sample, note_sample, read_dask_table

    def read(path, datetime_columns, real=None):
        table = read_dask_table(
            path, args.na_values, datetime_columns, args.detect_times, real=real
        )
        with _progress(f"drawing at most {SAMPLE_ROWS:,} rows of '{path}'"):
            frame, n_total = bounded_sample(table.frame, args.random_state)
        note_sample(len(frame), n_total, path, "Evaluating")
        return table, frame

    real, real_frame = read(args.real, args.datetime)
    times = {*args.datetime, *real.time_formats}
    synthetic = read(args.synthetic, times, args.real)[1]
    holdout = None
    if args.holdout is not None:
        holdout = read(args.holdout, times, args.real)[1]
    return real_frame, synthetic, holdout


def _write_html(report, real, synthetic, holdout, args):
    """Write the report as HTML with the figures of ``--figures``, else with
    figures drawn into a temporary folder (none without matplotlib)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sksynth-figures-") as temporary:
        folder = args.figures
        if not folder:
            folder = None
            if _has_matplotlib():
                from .metrics import save_figures

                with _progress("drawing figures"), _library_errors():
                    save_figures(
                        real,
                        synthetic,
                        temporary,
                        holdout=holdout,
                        random_state=args.random_state,
                        report=report,
                    )
                folder = temporary
            else:
                print(
                    "sksynth: HTML report without figures: they need matplotlib: "
                    "pip install matplotlib",
                    file=sys.stderr,
                )
        elif not Path(folder).is_dir():
            folder = None
        try:
            path = report.to_html(args.html, figures=folder)
        except OSError as exc:
            raise CommandError(
                f"cannot write '{args.html}': {_one_line(exc)}"
            ) from None
    return f"HTML report written to {path}"


def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def _write_figures(real, synthetic, holdout, folder, random_state, report=None):
    """Draw the figures into ``folder``; return the line that says so (None
    without matplotlib)."""
    if not _has_matplotlib():
        print(
            "sksynth: no figures: they need matplotlib: pip install matplotlib",
            file=sys.stderr,
        )
        return None
    from .metrics import save_figures

    with _progress("drawing figures"), _library_errors():
        try:
            paths = save_figures(
                real,
                synthetic,
                folder,
                holdout=holdout,
                random_state=random_state,
                report=report,
            )
        except OSError as exc:
            raise CommandError(f"cannot write '{folder}': {_one_line(exc)}") from None
    return f"Figures written to {Path(folder)}/: " + ", ".join(p.name for p in paths)


def balance(args):
    """``sksynth balance``: over-sample the smaller classes of a table."""
    from ._cli_dask import uses_dask

    if uses_dask(args, args.data):
        return _balance_dask(args)
    table, X, y, column_kinds, _ = _training_table(args, "the new rows")
    _check_class_target(y.value_counts(), y.name, args.data)
    sampling_strategy = _resolve_sampling_strategy(
        args.sampling_strategy, y.value_counts(), y.name, args.data
    )
    constraints = _constraints_option(args.constraints, X, args.data, args.target)
    over_sampler = _make_over_sampler(
        args.method,
        *column_kinds,
        sampling_strategy,
        args.random_state,
        constraints,
        _verbosity(args, len(X)),
        _linked_option(args),
    )
    name = type(over_sampler).__name__
    with _progress(f"resampling with {name}"), _library_errors():
        X_resampled, y_resampled = over_sampler.fit_resample(X, y)
    resampled = join_target(X_resampled, y_resampled, list(table.frame.columns))
    # The original rows come first, written as they were read.
    write_table(resampled, args.output, table.time_formats, table.texts)
    _print_class_counts(
        y.value_counts(dropna=False), y_resampled.value_counts(dropna=False)
    )
    if constraints is not None or over_sampler.constraints_:
        _print_rules_kept(list(map(str, over_sampler.constraints_)), "new")
    return 0


def _balance_dask(args):
    """``balance`` of a table read with Dask: the original partitions and the
    new ones written to a Parquet folder."""
    from ._cli_dask import join_target, print_written, write_folder

    _check_output(args, with_dask=True)
    if args.constraints is not None:
        raise CommandError(
            f"--constraints is not supported on a table read with Dask ('{args.data}'"
            "); drop it, or balance a single file without --dask, --workers and "
            "--scheduler"
        )
    verbose = _dask_verbosity(args)
    with _dask_session(args, verbose):
        table, X, y = _dask_training_table(args)
        categorical_features, _ = _categorical_features(
            args.categorical, X, args.target, args.data
        )
        with _progress(f"counting the classes of '{args.data}'"):
            counts = y.value_counts(dropna=False).compute()
        n_missing = int(counts[counts.index.isna()].sum())
        if n_missing:
            raise CommandError(
                f"--target column {y.name!r} of '{args.data}' has {n_missing} "
                "missing value(s); drop those rows first"
            )
        _check_class_target(counts, y.name, args.data)
        sampling_strategy = _resolve_sampling_strategy(
            args.sampling_strategy, counts, y.name, args.data
        )
        over_sampler = _make_over_sampler(
            args.method,
            categorical_features,
            "auto",
            sampling_strategy,
            args.random_state,
            None,
            verbose,
            _linked_option(args),
        )
        name = type(over_sampler).__name__
        with _progress(f"resampling with {name}"), _library_errors():
            X_resampled, y_resampled = over_sampler.fit_resample(X, y)
            resampled = join_target(X_resampled, y_resampled, list(table.frame.columns))
            n_rows, n_files = write_folder(resampled, args.output, verbose)
    print_written(n_rows, n_files, len(resampled.columns), args.output)
    pd = _pandas()
    added = pd.Series(dict(over_sampler.sampling_strategy_), dtype="int64")
    after = counts.add(added.reindex(counts.index, fill_value=0), fill_value=0)
    _print_class_counts(counts, after.astype("int64"))
    if getattr(over_sampler, "constraints_", None):  # the linked columns
        _print_rules_kept(list(map(str, over_sampler.constraints_)), "new")
    return 0


def _constraints_option(option, X, path, target=None):
    """The ``constraints`` of ``--constraints``: None, "auto" or the rules of
    a JSON file, whose columns are checked against ``X`` (the table of
    ``path``, without its ``target`` column)."""
    if option is None or option == "auto":
        return option
    rules = _read_rules(option)
    for i, rule in enumerate(rules):
        for name in rule._unknown_columns(X.columns):
            where = f"--constraints rule '{rule}' (entry {i} of '{option}')"
            if name == target:
                raise CommandError(
                    f"{where} names the --target column {name!r}; rules apply to "
                    f"the other columns: drop it from '{option}' (`sksynth "
                    f"detect-constraints --target {shlex.quote(str(target))}` "
                    "leaves the target out)"
                )
            columns = ", ".join(map(str, X.columns))
            raise CommandError(
                f"{where} names column {name!r}, which is not in '{path}'; its "
                f"columns are: {columns}; correct the rule in '{option}' or "
                "delete it"
            )
    return rules


def _read_rules(path):
    """The rules of the JSON file ``path`` of ``--constraints``."""
    from .constraints import load_constraints

    if not Path(path).is_file():
        raise CommandError(
            f"--constraints file '{path}' does not exist; pass auto, or a JSON "
            "file of rules such as `sksynth detect-constraints DATA --output "
            f"{shlex.quote(str(path))}` writes"
        )
    try:
        return load_constraints(path)
    except ValueError as exc:
        raise CommandError(f"--constraints: {_one_line(exc)}") from None


def _print_rules_kept(lines, rows):
    """Print the rules every one of the ``rows`` rows keeps, one a line."""
    if not lines:
        print(f"No rule for the {rows} rows: --constraints found or holds none")
        return
    print(f"Rules every {rows} row keeps:")
    for line in lines:
        print(f"  {line}")


def detect_constraints(args):
    """``sksynth detect-constraints``: print the rules that hold on a table
    and write them as JSON."""
    from .constraints import detect_constraints as detect
    from .constraints import save_constraints

    if args.output is not None:
        _check_rules_file(args.output)
    frame = _rules_table(args)
    if args.target is not None:
        _check_column(frame, args.target, args.data, "--target")
        frame = frame.drop(columns=args.target)
    with _progress(f"searching rules in {len(frame)} rows"), _library_errors():
        rules = detect(frame, tolerance=args.tolerance, random_state=args.random_state)
    _print_rules_found(rules, frame, args.data)
    if args.output is None:
        if rules:
            print(
                "Add --output rules.json to save them, then pass --constraints "
                "rules.json to fit-sample, balance or evaluate"
            )
        return 0
    try:
        save_constraints(rules, args.output)
    except OSError as exc:
        raise CommandError(f"cannot write '{args.output}': {_one_line(exc)}") from None
    print(
        f"Wrote {len(rules)} rule{'' if len(rules) == 1 else 's'} to {args.output}: "
        "edit it (delete a rule you do not want) and pass it with --constraints "
        f"{shlex.quote(str(args.output))}"
    )
    return 0


def _rules_table(args):
    """The table ``detect-constraints`` searches: the file, or a seeded random
    sample of at most ``SAMPLE_ROWS`` rows of a table read with Dask."""
    from ._cli_dask import SAMPLE_ROWS, bounded_sample, note_sample, uses_dask

    if not uses_dask(args, args.data):
        return read_table(
            args.data, args.na_values, args.datetime, args.detect_times
        ).frame
    from ._cli_dask import read_dask_table

    with _dask_session(args, _dask_verbosity(args)):
        table = read_dask_table(
            args.data, args.na_values, args.datetime, args.detect_times
        )
        with _progress(f"drawing at most {SAMPLE_ROWS:,} rows of '{args.data}'"):
            frame, n_total = bounded_sample(table.frame, args.random_state)
    note_sample(len(frame), n_total, args.data, "Searching rules")
    return frame


def _check_rules_file(path):
    if Path(path).suffix.lower() != ".json":
        suffix = Path(path).suffix.lower() or "(none)"
        raise CommandError(
            f"output file '{path}' has the extension {suffix!r}; rules are "
            "written as JSON: use .json"
        )


def _print_rules_found(rules, frame, path):
    """Print the rules, one a line, with the rows of ``frame`` that break
    each (a rule may hold up to the tolerance)."""
    n_rows, n_columns = frame.shape
    if not rules:
        print(f"No rule found in '{path}' ({n_rows} rows x {n_columns} columns)")
        return
    print(
        f"Found {len(rules)} rule{'' if len(rules) == 1 else 's'} in '{path}' "
        f"({n_rows} rows x {n_columns} columns):"
    )
    for rule in rules:
        n_broken = int((~rule.is_valid(frame)).sum())
        broken = ""
        if n_broken:
            rows = "1 row breaks" if n_broken == 1 else f"{n_broken} rows break"
            broken = f"  ({rows} it)"
        print(f"  {rule}{broken}")


def _resolve_sampling_strategy(sampling_strategy, counts, name, path):
    """The ``sampling_strategy`` of the over-sampler for the classes of sizes
    ``counts`` of the ``--target`` column ``name``.

    A name passes as it is; a ratio and ``class:count`` pairs are checked
    against the classes, whose labels replace the texts of the pairs.
    """
    if isinstance(sampling_strategy, str):
        return sampling_strategy
    if isinstance(sampling_strategy, float):
        _check_ratio(sampling_strategy, counts, name, path)
        return sampling_strategy
    labels = {str(label): label for label in counts.index}
    resolved = {}
    for text, n_rows in sampling_strategy.items():
        if text not in labels:
            raise CommandError(
                f"--sampling-strategy names class {text!r}, which is not in "
                f"--target column {name!r} of '{path}'; its classes are: "
                + ", ".join(labels)
            )
        label = labels[text]
        if n_rows < counts[label]:
            raise CommandError(
                f"--sampling-strategy asks for {n_rows} rows of class {text!r}, "
                f"which has {counts[label]}; balancing only adds rows: give "
                f"{counts[label]} or more"
            )
        resolved[label] = n_rows
    return resolved


def _check_ratio(ratio, counts, target, path):
    """Check that the ratio ``ratio`` applies to the class counts ``counts``:
    two classes, and a smaller class that does not shrink."""
    if len(counts) != 2:
        raise CommandError(
            f"--sampling-strategy {ratio:g} (a ratio) applies to two classes; "
            f"--target column {target!r} of '{path}' has {len(counts)}: give "
            "class:count,... or a name such as 'not majority' instead"
        )
    n_majority, n_minority = counts.max(), counts.min()
    if int(ratio * n_majority - n_minority) < 0:
        raise CommandError(
            f"--sampling-strategy {ratio:g} asks for fewer rows of class "
            f"'{counts.idxmin()}' than it has ({n_minority} of {n_majority}, a "
            f"ratio of {n_minority / n_majority:.3g}); balancing only adds rows: "
            f"give a ratio of {n_minority / n_majority:.3g} or more"
        )


def _print_class_counts(before, after):
    """Print the rows of each class before and after (``value_counts``), and
    note each class grown more than ``_GROWTH_NOTE_FOLD`` times."""
    try:
        after = after.sort_index()
    except TypeError:  # labels of mixed types keep the order of their counts
        pass
    labels = [str(label) for label in after.index]
    width = max(len("class"), *map(len, labels))
    print(f"{'class':<{width}}  {'before':>8}  {'after':>8}")
    for label, label_text in zip(after.index, labels):
        print(f"{label_text:<{width}}  {before.get(label, 0):>8}  {after[label]:>8}")
    for label, label_text in zip(after.index, labels):
        n_before, n_after = before.get(label, 0), after[label]
        if n_before and n_after > _GROWTH_NOTE_FOLD * n_before:
            print(
                f"note: class '{label_text}' was grown {n_after / n_before:.1f}-fold "
                f"(from {n_before} to {n_after} rows); synthetic rows dominate it"
            )


# --------------------------------------------------------------------------
# The demo


def _demo_with_target(X, y):
    """The table with its target as the last column."""
    if hasattr(X, "assign"):
        return X.assign(**{_DEMO_TARGET: y.to_numpy()})
    import numpy as np

    return np.column_stack([X, y])


def _demo_save_figures(real, synthetic, holdout, report, args):
    """Draw the figures from the report's results; the line to print after it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return "\n(No figures: they need matplotlib: pip install matplotlib.)"
    from .metrics import save_figures

    paths = save_figures(
        real,
        synthetic,
        args.figures,
        holdout=holdout,
        random_state=args.random_state,
        report=report,
    )
    return f"\nFigures written to {Path(args.figures)}/: " + ", ".join(
        p.name for p in paths
    )


def _print_demo_margins(synthesizer, target_names, n_columns=5):
    """The margins of the first class's first columns: the fitted formula,
    then what it says about the values in plain words."""
    from ._copula import plain_marginals

    klass = synthesizer.classes_[0]
    label = target_names[int(klass)] if target_names is not None else klass
    print(
        f"\nColumns of class {klass} ({label} tumours), first {n_columns}: the "
        "fitted formula, then what it says:"
    )
    plain = plain_marginals(synthesizer)[klass]
    indent = " " * _DEMO_NAME_WIDTH
    for name, description in list(synthesizer.marginals_[klass].items())[:n_columns]:
        print(f"  {str(name):<{_DEMO_NAME_WIDTH - 2}}{description}")
        if name in plain:
            print(
                textwrap.fill(
                    plain[name],
                    width=_DEMO_WIDTH,
                    initial_indent=indent,
                    subsequent_indent=indent,
                )
            )


class _ReaderMayLeave:
    """Standard output for a long printout followed by files: once its reader
    has left (``| head``), the rest of the text goes to the null device and
    the command carries on, so that the files are still written."""

    def __init__(self, stream):
        self.stream = stream
        self.left = False

    def write(self, text):
        if not self.left:
            try:
                self.stream.write(text)
                self.stream.flush()
            except BrokenPipeError:
                self.left = True
                _silence_stdout()
        return len(text)

    def flush(self):
        if not self.left:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self.left = True
                _silence_stdout()

    def fileno(self):
        return self.stream.fileno()


def demo(args):
    """Fit a synthesizer on a bundled data set and report how close it is."""
    out = _ReaderMayLeave(sys.stdout)
    with redirect_stdout(out):
        _demo(args)
    return _EXIT_BROKEN_PIPE if out.left else 0


def _demo(args):
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    from . import GaussianCopulaSynthesizer
    from .metrics import evaluate_synthetic

    if args.frame:
        try:
            import pandas  # noqa: F401
        except ImportError:
            args.frame = False
    data = load_breast_cancer(as_frame=args.frame)
    X, y = data.data, data.target
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=1 / 3, stratify=y, random_state=args.random_state
    )
    n_rows, n_columns = X.shape
    print(
        "sksynth demo: GaussianCopulaSynthesizer on scikit-learn's breast cancer "
        f"data ({n_rows} rows x {n_columns} columns + a binary target)."
    )
    print(f"Train on {len(X_train)} real rows, hold out {len(X_test)} real rows.\n")

    synthesizer = GaussianCopulaSynthesizer(random_state=args.random_state)
    start = time.perf_counter()
    synthesizer.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    n_samples = len(X_train) if args.n_samples is None else args.n_samples
    start = time.perf_counter()
    X_synth, y_synth = synthesizer.sample(n_samples)
    sample_time = time.perf_counter() - start
    print(f"fit: {fit_time:.2f} s    sample {n_samples} rows: {sample_time:.2f} s")

    _print_demo_margins(synthesizer, data.target_names)

    print(
        "\nHow close the synthetic rows are to the training rows, beside the same "
        "figure for real held-out rows (what perfect looks like):\n"
    )
    real = _demo_with_target(X_train, y_train)
    synthetic = _demo_with_target(X_synth, y_synth)
    holdout = _demo_with_target(X_test, y_test)
    report = evaluate_synthetic(
        real,
        synthetic,
        holdout=holdout,
        target=_DEMO_TARGET if args.frame else X_train.shape[1],
        random_state=args.random_state,
    )
    # The figures are drawn before the long printout, so that a reader who
    # stops it early (``| head``) still gets them.
    figures = (
        _demo_save_figures(real, synthetic, holdout, report, args)
        if args.figures
        else None
    )
    print(report)
    if figures:
        print(figures)
    if args.frame:
        print("\nFirst synthetic rows:")
        print(X_synth.iloc[:5, :6].round(3).to_string())


# --------------------------------------------------------------------------
# Argument parsing


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1; got {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1; got {value}")
    return value


def _tolerance(text):
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a share of the rows in [0, 1), such as 0.001; got {text!r}"
        )
    return value


def _comma_list(text):
    """The items of an option ``A,B`` (markers of ``--na-values``, column
    names of ``--datetime`` and ``--categorical``)."""
    return [item.strip() for item in text.split(",") if item.strip()]


def _sampling_strategy(text):
    """The value of ``--sampling-strategy``: a name, a ratio or, from
    ``class:count,...``, a dict of class texts to row counts."""
    text = text.strip()
    if text in _SAMPLING_STRATEGIES:
        return text
    if ":" in text:
        return _class_counts(text)
    try:
        ratio = float(text)
    except ValueError:
        names = ", ".join(map(repr, _SAMPLING_STRATEGIES))
        raise argparse.ArgumentTypeError(
            f"expected one of {names}, a ratio in (0, 1] or class:count,...; "
            f"got {text!r}"
        ) from None
    if not 0 < ratio <= 1:
        raise argparse.ArgumentTypeError(
            f"a ratio must be in (0, 1] (rows of the smaller class per row of "
            f"the larger); got {text!r}"
        )
    return ratio


def _class_counts(text):
    """``{class: count}`` from ``class:count,...`` (the class split off at the
    last colon)."""
    counts = {}
    for pair in filter(None, (pair.strip() for pair in text.split(","))):
        label, _, count = (part.strip() for part in pair.rpartition(":"))
        try:
            n_rows = int(count)
        except ValueError:
            n_rows = 0
        if not label or n_rows < 1:
            raise argparse.ArgumentTypeError(
                f"expected class:count pairs with a count >= 1; got {pair!r}"
            )
        if label in counts:
            raise argparse.ArgumentTypeError(
                f"class {label!r} is given twice; give each class once"
            )
        counts[label] = n_rows
    return counts


def _add_na_values(parser):
    parser.add_argument(
        "--na-values",
        type=_comma_list,
        default=[],
        metavar="A,B",
        help="comma-separated texts to read as missing values in CSV files, "
        "besides empty cells (by default texts such as 'None' or 'NA' are "
        "values)",
    )


def _add_time_options(parser):
    parser.add_argument(
        "--datetime",
        type=_comma_list,
        default=[],
        metavar="A,B",
        help="comma-separated columns to read as dates, times or durations; "
        "an error names a value that is not one (by default every CSV text "
        "column whose values all are ISO-8601 dates or times, such as "
        "2024-05-31, 2024-05-31 14:30:00 or 2024-05-31T14:30Z, or durations "
        "such as '0 days 01:30:00', is read so; the output keeps its format)",
    )
    parser.add_argument(
        "--no-datetime-detection",
        dest="detect_times",
        action="store_false",
        help="read as dates, times or durations only the --datetime columns",
    )


def _add_common(parser, *, categorical=True, seed_help=None):
    parser.add_argument(
        "--random-state",
        type=int,
        default=None,
        metavar="N",
        help=seed_help
        or "seed, for reproducible output (default: different rows on every run)",
    )
    if categorical:
        parser.add_argument(
            "--categorical",
            metavar="A,B",
            help="comma-separated columns to treat as categorical (by default "
            "column kinds follow the dtypes pandas reads)",
        )


def _add_verbose(parser):
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=None,
        help="print each step of the work with its time on stderr (-vv for finer "
        f"steps; default: on for tables of more than {_VERBOSE_ROWS:,} rows)",
    )


_INPUT_HELP = (
    " (.csv or .parquet), or a folder or a glob such as 'data/*.parquet' of "
    "such files, read with Dask"
)
_OUTPUT_HELP = (
    "file to write (.csv or .parquet), or a folder of Parquet files (a path "
    "ending with '/' or without extension, or an existing folder; always with "
    "Dask input), one file per partition"
)


def _add_dask_options(parser, npartitions=False):
    group = parser.add_argument_group(
        "tables bigger than memory",
        "The table is read lazily with Dask (one partition per Parquet file, "
        "CSV files in Dask's default blocks) when the input is a folder or a "
        "glob, or with --dask, --workers or --scheduler; the output is then a "
        "folder of Parquet files, and each step prints its progress on stderr "
        "(as --verbose). These need the dask extra: pip install 'sksynth[dask]'.",
    )
    group.add_argument(
        "--dask",
        action="store_true",
        help="read a single file with Dask too (for a file bigger than memory)",
    )
    group.add_argument(
        "--workers",
        type=_positive_int,
        metavar="N",
        help="run on a local Dask cluster of N worker processes of one thread "
        "each (default: Dask's threads)",
    )
    group.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on the running Dask cluster whose scheduler is at ADDRESS, "
        "such as tcp://10.0.0.5:8786",
    )
    if npartitions:
        group.add_argument(
            "--npartitions",
            type=_positive_int,
            metavar="N",
            help="Parquet files of the output folder, drawn in parallel "
            "(default: one per 1,000,000 rows); with --random-state the rows "
            "depend only on the seed and N, not on the workers",
        )


def _add_constraints(parser, help_text):
    parser.add_argument("--constraints", metavar="auto|FILE", help=help_text)


def _add_linked_columns(parser, rows):
    parser.add_argument(
        "--no-linked-columns",
        action="store_true",
        help="model every column on its own. By default few-valued columns the "
        "data link (a pair of values never seen together though chance would "
        "give it 10 rows or more, such as a husband who is female) are learnt "
        f"as one column of their combinations, so that {rows} keep those rules "
        "(the forest leaves such combinations out by itself), amounts that "
        "exclude one another (a capital gain and a capital loss) are kept apart, "
        "columns in an order every row keeps (a start before its end) stay in "
        "that order, and a most common value that implies another column's (no "
        "days since the last contact where there was none) keeps implying it",
    )


_RULES_FILE_HELP = (
    "a JSON file of rules as `sksynth detect-constraints --output FILE` writes "
    "it (edited or not)"
)


def _add_demo_parser(commands):
    parser = commands.add_parser(
        "demo", help="fit a synthesizer on a bundled data set and report on it"
    )
    parser.add_argument(
        "-n",
        "--n-samples",
        type=_positive_int,
        default=None,
        help="number of synthetic rows (default: as many as the training rows)",
    )
    parser.add_argument(
        "--random-state", type=int, default=0, metavar="N", help="seed (default: 0)"
    )
    parser.add_argument(
        "--figures",
        default="sksynth-demo-figures",
        help="folder for the comparison figures (needs matplotlib); '' for none",
    )
    parser.add_argument(
        "--no-frame",
        dest="frame",
        action="store_false",
        help="use numpy arrays instead of pandas DataFrames",
    )
    parser.set_defaults(command_function=demo)


def _add_n_samples_and_output(parser):
    parser.add_argument(
        "-n",
        "--n-samples",
        type=_positive_int,
        required=True,
        help="number of rows to draw",
    )
    parser.add_argument("-o", "--output", required=True, help=_OUTPUT_HELP)


def _add_fit_sample_parser(commands):
    parser = commands.add_parser(
        "fit-sample",
        help="fit a synthesizer to a table and write synthetic rows",
        description="Fit a synthesizer to a CSV or Parquet table and write "
        "synthetic rows with the same columns and dtypes.",
    )
    parser.add_argument("data", help="table to learn from" + _INPUT_HELP)
    parser.add_argument(
        "--synthesizer",
        choices=list(_SYNTHESIZERS),
        default="copula",
        help=_choices_help(_SYNTHESIZERS, "copula"),
    )
    _add_n_samples_and_output(parser)
    parser.add_argument(
        "--target",
        metavar="COL",
        help="target column: fit with it as y and write it back in its place",
    )
    parser.add_argument(
        "--save",
        metavar="MODEL",
        help="also save the fitted synthesizer (joblib), with the column order "
        "and the formats of dates and times for `sksynth sample`",
    )
    _add_constraints(
        parser,
        "rules every synthetic row keeps: auto (those sksynth finds in the "
        f"training rows) or {_RULES_FILE_HELP}; rules name columns other than "
        "--target",
    )
    _add_linked_columns(parser, "synthetic rows")
    _add_common(parser)
    _add_na_values(parser)
    _add_time_options(parser)
    _add_verbose(parser)
    _add_dask_options(parser, npartitions=True)
    parser.set_defaults(command_function=fit_sample)


def _add_sample_parser(commands):
    parser = commands.add_parser(
        "sample",
        help="write synthetic rows from a saved synthesizer",
        description="Load a synthesizer saved by `fit-sample --save` and write "
        "synthetic rows, with the columns in the order of the training file "
        "(models saved before sksynth recorded that order put the target, if "
        "any, last). The file is unpickled: load only files you trust.",
    )
    parser.add_argument(
        "--model", required=True, help="fitted synthesizer saved with joblib"
    )
    _add_n_samples_and_output(parser)
    _add_common(
        parser,
        categorical=False,
        seed_help="seed, for reproducible rows (default: different rows on every "
        "run, whatever seed the model was fitted with)",
    )
    _add_verbose(parser)
    _add_dask_options(parser, npartitions=True)
    parser.set_defaults(command_function=sample)


def _add_evaluate_parser(commands):
    parser = commands.add_parser(
        "evaluate",
        help="report how close a synthetic table is to the real one",
        description="Print sksynth.metrics.evaluate_synthetic's report: "
        "fidelity, detection, privacy and (with --target and --holdout) utility.",
    )
    parser.add_argument(
        "real",
        help="real table the synthesizer was fitted on" + _INPUT_HELP + "; "
        "of a table read with Dask, a random sample of at most 100,000 rows "
        "is evaluated (seeded by --random-state)",
    )
    parser.add_argument(
        "synthetic",
        help="synthetic table with the same columns (a file, folder or glob)",
    )
    parser.add_argument(
        "--holdout", metavar="FILE", help="real rows the synthesizer did not see"
    )
    parser.add_argument(
        "--target", metavar="COL", help="target column, for the utility test"
    )
    parser.add_argument(
        "--figures", metavar="DIR", help="folder for comparison figures (matplotlib)"
    )
    parser.add_argument(
        "--html",
        metavar="FILE",
        help="also write the report as one self-contained HTML file, to read "
        "and share, with the figures (of --figures, else drawn when matplotlib "
        "is installed)",
    )
    _add_constraints(
        parser,
        "rules to check: print the share of synthetic rows, and of holdout rows, "
        "that break each: auto (those sksynth finds in the real rows, and the "
        "combinations and amounts the data rule out, which synthesizers keep by "
        f"default) or {_RULES_FILE_HELP}",
    )
    _add_common(parser, categorical=False, seed_help="seed (default: 0)")
    _add_na_values(parser)
    _add_time_options(parser)
    _add_verbose(parser)
    _add_dask_options(parser)
    parser.set_defaults(command_function=evaluate, random_state=0)


def _add_balance_parser(commands):
    parser = commands.add_parser(
        "balance",
        help="over-sample the smaller classes of a table",
        description="Over-sample classes (by default the smaller ones, up to "
        "the size of the largest) and write the original rows followed by the "
        "new ones. A note after the table of class sizes names each class "
        "grown more than 10-fold: synthetic rows dominate it.",
    )
    parser.add_argument(
        "data",
        help="table to balance" + _INPUT_HELP + " (then without --constraints)",
    )
    parser.add_argument("--target", metavar="COL", required=True, help="class column")
    parser.add_argument(
        "--method",
        choices=list(_OVER_SAMPLERS),
        default="kde",
        help=_choices_help(_OVER_SAMPLERS, "kde"),
    )
    parser.add_argument(
        "--sampling-strategy",
        type=_sampling_strategy,
        default="auto",
        metavar="S",
        help="which classes to grow, as in imbalanced-learn: 'auto' or 'not "
        "majority' (all but the largest, up to its size; the default), "
        "'minority', 'not minority', 'all'; a ratio R in (0, 1] for two classes "
        "(the smaller grows to R times the larger); or class:count,... (each "
        "class named grows to count rows, the others stay as they are)",
    )
    parser.add_argument("-o", "--output", required=True, help=_OUTPUT_HELP)
    _add_constraints(
        parser,
        "rules every new row keeps: auto (those sksynth finds in the rows, "
        f"without --target) or {_RULES_FILE_HELP}; rules name columns other "
        "than --target",
    )
    _add_linked_columns(parser, "new rows")
    _add_common(parser)
    _add_na_values(parser)
    _add_time_options(parser)
    _add_verbose(parser)
    _add_dask_options(parser)
    parser.set_defaults(command_function=balance)


def _add_detect_constraints_parser(commands):
    parser = commands.add_parser(
        "detect-constraints",
        help="find the rules a table keeps and write them as JSON",
        description="Print the rules that hold on a table, one a line: fixed "
        "combinations of columns, inequalities, sums and implications (see "
        "sksynth.constraints.detect_constraints), and write them as a JSON "
        "file to edit and pass back with --constraints FILE.",
    )
    parser.add_argument(
        "data",
        help="table to search" + _INPUT_HELP + "; of a table read with Dask, a "
        "random sample of at most 100,000 rows is searched",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="JSON file to write the rules to"
    )
    parser.add_argument(
        "--tolerance",
        type=_tolerance,
        default=0.0005,
        metavar="T",
        help="share of the rows that may break a rule (default: 0.0005, 5 rows "
        "in 10,000; 0: rules every row keeps)",
    )
    parser.add_argument(
        "--target",
        metavar="COL",
        help="leave this column out, for the --constraints of fit-sample or "
        "balance with --target COL",
    )
    _add_common(
        parser,
        categorical=False,
        seed_help="seed of the split of the rows that confirms each rule (default: 0)",
    )
    _add_na_values(parser)
    _add_time_options(parser)
    _add_dask_options(parser)
    parser.set_defaults(
        command_function=detect_constraints, random_state=0, verbose=None
    )


def build_parser():
    """The argument parser of the ``sksynth`` command."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="sksynth", description="Synthetic tabular data the scikit-learn way."
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"sksynth {__version__}",
        help="print the version of sksynth and exit",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _add_demo_parser(commands)
    _add_fit_sample_parser(commands)
    _add_sample_parser(commands)
    _add_evaluate_parser(commands)
    _add_balance_parser(commands)
    _add_detect_constraints_parser(commands)
    return parser


def main(argv=None):
    """Entry point of the ``sksynth`` command.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments after the program name; None reads ``sys.argv``.

    Returns
    -------
    exit_code : int
        0 on success, 2 on bad input (after one line ``sksynth: error: ...``
        on stderr), 1 when standard output was closed early (``| head``; the
        files asked for are written all the same). Malformed arguments exit
        through argparse (``SystemExit(2)``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn.datasets import load_iris
    >>> folder = Path(tempfile.mkdtemp())
    >>> load_iris(as_frame=True).frame.to_csv(folder / "iris.csv", index=False)
    >>> main([
    ...     "fit-sample", str(folder / "iris.csv"), "--target", "target",
    ...     "-n", "100", "-o", str(folder / "synthetic.csv"), "--random-state", "0",
    ... ])
    Wrote 100 rows x 5 columns to .../synthetic.csv
    Rules every synthetic row keeps:
      petal length (cm) < sepal length (cm)  (linked columns; moves sepal ...)
      petal width (cm) < petal length (cm)  (linked columns; models ...)
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        exit_code = args.command_function(args)
        # Inside the try: a reader gone since the last write fails this flush.
        sys.stdout.flush()
        return exit_code
    except CommandError as exc:
        print(f"sksynth: error: {exc}", file=sys.stderr)
        return _EXIT_ERROR
    except KeyboardInterrupt:
        print("sksynth: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return _EXIT_BROKEN_PIPE


def _silence_stdout():
    """Point standard output at the null device after its reader left (``|
    head``): the interpreter's last flush would fail again at exit. The way
    the Python documentation of SIGPIPE recommends."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
