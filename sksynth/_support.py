"""The support of pairs of numeric columns, and weights that keep a model's
draws inside it.

A model of smooth densities (normals in the leaves of a forest) spreads its
draws over the whole box of a leaf, while the rows of some pairs of columns
fill only part of their plane: places on land, not in the sea; page-ins
never above page faults. Such draws give the rows away to a classifier that
looks at the two columns together.

:class:`PairSupport` cuts the plane of two columns into cells of equal
shares of each column's values, and calls the cells that at least
``_MIN_ROWS`` training rows hold the pair's support. A fresh row from the
distribution falls outside it at a rate the training rows tell (each row
against the others: the rows whose cell the other rows do not hold enough),
while a model's draws may fall outside far more often. For the pairs where
they do, a draw outside is kept with the probability ``rho`` that brings
the model's rate down to the fresh rows'. Those weights shift the columns'
margins: factors of each column's cells bring the weighted draws' shares
of them back to the training rows' (iterative proportional fitting). A draw
is kept with its weight over a high quantile of the draws' weights
(rejection sampling), and the density is the model's times that weight,
divided by its mean over the draws.
"""

import itertools

import numpy as np

# Training rows a table needs: on fewer, the cells hold so few rows that
# their support mirrors the training rows rather than the distribution.
_MIN_TABLE_ROWS = 1000
# Rows per cell of the grid (on average), and cells per axis.
_ROWS_PER_CELL = 2.5
_MIN_CELLS, _MAX_CELLS = 8, 64
# Training rows a cell needs to be in the support.
_MIN_ROWS = 2
# A pair is corrected when its draws fall outside at least this much more
# often than fresh rows would, and at least twice as often.
_MIN_EXCESS = 0.02
_MIN_RATIO = 2.0
# Passes of raking: the kept draws' shares of each column's cells brought
# back to the training rows' (the pairs' weights shift the margins), and the
# bounds of a cell's factor.
_RAKING_PASSES = 10
_MAX_FACTOR = 10.0
# Weights are capped at this quantile of the draws' (a few draws of the
# largest weights would otherwise make every other draw rare to keep).
_WEIGHT_QUANTILE = 0.99
# Numeric columns looked at, the first ones of the table (their pairs are
# compared: at most 435).
_MAX_COLUMNS = 30


