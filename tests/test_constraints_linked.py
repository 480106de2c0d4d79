"""Linked columns: few-valued columns some pairs of whose values the data rule
out are learnt as one column of their combinations (``linked_columns``)."""

from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

import sksynth
from sksynth import (
    ForestSynthesizer,
    GaussianCopulaSynthesizer,
    KDESynthesizer,
)
from sksynth.constraints import (
    FixedCombinations,
    Implication,
    Inequality,
    MutuallyExclusive,
    detect_constraints,
    load_constraints,
    rule_from_dict,
    save_constraints,
)
from sksynth.constraints._linked import (
    _MAX_COMBINATIONS,
    RULED_OUT_EXPECTED,
    RULED_OUT_SHARE,
    baseline_implications,
    exclusive_columns,
    linked_columns,
    ordered_columns,
)

# Every exported estimator with a linked_columns parameter, found by it.
LINKING = [
    estimator(random_state=0)
    for estimator in (getattr(sksynth, name) for name in sksynth.__all__)
    if isinstance(estimator, type)
    and hasattr(estimator, "_get_param_names")
    and "linked_columns" in estimator._get_param_names()
]
LINKING_SYNTHESIZERS = [e for e in LINKING if not hasattr(e, "fit_resample")]
LINKING_OVER_SAMPLERS = [e for e in LINKING if hasattr(e, "fit_resample")]
# Those that learn few-valued linked columns as one (the forests keep only
# amounts apart: their leaves leave out ruled-out combinations themselves).
MERGING = [e for e in LINKING if getattr(type(e), "_merges_linked_columns", True)]
MERGING_SYNTHESIZERS = [e for e in LINKING_SYNTHESIZERS if e in MERGING]
MERGING_OVER_SAMPLERS = [e for e in LINKING_OVER_SAMPLERS if e in MERGING]


def test_the_estimators_that_link_are_those_expected():
    names = sorted(type(e).__name__ for e in LINKING)
    assert names == [
        "CopulaOverSampler",
        "ForestOverSampler",
        "ForestSynthesizer",
        "GaussianCopulaSynthesizer",
        "KDEOverSampler",
        "KDESynthesizer",
        "MixtureSynthesizer",
        "NoiseAugmenter",
        "TreeOverSampler",
        "TreeSynthesizer",
    ]


def _name(estimator):
    return type(estimator).__name__


def household(n=3000, seed=0):
    """A table with the rules of a census: a husband is a man, a wife a
    woman, and both are married; a colour, a count and an income that
    follow no rule."""
    rng = np.random.RandomState(seed)
    sex = rng.choice(["Female", "Male"], n)
    other = rng.choice(["Own-child", "Not-in-family", "Unmarried"], n)
    spouse = rng.rand(n) < 0.5
    relationship = np.where(spouse, np.where(sex == "Male", "Husband", "Wife"), other)
    unmarried = rng.choice(["Never-married", "Divorced", "Widowed"], n)
    marital = np.where(spouse, "Married", unmarried)
    return pd.DataFrame(
        {
            "income": rng.lognormal(10, 0.5, n),
            "marital_status": pd.Categorical(marital),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "relationship": pd.Categorical(relationship),
            "children": rng.poisson(1.0, n),
            "sex": pd.Categorical(sex),
        }
    )


def _breaks(X):
    """Rows that break the household rules."""
    relationship, sex = X["relationship"].astype(str), X["sex"].astype(str)
    married = X["marital_status"].astype(str) == "Married"
    spouse = relationship.isin(["Husband", "Wife"])
    wrong_sex = ((relationship == "Husband") & (sex == "Female")) | (
        (relationship == "Wife") & (sex == "Male")
    )
    return int((wrong_sex | (spouse != married)).sum())


GROUP = ["marital_status", "relationship", "sex"]


# -- finding the linked columns -------------------------------------------------
def test_columns_with_ruled_out_pairs_are_linked_and_the_others_not():
    assert linked_columns(household()) == [GROUP]


def test_only_frames_with_string_names_are_linked():
    # An array's columns are positions, which the merge would shift.
    X = household()
    codes = np.column_stack([X[c].cat.codes for c in GROUP] + [X["children"]])
    assert linked_columns(codes) == []
    assert linked_columns(pd.DataFrame(codes)) == []
    named = pd.DataFrame(codes, columns=["m", "r", "s", "c"])
    assert linked_columns(named) == [["m", "r", "s"]]


def spouses(n, seed=0):
    """Relationship and sex, 1.5 % of the rows a husband or a wife."""
    rng = np.random.RandomState(seed)
    sex = rng.choice(["Female", "Male"], n)
    other = rng.choice(["Own-child", "Unmarried"], n)
    spouse = rng.rand(n) < 0.015
    relationship = np.where(spouse, np.where(sex == "Male", "Husband", "Wife"), other)
    return pd.DataFrame({"relationship": relationship, "sex": sex})


def test_a_pair_chance_gives_few_rows_is_not_ruled_out():
    # 1,000 rows: independence gives female husbands about 1000 * 0.0075 *
    # 0.5 rows, fewer than RULED_OUT_EXPECTED; their absence rules nothing
    # out. Ten times the rows leave room for them, and it does.
    small, large = spouses(1000), spouses(10_000)
    for X in (small, large):
        husbands = (X["relationship"] == "Husband").sum()
        expected = husbands * (X["sex"] == "Female").mean()
        assert (expected < RULED_OUT_EXPECTED) == (X is small)
    assert linked_columns(small) == []
    assert linked_columns(large) == [["relationship", "sex"]]


