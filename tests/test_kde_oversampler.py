"""KDEOverSampler on large tables and high-cardinality categorical columns."""

import warnings

import numpy as np
import pandas as pd
import pytest

import sksynth._kde._neighbors as kde_core
import sksynth.over_sampling._kde as kde
from sksynth._data import TableSchema
from sksynth.over_sampling import KDEOverSampler


def _beyond_the_majority(n=3000):
    """A 5-row class at x0 ~ 8 (the others below 4) holding its own level of x2."""
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 3))
    X[:, 2] = rng.choice([0, 1, 2, 4, 5], n)
    y = np.zeros(n, dtype=int)
    y[-5:] = 1
    X[-5:, 0] = 8 + 0.2 * rng.normal(size=5)
    X[-5:, 2] = 3
    return X, y


def test_large_tables_keep_new_rows_of_a_class_beyond_the_map_sample(monkeypatch):
    # The column maps of a large X are fitted on a sample of rows (here 500
    # of each stratum): a class whose values the other rows never reach must
    # still get new rows at its own values, as without the sample.
    X, y = _beyond_the_majority()
    n = X.shape[0]
    own = X[y == 1]
    whole, _ = KDEOverSampler(random_state=0).fit_resample(X, y)
    monkeypatch.setattr(kde, "_MAP_ROWS", 500)
    X_res, y_res = KDEOverSampler(random_state=0).fit_resample(X, y)
    new, new_whole = X_res[n:], whole[n:]
    assert new.shape == (n - 10, 3) and np.all(y_res[n:] == 1)
    assert np.isfinite(new).all()
    # Not squeezed to one value: the class's 5 rows stay distinct kernel
    # centres.
    assert np.unique(new[:, 0]).size > 100
    assert own[:, 0].min() <= np.median(new[:, 0]) <= own[:, 0].max()
    # Most new rows lie near the class's rows, as with the map of all rows
    # (0.72-0.75 over seeds 0-5; the sampled map moves it by up to 0.07).
    near = np.mean(np.abs(new[:, 0] - 8) < 0.5)
    near_whole = np.mean(np.abs(new_whole[:, 0] - 8) < 0.5)
    assert near > 0.6 and near_whole > 0.6
    assert near == pytest.approx(near_whole, abs=0.1)
    # A level that only the class holds stays that level.
    np.testing.assert_array_equal(new[:, 2], 3.0)


def test_an_outlier_beyond_the_map_sample_never_gives_missing_values(monkeypatch):
    rng = np.random.RandomState(1)
    n = 3000
    X = rng.normal(size=(n, 2))
    y = (rng.rand(n) < 0.05).astype(int)
    X[np.flatnonzero(y)[0], 0] = 1e3
    monkeypatch.setattr(kde, "_MAP_ROWS", 500)
    for seed in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            X_res, y_res = KDEOverSampler(random_state=seed).fit_resample(X, y)
        new = X_res[n:]
        assert np.isfinite(new).all()
        assert np.all((new >= X.min(axis=0)) & (new <= X.max(axis=0)))
        # The new rows' median is the class's, within 5 standard errors of a
        # median of ~150 standard normal rows.
        own = X[y == 1, 1]
        error = 5 * 1.25 / np.sqrt(own.size)
        assert np.median(new[:, 1]) == pytest.approx(np.median(own), abs=error)


def test_map_sample_weights_stand_for_all_rows(monkeypatch):
    # Every row of the class to grow is in the map sample; weighting the
    # others by the rows they stand for keeps the CDF of all rows.
    monkeypatch.setattr(kde, "_MAP_ROWS", 500)
    rng = np.random.RandomState(0)
    X = np.r_[rng.normal(size=(2400, 1)), rng.normal(2, 1, size=(600, 1))]
    grow = np.repeat([False, True], [2400, 600])
    schema = TableSchema.from_data(X)
    sampled = kde._SharedSpace(X, schema, grow, rng).maps[0]
    monkeypatch.setattr(kde, "_MAP_ROWS", 50_000)
    full = kde._SharedSpace(X, schema, grow, rng).maps[0]
    x = np.sort(X[:, 0])
    # 500 of the 2400 other rows: a Dvoretzky-Kiefer-Wolfowitz band of
    # sqrt(log(2 / 1e-4) / 1000) = 0.1 on their share (0.8) of the CDF.
    assert np.max(np.abs(sampled.cdf(x) - full.cdf(x))) < 0.8 * 0.1
    assert sampled.low == X.min() and sampled.high == X.max()


