"""Tests of the over-samplers' fit_resample on Dask collections."""

from collections import Counter

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from conftest import compute_synchronously
from distributed import Client
from imblearn.utils import check_sampling_strategy

from sksynth import KDESynthesizer
from sksynth.dask._resample import sampling_strategy_from_counts
from sksynth.over_sampling import (
    CopulaOverSampler,
    KDEOverSampler,
    NoiseAugmenter,
    SynthesizerOverSampler,
    TreeOverSampler,
)

SAMPLERS = [
    CopulaOverSampler,
    KDEOverSampler,
    TreeOverSampler,
    NoiseAugmenter,
    lambda **kw: SynthesizerOverSampler(KDESynthesizer(), **kw),
]


pytestmark = pytest.mark.filterwarnings("ignore:.*for identifiers:UserWarning")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    n = 400
    y = pd.Series(rng.choice(["a", "b", "c"], n, p=[0.75, 0.2, 0.05]), name="label")
    shift = y.map({"a": 0.0, "b": 2.0, "c": 4.0}).to_numpy()
    X = pd.DataFrame(
        {
            "order_id": np.arange(10_000, 10_000 + n),
            "x": rng.normal(size=n) + shift,
            "z": rng.gamma(2.0, 1.0, n),
            "kind": pd.Categorical(rng.choice(["u", "v"], n)),
        }
    )
    return X, y, dd.from_pandas(X, npartitions=3), dd.from_pandas(y, npartitions=3)


@pytest.mark.parametrize("Sampler", SAMPLERS)
@pytest.mark.parametrize("strategy", ["auto", {"b": 300, "c": 200}])
def test_counts_match_the_in_memory_sampler(Sampler, strategy, data):
    X, y, X_dask, y_dask = data
    sampler = Sampler(sampling_strategy=strategy, random_state=0)
    X_res, y_res = sampler.fit_resample(X_dask, y_dask)
    assert isinstance(X_res, dd.DataFrame) and isinstance(y_res, dd.Series)
    X_out, y_out = compute_synchronously(X_res, y_res)
    memory = Sampler(sampling_strategy=strategy, random_state=0)
    _, y_memory = memory.fit_resample(X, y)
    assert Counter(y_out) == Counter(y_memory)
    assert sampler.sampling_strategy_ == memory.sampling_strategy_
    # The original partitions come first, unchanged.
    X_in, y_in = compute_synchronously(X_dask, y_dask)
    pd.testing.assert_frame_equal(X_out.iloc[: len(X)], X_in)
    pd.testing.assert_series_equal(y_out.iloc[: len(y)], y_in)
    pd.testing.assert_series_equal(X_out.dtypes, X_in.dtypes)
    new = y_out.iloc[len(y) :]
    assert Counter(new) == {k: n for k, n in memory.sampling_strategy_.items() if n}
    assert X_out["order_id"].iloc[len(X) :].is_unique
    if not isinstance(sampler, NoiseAugmenter):
        # Keys of the collected rows (here all rows) are never drawn again.
        assert X_out["order_id"].is_unique


def test_new_rows_come_from_their_class(data):
    X, y, X_dask, y_dask = data
    X_out, y_out = compute_synchronously(
        *CopulaOverSampler(random_state=0).fit_resample(X_dask, y_dask)
    )
    new = X_out.iloc[len(X) :]
    means = new.groupby(y_out.iloc[len(y) :].to_numpy())["x"].mean()
    assert means["b"] == pytest.approx(2.0, abs=0.5)
    assert means["c"] == pytest.approx(4.0, abs=0.7)


@pytest.mark.parametrize("Sampler", [KDEOverSampler, NoiseAugmenter])
def test_reproducible_on_any_scheduler(Sampler, data, dask_cluster):
    _, _, X_dask, y_dask = data
    X_res, y_res = Sampler(random_state=3).fit_resample(X_dask, y_dask)
    first = compute_synchronously(X_res, y_res)
    with Client(dask_cluster):
        second = dask.compute(*Sampler(random_state=3).fit_resample(X_dask, y_dask))
    pd.testing.assert_frame_equal(first[0], second[0])
    pd.testing.assert_series_equal(first[1], second[1])


def test_fitted_attributes(data):
    _, _, X_dask, y_dask = data
    sampler = KDEOverSampler(random_state=0).fit(X_dask, y_dask)
    assert set(sampler.bandwidth_) == {"b", "c"}
    assert not hasattr(sampler, "sample_indices_")
    copula = CopulaOverSampler(random_state=0).fit(X_dask, y_dask)
    assert set(copula.synthesizers_) == {"b", "c"}


def test_noise_augmenter_copies(data):
    X, y, X_dask, y_dask = data
    _, y_out = compute_synchronously(
        *NoiseAugmenter(n_copies=1, random_state=0).fit_resample(X_dask, y_dask)
    )
    assert Counter(y_out) == {k: 2 * n for k, n in Counter(y).items()}


@pytest.mark.parametrize(
    "strategy", ["auto", "minority", "not minority", "all", {"b": 350, "c": 90}]
)
def test_sampling_strategy_from_counts_is_imbalanced_learns(strategy, data):
    _, y, _, _ = data
    labels, counts = np.unique(y, return_counts=True)
    expected = check_sampling_strategy(strategy, y.to_numpy(), "over-sampling")
    got = sampling_strategy_from_counts(strategy, dict(zip(labels, counts)))
    assert got == expected


def test_float_strategy_on_a_binary_target():
    counts = {0: 90, 1: 10}
    y = np.repeat([0, 1], [90, 10])
    expected = check_sampling_strategy(0.5, y, "over-sampling")
    assert sampling_strategy_from_counts(0.5, counts) == expected


def test_errors(data):
    X, y, X_dask, y_dask = data
    with pytest.raises(ValueError, match="must be a string, a float or a dict"):
        CopulaOverSampler(sampling_strategy=lambda y: {"c": 50}).fit_resample(
            X_dask, y_dask
        )
    with pytest.raises(ValueError, match="`constraints` are not supported"):
        CopulaOverSampler(constraints="auto").fit_resample(X_dask, y_dask)
    with pytest.raises(ValueError, match="`region` is not supported"):
        KDEOverSampler(region="nearest").fit_resample(X_dask, y_dask)
    with pytest.raises(TypeError, match="Dask DataFrame and y as a Dask Series"):
        CopulaOverSampler().fit_resample(X_dask, y)


@pytest.mark.parametrize("Sampler", [CopulaOverSampler, NoiseAugmenter])
def test_y_split_unlike_x_and_new_rows_numbered_after_the_old(Sampler, data):
    X, y, X_dask, _ = data
    y_dask = dd.from_pandas(y, npartitions=2)  # lined up with X by index
    X_res, y_res = compute_synchronously(
        *Sampler(random_state=0).fit_resample(X_dask, y_dask)
    )
    assert X_res.index.is_unique and X_res.index.equals(y_res.index)
    assert X_res.index[len(X) :].tolist() == list(range(len(X), len(X_res)))
    assert y_res.iloc[: len(y)].tolist() == y.tolist()