def test_a_group_needs_rows_for_each_combination():
    # The household's three columns hold 20 combinations, marital status
    # and relationship 11, relationship and sex 8. 1,000 rows hold the 20
    # combinations 50 times on average; 600 rows only the first merge (the
    # pair whose ruled-out pairs chance gives most rows); 300 rows none: a
    # group is not learnt as a list of its rows' combinations.
    assert linked_columns(household(1000)) == [GROUP]
    assert linked_columns(household(600)) == [GROUP[:2]]
    assert linked_columns(household(300)) == []


def test_a_pair_held_by_more_than_the_ruled_out_share_links_nothing():
    X = household(4000)
    # Female husbands in 3 % of the rows independence gives them (about 15
    # of 500): an exception, not a rule.
    husbands = np.flatnonzero(X["relationship"] == "Husband")[:15]
    X.loc[husbands, "sex"] = "Female"
    expected = (X["relationship"] == "Husband").sum() * (X["sex"] == "Female").mean()
    assert 15 > RULED_OUT_SHARE * expected
    groups = linked_columns(X)
    # The wife's pair and marriage still link all three.
    assert groups == [GROUP]
    wifeless = X[X["relationship"] != "Wife"].reset_index(drop=True)
    assert linked_columns(wifeless[["relationship", "sex"]]) == []


def test_groups_stay_within_the_combinations_cap():
    rng = np.random.RandomState(0)
    n = 40_000
    a = rng.randint(0, 60, n)
    # b is never a's value: the diagonal is ruled out, and the pair holds
    # about 60 * 59 combinations, more than the cap.
    b = (a + rng.randint(1, 60, n)) % 60
    X = pd.DataFrame({"a": a.astype(str), "b": b.astype(str)})
    assert 60 * 59 > _MAX_COMBINATIONS
    assert linked_columns(X) == []


