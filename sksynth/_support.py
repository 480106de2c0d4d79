"""The support of pairs of numeric columns, alone or with a category, and
weights that keep a model's draws inside it.

A model of smooth densities (normals in the leaves of a forest) spreads its
draws over the whole box of a leaf, while the rows of some pairs of columns
fill only part of their plane: places on land, not in the sea; page-ins
never above page faults. Such draws give the rows away to a classifier that
looks at the two columns together. A category may hold only part of such a
plane too: houses "near the bay" are by the bay, and "inland" ones are not
on the coast.

:class:`PairSupport` cuts the plane of two columns into cells of equal
shares of each column's values (and, for a category over a pair, each cell
into the category's levels), and calls the cells that at least
``_MIN_ROWS`` training rows hold the support. A fresh row from the
distribution falls outside it at a rate the training rows tell (each row
against the others: the rows whose cell the other rows do not hold enough),
while a model's draws may fall outside far more often. For the pairs (and
triples) where they do, a draw outside is kept with the probability ``rho``
that brings the model's rate down to the fresh rows'. Those weights shift
the columns' margins: factors of each column's cells (each level of a
category) bring the weighted draws' shares of them back to the training
rows' (iterative proportional fitting). A draw is kept with its weight over
a high quantile of the draws' weights (rejection sampling), and the density
is the model's times that weight, divided by its mean over the draws.
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
# A category over a pair: categories of at most this many levels, the first
# _MAX_CATEGORIES of them, over the pairs of the first _MAX_TRIPLE_COLUMNS
# numeric columns (at most 45 pairs, 450 triples).
_MAX_LEVELS = 20
_MAX_CATEGORIES = 10
_MAX_TRIPLE_COLUMNS = 10


class _Cuts:
    """How the values of one column fall into cells: between ``edges``
    (quantiles of a numeric column), or by level (``edges`` None)."""

    def __init__(self, edges=None, n_levels=None):
        self.edges = edges
        self.size = n_levels if edges is None else edges.size - 1

    @classmethod
    def quantiles(cls, x, n_cells):
        """Cells of equal shares of the observed values of ``x``, or None
        when they make fewer than two cells."""
        observed = x[~np.isnan(x)]
        if not observed.size:
            return None
        edges = np.unique(np.quantile(observed, np.linspace(0, 1, n_cells + 1)))
        return cls(edges) if edges.size > 2 else None

    def codes(self, x):
        """Cell of each value (-1 for a missing one, or an unknown level;
        numbers beyond the ends in the end cells)."""
        if self.edges is None:
            known = ~np.isnan(x) & (x >= 0) & (x < self.size)
            return np.where(known, x, -1).astype(np.int64)
        return _cell_codes(x, self.edges)


class PairSupport:
    """Support cells of chosen pairs of columns (with a category, triples),
    the weight of a draw outside each, and the factors of each column's
    cells (see the module's docstring). Made by :meth:`fit`.

    Parameters
    ----------
    pairs : list of tuple of int
        Column indices of each pair, or of each triple (two numeric columns
        and a category).
    cuts : list of list of _Cuts
        The cells of each member of each pair.
    inside : list of ndarray of bool
        Whether each cell of a pair's grid is in its support (row-major).
    log_rho : ndarray
        Log weight of a draw outside each pair's support.
    log_mean : list of dict
        For each pair, the log of its mean weight over the model's draws in
        each cell of the grid of a subset of its members (positions within
        the pair: the proper, non-empty subsets), and (key ``()``) over all
        draws.
    log_cell : dict
        Log factor of each cell of each column looked at, ``{column:
        (cuts, log_factors)}``.
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
        cuts,
        inside,
        log_rho,
        log_mean,
        log_cell,
        log_cell_mean,
        log_scale,
        log_norm,
    ):
        self.pairs, self.cuts, self.inside = pairs, cuts, inside
        self.log_rho, self.log_mean = log_rho, log_mean
        self.log_cell, self.log_cell_mean = log_cell, log_cell_mean
        self.log_scale, self.log_norm = log_scale, log_norm

    @staticmethod
    def applies(n_rows, candidates, max_pairs):
        """Whether a table of ``n_rows`` rows and these candidate columns
        can have a support of pairs (before drawing from the model)."""
        return max_pairs > 0 and len(candidates) > 1 and n_rows >= _MIN_TABLE_ROWS

    @classmethod
    def fit(cls, values, candidates, draws, max_pairs, categories=None):
        """The support of the pairs of ``candidates`` (column indices of
        ``values``), and of each of ``categories`` (``{column: n_levels}``,
        the levels coded 0 to n_levels - 1) over such pairs, where the
        model's ``draws`` fall outside it too often, chosen greedily (the
        worst first, the draws reweighted after each), at most
        ``max_pairs``; None when there is none, or when ``values`` holds
        fewer than ``_MIN_TABLE_ROWS`` rows."""
        candidates = list(candidates)[:_MAX_COLUMNS]
        n_rows = values.shape[0]
        if not cls.applies(n_rows, candidates, max_pairs):
            return None
        cuts = _quantile_cuts(values, candidates, _n_cells(n_rows))
        usable = [j for j in candidates if j in cuts]
        tuples = [
            ((a, b), (cuts[a], cuts[b])) for a, b in itertools.combinations(usable, 2)
        ]
        levels = {
            c: n
            for c, n in list((categories or {}).items())[:_MAX_CATEGORIES]
            if 2 <= n <= _MAX_LEVELS
        }
        coarse_cuts = {}
        for c, n_levels in levels.items():
            # Coarser cells, so that a cell of the pair and a level hold
            # about as many rows as a cell of a pair alone.
            n_cells = _n_cells(n_rows / n_levels)
            if n_cells not in coarse_cuts:
                coarse_cuts[n_cells] = _quantile_cuts(
                    values, usable[:_MAX_TRIPLE_COLUMNS], n_cells
                )
            coarse = coarse_cuts[n_cells]
            tuples.extend(
                ((a, b, c), (coarse[a], coarse[b], _Cuts(n_levels=n_levels)))
                for a, b in itertools.combinations(coarse, 2)
            )
        found = []
        for members, member_cuts in tuples:
            cells, valid = _tuple_cells(values, members, member_cuts)
            if not valid.any():
                continue
            counts = np.bincount(cells[valid], minlength=_n_grid(member_cuts))
            inside = counts >= _MIN_ROWS
            # Each row against the others: outside when they hold its cell
            # fewer than _MIN_ROWS times (at least one row in n + 1, so that
            # a fresh row outside keeps a positive density).
            n_valid = np.count_nonzero(valid)
            fresh = max(
                float(np.mean(counts[cells[valid]] <= _MIN_ROWS)), 1 / (n_valid + 1)
            )
            draw_cells, draw_valid = _tuple_cells(draws, members, member_cuts)
            outside = draw_valid & ~inside[np.where(draw_valid, draw_cells, 0)]
            # Indices: few draws are outside, and there may be many pairs.
            found.append(
                (
                    (members, member_cuts),
                    inside,
                    fresh,
                    np.flatnonzero(outside),
                    None if draw_valid.all() else np.flatnonzero(draw_valid),
                )
            )
        weight = np.ones(draws.shape[0])
        chosen, inside, log_rho, log_mean = [], [], [], []
        while found and len(chosen) < max_pairs:
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
            chosen.append(pair)
            inside.append(cells_inside)
            log_rho.append(np.log(rho))
            pair_weight = np.ones(draws.shape[0])
            pair_weight[outside] = rho
            log_mean.append(_log_subset_means(pair_weight, draws, *pair))
            weight *= pair_weight
        if not chosen:
            return None
        raked = {j: cuts[j] for j in usable}
        for members, member_cuts in chosen:
            if len(members) == 3:
                raked[members[2]] = member_cuts[2]
        log_cell, weight = _rake(weight, values, draws, raked)
        log_cell_mean = {
            j: float(
                np.log(
                    np.mean(np.exp(factors[np.maximum(j_cuts.codes(draws[:, j]), 0)]))
                )
            )
            for j, (j_cuts, factors) in log_cell.items()
        }
        cap = float(np.quantile(weight, _WEIGHT_QUANTILE))
        return cls(
            [members for members, _ in chosen],
            [member_cuts for _, member_cuts in chosen],
            inside,
            np.array(log_rho),
            log_mean,
            log_cell,
            log_cell_mean,
            float(np.log(cap)),
            float(np.log(np.mean(np.minimum(weight, cap)))),
        )

    def _log_weights(self, values, present=None, codes_of=None):
        """Each pair's log weight of each row; with ``present`` (whether
        each value is scored), a pair with some values left out counts with
        its mean weight over the draws in the cell of the others (all
        draws, when every one is left out). ``codes_of``: the cells of the
        rows' values, shared with :meth:`_log_cells`."""
        codes_of = codes_of or _CodesOf(values)
        n_samples = values.shape[0]
        logs = np.zeros((n_samples, len(self.pairs)))
        for p, (members, member_cuts) in enumerate(
            zip(self.pairs, self.cuts, strict=True)
        ):
            codes = [
                codes_of(j, cut) for j, cut in zip(members, member_cuts, strict=True)
            ]
            if present is not None:
                codes = [
                    np.where(present[:, j], code, -1)
                    for j, code in zip(members, codes, strict=True)
                ]
            cells, valid = _grid_cells(codes, member_cuts)
            inside = self.inside[p][np.where(valid, cells, 0)]
            logs[:, p] = np.where(valid & ~inside, self.log_rho[p], 0.0)
            if present is None:
                continue
            known = np.column_stack([code >= 0 for code in codes])
            for subset, log_means in self.log_mean[p].items():
                rows = (known == np.isin(np.arange(len(members)), subset)).all(axis=1)
                if not rows.any():
                    continue
                if not subset:
                    logs[rows, p] = log_means
                    continue
                sub_cells, _ = _grid_cells(
                    [codes[k][rows] for k in subset], [member_cuts[k] for k in subset]
                )
                logs[rows, p] = log_means[sub_cells]
        return logs

    def _log_cells(self, values, present=None, codes_of=None):
        """Sum of the log factors of each row's cells (a value left out:
        the factor's mean over the draws)."""
        codes_of = codes_of or _CodesOf(values)
        total = np.zeros(values.shape[0])
        for j, (cuts, log_factor) in self.log_cell.items():
            codes = codes_of(j, cuts)
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
        codes_of = _CodesOf(values)
        logs = self._log_weights(values, codes_of=codes_of).sum(axis=1)
        logs += self._log_cells(values, codes_of=codes_of)
        return rng.random_sample(values.shape[0]) < np.exp(logs - self.log_scale)

    def log_factor(self, values, present):
        """Log of the factor of the model's density of each row: the
        product of its pairs' weights over the share of draws kept. A value
        left out (missing, or not in ``present``) is summed over as
        :meth:`_log_weights` says, an approximation: the draws in the cell
        of the other values, or all of them, stand for the draws given the
        rest of the row."""
        codes_of = _CodesOf(values)
        logs = self._log_weights(values, present, codes_of).sum(axis=1)
        logs += self._log_cells(values, present, codes_of)
        logs = np.minimum(logs, self.log_scale)
        return logs - self.log_norm


