"""Density splits of a forest's leaves (sksynth._leaf_splits)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sksynth import ForestSynthesizer, _leaf_splits
from sksynth._leaf_splits import SplitColumns, TreeArrays, split_leaves


def _one_leaf():
    """A tree of one node, a leaf."""
    return TreeArrays(
        np.array([-1]), np.array([-1]), np.array([0]), np.array([-2.0], np.float32)
    )


def _split(features, is_levels=None, n_levels=None, min_rows=5):
    n_rows, n_columns = features.shape
    is_levels = [False] * n_columns if is_levels is None else is_levels
    n_levels = [0] * n_columns if n_levels is None else n_levels
    tree = _one_leaf()
    columns = SplitColumns.of(features, is_levels, n_levels)
    node = split_leaves(
        tree, features, np.zeros(n_rows, dtype=np.int64), columns, min_rows
    )
    return tree, node


def _two_clusters(n, seed=0):
    """Two clusters on a diagonal (two cities on a coast), and a column
    independent of both."""
    rng = np.random.RandomState(seed)
    centre = np.where(np.arange(n) < n // 2, -3.0, 3.0)
    x = centre + rng.normal(0, 0.3, n)
    y = -centre + rng.normal(0, 0.3, n)
    return np.column_stack([x, y, rng.normal(size=n)]).astype(np.float32)


def test_clusters_of_a_leaf_are_split_apart():
    features = _two_clusters(200)
    tree, node = _split(features)
    # The first cut separates the clusters, on x or y (at the largest value
    # of the lower one).
    assert tree.children_left[0] != -1
    column, threshold = tree.feature[0], tree.threshold[0]
    assert column in (0, 1)
    goes_left = features[:, column] <= threshold
    first = np.arange(200) < 100
    assert np.array_equal(goes_left, first) or np.array_equal(goes_left, ~first)
    # Every row's leaf is where the tree sends it.
    assert np.array_equal(node, tree.descend(features, np.zeros(200, dtype=np.int64)))


def test_independent_columns_are_not_split():
    # A cut that only narrows the column cut on is no gain: the leaf's normal
    # truncated to each side already fits it.
    rng = np.random.RandomState(0)
    features = rng.normal(size=(400, 3)).astype(np.float32)
    tree, node = _split(features)
    assert tree.node_count == 1
    assert (node == 0).all()


def test_categories_that_follow_a_cluster_split_it():
    # A category that follows the position in the leaf: the cut on the
    # position also makes the category's shares pure.
    rng = np.random.RandomState(1)
    n = 300
    position = rng.uniform(-1, 1, n)
    category = (position > 0).astype(np.float32)
    flip = rng.rand(n) < 0.05
    category[flip] = 1 - category[flip]
    features = np.column_stack([position, category]).astype(np.float32)
    tree, _ = _split(features, is_levels=[False, True], n_levels=[0, 2])
    assert tree.children_left[0] != -1
    if tree.feature[0] == 0:
        assert abs(tree.threshold[0]) < 0.2
    else:
        assert tree.feature[0] == 1


@settings(max_examples=30, deadline=None)
@given(
    n_rows=st.integers(1, 120),
    min_rows=st.integers(1, 20),
    seed=st.integers(0, 2**31 - 1),
)
def test_parts_hold_at_least_min_rows(n_rows, min_rows, seed):
    rng = np.random.RandomState(seed)
    # Clustered, tied and constant columns.
    features = np.column_stack(
        [
            rng.choice([-5.0, 0.0, 5.0], n_rows) + rng.normal(0, 0.1, n_rows),
            rng.randint(0, 3, n_rows),
            np.zeros(n_rows),
        ]
    ).astype(np.float32)
    tree, node = _split(features, [False, True, False], [0, 3, 0], min_rows)
    counts = np.bincount(node, minlength=tree.node_count)
    leaves = np.flatnonzero(tree.children_left == -1)
    if tree.node_count > 1:
        assert counts[leaves].min() >= min_rows
    # Children come after their parent, and every inner node splits its rows.
    inner = np.flatnonzero(tree.children_left != -1)
    assert (tree.children_left[inner] > inner).all()
    assert (tree.children_right[inner] == tree.children_left[inner] + 1).all()


def _coast(n, seed=0):
    """Eight cities along a coast (tight clusters of longitude and latitude),
    five columns whose means follow the city, and a region of four cities
    each."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 3, 8)
    centres = np.column_stack([t, np.sin(2 * t)])
    city = rng.randint(0, 8, n)
    place = centres[city] + rng.normal(0, 0.08, (n, 2))
    other = rng.normal(size=(n, 5)) + (city[:, None] % 3) * 0.5
    X = pd.DataFrame(np.column_stack([place, other]), columns=list("xyabcde"))
    X["region"] = pd.Categorical(np.where(city < 4, "north", "south"))
    return X, centres