def _high_cardinality(n=4000, n_levels=1500):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "zip": rng.randint(0, n_levels, n).astype(str),
            "kind": rng.choice(["x", "y", "z"], n),
        }
    )
    y = (rng.rand(n) < 0.1).astype(int)
    # The class shares the first levels of "zip" with the others.
    X.loc[y == 1, "zip"] = rng.randint(0, 30, int(y.sum())).astype(str)
    X.loc[y == 1, ["a", "b"]] += 0.5
    return X, y


def test_high_cardinality_columns_are_compared_as_codes(monkeypatch):
    # Distances of the purity rule are those of one-hot blocks, whether a
    # column enters them as a block or as compared codes.
    X, y = _high_cardinality()
    widths = []
    embed = kde_core.embed

    def recording_embed(spread, n_levels, scores, codes):
        out = embed(spread, n_levels, scores, codes)
        widths.append(out.shape[1])
        return out

    monkeypatch.setattr(kde_core, "embed", recording_embed)
    codes = KDEOverSampler(random_state=0)
    X_codes, _ = codes.fit_resample(X, y)
    # Two numeric columns and the 3 levels of "kind": no block for "zip".
    assert max(widths) == 2 + 3
    monkeypatch.setattr(kde_core, "ONE_HOT_MAX_LEVELS", 10_000)
    blocks = KDEOverSampler(random_state=0)
    X_blocks, _ = blocks.fit_resample(X, y)
    assert max(widths) == 2 + X["zip"].nunique() + 3
    assert codes.bandwidth_ == blocks.bandwidth_
    pd.testing.assert_frame_equal(X_codes, X_blocks)


def test_nearest_rows_match_the_one_hot_distances():
    from sklearn.neighbors import NearestNeighbors

    rng = np.random.RandomState(0)
    n_levels = np.array([3, 40])

    def rows(n):
        scores = rng.normal(size=(n, 2))
        codes = np.column_stack([rng.randint(0, k, n) for k in n_levels]).astype(float)
        codes[rng.rand(*codes.shape) < 0.1] = np.nan
        return scores, codes

    (ref_scores, ref_codes), (scores, codes) = rows(800), rows(300)
    spread = np.ones(2)
    one_hot = NearestNeighbors(n_neighbors=2, algorithm="brute").fit(
        kde_core.embed(spread, n_levels, ref_scores, ref_codes)
    )
    distance, _ = one_hot.kneighbors(kde_core.embed(spread, n_levels, scores, codes))

    def split(scores, codes):
        dense = kde_core.embed(spread, n_levels[:1], scores, codes[:, :1])
        return dense, codes[:, 1:]

    reference = kde_core.Reference(*split(ref_scores, ref_codes))
    nearest = reference.nearest(*split(scores, codes))
    full = kde_core.embed(spread, n_levels, ref_scores, ref_codes)
    query = kde_core.embed(spread, n_levels, scores, codes)
    found = np.linalg.norm(query - full[nearest], axis=1)
    np.testing.assert_allclose(found, distance[:, 0], atol=1e-12)
    # In single precision (the purity rule's), the same rows up to distances
    # that agree to about seven digits, in blocks of twice as many entries.
    single = kde_core.Reference(*split(ref_scores, ref_codes), dtype=np.float32)
    assert single.dense.dtype == np.float32
    nearest_single = single.nearest(*split(scores, codes))
    np.testing.assert_allclose(
        np.linalg.norm(query - full[nearest_single], axis=1), found, rtol=1e-5
    )
    # Left out one at a time: the nearest other row, never the row itself.
    probe = np.arange(0, 800, 7)
    _, second = one_hot.kneighbors(full[probe])
    left_out = reference.nearest(*split(ref_scores[probe], ref_codes[probe]), probe)
    assert np.all(left_out != probe)
    np.testing.assert_allclose(
        np.linalg.norm(full[probe] - full[left_out], axis=1),
        np.linalg.norm(full[probe] - full[second[:, 1]], axis=1),
        atol=1e-12,
    )


