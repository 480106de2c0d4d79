"""The support of pairs of numeric columns (sksynth._support) and the forest
draws that keep to it."""

import numpy as np
import pandas as pd
import pytest

from sksynth import ForestSynthesizer
from sksynth._support import PairSupport


def _ring(n, rng):
    """Rows on a ring of radius 1 to 2 (nothing inside radius 1), and a
    third column independent of them."""
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.sqrt(rng.uniform(1, 4, n))
    return np.column_stack(
        [radius * np.cos(angle), radius * np.sin(angle), rng.normal(size=n)]
    )


def _wave(n, rng):
    """Rows along y = sin(2 x) (noise 0.05), and a third column independent
    of them."""
    x = rng.uniform(-3, 3, n)
    return np.column_stack(
        [x, np.sin(2 * x) + 0.05 * rng.normal(size=n), rng.normal(size=n)]
    )


def _off_the_wave(values):
    return float(np.mean(np.abs(values[:, 1] - np.sin(2 * values[:, 0])) > 0.25))


def _hole_share(values):
    return float(np.mean(np.hypot(values[:, 0], values[:, 1]) < 0.9))


def _disc(n, rng):
    """Draws of a model that fills the ring's hole: normals of its spread."""
    return rng.normal(scale=1.2, size=(n, 3))


def test_the_pair_whose_draws_fill_a_hole_is_chosen_and_kept_out_of_it():
    rng = np.random.RandomState(0)
    real, fresh, draws = _ring(4000, rng), _ring(4000, rng), _disc(20_000, rng)
    support = PairSupport.fit(real, [0, 1, 2], draws, max_pairs=5)

    # Only the ring's pair: the third column is independent of both.
    assert support.pairs == [(0, 1)]
    kept = draws[support.accept(draws, np.random.RandomState(1))]
    # 27 % of the draws are in the hole, 11 % of the kept ones, none of the
    # real rows: a draw outside the support is kept with the chance that
    # brings the draws outside down to the fresh rows' rate, and 15 % of
    # fresh rows fall in cells of the ring that the others hold fewer than
    # twice (the two levels of weight cannot tell those from the hole).
    assert _hole_share(draws) > 0.2 and _hole_share(fresh) == 0
    assert _hole_share(kept) < _hole_share(draws) / 2
    # Outside the support, the kept draws are about as rare as fresh rows
    # (the weights bring them to that rate; the margins' factors and the
    # cap on the weights move it a little: 11.5 % against 14.0 %).
    logs = support._log_weights(kept)
    fresh_logs = support._log_weights(fresh)
    outside, fresh_outside = np.mean(logs < 0), np.mean(fresh_logs < 0)
    assert outside == pytest.approx(fresh_outside, abs=0.04)


def test_the_weights_sum_to_one_over_the_draws():
    # The density is the model's times its weight over the weights' mean:
    # over the model's draws the factor averages to one.
    rng = np.random.RandomState(0)
    real, draws = _ring(3000, rng), _disc(20_000, rng)
    support = PairSupport.fit(real, [0, 1, 2], draws, max_pairs=5)
    present = np.ones(draws.shape, dtype=bool)
    factor = np.exp(support.log_factor(draws, present))
    assert factor.mean() == pytest.approx(1.0, abs=1e-9)
    # With a value left out, its factors count with their means: nearly one.
    present[:, 1] = False
    assert np.exp(support.log_factor(draws, present)).mean() == pytest.approx(
        1.0, abs=0.05
    )
    # A missing value: the pair does not apply to a draw; a scored row
    # counts with the mean weight of the draws in the other value's cell.
    row = np.array([[0.0, np.nan, 0.0], [0.0, 0.0, 0.0]])
    logs = support._log_weights(row)
    assert logs[0].sum() == 0 and logs[1].sum() < 0
    present = np.ones(row.shape, dtype=bool)
    logs = support._log_weights(row, present)
    assert np.isfinite(logs).all() and logs[0].sum() > logs[1].sum()


def test_no_pair_when_draws_fall_outside_as_often_as_fresh_rows():
    rng = np.random.RandomState(0)
    real = rng.normal(size=(2000, 3))
    draws = rng.normal(size=(10_000, 3))
    assert PairSupport.fit(real, [0, 1, 2], draws, max_pairs=5) is None
    assert PairSupport.fit(_ring(2000, rng), [0, 1], _disc(5000, rng), 0) is None
    # Tables of fewer than 1,000 rows: cells of so few rows mirror the
    # training rows (on breast cancer, 284 rows, the forest's rows were
    # told from held-out ones at 0.669 against 0.586 without).
    assert PairSupport.fit(_ring(999, rng), [0, 1], _disc(5000, rng), 5) is None
    assert PairSupport.fit(_ring(1000, rng), [0, 1], _disc(5000, rng), 5) is not None