class PairSupport:
    """Support cells of chosen pairs of columns, the weight of a draw outside
    each, and the factors of each column's cells (see the module's
    docstring). Made by :meth:`fit`.

    Parameters
    ----------
    pairs : list of (int, int)
        Column indices of each pair.
    edges : dict
        Cell edges of each column looked at (its quantiles).
    inside : list of ndarray of bool
        Whether each cell of a pair's grid is in its support (row-major).
    log_rho : ndarray
        Log weight of a draw outside each pair's support.
    log_mean : list of (ndarray, ndarray, float)
        Log of each pair's mean weight over the model's draws in each cell of
        its first column, of its second, and over all draws.
    log_cell : dict
        Log factor of each cell of each column looked at.
    log_cell_mean : dict
        Log of the mean of each column's factors over the draws.
    log_scale : float
        Log of the cap on a draw's weight (a draw of that weight is kept).
    log_norm : float
        Log of the mean capped weight over the model's draws.
    """

    def __init__(
        self,
        pairs,
        edges,
        inside,
        log_rho,
        log_mean,
        log_cell,
        log_cell_mean,
        log_scale,
        log_norm,
    ):
        self.pairs, self.edges, self.inside = pairs, edges, inside
        self.log_rho, self.log_mean = log_rho, log_mean
        self.log_cell, self.log_cell_mean = log_cell, log_cell_mean
        self.log_scale, self.log_norm = log_scale, log_norm

    @staticmethod
    def applies(n_rows, candidates, max_pairs):
        """Whether a table of ``n_rows`` rows and these candidate columns
        can have a support of pairs (before drawing from the model)."""
        return max_pairs > 0 and len(candidates) > 1 and n_rows >= _MIN_TABLE_ROWS

    @classmethod
    def fit(cls, values, candidates, draws, max_pairs):
        """The support of the pairs of ``candidates`` (column indices of
        ``values``) where the model's ``draws`` fall outside it too often,
        chosen greedily (the worst first, the draws reweighted after each),
        at most ``max_pairs``; None when there is none, or when ``values``
        holds fewer than ``_MIN_TABLE_ROWS`` rows."""
        candidates = list(candidates)[:_MAX_COLUMNS]
        n_rows = values.shape[0]
        if not cls.applies(n_rows, candidates, max_pairs):
            return None
        n_cells = int(
            np.clip(round(np.sqrt(n_rows / _ROWS_PER_CELL)), _MIN_CELLS, _MAX_CELLS)
        )
        edges = {}
        for j in candidates:
            observed = values[~np.isnan(values[:, j]), j]
            if observed.size:
                cut = np.quantile(observed, np.linspace(0, 1, n_cells + 1))
                edges[j] = np.unique(cut)
        usable = [j for j in candidates if j in edges and edges[j].size > 2]
        real = {j: _cell_codes(values[:, j], edges[j]) for j in usable}
        drawn = {j: _cell_codes(draws[:, j], edges[j]) for j in usable}
        found = []
        for a, b in itertools.combinations(usable, 2):
            width = edges[b].size - 1
            cells, valid = _pair_cells(real[a], real[b], width)
            if not valid.any():
                continue
            counts = np.bincount(cells[valid], minlength=(edges[a].size - 1) * width)
            inside = counts >= _MIN_ROWS
            # Each row against the others: outside when they hold its cell
            # fewer than _MIN_ROWS times (at least one row in n + 1, so that
            # a fresh row outside keeps a positive density).
            n_valid = np.count_nonzero(valid)
            fresh = max(
                float(np.mean(counts[cells[valid]] <= _MIN_ROWS)), 1 / (n_valid + 1)
            )
            draw_cells, draw_valid = _pair_cells(drawn[a], drawn[b], width)
            outside = draw_valid & ~inside[np.where(draw_valid, draw_cells, 0)]
            # Indices: few draws are outside, and there may be many pairs.
            found.append(
                (
                    (a, b),
                    inside,
                    fresh,
                    np.flatnonzero(outside),
                    None if draw_valid.all() else np.flatnonzero(draw_valid),
                )
            )
        weight = np.ones(draws.shape[0])
        pairs, inside, log_rho, log_mean = [], [], [], []
        while found and len(pairs) < max_pairs:
            excess = []
            for _, _, fresh, outside, valid in found:
                total = weight.sum() if valid is None else weight[valid].sum()
                rate = weight[outside].sum() / max(total, 1e-300)
                excess.append((rate - fresh, rate, fresh))
            best = int(np.argmax([e[0] for e in excess]))
            gap, rate, fresh = excess[best]
            if gap <= _MIN_EXCESS or rate <= _MIN_RATIO * fresh:
                break
            pair, cells_inside, _, outside, _ = found.pop(best)
            # Kept draws then fall outside at the fresh rows' rate:
            # rho m / (1 - m + rho m) = g.
            rho = fresh * (1 - rate) / (rate * (1 - fresh))
            pairs.append(pair)
            inside.append(cells_inside)
            log_rho.append(np.log(rho))
            pair_weight = np.ones(draws.shape[0])
            pair_weight[outside] = rho
            log_mean.append(
                (
                    _log_cell_means(pair_weight, drawn[pair[0]], edges[pair[0]]),
                    _log_cell_means(pair_weight, drawn[pair[1]], edges[pair[1]]),
                    float(np.log(np.mean(pair_weight))),
                )
            )
            weight *= pair_weight
        if not pairs:
            return None
        log_cell, weight = _rake(weight, real, drawn, edges)
        log_cell_mean = {
            j: float(np.log(np.mean(np.exp(log_cell[j][np.maximum(codes, 0)]))))
            for j, codes in drawn.items()
        }
        cap = float(np.quantile(weight, _WEIGHT_QUANTILE))
        return cls(
            pairs,
            {j: edges[j] for j in usable},
            inside,
            np.array(log_rho),
            log_mean,
            log_cell,
            log_cell_mean,
            float(np.log(cap)),
            float(np.log(np.mean(np.minimum(weight, cap)))),
        )

    def _log_weights(self, values, present=None):
        """Each pair's log weight of each row; with ``present`` (whether
        each value is scored), a pair with one value left out counts with
        its mean weight over the draws in the cell of the other, and one
        with both left out with its mean weight."""
        n_samples = values.shape[0]
        logs = np.zeros((n_samples, len(self.pairs)))
        for p, (a, b) in enumerate(self.pairs):
            code_a = _cell_codes(values[:, a], self.edges[a])
            code_b = _cell_codes(values[:, b], self.edges[b])
            if present is not None:
                code_a = np.where(present[:, a], code_a, -1)
                code_b = np.where(present[:, b], code_b, -1)
            cells, valid = _pair_cells(code_a, code_b, self.edges[b].size - 1)
            inside = self.inside[p][np.where(valid, cells, 0)]
            logs[:, p] = np.where(valid & ~inside, self.log_rho[p], 0.0)
            if present is None:
                continue
            by_a, by_b, overall = self.log_mean[p]
            only_a = (code_a >= 0) & (code_b < 0)
            only_b = (code_b >= 0) & (code_a < 0)
            neither = (code_a < 0) & (code_b < 0)
            logs[only_a, p] = by_a[code_a[only_a]]
            logs[only_b, p] = by_b[code_b[only_b]]
            logs[neither, p] = overall
        return logs

    def _log_cells(self, values, present=None):
        """Sum of the log factors of each row's cells (a value left out:
        the factor's mean over the draws)."""
        total = np.zeros(values.shape[0])
        for j, log_factor in self.log_cell.items():
            codes = _cell_codes(values[:, j], self.edges[j])
            if present is not None:
                codes = np.where(present[:, j], codes, -1)
            total += np.where(
                codes >= 0,
                log_factor[np.maximum(codes, 0)],
                self.log_cell_mean[j] if present is not None else 0.0,
            )
        return total

    def accept(self, values, rng):
        """Whether each drawn row is kept (with its weight over the cap on
        the weights as probability)."""
        logs = self._log_weights(values).sum(axis=1) + self._log_cells(values)
        return rng.random_sample(values.shape[0]) < np.exp(logs - self.log_scale)

    def log_factor(self, values, present):
        """Log of the factor of the model's density of each row: the
        product of its pairs' weights over the share of draws kept. A value
        left out (missing, or not in ``present``) is summed over as
        :meth:`_log_weights` says, an approximation: the draws in the cell
        of the other value, or all of them, stand for the draws given the
        rest of the row."""
        logs = self._log_weights(values, present).sum(axis=1)
        logs = np.minimum(logs + self._log_cells(values, present), self.log_scale)
        return logs - self.log_norm