def _off_the_coast(X, centres):
    place = X[["x", "y"]].to_numpy()
    distance = np.hypot(*(place[:, None, :] - centres[None]).transpose(2, 0, 1))
    return np.mean(distance.min(axis=1) > 0.3)


def test_density_splits_keep_rows_in_the_cities():
    # Leaves of the forest that span two cities put rows between them, where
    # no city is; cutting them apart (on x or y, which the other columns
    # follow) keeps more rows in the cities.
    X, centres = _coast(3000)
    assert _off_the_coast(X, centres) < 0.002
    off = {}
    for rows in (None, 5):
        # The splits alone: the support of pairs keeps rows in the cities too.
        synth = ForestSynthesizer(
            leaf_split_rows=rows, support_pairs=0, random_state=0
        ).fit(X)
        off[rows] = _off_the_coast(synth.sample(20_000, random_state=0), centres)
        assert np.isfinite(synth.score_samples(X)).all()
    # Binomial standard error of either share: below 0.004.
    assert off[5] < off[None] - 0.02


@pytest.mark.parametrize("rows", [None, 5])
def test_split_leaves_keep_the_density_normalised(rows):
    # The density of x with y marginalised out, summed over a fine grid of
    # y, is the density of x.
    rng = np.random.RandomState(0)
    x = rng.uniform(-2, 2, 1000)
    y = np.where(rng.rand(1000) < 0.5, -1.0, 1.0) * x + rng.normal(0, 0.2, 1000)
    # Without the support of pairs, whose weights make marginals approximate
    # (see test_support).
    synth = ForestSynthesizer(
        leaf_split_rows=rows,
        target_type="regression",
        support_pairs=0,
        random_state=0,
    ).fit(x[:, None], y)
    model = synth._models[0]
    grid = np.linspace(y.min(), y.max(), 20_001)
    for value in [-1.5, 0.3, 1.2]:
        values = np.column_stack([np.full(grid.size, value), grid])
        joint = synth._log_density(model, values, [0, 1])
        marginal = synth._log_density(model, values[:1], [0])[0]
        total = np.exp(joint - marginal).sum() * (grid[1] - grid[0])
        assert total == pytest.approx(1.0, abs=2e-3), value


def test_over_sampler_passes_the_split_size():
    from sksynth.over_sampling import ForestOverSampler

    X, _ = _coast(400)
    y = np.r_[np.zeros(300, dtype=int), np.ones(100, dtype=int)]
    for rows in (None, 3):
        sampler = ForestOverSampler(leaf_split_rows=rows, random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        assert np.bincount(y_res).tolist() == [300, 300]
        assert sampler.synthesizers_[1].leaf_split_rows == rows


def test_numeric_columns_in_blocks_give_the_same_cuts(monkeypatch):
    # The gains of the numeric columns are summed a block of columns at a
    # time; blocks of one column give the same cuts as one block of all.
    rng = np.random.RandomState(0)
    features = np.column_stack(
        [_two_clusters(400), rng.normal(size=(400, 5)), rng.randint(0, 3, (400, 2))]
    ).astype(np.float32)
    is_levels = [False] * 8 + [True, True]
    n_levels = [0] * 8 + [3, 3]
    cuts = []
    for entries in (10**9, 1):
        monkeypatch.setattr(_leaf_splits, "_BLOCK_ENTRIES", entries)
        tree, node = _split(features, is_levels, n_levels)
        cuts.append((tree.feature.copy(), tree.threshold.copy(), node))
    assert cuts[0][0].size > 1
    for whole, blocks in zip(*cuts, strict=True):
        np.testing.assert_array_equal(whole, blocks)
