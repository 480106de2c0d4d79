"""The command line on tables bigger than memory: Dask inputs, schedulers
and Parquet folders.

A command reads its table with Dask (lazily, one partition per Parquet file,
CSV files in Dask's default blocks) when the path is a folder or a glob, or
when ``--dask``, ``--workers`` or ``--scheduler`` is given (see
:func:`uses_dask`). Output paths that end with ``/``, have no extension or
name an existing folder are Parquet folders (see :func:`is_folder_output`);
with Dask input every output is one. Nothing here imports Dask before a
command asks for it, so commands on single files run as before.
"""

import glob
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from ._cli import (
    _SUFFIXES,
    CommandError,
    Table,
    _check_column,
    _not_times_error,
    _note_numbers_read_as_text,
    _NotTimes,
    _one_line,
    _parse_times,
    _read_times,
)

# A real table read with Dask is evaluated, or searched for rules, on a
# seeded random sample of at most this many rows.
SAMPLE_ROWS = 100_000
# Seconds to wait for the scheduler of --scheduler.
CONNECT_TIMEOUT = 5
# Whether the cluster of --workers runs its workers in processes (tests set
# threads).
LOCAL_CLUSTER_PROCESSES = True
_DASK_EXTRA = "pip install 'sksynth[dask]'"
_GLOB_CHARACTERS = frozenset("*?[")


def is_pattern(path):
    """Whether ``path`` is a glob such as ``data/*.parquet``."""
    return any(character in str(path) for character in _GLOB_CHARACTERS)


def is_many_files(path):
    """Whether ``path`` names several files: a folder or a glob."""
    return is_pattern(path) or Path(path).is_dir()


def uses_dask(args, *paths):
    """Whether a command reads ``paths`` with Dask: one is a folder or a glob,
    or ``--dask``, ``--workers`` or ``--scheduler`` is given."""
    options = (
        getattr(args, "dask", False)
        or getattr(args, "workers", None) is not None
        or getattr(args, "scheduler", None) is not None
    )
    return bool(options) or any(
        path is not None and is_many_files(path) for path in paths
    )


def is_folder_output(path):
    """Whether the output ``path`` is a Parquet folder: it ends with ``/``, has
    no extension, or is an existing folder."""
    text = str(path)
    return text.endswith(("/", "\\")) or Path(text).suffix == "" or Path(text).is_dir()


def check_folder_output(path, with_dask):
    """Check the output ``path`` of a command with Dask input (``with_dask``)
    or a Parquet folder output: a folder, new or empty."""
    suffix = Path(path).suffix.lower()
    if not is_folder_output(path) and suffix not in {".parquet", ".pq"}:
        if with_dask:
            raise CommandError(
                f"output '{path}' is a {suffix} file, but a table read with Dask "
                "is written as a folder of Parquet files: give a folder such as "
                "out/ (a path ending with '/' or without an extension)"
            )
        return
    folder = Path(path)
    if folder.is_file():
        raise CommandError(
            f"output '{path}' is a file; give a new or empty folder for the "
            "Parquet files"
        )
    if folder.is_dir() and any(folder.iterdir()):
        raise CommandError(
            f"output folder '{path}' is not empty; remove its files or give "
            "another folder"
        )


# --------------------------------------------------------------------------
# Reading


def _dd():
    from ._data import import_dask

    try:
        return import_dask("reading a folder or a glob of files")
    except ImportError as exc:
        raise CommandError(
            f"{_one_line(exc)} Or pass a single .csv or .parquet file without "
            "--dask, --workers and --scheduler."
        ) from None