def _rake(weight, real, drawn, edges):
    """Log factors of each column's cells that give the draws, weighted by
    ``weight`` (the pairs'), the training rows' share of every cell
    (iterative proportional fitting over the columns), and the draws'
    weights with them."""
    weight = weight.copy()
    log_cell, targets = {}, {}
    for j, codes in real.items():
        target = np.bincount(codes[codes >= 0], minlength=edges[j].size - 1)
        targets[j] = target / max(target.sum(), 1)
        log_cell[j] = np.zeros(edges[j].size - 1)
    for _ in range(_RAKING_PASSES):
        for j, codes in drawn.items():
            seen = codes >= 0
            share = np.bincount(
                codes[seen], weights=weight[seen], minlength=targets[j].size
            )
            share = share / max(share.sum(), 1e-300)
            ratio = np.where(share > 0, targets[j] / np.maximum(share, 1e-300), 1.0)
            current = np.exp(log_cell[j])
            factor = np.clip(current * ratio, 1 / _MAX_FACTOR, _MAX_FACTOR)
            weight[seen] *= (factor / current)[codes[seen]]
            log_cell[j] = np.log(factor)
    return log_cell, weight


def _cell_codes(x, edges):
    """Cell of each value between ``edges`` (-1 for a missing value; values
    beyond the ends in the end cells)."""
    codes = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    return np.where(np.isnan(x), -1, codes)


def _log_cell_means(weight, codes, edges):
    """Log of the mean of ``weight`` over the draws in each cell of a
    column (the mean over all draws for a cell without any, or for a
    missing value)."""
    n_cells = edges.size - 1
    seen = codes >= 0
    total = np.bincount(codes[seen], weights=weight[seen], minlength=n_cells)
    count = np.bincount(codes[seen], minlength=n_cells)
    means = np.where(count > 0, total / np.maximum(count, 1), weight.mean())
    return np.log(means)


def _pair_cells(codes_a, codes_b, width):
    """Row-major cell of each pair of codes, and whether both are present."""
    valid = (codes_a >= 0) & (codes_b >= 0)
    return codes_a * width + codes_b, valid