class _CodesOf:
    """The cells of the values of rows, each column's on each grid computed
    once: a column is in several pairs and in the raking."""

    def __init__(self, values):
        self.values, self.found = values, {}

    def __call__(self, j, cuts):
        key = (j, id(cuts))
        if key not in self.found:
            self.found[key] = cuts.codes(self.values[:, j])
        return self.found[key]


def _quantile_cuts(values, columns, n_cells):
    """Cells of ``n_cells`` equal shares of each of ``columns``, ``{column:
    _Cuts}``, leaving out those with fewer than two cells."""
    cuts = {j: _Cuts.quantiles(values[:, j], n_cells) for j in columns}
    return {j: cut for j, cut in cuts.items() if cut is not None}


def _n_cells(n_rows):
    """Cells per axis of a grid for ``n_rows`` rows."""
    return int(np.clip(round(np.sqrt(n_rows / _ROWS_PER_CELL)), _MIN_CELLS, _MAX_CELLS))


def _rake(weight, values, draws, cuts):
    """Log factors of the cells of each column of ``cuts`` that give the
    draws, weighted by ``weight`` (the pairs'), the training rows' share of
    every cell (iterative proportional fitting over the columns), and the
    draws' weights with them."""
    weight = weight.copy()
    log_cell, targets, drawn = {}, {}, {}
    for j, j_cuts in cuts.items():
        codes = j_cuts.codes(values[:, j])
        target = np.bincount(codes[codes >= 0], minlength=j_cuts.size)
        targets[j] = target / max(target.sum(), 1)
        log_cell[j] = np.zeros(j_cuts.size)
        drawn[j] = j_cuts.codes(draws[:, j])
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
    return {j: (cuts[j], log_cell[j]) for j in cuts}, weight