def input_files(path):
    """The sorted files of the folder or glob ``path`` (or the file itself),
    and their format, 'csv' or 'parquet'."""
    if is_pattern(path):
        files = [Path(name) for name in sorted(glob.glob(str(path)))]
        files = [file for file in files if file.is_file()]
        if not files:
            raise CommandError(f"input '{path}' matches no file")
    elif Path(path).is_dir():
        files = sorted(
            file
            for file in Path(path).iterdir()
            if file.is_file() and file.suffix.lower() in _SUFFIXES
        )
        if not files:
            raise CommandError(f"input folder '{path}' holds no .csv or .parquet file")
    elif Path(path).is_file():
        files = [Path(path)]
    else:
        raise CommandError(f"input file '{path}' does not exist")
    formats = {_SUFFIXES.get(file.suffix.lower()) for file in files}
    if None in formats or len(formats) > 1:
        names = ", ".join(sorted({file.suffix or "(none)" for file in files}))
        raise CommandError(
            f"input '{path}' holds files of the extensions {names}; give files "
            "of one format, .csv or .parquet (a glob such as 'data/*.parquet')"
        )
    return [str(file) for file in files], formats.pop()


def read_dask_table(
    path, na_values=(), datetime_columns=(), detect_times=True, keep_text=(), real=None
):
    """A lazy :class:`Table` of the files of ``path``, read as ``read_table``
    reads one file: the dates, times and durations of CSV text are found in
    the first partition and read so in every one."""
    dd = _dd()
    import dask

    files, file_format = input_files(path)
    # Text stays in pandas' own dtype, as when one file is read.
    with dask.config.set({"dataframe.convert-string": False}):
        try:
            if file_format == "csv":
                frame = dd.read_csv(
                    files, keep_default_na=False, na_values=["", *na_values]
                )
            else:
                frame = dd.read_parquet(files)
            head = frame.get_partition(0).compute()
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                f"cannot read '{path}' as {file_format}: {_one_line(exc)}"
            ) from None
    if head.shape[0] == 0 or head.shape[1] == 0:
        raise CommandError(f"the first file of '{path}' has no data rows")
    if file_format == "csv":
        _note_numbers_read_as_text(head, path)
    if real is None:
        for name in datetime_columns:
            _check_column(head, name, path, "--datetime")
    else:
        datetime_columns = [name for name in datetime_columns if name in head.columns]
    detect = detect_times and file_format == "csv"
    table = _read_times(head, path, datetime_columns, detect, keep_text, real)
    meta = table.frame.iloc[:0]
    converted = {name: meta[name].dtype for name in table.time_formats}
    # One step over every partition: the columns of times are read, and the
    # target and the other columns, taken from it, keep the same partitions
    # (a projection read alone may be fused into fewer partitions).
    frame = frame.map_partitions(
        _read_partition_times, converted, path, real, meta=meta
    )
    return Table(frame, table.time_formats, {})


def _read_partition_times(frame, converted, path, real):
    for name, dtype in converted.items():
        column = frame[name]
        if column.dtype == dtype:
            continue
        try:
            times, _ = _parse_times(column, name, path)
        except _NotTimes as exc:
            raise _not_times_error(exc, name, path, real) from None
        frame[name] = times.astype(dtype)
    return frame


def bounded_sample(frame, random_state):
    """A pandas DataFrame of at most ``SAMPLE_ROWS`` rows drawn from the Dask
    DataFrame ``frame`` (seeded), and the number of rows of ``frame``."""
    n_rows = SAMPLE_ROWS
    n_total = int(frame.shape[0].compute())
    if n_total == 0:
        raise CommandError("the input has no data rows")
    fraction = min(1.0, n_rows / n_total)
    if fraction < 1.0:
        # A little more than the share, then cut: the draw's size varies.
        fraction = min(1.0, fraction * 1.02 + 10 / n_total)
        frame = frame.sample(frac=fraction, random_state=random_state or 0)
    rows = frame.compute()
    return rows.iloc[:n_rows].reset_index(drop=True), n_total


def note_sample(n_rows, n_total, path, what):
    """Say that ``what`` runs on ``n_rows`` of the ``n_total`` rows of ``path``."""
    if n_rows < n_total:
        print(
            f"{what} on a random sample of {n_rows:,} of the {n_total:,} rows of "
            f"'{path}' (read with Dask; --random-state seeds it)"
        )


# --------------------------------------------------------------------------
# Schedulers and progress


