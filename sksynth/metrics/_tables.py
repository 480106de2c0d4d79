"""Shared by the metrics: aligning tables and turning them into model features."""

import numpy as np

from .._data import (
    BOOLEAN,
    CATEGORICAL,
    TableSchema,
    align_columns,
)
from .._data import check_unique_columns as check_names

# Categorical levels beyond this many (by frequency) share one "other" feature
# in the one-hot encoding used for distances and linear models.
_MAX_ONE_HOT = 50


def check_unique_columns(table, what="real"):
    """Raise a ValueError naming the duplicated column names of a DataFrame.

    Arrays have no names and pass. ``what`` names the table in the message.
    """
    check_names(table, f"The {what} table")


def subsample_rows(values, max_samples, rng):
    """At most ``max_samples`` rows of ``values``, drawn without replacement."""
    if max_samples is None or values.shape[0] <= max_samples:
        return values
    return values[rng.choice(values.shape[0], max_samples, replace=False)]


def encode_tables(real, *others, names=("synthetic",), return_schema=False):
    """Encode ``real`` and ``others`` with the data layer's layout of ``real``.

    ``names`` name ``others`` in error messages. Every table is checked for
    duplicated column names before any is encoded. Identifier columns (by the
    data layer's "auto" rule: keys, one distinct value per row) are left out:
    synthetic rows hold new keys, which no metric should compare; dates and
    durations are numbers.

    Returns
    -------
    columns : list of ColumnSpec
        The columns encoded (identifiers left out).
    encoded : list of ndarray
        ``real`` first, then each of ``others``.
    schema : TableSchema
        The layout of ``real``, when ``return_schema`` is True.
    """
    labels = [names[i] if i < len(names) else "other" for i in range(len(others))]
    check_unique_columns(real)
    for other, what in zip(others, labels, strict=True):
        check_unique_columns(other, what)
    schema = TableSchema.from_data(real)
    columns = schema.modelled_columns
    encoded = [schema.encode(real)]
    for other, what in zip(others, labels, strict=True):
        encoded.append(schema.encode(align_columns(real, other, what)))
    if return_schema:
        return columns, encoded, schema
    return columns, encoded


class FeatureMap:
    """Numeric features of encoded tables, for distances and linear models.

    Numbers are standardised by the reference table (missing values set to
    the mean, plus a missing indicator per column that has any); booleans are
    0/1; categorical columns are one-hot with each level scaled by
    ``1 / sqrt(2)``, so that two rows differing in one category are at
    distance 1, like two numbers one standard deviation apart. Unseen levels
    and levels beyond the 50 most frequent share an "other" feature.

    Parameters
    ----------
    columns : list of ColumnSpec
        Layout of the tables.
    reference : ndarray of shape (n_samples, n_columns)
        Encoded table the scales and frequent levels are learnt from.
    """

    def __init__(self, columns, reference):
        self.columns = columns
        self._center = np.zeros(len(columns))
        self._scale = np.ones(len(columns))
        self._levels = {}
        self._indicators = []
        for j, spec in enumerate(columns):
            x = reference[:, j]
            observed = x[~np.isnan(x)]
            if spec.kind == CATEGORICAL:
                counts = np.bincount(observed[observed >= 0].astype(int))
                self._levels[j] = np.argsort(-counts, kind="stable")[:_MAX_ONE_HOT]
            elif observed.size:
                self._center[j] = observed.mean()
                spread = observed.std()
                self._scale[j] = spread if spread > 0 else 1.0
            if np.isnan(x).any():
                self._indicators.append(j)

    def transform(self, values):
        """Features of an encoded table, as float32 (distances use BLAS)."""
        blocks = []
        for j, spec in enumerate(self.columns):
            x = values[:, j]
            missing = np.isnan(x)
            if spec.kind == CATEGORICAL:
                levels = self._levels[j]
                one_hot = x[:, None] == levels[None, :]
                other = ~one_hot.any(axis=1) & ~missing
                block = np.column_stack([one_hot, other]) / np.sqrt(2)
            elif spec.kind == BOOLEAN:
                block = np.where(missing, 0.5, x)[:, None]
            else:
                block = (
                    (np.where(missing, self._center[j], x) - self._center[j])
                    / self._scale[j]
                )[:, None]
            blocks.append(block)
            if j in self._indicators:
                blocks.append(missing[:, None].astype(float))
        return np.hstack(blocks).astype(np.float32)
