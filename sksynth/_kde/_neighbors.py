"""Distances in the kernel space, and exact closest-record search.

Rows are compared as the kernel density sees them: numeric columns by their
normal scores divided by each column's spread, categorical columns by
one-hot blocks scaled by ``1 / sqrt(2)``, so that a differing category adds
one to the squared distance, like a number one spread away. Categorical
columns of many levels are compared as codes, without building their blocks.
"""

import numpy as np

# Categorical columns with more levels than this enter distances as compared
# codes rather than as one-hot blocks (where that starts to be cheaper).
ONE_HOT_MAX_LEVELS = 10
# Bytes of one (query x reference) block of squared distances: small enough
# to stay in cache between the product, the sums and the minimum.
_DISTANCE_BLOCK_BYTES = 2**21


def embed(spread, n_levels, scores, codes):
    """Rows in the kernel space: standardised scores and one-hot categories.

    Euclidean distance there adds 1 per differing categorical column.
    """
    spread = np.where(spread > 0, spread, 1.0)
    blocks = [np.nan_to_num(scores / spread)]
    for k in range(codes.shape[1]):
        levels = np.arange(n_levels[k])
        blocks.append((codes[:, k, None] == levels).astype(float) / np.sqrt(2))
    return np.column_stack(blocks) if blocks else np.zeros((scores.shape[0], 0))


def wide_columns(n_levels):
    """Which categorical columns distances compare as codes, not one-hot blocks."""
    return np.asarray(n_levels) > ONE_HOT_MAX_LEVELS


def split_embed(spread, n_levels, wide, scores, codes):
    """Rows in the kernel space as ``(dense, codes)``: :func:`embed` of the
    numeric and narrow categorical columns, and the codes of the ``wide`` ones
    (NaN where missing or unseen), which :class:`Reference` compares."""
    narrow = ~wide
    dense = embed(spread, n_levels[narrow], scores, codes[:, narrow])
    wide_codes = codes[:, wide]
    return dense, np.where(wide_codes >= 0, wide_codes, np.nan)


def _squared_norm(dense, codes):
    """Squared norm of embedded rows; a wide code counts as a one-hot block."""
    return np.einsum("ij,ij->i", dense, dense) + 0.5 * np.sum(~np.isnan(codes), axis=1)


class Reference:
    """Reference rows for exact nearest-neighbour look-ups in the kernel space.

    The squared distance of two rows is that of their dense parts, plus, for
    each wide categorical column, 1 when both codes are present and differ,
    1/2 when one is missing and 0 otherwise: what one-hot blocks scaled by
    :math:`1/\\sqrt{2}` give, without building them. Distances are computed in
    blocks of at most ``_DISTANCE_BLOCK_BYTES``.

    ``dtype=np.float32`` halves the memory the distances move, for rules
    that only compare them (a nearest row may then differ from the exact one
    where two distances agree to about seven digits).
    """

    def __init__(self, dense, codes, dtype=np.float64):
        dense = np.asarray(dense, dtype=dtype)
        self.dense, self.codes = dense, codes
        self.squared_norm = _squared_norm(dense, codes)
        # One contiguous row per wide column, compared with each query block.
        self._codes_by_column = np.ascontiguousarray(codes.T)

    def nearest(self, dense, codes, exclude=None, return_distance=False):
        """Index of the nearest reference row of each query row (and its distance).

        ``exclude`` gives, per query row, a reference row to leave out (the
        query row itself).
        """
        n_queries = dense.shape[0]
        out = np.empty(n_queries, dtype=np.intp)
        distance = np.empty(n_queries)
        for start, stop, squared in self._blocks(dense, codes):
            if exclude is not None:
                squared[np.arange(stop - start), exclude[start:stop]] = np.inf
            out[start:stop] = np.argmin(squared, axis=1)
            distance[start:stop] = squared[np.arange(stop - start), out[start:stop]]
        if return_distance:
            distance += _squared_norm(dense, codes)
            return out, np.sqrt(np.maximum(distance, 0.0))
        return out

    def k_nearest(self, dense, codes, n_neighbors):
        """Indices of the ``n_neighbors`` nearest reference rows of each query
        row, in no particular order."""
        k = min(n_neighbors, self.dense.shape[0])
        out = np.empty((dense.shape[0], k), dtype=np.intp)
        for start, stop, squared in self._blocks(dense, codes):
            if k < squared.shape[1]:
                out[start:stop] = np.argpartition(squared, k - 1, axis=1)[:, :k]
            else:
                out[start:stop] = np.arange(k)
        return out

    def _blocks(self, dense, codes):
        """Squared distances of the query rows to the reference rows, less
        the squared norm of each query row (the same for all its reference
        rows, so it orders them alike), by blocks of query rows: ``(start,
        stop, squared)``."""
        n_queries = dense.shape[0]
        dense = np.asarray(dense, dtype=self.dense.dtype)
        entries = _DISTANCE_BLOCK_BYTES // self.dense.itemsize
        block = max(1, entries // max(self.dense.shape[0], 1))
        for start in range(0, n_queries, block):
            stop = min(start + block, n_queries)
            # Scaling by -2 is exact: the same as scaling the product.
            squared = (-2 * dense[start:stop]) @ self.dense.T
            squared += self.squared_norm
            for k, reference_codes in enumerate(self._codes_by_column):
                squared -= codes[start:stop, k, None] == reference_codes
            yield start, stop, squared