@contextmanager
def dask_session(args, verbose):
    """Run the block on the scheduler the options ask for: a LocalCluster of
    ``--workers`` workers, the cluster at ``--scheduler``, or Dask's threads;
    with ``verbose``, Dask's progress on stderr."""
    workers = getattr(args, "workers", None)
    address = getattr(args, "scheduler", None)
    if workers is not None and address is not None:
        raise CommandError(
            "--workers and --scheduler are given together; --workers N starts a "
            "cluster of N local workers, --scheduler ADDRESS uses a running one: "
            "pass one of them"
        )
    _dd()
    # A missing or empty input is an error before any cluster starts.
    for name in ("data", "real", "synthetic"):
        if getattr(args, name, None) is not None:
            input_files(getattr(args, name))
    if workers is None and address is None:
        with _local_progress(verbose):
            yield None
        return
    distributed = _distributed("--workers" if workers is not None else "--scheduler")
    cluster = None
    if workers is not None:
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=LOCAL_CLUSTER_PROCESSES,
            dashboard_address=":0",
        )
        client = distributed.Client(cluster)
    else:
        client = _connect(distributed, address)
    try:
        if verbose:
            where = f"{workers} local workers" if cluster else address
            link = client.dashboard_link if _has_dashboard() else None
            dashboard = f"; dashboard: {link}" if link else ""
            print(f"sksynth: Dask cluster of {where}{dashboard}", file=sys.stderr)
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _has_dashboard():
    """Whether the scheduler serves a dashboard (it needs bokeh)."""
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def _distributed(option):
    try:
        import distributed
    except ImportError:
        raise CommandError(
            f"{option} needs Dask's distributed scheduler: {_DASK_EXTRA}; or drop "
            f"{option} to run on Dask's threads"
        ) from None
    return distributed


def _connect(distributed, address):
    try:
        return distributed.Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as exc:
        raise CommandError(
            f"--scheduler: cannot reach a Dask scheduler at '{address}' within "
            f"{CONNECT_TIMEOUT} s ({_one_line(exc)}); start one (`dask scheduler`, "
            "then `dask worker ADDRESS`) and pass the address it prints, such as "
            "tcp://127.0.0.1:8786, or use --workers N for a local cluster"
        ) from None


@contextmanager
def _local_progress(verbose):
    if not verbose:
        yield
        return
    from dask.diagnostics import ProgressBar

    with ProgressBar(minimum=1.0, out=sys.stderr):
        yield


@contextmanager
def stage(message, verbose):
    """With ``verbose``, a line on stderr once the step ``message`` is done."""
    start = time.perf_counter()
    yield
    if verbose:
        elapsed = time.perf_counter() - start
        print(f"sksynth: {message}: {elapsed:.1f} s", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Writing


def write_folder(frame, folder, verbose=0):
    """Write the Dask DataFrame ``frame`` as a folder of Parquet files (one a
    partition); returns the rows written and the number of files."""
    try:
        with stage(f"writing '{folder}'", verbose):
            frame.to_parquet(str(folder), write_index=False)
    except ImportError:
        raise CommandError(
            f"writing '{folder}' needs pyarrow: pip install pyarrow"
        ) from None
    except (ValueError, OSError) as exc:
        raise CommandError(f"cannot write '{folder}': {_one_line(exc)}") from None
    import pyarrow.parquet as pq

    files = sorted(Path(folder).glob("*.parquet"))
    # Counted in the files' footers: the rows are not drawn again.
    n_rows = sum(pq.ParquetFile(file).metadata.num_rows for file in files)
    return n_rows, len(files)


def print_written(n_rows, n_files, n_columns, folder):
    print(
        f"Wrote {n_rows} rows x {n_columns} columns to {folder} "
        f"({n_files} Parquet file{'s' if n_files != 1 else ''})"
    )


def join_target(X, y, columns):
    """The Dask table ``X`` with the target ``y`` (split like it) as a column,
    in the order ``columns``."""
    if y is None:
        return X if columns is None else X[columns]
    dd = _dd()
    meta = X._meta.assign(**{y.name: y._meta})
    frame = dd.map_partitions(_join_partition, X, y, meta=meta, align_dataframes=False)
    return frame if columns is None else frame[columns]


def _join_partition(X, y):
    return X.assign(**{y.name: y.to_numpy()})
