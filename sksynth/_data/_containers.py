"""Containers: what the data layer does with DataFrames, Series and arrays
for the resamplers and the metrics (taking rows, aligning and appending
tables), with pandas imported only when the input is a DataFrame."""

import mmap
import os

import numpy as np

# Arrays of at least this many bytes are mapped by :func:`large_empty`.
_MAPPED_BYTES = 2**25


def import_pandas(needed_by):
    """pandas, or an ImportError saying that ``needed_by`` needs it and how
    to install it (pandas is an optional dependency)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(f"{needed_by} needs pandas: pip install pandas.") from None
    return pd


def is_dataframe(X):
    """Whether ``X`` is a pandas DataFrame, without importing pandas."""
    return type(X).__name__ == "DataFrame" and type(X).__module__.startswith("pandas")


def is_series(y):
    """Whether ``y`` is a pandas Series, without importing pandas."""
    return type(y).__name__ == "Series" and type(y).__module__.startswith("pandas")


def check_unique_columns(X, what="X"):
    """Raise naming the duplicated column names of a DataFrame."""
    if not is_dataframe(X) or X.columns.is_unique:
        return
    duplicated = list(dict.fromkeys(X.columns[X.columns.duplicated()].tolist()))
    raise ValueError(
        f"{what} has duplicated column names {duplicated}; give every column a "
        "distinct name."
    )


def take_rows(X, rows):
    """Rows ``rows`` (indices or a mask) of an array, a list, a Series or a
    DataFrame, in the same container (a list comes back as an array)."""
    if is_dataframe(X) or is_series(X):
        return X.iloc[rows]
    return np.asarray(X)[rows]


def as_rows(X):
    """A table as an ndarray of rows (a DataFrame through ``to_numpy``)."""
    return X.to_numpy() if is_dataframe(X) else np.asarray(X)


def rows_with_room(X, n_new, dtype):
    """An array of the rows of ``X`` followed by ``n_new`` rows left to fill,
    in ``dtype``: column-major for a DataFrame (its columns stay contiguous,
    as in its block, and :func:`table_of_rows` wraps it without a copy)."""
    n_rows, n_columns = X.shape
    frame = is_dataframe(X)
    rows = large_empty((n_rows + n_new, n_columns), dtype, "F" if frame else "C")
    if frame:
        for j in range(n_columns):
            rows[:n_rows, j] = X.iloc[:, j].to_numpy()
    else:
        rows[:n_rows] = X
    return rows


def large_empty(shape, dtype, order="C"):
    """``np.empty(shape, dtype, order)``; on POSIX systems, a large one in its
    own anonymous memory map, with the pages mapped when it is made.

    numpy asks the kernel for transparent huge pages for arrays of 4 MiB and
    more (``madvise``). Where the kernel then compacts memory to find them
    (``defrag`` set to ``madvise``, the default of many Linux
    distributions), the first writes to a few hundred MiB can cost more
    kernel time than the computing that fills them: 0.9 s for 318 MB in a
    fresh process on the machine the benchmarks ran on, against 0.15 s in
    pages of the usual size. A map of its own takes the usual pages, or huge
    ones where the kernel gives them without compacting. The array owns the
    map, which is unmapped when the array is freed.
    """
    dtype = np.dtype(dtype)
    n_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if os.name != "posix" or n_bytes < _MAPPED_BYTES or dtype.hasobject:
        return np.empty(shape, dtype=dtype, order=order)
    flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | getattr(mmap, "MAP_POPULATE", 0)
    try:
        memory = mmap.mmap(-1, n_bytes, flags=flags)
    except (OSError, ValueError):
        return np.empty(shape, dtype=dtype, order=order)
    return np.frombuffer(memory, dtype=dtype).reshape(shape, order=order)


def table_of_rows(rows, X):
    """An array of rows in the container of ``X``: a DataFrame with the
    columns of ``X`` and a fresh index, as ``append_rows`` gives, sharing the
    array's memory; otherwise the array itself."""
    if not is_dataframe(X):
        return rows
    import pandas as pd

    return pd.DataFrame(rows, columns=X.columns, copy=False)