def test_skipped_dates_and_many_valued_columns_are_never_linked():
    X = household()
    assert linked_columns(X, skip={"sex"}) == [["marital_status", "relationship"]]
    X["sex"] = np.where(X["sex"] == "Male", 1.5, 2.5) + np.arange(len(X)) * 1e-3
    X["when"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(
        np.where(X["relationship"] == "Husband", 0, 1), "D"
    )
    assert linked_columns(X) == [["marital_status", "relationship"]]


@settings(max_examples=30, deadline=None)
@given(
    n_rows=st.integers(20, 600),
    widths=st.lists(st.integers(2, 6), min_size=2, max_size=5),
    zeros=st.integers(0, 6),
    seed=st.integers(0, 2**16),
)
def test_property_linked_groups_hold_ruled_out_pairs(n_rows, widths, zeros, seed):
    # Random few-valued columns, some pairs of values removed by redrawing
    # rows that hold them: every column of a group shares a ruled-out pair
    # with another member, groups are disjoint and within the cap.
    rng = np.random.RandomState(seed)
    codes = np.column_stack([rng.randint(0, w, n_rows) for w in widths])
    for _ in range(zeros):
        i, j = rng.choice(len(widths), 2, replace=False)
        a, b = rng.randint(widths[i]), rng.randint(widths[j])
        hit = (codes[:, i] == a) & (codes[:, j] == b)
        codes[hit, j] = (b + 1) % widths[j]
    names = [f"c{i}" for i in range(len(widths))]
    groups = [
        [names.index(c) for c in g]
        for g in linked_columns(pd.DataFrame(codes, columns=names))
    ]
    members = [c for group in groups for c in group]
    assert len(members) == len(set(members))
    for group in groups:
        assert len(group) >= 2 and group == sorted(group)
        assert len({tuple(row) for row in codes[:, group]}) <= _MAX_COMBINATIONS
        for i in group:
            linked = False
            for j in group:
                if i == j:
                    continue
                observed = pd.crosstab(codes[:, i], codes[:, j]).to_numpy()
                expected = np.outer(observed.sum(1), observed.sum(0)) / n_rows
                linked |= bool(
                    np.any(
                        (expected >= RULED_OUT_EXPECTED)
                        & (observed <= RULED_OUT_SHARE * expected)
                    )
                )
            assert linked


# -- synthesizers and over-samplers ----------------------------------------------
def _fitted_and_drawn(synthesizer, X, n_samples):
    """A clone of ``synthesizer`` fitted on ``X`` and ``n_samples`` rows it
    draws (``random_state=0``), which keep the dtypes of ``X``."""
    synth = clone(synthesizer).fit(X)
    X_new = synth.sample(n_samples, random_state=0)
    pd.testing.assert_series_equal(X_new.dtypes, X.dtypes)
    return synth, X_new


@pytest.mark.parametrize("synthesizer", MERGING_SYNTHESIZERS, ids=_name)
def test_synthetic_rows_keep_the_rules_of_linked_columns(synthesizer):
    X = household()
    synth, X_new = _fitted_and_drawn(synthesizer, X, 5000)

    assert _breaks(X_new) == 0
    assert [rule.columns for rule in synth.constraints_] == [GROUP]
    assert isinstance(synth.constraints_[0], FixedCombinations)
    assert synth.describe_constraints() == (
        "fixed combinations of marital_status, relationship, sex  (linked "
        "columns; models one column of the 20 combinations seen)"
    )
    # The group's shares are those of the data, up to sampling noise.
    real = X["relationship"].value_counts(normalize=True)
    drawn = X_new["relationship"].value_counts(normalize=True)
    tolerance = 4 * np.sqrt(0.25 * 0.75 / 5000 + 0.25 * 0.75 / len(X))
    assert np.abs(drawn[real.index] - real).max() < tolerance

    # Conditions on one member of a group fix it and keep the rules.
    given_sex = synth.sample(500, random_state=1, conditions={"sex": "Female"})
    with pytest.raises(ValueError, match="linked_columns=None models them apart"):
        synth.sample(5, conditions={"relationship": "Husband", "sex": "Female"})
    assert (given_sex["sex"] == "Female").all()
    assert _breaks(given_sex) == 0
    assert (given_sex["relationship"] == "Wife").mean() > 0.3

    # Rows that break a rule keep a finite, lower score.
    broken = X.head(40).copy()
    husband = broken["relationship"] == "Husband"
    broken.loc[husband, "sex"] = "Female"
    scores = synth.score_samples(broken)
    assert np.isfinite(scores).all()
    husband = husband.to_numpy()
    assert np.all(scores[husband] < synth.score_samples(X.head(40))[husband])


@pytest.mark.parametrize("synthesizer", MERGING_SYNTHESIZERS, ids=_name)
def test_without_linking_columns_are_modelled_apart(synthesizer):
    X = household()
    synth = clone(synthesizer).set_params(linked_columns=None).fit(X)
    assert synth.constraints_ == []
    assert synth.describe_constraints() == ""
    if isinstance(synthesizer, GaussianCopulaSynthesizer | KDESynthesizer):
        # A copula or a kernel density draws the columns apart: rows break
        # the rules (the mixture's classes and the trees' leaves may
        # separate them).
        assert _breaks(synth.sample(5000, random_state=0)) > 0


def test_user_rules_keep_their_columns():
    X = household()
    rule = FixedCombinations(["relationship", "sex"])
    synth = GaussianCopulaSynthesizer(random_state=0, constraints=[rule]).fit(X)
    assert synth.constraints_ == [rule]
    found = GaussianCopulaSynthesizer(
        random_state=0, constraints=[Inequality("children", "income")]
    ).fit(X)
    assert [r.columns for r in found.constraints_] == [["children", "income"], GROUP]


def test_detected_implications_yield_to_linked_groups_and_given_ones_do_not():
    # constraints="auto" finds that a husband is a married man: the linked
    # group keeps that and models the three columns jointly, so the
    # implications are dropped. Rules given by the user keep their columns.
    X = household()
    found = detect_constraints(X)
    assert len(found) == 4 and all(isinstance(r, Implication) for r in found)
    auto = GaussianCopulaSynthesizer(random_state=0, constraints="auto").fit(X)
    assert [r.columns for r in auto.constraints_] == [GROUP]
    assert _breaks(auto.sample(3000, random_state=0)) == 0
    given = GaussianCopulaSynthesizer(random_state=0, constraints=found[:2]).fit(X)
    assert given.constraints_ == found[:2]

    # Two husbands of 40,000 rows are divorced: "if Husband then Married" is
    # found (within the tolerance) but broken by training rows; it stays,
    # applied after the group, and every synthetic row keeps it.
    X = household(40_000)
    husbands = np.flatnonzero(X["relationship"] == "Husband")[:2]
    X.loc[husbands, "marital_status"] = "Divorced"
    rule = Implication("relationship", "Husband", "marital_status", "Married")
    assert rule in detect_constraints(X) and not rule.is_valid(X).all()
    auto = GaussianCopulaSynthesizer(random_state=0, constraints="auto").fit(X)
    assert rule in auto.constraints_
    assert [r.columns for r in auto.constraints_ if getattr(r, "linked_", 0)] == [GROUP]
    assert rule.is_valid(auto.sample(5000, random_state=0)).all()


def test_column_options_by_name_keep_their_columns_and_by_position_stop_linking():
    X = household()
    named = GaussianCopulaSynthesizer(
        random_state=0, categorical_features=["sex", "colour"]
    ).fit(X)
    assert [r.columns for r in named.constraints_] == [GROUP[:2]]
    by_position = GaussianCopulaSynthesizer(
        random_state=0, categorical_features=[1, 3, 5]
    )
    assert by_position.fit(X).constraints_ == []
    array = GaussianCopulaSynthesizer(random_state=0).fit(
        np.column_stack([X[c].cat.codes for c in GROUP]).astype(float)
    )
    assert array.constraints_ == []


def test_the_forests_keep_amounts_apart_but_merge_no_column():
    # Their groups leave out the combinations the data rule out (by the same
    # test); merging the columns too made their rows nearer the training
    # rows. Amounts are kept apart.
    forest = ForestSynthesizer(random_state=0).fit(household())
    assert forest.constraints_ == []
    assert _breaks(forest.sample(3000, random_state=0)) < 0.01 * 3000
    forest = ForestSynthesizer(random_state=0).fit(ledger())
    assert forest.constraints_ == [MutuallyExclusive(["gain", "loss"])]


def _balance(sampler, X):
    """The new rows of ``sampler`` (fitted here) balancing a random tenth of
    the rows of ``X`` against the rest: as many as the classes differ, in
    the dtypes of ``X``."""
    y = np.where(np.random.RandomState(1).rand(len(X)) < 0.1, "rare", "common")
    X_res, _ = sampler.fit_resample(X, y)
    new = X_res.iloc[len(X) :]
    assert len(new) == (y == "common").sum() - (y == "rare").sum()
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    return new


def _balance_on_dask(sampler, X):
    """The new rows of ``sampler`` (fitted here on Dask input, in three
    partitions) balancing a random tenth of the rows of ``X`` against the
    rest: as many as the classes differ, all of the rare class."""
    dd = pytest.importorskip("dask.dataframe")
    y = pd.Series(
        np.where(np.random.RandomState(1).rand(len(X)) < 0.1, "rare", "common"),
        name="label",
    )
    X_res, y_res = sampler.fit_resample(
        dd.from_pandas(X, npartitions=3), dd.from_pandas(y, npartitions=3)
    )
    X_res, y_res = X_res.compute(), y_res.compute()
    new = X_res.iloc[len(X) :]
    assert len(new) == (y == "common").sum() - (y == "rare").sum()
    assert (y_res.iloc[len(X) :] == "rare").all()
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    return new


# The over-samplers that take Dask input.
DASK_OVER_SAMPLERS = [s for s in LINKING_OVER_SAMPLERS if _name(s) != "NoiseAugmenter"]


@pytest.mark.parametrize("sampler", MERGING_OVER_SAMPLERS, ids=_name)
def test_new_rows_of_over_samplers_keep_the_rules(sampler):
    sampler = clone(sampler)
    assert _breaks(_balance(sampler, household())) == 0
    assert [rule.columns for rule in sampler.constraints_] == [GROUP]
    for model in getattr(sampler, "synthesizers_", {}).values():
        # Linked once, on all the rows, by the over-sampler's rule.
        assert model.linked_columns is None


def _chunked_and_dask_fits(X):
    """Copulas fitted on ``X`` chunk by chunk (``partial_fit``, chunks of
    2,000 rows) and as a Dask DataFrame of four partitions."""
    dd = pytest.importorskip("dask.dataframe")
    chunked = GaussianCopulaSynthesizer(random_state=0)
    for start in range(0, len(X), 2000):
        chunked.partial_fit(X.iloc[start : start + 2000])
    lazy = GaussianCopulaSynthesizer(random_state=0).fit(
        dd.from_pandas(X, npartitions=4)
    )
    return chunked, lazy


def test_chunked_and_dask_fits_link_columns():
    for synth in _chunked_and_dask_fits(household(8000)):
        # partial_fit links on the first chunk, a Dask fit on its sample.
        assert [rule.columns for rule in synth.constraints_] == [GROUP]
        assert _breaks(synth.sample(3000, random_state=0)) == 0


@pytest.mark.parametrize(
    "sampler", [s for s in DASK_OVER_SAMPLERS if s in MERGING], ids=_name
)
def test_over_samplers_link_columns_on_dask_input(sampler):
    sampler = clone(sampler)
    assert _breaks(_balance_on_dask(sampler, household())) == 0
    assert [rule.columns for rule in sampler.constraints_] == [GROUP]


def test_a_wide_table_is_linked_on_fewer_rows(monkeypatch):
    # Every pair of columns is counted: with many pairs, on a sample of the
    # rows (here as if the table were wide). 2,000 rows still find the
    # group; 40 rows give no pair the 10 rows needed to rule it out.
    import sksynth.constraints._linked as linked

    X = household(20_000)
    monkeypatch.setattr(linked, "_PAIR_CELLS", 1)
    assert linked_columns(X) == [GROUP]
    monkeypatch.setattr(linked, "_MIN_LINK_ROWS", 40)
    assert linked_columns(X) == []


# -- amounts that exclude one another -------------------------------------------
def ledger(n=3000, seed=0, overlap=0):
    """A gain and a loss never both non-zero (but in ``overlap`` rows), a
    bonus that is zero in 70 % of the rows whatever the others, a refund
    whose baseline is -1 (in use with the gain mostly), and an income with
    no baseline."""
    rng = np.random.RandomState(seed)
    kind = rng.choice(["gain", "loss", "none"], n, p=[0.15, 0.1, 0.75])
    both = np.flatnonzero(kind == "none")[:overlap]
    gain = np.where(kind == "gain", rng.lognormal(8, 1, n), 0.0)
    loss = np.where(kind == "loss", rng.lognormal(7, 0.5, n).round(), 0.0)
    gain[both], loss[both] = 1000.0, 500.0
    X = pd.DataFrame(
        {
            "gain": gain,
            "income": rng.lognormal(10, 0.5, n),
            "loss": loss.astype(np.int64),
            "bonus": np.where(rng.rand(n) < 0.7, 0.0, rng.gamma(2.0, 100.0, n)),
            "refund": np.where(kind == "gain", rng.gamma(2.0, 10.0, n), -1.0),
        }
    )
    # A refund without a gain, and a gain without a refund, now and then:
    # neither baseline implies the other.
    other = (kind != "gain") & (rng.rand(n) < 0.05)
    X.loc[other, "refund"] = rng.gamma(2.0, 10.0, n)[other]
    X.loc[(kind == "gain") & (rng.rand(n) < 0.1), "refund"] = -1.0
    return X


def _both_in_use(X):
    return int(((X["gain"] != 0) & (X["loss"] != 0)).sum())


def test_amounts_that_exclude_one_another_are_found():
    # Independence gives gain and loss 0.15 * 0.1 * 3000 = 45 rows in use
    # together: none is ruled out. The bonus is independent; the refund's
    # baseline is -1, not 0, and it is in use with the gain mostly.
    assert exclusive_columns(ledger()) == [(["gain", "loss"], 0)]
    assert exclusive_columns(ledger(), skip={"loss"}) == []
    # Inside a linked group the combinations keep the rule already.
    assert exclusive_columns(ledger(), groups=[["gain", "loss"]]) == []
    # A missing value counts as the baseline.
    X = ledger()
    X.loc[(X["gain"] == 0) & (X.index % 3 == 0), "gain"] = np.nan
    assert exclusive_columns(X) == [(["gain", "loss"], 0)]
    assert MutuallyExclusive(["gain", "loss"]).is_valid(X).all()
    # Arrays and non-string names: not linked, as in linked_columns.
    assert exclusive_columns(ledger().to_numpy()) == []


def test_exclusion_needs_room_to_show_and_no_exceptions():
    # 600 rows: chance gives the pair 9 rows, too few to rule it out.
    expected = 0.15 * 0.1 * 600
    assert expected < RULED_OUT_EXPECTED
    assert exclusive_columns(ledger(600)) == []
    # One row of 3,000 with both in use (1/45 of chance) is above the 1/100
    # cut: the pair is not ruled out.
    assert 1 > RULED_OUT_SHARE * 45
    assert exclusive_columns(ledger(overlap=1)) == []


def test_exclusive_groups_hold_only_pairwise_exclusive_columns():
    rng = np.random.RandomState(0)
    n = 6000
    kind = rng.choice(4, n, p=[0.2, 0.2, 0.2, 0.4])
    X = pd.DataFrame(
        {
            name: np.where(kind == k, rng.gamma(2.0, 50.0, n), 0.0)
            for k, name in enumerate(["rent", "mortgage", "board"])
        }
    )
    # A fee paid by owners and renters alike excludes only the board.
    X["fee"] = np.where((kind < 2) & (rng.rand(n) < 0.5), 20.0, 0.0)
    groups = exclusive_columns(X)
    assert groups == [(["rent", "mortgage", "board"], 0)]


@settings(max_examples=30, deadline=None)
@given(
    n_rows=st.integers(50, 3000),
    shares=st.lists(st.floats(0.05, 0.6), min_size=2, max_size=5),
    exclusive=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=6),
    seed=st.integers(0, 2**16),
)
def test_property_exclusive_groups_hold_only_ruled_out_pairs(
    n_rows, shares, exclusive, seed
):
    # Random amounts in use in a share of the rows, some pairs made exclusive
    # by zeroing one of them where both are in use: in every group found,
    # each pair is ruled out, each column keeps its baseline in half of the
    # rows at least, and the groups are disjoint.
    rng = np.random.RandomState(seed)
    k = len(shares)
    used = rng.rand(n_rows, k) < np.asarray(shares)
    for i, j in exclusive:
        if i < k and j < k and i != j:
            used[used[:, i] & used[:, j], j] = False
    values = np.where(used, rng.gamma(2.0, 100.0, (n_rows, k)), 0.0)
    names = [f"a{i}" for i in range(k)]
    found = exclusive_columns(pd.DataFrame(values, columns=names))
    members = [name for group, _ in found for name in group]
    assert len(members) == len(set(members))
    for group, baseline in found:
        assert baseline == 0 and len(group) >= 2
        columns = [names.index(name) for name in group]
        assert np.all(used[:, columns].mean(axis=0) <= 0.5)
        for i, j in combinations(columns, 2):
            observed = np.sum(used[:, i] & used[:, j])
            expected = used[:, i].sum() * used[:, j].sum() / n_rows
            assert expected >= RULED_OUT_EXPECTED
            assert observed <= RULED_OUT_SHARE * expected