@pytest.mark.parametrize("random_state", [0, 1])
def test_forest_draws_keep_to_a_curve(random_state):
    # The leaves' normals fill boxes around the curve: 23-27 % of their
    # draws lie off it (by more than five times its noise); 3 % once the
    # draws keep to the support of (x, y), none of the real rows.
    rng = np.random.RandomState(random_state)
    X = pd.DataFrame(_wave(3000, rng), columns=["x", "y", "z"])
    held_out = pd.DataFrame(_wave(1000, rng), columns=["x", "y", "z"])
    plain = ForestSynthesizer(support_pairs=0, random_state=random_state).fit(X)
    forest = ForestSynthesizer(random_state=random_state).fit(X)

    assert forest._models[0].support.pairs == [(0, 1)]
    assert forest.support_features_ == [["x", "y"]]
    assert plain._models[0].support is None and plain.support_features_ == []
    before = _off_the_wave(plain.sample(6000, random_state=0).to_numpy())
    after = _off_the_wave(forest.sample(6000, random_state=0).to_numpy())
    assert before > 0.2 and after < 0.05
    # Held-out rows score higher than under the forest without the support,
    # which spends density off the curve.
    assert np.isfinite(forest.score_samples(held_out)).all()
    assert forest.score(held_out) > plain.score(held_out) + 100
    # The support is part of the model: the same rows again.
    again = forest.sample(500, random_state=3)
    pd.testing.assert_frame_equal(again, forest.sample(500, random_state=3))


def test_forest_conditions_keep_their_values_and_the_support():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(_wave(3000, rng), columns=["x", "y", "z"])
    forest = ForestSynthesizer(random_state=0).fit(X)
    plain = ForestSynthesizer(support_pairs=0, random_state=0).fit(X)
    given = {"x": 0.8}
    rows = forest.sample(2000, random_state=1, conditions=given)
    assert (rows["x"] == 0.8).all()
    # At x = 0.8 the curve is at y = sin(1.6) = 1.0.
    off = np.mean(np.abs(rows["y"] - 1.0) > 0.25)
    off_plain = np.mean(
        np.abs(plain.sample(2000, random_state=1, conditions=given)["y"] - 1.0) > 0.25
    )
    assert off < off_plain / 2


def test_forest_marginals_sum_over_a_column_of_a_pair_nearly_to_one():
    # Summed over y on a fine grid, the joint density of a row gives the
    # density of its other values to within a quarter (0.77 to 1.20 at 15
    # values of x; exactly one with support_pairs=0): the weight of a pair
    # with y left out is the mean weight of the draws in x's cell, not of
    # those given the whole row.
    rng = np.random.RandomState(0)
    X = pd.DataFrame(_wave(3000, rng), columns=["x", "y", "z"])
    forest = ForestSynthesizer(random_state=0).fit(X)
    model = forest._models[0]
    assert model.support.pairs == [(0, 1)]
    grid = np.linspace(X["y"].min(), X["y"].max(), 20_001)
    for x in np.linspace(-2.9, 2.9, 15):
        row = np.array([x, 0.0, 0.4])
        values = np.tile(row, (grid.size, 1))
        values[:, 1] = grid
        marginal = forest._log_density(model, values[:1], [0, 2])[0]
        joint = forest._log_density(model, values, [0, 1, 2]) - marginal
        total = np.exp(joint).sum() * (grid[1] - grid[0])
        assert total == pytest.approx(1.0, abs=0.25), x
    # Rows with a missing value in the pair score finite.
    rows = X.iloc[:50].copy()
    rows.loc[::2, "y"] = np.nan
    assert np.isfinite(forest.score_samples(rows)).all()


def test_a_pair_no_fresh_row_leaves_keeps_a_positive_weight_outside():
    # Every row on the diagonal, in cells of many rows: no training row is
    # outside the support without itself, yet a fresh row outside must keep
    # a finite density (one row in n + 1, as for a novel value).
    rng = np.random.RandomState(0)
    t = rng.normal(size=4000)
    real = np.column_stack([t, t])
    draws = rng.normal(size=(10_000, 2))
    support = PairSupport.fit(real, [0, 1], draws, max_pairs=5)
    assert support.pairs == [(0, 1)]
    assert np.isfinite(support.log_rho).all()
    off = np.array([[1.0, -1.0]])
    assert np.isfinite(support.log_factor(off, np.ones(off.shape, dtype=bool))).all()


