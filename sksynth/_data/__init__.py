"""The tabular data layer shared by every sksynth estimator.

Estimators never look at user containers. ``TableSchema`` records, at
``fit``, what each column is (its kind, dtype, categories, range, share of
missing values, and for numbers the values it takes), turns a table into a
float array of its modelled columns and back into a table of the same
container, names, dtypes and categories. Identifier columns are not
modelled: ``decode`` gives them new keys. ``TargetSchema`` does the same for
``y``. pandas is imported lazily, only for DataFrames and Series.
"""

from ._columns import (
    BOOLEAN,
    CATEGORICAL,
    CONTINUOUS,
    DATETIME,
    IDENTIFIER,
    INTEGER,
    MAX_DISCRETE_LEVELS,
    MIN_ROWS_PER_DISCRETE_VALUE,
    TIMEDELTA,
    ColumnSpec,
    Support,
    column_roles,
    is_discrete_column,
    is_missing_value,
    is_spike,
    missing_mask_object,
)
from ._conditions import encode_condition
from ._containers import (
    align_columns,
    append_rows,
    check_unique_columns,
    column_of,
    concat_tables,
    drop_columns,
    import_pandas,
    insert_columns,
    is_dataframe,
    is_series,
    like,
    rows_with_room,
    split_column,
    table_of_rows,
    take_rows,
)
from ._engines import import_dask, import_fastdigest, is_dask_collection
from ._identifiers import KeyBlockRandomState
from ._schema import MAX_CLASSES, TableSchema, TargetSchema, caller_stacklevel

__all__ = [
    "BOOLEAN",
    "CATEGORICAL",
    "CONTINUOUS",
    "DATETIME",
    "IDENTIFIER",
    "INTEGER",
    "KeyBlockRandomState",
    "MAX_CLASSES",
    "MAX_DISCRETE_LEVELS",
    "MIN_ROWS_PER_DISCRETE_VALUE",
    "TIMEDELTA",
    "ColumnSpec",
    "Support",
    "TableSchema",
    "TargetSchema",
    "align_columns",
    "append_rows",
    "caller_stacklevel",
    "check_unique_columns",
    "column_of",
    "column_roles",
    "concat_tables",
    "drop_columns",
    "encode_condition",
    "import_dask",
    "import_fastdigest",
    "import_pandas",
    "is_dask_collection",
    "insert_columns",
    "is_dataframe",
    "is_discrete_column",
    "is_missing_value",
    "is_series",
    "is_spike",
    "like",
    "missing_mask_object",
    "rows_with_room",
    "split_column",
    "table_of_rows",
    "take_rows",
]