def test_the_mutually_exclusive_rule():
    rule = MutuallyExclusive(["gain", "loss"])
    X = pd.DataFrame({"gain": [0, 500, 0, 300, np.nan], "loss": [0, 0, 120, 50, 80]})
    assert rule.is_valid(X).tolist() == [True, True, True, False, True]
    assert str(rule) == "at most one of gain, loss differs from 0"
    assert rule_from_dict(rule.to_dict()) == rule
    assert MutuallyExclusive([0, 1], baseline=-1).is_valid(
        np.array([[-1, 2], [3, 4]])
    ).tolist() == [True, False]
    with pytest.raises(ValueError, match="two or more columns"):
        MutuallyExclusive(["gain"])
    with pytest.raises(ValueError, match="'debt'"):
        MutuallyExclusive(["gain", "debt"]).is_valid(X)


def test_mutually_exclusive_rules_go_through_json(tmp_path):
    path = tmp_path / "rules.json"
    rules = [MutuallyExclusive(["gain", "loss"], baseline=0.0)]
    save_constraints(rules, path)
    assert load_constraints(path) == rules


def test_a_given_rule_most_rows_break_is_named_in_a_warning():
    X = ledger(overlap=200)
    with pytest.warns(UserWarning, match="at most one of gain, loss"):
        GaussianCopulaSynthesizer(
            random_state=0, constraints=[MutuallyExclusive(["gain", "loss"])]
        ).fit(X)