def test_over_sampler_passes_the_support_pairs():
    from sksynth.over_sampling import ForestOverSampler

    rng = np.random.RandomState(0)
    X = np.r_[_wave(1500, rng), rng.normal(size=(300, 3))]
    y = np.r_[np.zeros(1500, dtype=int), np.ones(300, dtype=int)]
    for pairs, expected in [(10, [(0, 1)]), (0, None)]:
        sampler = ForestOverSampler(
            sampling_strategy={0: 2000}, support_pairs=pairs, random_state=0
        )
        X_res, _ = sampler.fit_resample(X, y)
        support = sampler.synthesizers_[0]._models[0].support
        assert (support and support.pairs) == expected


def _disc_in_square(n, rng, independent=False):
    """Two uniform columns on a square and a category: 0 inside the disc of
    radius sqrt(0.5), 1 outside (or, ``independent``, either at random)."""
    xy = rng.uniform(-1, 1, size=(n, 2))
    inner = (xy**2).sum(axis=1) < 0.5
    category = rng.randint(0, 2, n) if independent else np.where(inner, 0, 1)
    return np.column_stack([xy, category.astype(float)])


def _misplaced(values):
    inner = (values[:, :2] ** 2).sum(axis=1) < 0.5
    return float(np.mean(inner != (values[:, 2] == 0)))


def test_a_category_over_a_pair_keeps_to_its_places():
    # The pair fills its square: only the category over it has a support
    # (a disc and its outside, which neither column alone tells). Draws that
    # pick the category at random put half of the rows in the wrong place;
    # the kept ones 7 %, with the category's share back at the real one's.
    rng = np.random.RandomState(0)
    real, fresh = _disc_in_square(4000, rng), _disc_in_square(4000, rng)
    draws = _disc_in_square(20_000, rng, independent=True)
    support = PairSupport.fit(real, [0, 1], draws, 5, categories={2: 2})
    assert support.pairs == [(0, 1, 2)]
    kept = draws[support.accept(draws, np.random.RandomState(1))]
    assert _misplaced(fresh) == 0 and _misplaced(draws) > 0.45
    assert _misplaced(kept) < 0.12
    # Raking includes the category: its share of the kept draws is the real
    # one's (0.387; standard error of the kept share about 0.006).
    assert np.mean(kept[:, 2] == 0) == pytest.approx(np.mean(real[:, 2] == 0), abs=0.02)
    # The factor averages to one over the draws; a left-out member counts
    # with the mean weight of the draws in the cell of the others.
    present = np.ones(draws.shape, dtype=bool)
    assert np.exp(support.log_factor(draws, present)).mean() == pytest.approx(1.0)
    for left_out in ([2], [0, 2], [0, 1, 2]):
        present[:, left_out] = False
        factor = np.exp(support.log_factor(draws, present))
        assert factor.mean() == pytest.approx(1.0, abs=0.02), left_out
    # Categories of one level or of more than 20 are not looked at.
    assert PairSupport.fit(real, [0, 1], draws, 5, categories={2: 25}) is None


def test_forest_rows_keep_a_category_to_its_places():
    # A coast: rows within 0.15 of a wave are "coast", the others "inland"
    # (15 % coast). The leaves' boxes cut the band coarsely: 15 % of the
    # forest's rows lie on the wrong side of its edge, 8 % once the draws
    # keep to the support of the category over (x, y).
    rng = np.random.RandomState(0)
    xy = rng.uniform(-1, 1, size=(3000, 2))

    def coast(values):
        return np.abs(values[:, 1] - 0.5 * np.sin(3 * values[:, 0])) < 0.15

    X = pd.DataFrame(xy, columns=["x", "y"]).assign(
        place=np.where(coast(xy), "coast", "inland"), z=rng.normal(size=3000)
    )
    misplaced, features = {}, {}
    for pairs in (10, 0):
        forest = ForestSynthesizer(n_estimators=5, support_pairs=pairs, random_state=0)
        X_new = forest.fit(X).sample(5000, random_state=1)
        wrong = coast(X_new[["x", "y"]].to_numpy()) != (X_new["place"] == "coast")
        misplaced[pairs] = float(np.mean(wrong))
        features[pairs] = forest.support_features_
        # The coast's share stays near the real one (0.145).
        assert np.mean(X_new["place"] == "coast") == pytest.approx(0.145, abs=0.03)
    assert features == {10: [["x", "y", "place"]], 0: []}
    assert misplaced[10] < 0.7 * misplaced[0]