def test_k_nearest_matches_brute_force_on_mixed_rows():
    rng = np.random.RandomState(1)
    n_levels = np.array([3, 40])

    def rows(n):
        scores = rng.normal(size=(n, 2))
        codes = np.column_stack([rng.randint(0, k, n) for k in n_levels]).astype(float)
        return scores, codes

    (ref_scores, ref_codes), (scores, codes) = rows(500), rows(200)
    spread = np.ones(2)

    def split(scores, codes):
        dense = kde_core.embed(spread, n_levels[:1], scores, codes[:, :1])
        return dense, codes[:, 1:]

    full = kde_core.embed(spread, n_levels, ref_scores, ref_codes)
    query = kde_core.embed(spread, n_levels, scores, codes)
    reference = kde_core.Reference(*split(ref_scores, ref_codes))
    found = reference.k_nearest(*split(scores, codes), 10)
    assert found.shape == (200, 10)
    expected = np.sort(np.linalg.norm(query[:, None] - full[None], axis=2), axis=1)
    distance = np.sort(np.linalg.norm(query[:, None] - full[found], axis=2), axis=1)
    np.testing.assert_allclose(distance, expected[:, :10], atol=1e-9)
    # Asking for more neighbours than reference rows gives them all.
    few = kde_core.Reference(*split(ref_scores[:4], ref_codes[:4]))
    assert np.array_equal(
        np.sort(few.k_nearest(*split(scores, codes), 10)[0]), [0, 1, 2, 3]
    )


def test_bandwidth_does_not_depend_on_the_order_of_rows():
    # Half of the class lies far from the others, half inside them: the
    # class's own rows probed by the purity rule are drawn at random, not
    # taken in data order.
    rng = np.random.RandomState(0)
    majority = rng.normal(size=(6000, 2))
    far, inside = rng.normal(6, 1, size=(1500, 2)), rng.normal(size=(1500, 2))
    y = np.repeat([0, 1], [6000, 3000])
    far_first = KDEOverSampler(random_state=0).fit(np.r_[majority, far, inside], y)
    far_last = KDEOverSampler(random_state=0).fit(np.r_[majority, inside, far], y)
    assert far_first.bandwidth_ == far_last.bandwidth_


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_frame_of_one_numeric_dtype_resamples_as_its_array(dtype):
    # A DataFrame of numbers of one dtype is resampled into one array of
    # that dtype: the same rows as the array, in a DataFrame with its
    # columns, dtypes and a fresh index.
    rng = np.random.RandomState(0)
    n = 400
    values = (rng.normal(size=(n, 3)) * 10).astype(dtype)
    y = (rng.rand(n) < 0.2).astype(int)
    X = pd.DataFrame(values, columns=["a", "b", "c"], index=np.arange(n)[::-1] * 2)

    X_res, y_res = KDEOverSampler(random_state=0).fit_resample(X, y)
    array_res, array_y = KDEOverSampler(random_state=0).fit_resample(values, y)

    assert isinstance(X_res, pd.DataFrame)
    assert list(X_res.columns) == ["a", "b", "c"]
    assert (X_res.dtypes == dtype).all() and array_res.dtype == dtype
    pd.testing.assert_index_equal(X_res.index, pd.RangeIndex(array_res.shape[0]))
    np.testing.assert_array_equal(X_res.to_numpy(), array_res)
    np.testing.assert_array_equal(X_res.to_numpy()[:n], values)
    np.testing.assert_array_equal(np.asarray(y_res), array_y)