@pytest.mark.parametrize("synthesizer", LINKING_SYNTHESIZERS, ids=_name)
def test_synthetic_rows_keep_amounts_apart(synthesizer):
    X = ledger()
    synth, X_new = _fitted_and_drawn(synthesizer, X, 4000)

    assert _both_in_use(X_new) == 0
    assert synth.constraints_ == [MutuallyExclusive(["gain", "loss"])]
    assert synth.describe_constraints() == (
        "at most one of gain, loss differs from 0  (linked columns; rejection: "
        "rows with two in use are drawn again)"
    )
    # Redrawing the rows that break the rule leaves each amount in use as
    # often as the model draws it without the rule, up to sampling noise.
    apart = clone(synthesizer).set_params(linked_columns=None).fit(X)
    X_apart = apart.sample(4000, random_state=1)
    for name, share in (("gain", 0.15), ("loss", 0.1)):
        tolerance = 4 * np.sqrt(share * (1 - share) * 2 / 4000)
        drawn = (X_apart[name] != 0).mean()
        assert abs((X_new[name] != 0).mean() - drawn) < tolerance

    given = synth.sample(200, random_state=1, conditions={"gain": 0.0})
    assert (given["gain"] == 0).all()
    with pytest.raises(ValueError, match="linked_columns=None models them apart"):
        synth.sample(5, conditions={"gain": 1000.0, "loss": 500})

    # The rule changes no model: a row with both in use scores the model's
    # density plus the penalty of a novel outcome, the others the same.
    rows = X.head(20).copy()
    broken = rows.assign(gain=1000.0, loss=500)
    np.testing.assert_allclose(
        synth.score_samples(broken) - apart.score_samples(broken),
        np.log(1 / (len(X) + 1)),
    )
    np.testing.assert_allclose(synth.score_samples(rows), apart.score_samples(rows))