def _cell_codes(x, edges):
    """Cell of each value between ``edges`` (-1 for a missing value; values
    beyond the ends in the end cells)."""
    codes = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, edges.size - 2)
    return np.where(np.isnan(x), -1, codes)


def _n_grid(cuts):
    return int(np.prod([cut.size for cut in cuts]))


def _grid_cells(codes, cuts):
    """Row-major cell of each row's codes on the grid of ``cuts``, and
    whether every code is present."""
    cells = np.zeros(codes[0].shape, dtype=np.int64)
    valid = np.ones(codes[0].shape, dtype=bool)
    for code, cut in zip(codes, cuts, strict=True):
        cells = cells * cut.size + code
        valid &= code >= 0
    return cells, valid


def _tuple_cells(values, members, cuts):
    """Cell of each row of ``values`` on the grid of the columns
    ``members``, and whether every value is present."""
    return _grid_cells(
        [cut.codes(values[:, j]) for j, cut in zip(members, cuts, strict=True)], cuts
    )


def _log_subset_means(weight, draws, members, cuts):
    """Log of the mean of ``weight`` over the draws in each cell of the
    grid of every proper, non-empty subset of the members (positions), and
    over all draws (key ``()``); a cell without draws takes the mean over
    all of them."""
    overall = weight.mean()
    codes = [cut.codes(draws[:, j]) for j, cut in zip(members, cuts, strict=True)]
    means = {(): float(np.log(overall))}
    for size in range(1, len(members)):
        for subset in itertools.combinations(range(len(members)), size):
            sub_cuts = [cuts[k] for k in subset]
            cells, seen = _grid_cells([codes[k] for k in subset], sub_cuts)
            n_cells = _n_grid(sub_cuts)
            total = np.bincount(cells[seen], weights=weight[seen], minlength=n_cells)
            count = np.bincount(cells[seen], minlength=n_cells)
            means[subset] = np.log(
                np.where(count > 0, total / np.maximum(count, 1), overall)
            )
    return means