@pytest.mark.parametrize("frame", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.int64])
def test_large_outputs_in_their_own_memory_map_hold_the_same_rows(
    monkeypatch, frame, dtype
):
    # Large resampled tables are written into a memory map of their own
    # (large_empty), not an array numpy asks huge pages for: with the size
    # from which it maps lowered to zero, the same rows, container, dtypes
    # and memory layout come back, and the rows stay writable and picklable.
    import pickle

    from sksynth._data import _containers

    rng = np.random.RandomState(0)
    values = (rng.normal(size=(500, 4)) * 10).astype(dtype)
    y = (rng.rand(500) < 0.1).astype(int)
    X = pd.DataFrame(values, columns=list("abcd")) if frame else values
    plain, plain_y = KDEOverSampler(random_state=0).fit_resample(X, y)
    monkeypatch.setattr(_containers, "_MAPPED_BYTES", 0)
    mapped, mapped_y = KDEOverSampler(random_state=0).fit_resample(X, y)

    assert type(mapped) is type(plain)
    if frame:
        pd.testing.assert_frame_equal(mapped, plain)
        mapped = mapped.to_numpy()
    assert mapped.dtype == dtype and mapped.flags.writeable
    np.testing.assert_array_equal(mapped_y, plain_y)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(mapped)), mapped)
    mapped[0] = 0
    assert (mapped[0] == 0).all()


def test_large_empty_maps_big_arrays_only():
    from sksynth._data._containers import append_rows, large_empty

    small = large_empty((10, 3), np.float64)
    assert small.base is None and small.shape == (10, 3)
    big = large_empty((2**20, 8), np.float32, order="F")
    assert big.shape == (2**20, 8) and big.dtype == np.float32
    assert big.flags.f_contiguous and big.flags.writeable
    objects = large_empty((2**22, 2), object)
    assert objects.dtype == object and objects[0, 0] is None
    rows = append_rows(np.ones((2**21, 3)), np.zeros((2**20, 3)))
    assert rows.shape == (3 * 2**20, 3) and rows[: 2**21].all()
    assert not rows[2**21 :].any()


def test_new_rows_keep_the_class_shares_of_large_atoms():
    # The class's zeros of an amount (a spike on a continuous part), of a
    # grid of 60 values, its 10 % flags and its 40 hours a week: centres at
    # an atom's middle made large atoms grow (balancing Adult, 48.1 % of the
    # new ">50K" rows worked 40 hours, 41.5 % of the class's rows).
    rng = np.random.RandomState(0)
    n = 6000
    X = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "amount": np.where(rng.rand(n) < 0.6, 0.0, rng.lognormal(3, 1, n)),
            "gain": np.where(rng.rand(n) < 0.9, 0, 100 * rng.randint(1, 60, n)),
            "flag": (rng.rand(n) < 0.1).astype(int),
            # 40 hours a week, amid the other values.
            "hours": np.where(rng.rand(n) < 0.45, 40.0, rng.gamma(8.0, 5.0, n)),
        }
    )
    # Scott's kernel, the widest the class-aware rule tries (before, 4.7 %
    # of the new rows were flagged, and 95 % had no gain).
    y = (rng.rand(n) < 0.15).astype(int)
    X_res, y_res = KDEOverSampler(bandwidth=1.0, random_state=0).fit_resample(X, y)
    new, rows = X_res.iloc[n:], X[y == 1]
    for column, value in (("amount", 0), ("gain", 0), ("flag", 1), ("hours", 40)):
        real = np.mean(rows[column] == value)
        se = np.sqrt(real * (1 - real) * (1 / len(new) + 1 / len(rows)))
        assert np.mean(new[column] == value) == pytest.approx(real, abs=4 * se)