@pytest.mark.parametrize("synthesizer", LINKING_SYNTHESIZERS, ids=_name)
def test_without_linking_amounts_are_drawn_apart(synthesizer):
    synth = clone(synthesizer).set_params(linked_columns=None).fit(ledger())
    assert synth.constraints_ == []
    if isinstance(synthesizer, GaussianCopulaSynthesizer):
        # A copula draws the columns' spikes apart: both in use in some rows.
        assert _both_in_use(synth.sample(4000, random_state=0)) > 0


@pytest.mark.parametrize("sampler", LINKING_OVER_SAMPLERS, ids=_name)
def test_new_rows_of_over_samplers_keep_amounts_apart(sampler):
    sampler = clone(sampler)
    assert _both_in_use(_balance(sampler, ledger())) == 0
    assert sampler.constraints_ == [MutuallyExclusive(["gain", "loss"])]


@pytest.mark.parametrize("sampler", DASK_OVER_SAMPLERS, ids=_name)
def test_over_samplers_keep_amounts_apart_on_dask_input(sampler):
    # New partitions redraw the rows that break a rule kept by rejection.
    sampler = clone(sampler)
    assert _both_in_use(_balance_on_dask(sampler, ledger(8000))) == 0
    assert sampler.constraints_ == [MutuallyExclusive(["gain", "loss"])]


def test_reports_check_the_rules_the_data_link():
    # evaluate_synthetic(constraints="auto") checks the rules linking finds,
    # so a report shows what a model that draws columns apart breaks.
    from sksynth.metrics import evaluate_synthetic

    X = household().join(ledger().drop(columns="income"))
    real, holdout = X.iloc[:2000], X.iloc[2000:]
    shares = {}
    for linked in ("auto", None):
        synth = GaussianCopulaSynthesizer(random_state=0, linked_columns=linked)
        X_new = synth.fit(real).sample(2000, random_state=0)
        report = evaluate_synthetic(
            real, X_new, holdout=holdout, metrics="fidelity", constraints="auto"
        )
        shares[linked] = report["constraints"]["synthetic"]
    group = "fixed combinations of " + ", ".join(GROUP)
    amounts = "at most one of gain, loss differs from 0"
    assert {group, amounts} <= set(shares["auto"].index)
    assert shares["auto"][group] == 0 and shares["auto"][amounts] == 0
    assert shares[None][group] > 0.05 and shares[None][amounts] > 0
    assert report["constraints"]["real_holdout"][amounts] == 0


# -- columns in order -----------------------------------------------------------
def readings(n=2000, seed=0):
    """Pages read (never fewer than the requests that read them, equal in
    some rows), a visit's start and its later end, and a level that keeps no
    order with any other column."""
    rng = np.random.RandomState(seed)
    requests = rng.gamma(2.0, 5.0, n).round(1)
    pages = np.where(rng.rand(n) < 0.2, requests, requests * rng.uniform(1, 3, n))
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.randint(0, 365, n), "D")
    return pd.DataFrame(
        {
            "requests": requests,
            "pages": pages.round(1),
            "start": start,
            "end": start + pd.to_timedelta(rng.randint(1, 60, n), "D"),
            "level": rng.normal(10.0, 3.0, n),
        }
    )


ORDERED = [Inequality("requests", "pages"), Inequality("start", "end", strict=True)]


def _out_of_order(X):
    return int(((X["requests"] > X["pages"]) | (X["start"] >= X["end"])).sum())


def test_columns_in_order_are_found():
    X = readings()
    assert ordered_columns(X) == ORDERED
    assert [str(rule) for rule in ordered_columns(X)] == [
        "requests <= pages",
        "start < end",
    ]
    assert ordered_columns(X, skip={"pages", "end"}) == []
    # One row out of order, and the order is no rule of the data.
    X.loc[7, "requests"] = X.loc[7, "pages"] + 1.0
    assert ordered_columns(X) == ORDERED[1:]
    # Arrays have no column names to write a rule with.
    assert ordered_columns(readings()[["requests", "pages"]].to_numpy()) == []