def align_columns(reference, other, what="synthetic"):
    """``other`` with the columns of ``reference``, in the same order.

    Raises a ValueError that names the missing and unexpected columns.
    """
    check_unique_columns(reference, "The real table")
    check_unique_columns(other, f"The {what} table")
    if is_dataframe(reference) and is_dataframe(other):
        expected, got = list(reference.columns), list(other.columns)
        if set(expected) != set(got):
            missing = [c for c in expected if c not in set(got)]
            extra = [c for c in got if c not in set(expected)]
            raise ValueError(
                f"The {what} table does not have the columns of the real one: missing "
                f"{missing}, unexpected {extra}. Pass tables with the same columns."
            )
        return other[expected]
    if is_dataframe(other):
        other = other.to_numpy()
    n_expected, n_got = np.shape(reference)[-1], np.shape(other)[-1]
    if n_expected != n_got:
        raise ValueError(
            f"The {what} table has {n_got} columns but the real one has {n_expected}. "
            "Pass tables with the same columns."
        )
    return other


def append_rows(X, X_new):
    """The rows of ``X`` followed by those of ``X_new`` (a table, or a list
    of tables of the same layout), in ``X``'s container: a DataFrame stays a
    DataFrame (index renumbered), arrays are stacked (as objects when their
    dtypes differ)."""
    blocks = X_new if isinstance(X_new, list) else [X_new]
    if is_dataframe(X) and all(is_dataframe(block) for block in blocks):
        import pandas as pd

        return pd.concat([X, *blocks], ignore_index=True)
    original = as_rows(X)
    arrays = [original] + [
        as_rows(block).reshape(-1, original.shape[1]) for block in blocks
    ]
    if len({a.dtype for a in arrays}) > 1:
        arrays = [a.astype(object) for a in arrays]
    n_rows = sum(a.shape[0] for a in arrays)
    out = large_empty((n_rows, original.shape[1]), arrays[0].dtype)
    return np.concatenate(arrays, out=out)


def concat_tables(blocks):
    """Tables of the same layout, one after the other, in their container."""
    if all(is_dataframe(block) for block in blocks):
        import pandas as pd

        return pd.concat(blocks, ignore_index=True)
    arrays = [as_rows(block) for block in blocks]
    if len({a.dtype for a in arrays}) > 1:
        arrays = [a.astype(object) for a in arrays]
    return np.concatenate(arrays)


def drop_columns(X, positions):
    """``X`` without the columns at ``positions``."""
    if not positions:
        return X
    if is_dataframe(X):
        return X.drop(columns=X.columns[list(positions)])
    X = np.asarray(X)
    keep = [j for j in range(X.shape[1]) if j not in set(positions)]
    return X[:, keep]


def insert_columns(X, columns, positions, names=None):
    """``X`` with ``columns`` (1D arrays) put back at ``positions``."""
    if not positions:
        return X
    if is_dataframe(X):
        X = X.copy()
        for position, name, column in sorted(
            zip(positions, names, columns, strict=True), key=lambda item: item[0]
        ):
            X.insert(position, name, column)
        return X
    X = np.asarray(X)
    out_columns = [X[:, j] for j in range(X.shape[1])]
    for position, column in sorted(
        zip(positions, columns, strict=True), key=lambda item: item[0]
    ):
        out_columns.insert(position, np.asarray(column))
    dtypes = {c.dtype for c in out_columns}
    dtype = dtypes.pop() if len(dtypes) == 1 else object
    return np.column_stack([c.astype(dtype) for c in out_columns])


def like(table, reference):
    """``table`` in the container of ``reference``: a DataFrame with its columns
    (order and dtypes) when ``reference`` is one, as an estimator fitted on
    ``reference`` expects."""
    if not is_dataframe(reference):
        return table
    if is_dataframe(table):
        return table[list(reference.columns)]
    import pandas as pd

    frame = pd.DataFrame(np.asarray(table, dtype=object), columns=reference.columns)
    return frame.astype(reference.dtypes.to_dict())


def split_column(table, column):
    """``(table without the column, the column)``: by name for a DataFrame, by
    position for an array."""
    if is_dataframe(table):
        return table.drop(columns=column), table[column]
    values = np.asarray(table)
    keep = [j for j in range(values.shape[1]) if j != column]
    return values[:, keep], values[:, column]


def column_of(table, name, position):
    """One column of a table: by ``name`` in a DataFrame, else at ``position``."""
    if is_dataframe(table):
        return table[name]
    return np.asarray(table)[:, position]