def test_an_order_independent_columns_keep_anyway_is_not_a_rule():
    # Incomes are always above losses, but so are they in independent
    # columns: the order says nothing about the rows.
    X = ledger()
    assert ordered_columns(X[["loss", "income"]].query("loss > 0")) == []
    # And a pair read in too few rows is not a rule either.
    X = readings(n=2000)
    X.loc[X.index >= 8, "requests"] = np.nan
    assert Inequality("requests", "pages") not in ordered_columns(X)


def test_the_order_of_a_chain_is_kept_once():
    rng = np.random.RandomState(0)
    low = rng.normal(size=1000)
    mid = low + rng.exponential(size=1000)
    X = pd.DataFrame({"low": low, "mid": mid, "high": mid + rng.exponential(size=1000)})
    assert ordered_columns(X) == [
        Inequality("low", "mid", strict=True),
        Inequality("mid", "high", strict=True),
    ]


@settings(max_examples=30, deadline=None)
@given(
    n_rows=st.integers(50, 400),
    n_columns=st.integers(2, 6),
    ordered=st.lists(st.booleans(), min_size=5, max_size=5),
    seed=st.integers(0, 2**16),
)
def test_property_found_orders_hold_in_every_row(n_rows, n_columns, ordered, seed):
    rng = np.random.RandomState(seed)
    columns = [rng.normal(size=n_rows)]
    for k in range(1, n_columns):
        step = rng.exponential(size=n_rows)
        fresh = rng.normal(size=n_rows)
        columns.append(columns[-1] + step if ordered[k - 1] else fresh)
    X = pd.DataFrame({f"c{k}": c for k, c in enumerate(columns)})
    found = ordered_columns(X)
    for rule in found:
        assert rule.is_valid(X).all()
    for k in range(1, n_columns):
        # Each built order is found (a chain of them, once per link).
        if ordered[k - 1]:
            assert Inequality(f"c{k - 1}", f"c{k}", strict=True) in found


@pytest.mark.parametrize("synthesizer", LINKING_SYNTHESIZERS, ids=_name)
def test_synthetic_rows_keep_columns_in_order(synthesizer):
    X = readings()
    synth, X_new = _fitted_and_drawn(synthesizer, X, 3000)

    assert _out_of_order(X_new) == 0
    assert synth.constraints_ == ORDERED
    # Independent columns would break these orders in 0.32 and 0.42 of the
    # pairs of rows: every estimator learns the higher column as its
    # difference to the lower one, the forests too (they keep looser orders
    # by rejection: test_forest.py).
    assert synth.describe_constraints().splitlines()[0] == (
        "requests <= pages  (linked columns; models pages minus its lower bound)"
    )
    # The higher column still follows its own margin.
    assert abs(np.median(X_new["pages"]) / np.median(X["pages"]) - 1) < 0.15
    given = synth.sample(50, random_state=1, conditions={"requests": 5.0})
    assert (given["pages"] >= 5.0).all()
    with pytest.raises(ValueError, match="linked_columns=None models them apart"):
        synth.sample(5, conditions={"requests": 10.0, "pages": 5.0})
    # The higher column alone: the model learns its difference to the lower
    # one, so it needs the lower one too.
    with pytest.raises(ValueError, match=r"condition on \['requests'\] too.*apart"):
        synth.sample(5, conditions={"pages": 20.0})

    apart = clone(synthesizer).set_params(linked_columns=None).fit(X)
    assert apart.constraints_ == []


def test_without_linking_a_copula_draws_columns_out_of_order():
    synth = GaussianCopulaSynthesizer(random_state=0, linked_columns=None)
    assert _out_of_order(synth.fit(readings()).sample(3000, random_state=0)) > 30


@pytest.mark.parametrize("sampler", LINKING_OVER_SAMPLERS, ids=_name)
def test_new_rows_of_over_samplers_keep_columns_in_order(sampler):
    sampler = clone(sampler)
    assert _out_of_order(_balance(sampler, readings())) == 0
    assert sampler.constraints_ == ORDERED


def _report_on_rows_apart(X):
    """The shares of rows that break each rule of evaluate_synthetic's
    ``constraints="auto"``: of a copula that models every column on its own,
    fitted on the first 2,000 rows of ``X``, and of the rest of ``X``."""
    from sksynth.metrics import evaluate_synthetic

    real, holdout = X.iloc[:2000], X.iloc[2000:]
    synth = GaussianCopulaSynthesizer(random_state=0, linked_columns=None)
    X_new = synth.fit(real).sample(2000, random_state=0)
    report = evaluate_synthetic(
        real, X_new, holdout=holdout, metrics="fidelity", constraints="auto"
    )
    return report["constraints"]


def test_reports_check_the_order_the_data_keep():
    shares = _report_on_rows_apart(readings(3000))
    assert shares["synthetic"]["requests <= pages"] > 0.01
    assert shares["real_holdout"]["requests <= pages"] == 0


def test_chunked_and_dask_fits_keep_columns_in_order():
    for synth in _chunked_and_dask_fits(readings(8000)):
        assert synth.constraints_ == ORDERED
        assert _out_of_order(synth.sample(3000, random_state=0)) == 0


@pytest.mark.parametrize("sampler", DASK_OVER_SAMPLERS, ids=_name)
def test_over_samplers_keep_columns_in_order_on_dask_input(sampler):
    sampler = clone(sampler)
    assert _out_of_order(_balance_on_dask(sampler, readings(6000))) == 0
    assert sampler.constraints_ == ORDERED


# -- baselines that imply others --------------------------------------------------
def contacts(n=2000, seed=0):
    """Contacts of a campaign: no days since the last contact (-1) exactly
    where there was no earlier contact, pages written (0) wherever no write
    was asked for, though some asked writes wrote nothing, and a spend with
    zeros that follow no rule."""
    rng = np.random.RandomState(seed)
    previous = rng.poisson(0.7, n)
    asked = np.where(rng.rand(n) < 0.4, 0.0, rng.gamma(2.0, 3.0, n).round(1))
    written = np.where(rng.rand(n) < 0.2, 0.0, asked * rng.uniform(1, 4, n))
    return pd.DataFrame(
        {
            "previous": previous,
            "pdays": np.where(previous == 0, -1, rng.randint(1, 400, n)),
            "asked": asked,
            "written": written.round(1),
            "spend": np.where(rng.rand(n) < 0.3, 0.0, rng.gamma(2.0, 50.0, n)),
        }
    )


IMPLIED = [
    Implication("previous", 0, "pdays", -1),
    Implication("pdays", -1, "previous", 0),
    Implication("asked", 0, "written", 0),
]


def _breaks_implied(X):
    return int(sum((~rule.is_valid(X)).sum() for rule in IMPLIED))


def test_baselines_that_imply_others_are_found():
    X = contacts()
    assert baseline_implications(X) == IMPLIED
    assert baseline_implications(X, skip={"pdays"}) == IMPLIED[2:]
    # Inside a linked group, or read by a given implication, left alone.
    assert baseline_implications(X, groups=[["previous", "pdays"]]) == IMPLIED[2:]
    assert baseline_implications(X, rules=[IMPLIED[2]]) == IMPLIED[:2]
    # One row that breaks it, and there is no rule.
    X.loc[X.index[X["asked"] == 0][0], "written"] = 5.0
    assert baseline_implications(X) == IMPLIED[:2]
    # Two few-valued columns are left to linked_columns.
    few = pd.DataFrame({"a": [0, 0, 1, 2] * 50, "b": [0, 0, 3, 1] * 50})
    assert baseline_implications(few) == []
    assert linked_columns(few) == [["a", "b"]]


@pytest.mark.parametrize("synthesizer", LINKING_SYNTHESIZERS, ids=_name)
def test_synthetic_rows_keep_the_baselines_implied(synthesizer):
    X = contacts()
    synth, X_new = _fitted_and_drawn(synthesizer, X, 3000)

    assert _breaks_implied(X_new) == 0
    implied = [r for r in synth.constraints_ if isinstance(r, Implication)]
    assert implied == IMPLIED
    given = synth.sample(50, random_state=1, conditions={"previous": 0})
    assert (given["pdays"] == -1).all()
    # Conditions no row could keep fail at once, naming the rule.
    for conditions in ({"previous": 0, "pdays": 30}, {"asked": 0.0, "written": 5.0}):
        with pytest.raises(ValueError, match="break rule 'if .* models them apart"):
            synth.sample(5, conditions=conditions)
    # No contact stays about as common as the model draws it.
    apart = clone(synthesizer).set_params(linked_columns=None).fit(X)
    drawn = (apart.sample(3000, random_state=1)["previous"] == 0).mean()
    assert abs((X_new["previous"] == 0).mean() - drawn) < 0.1


@pytest.mark.parametrize("sampler", LINKING_OVER_SAMPLERS, ids=_name)
def test_new_rows_of_over_samplers_keep_the_baselines_implied(sampler):
    sampler = clone(sampler)
    assert _breaks_implied(_balance(sampler, contacts())) == 0
    assert [r for r in sampler.constraints_ if isinstance(r, Implication)] == IMPLIED


def test_reports_check_the_baselines_implied():
    shares = _report_on_rows_apart(contacts(3000))
    # detect_constraints finds them too (the linked ones are not repeated).
    assert len(shares) == 3
    assert (shares["synthetic"] > 0.01).all()
    assert (shares["real_holdout"] == 0).all()
    # Without detect_constraints' rules, the report checks the linked ones.
    from sksynth.constraints._linked import linked_rules

    real = contacts(3000).iloc[:2000]
    assert [r for r in linked_rules(real) if isinstance(r, Implication)] == IMPLIED


def test_lists_of_rows_link_nothing():
    rows = [[0.0, 1.0], [0.0, 2.0], [1.0, 3.0]] * 40
    assert baseline_implications(rows) == []
    assert ordered_columns(rows) == []


def test_orders_chance_keeps_among_many_pairs_are_not_rules():
    # 200 rows of 200 correlated columns, scores and counts: tried on every
    # pair, about 50 pairs keep an order in every row by chance; none is
    # strong enough to be a rule.
    rng = np.random.RandomState(0)
    factor = rng.normal(size=200)
    columns = {}
    for i in range(100):
        columns[f"score{i}"] = 0.8 * factor + 0.6 * rng.normal(size=200)
        rate = np.exp(1.2 + 0.4 * factor + 0.2 * rng.normal(size=200))
        columns[f"count{i}"] = rng.poisson(rate)
    assert ordered_columns(pd.DataFrame(columns)) == []
