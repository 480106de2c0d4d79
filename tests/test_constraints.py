"""Tests of sksynth.constraints: the rules, their transforms, and every
synthesizer and over-sampler keeping them (issue 13)."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from sksynth import (
    CopulaOverSampler,
    GaussianCopulaSynthesizer,
    KDEOverSampler,
    KDESynthesizer,
    MixtureSynthesizer,
    NoiseAugmenter,
    SynthesizerOverSampler,
    TreeOverSampler,
    TreeSynthesizer,
)
from sksynth.constraints import (
    FixedCombinations,
    Formula,
    Implication,
    Inequality,
    Predicate,
    Range,
    rule_from_dict,
)
from sksynth.constraints._enforce import RuleSet

SYNTHESIZERS = [
    GaussianCopulaSynthesizer(random_state=0),
    KDESynthesizer(random_state=0),
    MixtureSynthesizer(random_state=0),
    TreeSynthesizer(random_state=0),
]
OVER_SAMPLERS = [
    CopulaOverSampler(random_state=0),
    KDEOverSampler(random_state=0),
    TreeOverSampler(random_state=0),
    NoiseAugmenter(random_state=0),
    SynthesizerOverSampler(random_state=0),
]


def _name(estimator):
    return type(estimator).__name__


def ruled_table(n=1200, seed=0):
    """A table with the rules of real ones: a year that follows another, a
    coding of a category, a value set by another (the pdays / previous
    case), a total, and two dates in order."""
    rng = np.random.RandomState(seed)
    built = rng.randint(1900, 2010, n)
    remodelled = np.minimum(built + rng.geometric(0.05, n) - 1, 2010)
    education = rng.choice(["HS", "BA", "MA", "PhD"], n, p=[0.5, 0.3, 0.15, 0.05])
    years = pd.Series(education).map({"HS": 9, "BA": 13, "MA": 14, "PhD": 16})
    previous = rng.poisson(0.5, n)
    pdays = np.where(previous == 0, -1, rng.randint(1, 400, n))
    price = rng.lognormal(3, 1, n).round(2)
    fee = rng.lognormal(1, 0.5, n).round(2)
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.randint(0, 365, n), "D")
    end = start + pd.to_timedelta(rng.randint(0, 60, n), "D")
    return pd.DataFrame(
        {
            "built": built,
            "remodelled": remodelled,
            "education": pd.Categorical(education),
            "education_num": years.to_numpy(),
            "previous": previous,
            "pdays": pdays,
            "price": price,
            "fee": fee,
            "total": price + fee,
            "start": start,
            "end": end,
        }
    )


RULES = [
    Inequality("built", "remodelled"),
    FixedCombinations(["education", "education_num"]),
    Implication("previous", 0, "pdays", -1),
    Formula("total", "price + fee"),
    Inequality("start", "end"),
]


def _violations(rules, X):
    return {str(rule): int((~rule.is_valid(X)).sum()) for rule in rules}


# -- rules ----------------------------------------------------------------------


def test_rules_check_rows_of_frames_and_arrays():
    X = pd.DataFrame(
        {"a": [1, 2, 3, np.nan], "b": [2, 2, 1, 0], "c": ["x", "y", "x", "y"]}
    )
    np.testing.assert_array_equal(Inequality("a", "b").is_valid(X), [1, 1, 0, 1])
    np.testing.assert_array_equal(
        Inequality("a", "b", strict=True).is_valid(X), [1, 0, 0, 1]
    )
    np.testing.assert_array_equal(Inequality(1.5, "b").is_valid(X), [1, 1, 0, 0])
    np.testing.assert_array_equal(Range(0.0, "a", "b").is_valid(X), [1, 1, 0, 1])
    np.testing.assert_array_equal(
        Implication("c", "x", "b", 2).is_valid(X), [1, 1, 0, 1]
    )
    np.testing.assert_array_equal(
        Implication("a", None, "b", None).is_valid(X), [1, 1, 1, 0]
    )
    np.testing.assert_array_equal(Formula("b", "a + 1").is_valid(X), [1, 0, 0, 1])
    # An array: columns are positions.
    array = np.array([[1.0, 2.0], [3.0, 1.0]])
    np.testing.assert_array_equal(Inequality(0, 1).is_valid(array), [1, 0])
    np.testing.assert_array_equal(Inequality(0.0, 1).is_valid(-array), [0, 0])


def test_rules_read_as_text_and_round_trip_through_dicts():
    rules = [
        Inequality("built", "remodelled", strict=True),
        Inequality(0.0, "price"),
        Range("low", "mid", "high"),
        FixedCombinations(["education", "education_num"]),
        Formula("total", "price + 2 * `the fee` - 1"),
        Implication("previous", 0, "pdays", -1),
        Implication("a", None, "b", None),
    ]
    texts = [str(rule) for rule in rules]
    assert texts == [
        "built < remodelled",
        "0.0 <= price",
        "low <= mid <= high",
        "fixed combinations of education, education_num",
        "total = price + 2 * `the fee` - 1",
        "if previous is 0 then pdays is -1",
        "if a is missing then b is missing",
    ]
    for rule in rules:
        assert rule_from_dict(rule.to_dict()) == rule
    with pytest.raises(TypeError, match="JSON cannot store"):
        Predicate(lambda df: df["a"] > 0).to_dict()
    with pytest.raises(ValueError, match="'rule' one of"):
        rule_from_dict({"rule": "Nope"})


@pytest.mark.parametrize(
    "expression, message",
    [
        ("a * b", "multiplies two columns"),
        ("a / b", "divides by a column"),
        ("a ** 2", "only linear expressions"),
        ("a +", "does not parse"),
        ("3", "names no column"),
        ("f(a)", "only linear expressions"),
    ],
)
def test_formula_expression_errors(expression, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Formula("total", expression)


def test_formula_coefficients():
    rule = Formula("t", "2 * (a - b) / 4 + 3 - `b c`")
    assert rule._coefficients == {"a": 0.5, "b": -0.5, "b c": -1.0}
    assert rule._constant == 3.0


def test_fixed_combinations_needs_fit_before_checking():
    rule = FixedCombinations(["a", "b"])
    with pytest.raises(ValueError, match="call its fit"):
        rule.is_valid(pd.DataFrame({"a": [1], "b": [2]}))
    X = pd.DataFrame({"a": [1, 1, 2, None], "b": ["x", "x", "y", "z"]})
    rule.fit(X)
    check = pd.DataFrame({"a": [1, 2, 1, None, None], "b": ["x", "y", "y", "z", "x"]})
    np.testing.assert_array_equal(rule.is_valid(check), [1, 1, 0, 1, 0])


# -- the rule set: transforms ------------------------------------------------------


def test_transforms_round_trip_exactly():
    X = ruled_table(300)
    rules = RuleSet(RULES).fit(X)
    model_table = rules.transform(X)
    assert "remodelled" in model_table and "total" not in model_table
    assert "education+education_num" in model_table
    assert (model_table["remodelled"] >= 0).all()
    pd.testing.assert_frame_equal(rules.inverse_transform(model_table), X)


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.one_of(st.none(), st.integers(-50, 50)),
            st.integers(0, 50),
            st.integers(0, 3),
            st.integers(0, 400),
            st.one_of(st.none(), st.integers(0, 10)),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_property_transforms_round_trip(data):
    # Rows that keep the rules come back exactly, missing values included.
    low, gap, code, days, flag = map(list, zip(*data, strict=True))
    low = np.array([np.nan if v is None else float(v) for v in low])
    code = np.array(code)
    # One label per code: a fixed combination.
    label = np.array(["u", "v", "w", "x"], dtype=object)[code]
    flag = np.array([np.nan if v is None else float(v) for v in flag])
    flag[code == 0] = 7.0
    X = pd.DataFrame(
        {
            "low": low,
            "high": np.where(np.isnan(low), 0, low) + np.array(gap),
            "label": label,
            "code": code,
            "day": pd.Timestamp("2021-03-01") + pd.to_timedelta(days, "D"),
            "later": pd.Timestamp("2021-03-01") + pd.to_timedelta(days, "D") * 2,
            "flag": flag,
        }
    )
    rules = RuleSet(
        [
            Inequality("low", "high"),
            FixedCombinations(["label", "code"]),
            Inequality("day", "later"),
            Implication("code", 0, "flag", 7),
        ]
    ).fit(X)
    assert rules.rejection_rules == []
    back = rules.inverse_transform(rules.transform(X))
    pd.testing.assert_frame_equal(back, X)


def test_rules_on_the_same_column_and_cycles_fall_back_to_rejection():
    X = pd.DataFrame({"a": [1, 2, 3], "b": [2, 3, 4], "c": [3, 5, 7]})
    rules = RuleSet(
        [Formula("c", "a + b"), Inequality("a", "c"), Implication("a", 1, "b", 2)]
    ).fit(X)
    lines = rules.describe()
    assert lines[0] == "c = a + b  (computes c)"
    assert "rejection: column 'c' is already set by the rule \"c = a + b\"" in lines[1]
    assert [str(rule) for rule, _ in rules.rejection_rules] == ["a <= c"]


def test_rule_naming_a_missing_column_names_it():
    X = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    synth = GaussianCopulaSynthesizer(constraints=[Inequality("a", "nope")])
    with pytest.raises(ValueError, match="Rule 'a <= nope' names column 'nope'"):
        synth.fit(X)
    with pytest.raises(ValueError, match=r"not a string\)\.$"):
        GaussianCopulaSynthesizer(constraints=[Inequality("2020-01-01", "b")]).fit(X)
    with pytest.raises(TypeError, match="which is not a rule"):
        GaussianCopulaSynthesizer(constraints=["a < b"]).fit(X)


# -- synthesizers ------------------------------------------------------------------


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_name)
def test_every_synthetic_row_keeps_the_rules(synthesizer):
    X = ruled_table()
    synth = clone(synthesizer).set_params(constraints=RULES).fit(X)
    X_new = synth.sample(2000, random_state=0)

    assert _violations(synth.constraints_, X_new) == dict.fromkeys(map(str, RULES), 0)
    pd.testing.assert_series_equal(X_new.dtypes, X.dtypes)
    assert list(synth.constraints_) == RULES
    assert synth.n_features_in_ == X.shape[1]
    assert list(synth.feature_names_in_) == list(X.columns)
    lines = synth.describe_constraints().splitlines()
    assert lines[0] == "built <= remodelled  (models remodelled minus its lower bound)"


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_name)
def test_rows_off_a_rule_score_finite_and_lower(synthesizer):
    X = ruled_table()
    synth = clone(synthesizer).set_params(constraints=RULES).fit(X)
    broken = X.head(50).copy()
    broken["remodelled"] = broken["built"] - 5
    broken.loc[broken.index[:25], "education_num"] = 16
    scores = synth.score_samples(broken)
    assert np.isfinite(scores).all()
    assert np.all(scores < synth.score_samples(X.head(50)))


def test_the_penalty_reads_unseen_combinations_from_the_model_table():
    # score_samples reads FixedCombinations from the merged column of the
    # transformed rows: the same penalty as checking every rule again.
    X = ruled_table()
    rules = RuleSet(RULES).fit(X)
    broken = X.head(60).copy()
    broken.loc[broken.index[:20], "education_num"] = 16
    broken.loc[broken.index[10:30], "remodelled"] = broken["built"] - 5
    broken.loc[broken.index[25:35], "pdays"] = 7
    table = rules.transform(broken)
    expected = np.where(rules.is_valid(broken), 0.0, np.log(1 / 1201))
    assert (expected < 0).sum() >= 30
    np.testing.assert_array_equal(rules.log_penalty(broken, 1200), expected)
    np.testing.assert_array_equal(rules.log_penalty(broken, 1200, table), expected)


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_name)
def test_rules_with_a_class_target(synthesizer):
    X = ruled_table()
    y = pd.Series(np.where(X["price"] > 30, "high", "low"), name="band")
    synth = clone(synthesizer).set_params(constraints=RULES).fit(X, y)
    X_new, y_new = synth.sample(500, random_state=0)
    assert len(X_new) == len(y_new) == 500 and y_new.name == "band"
    assert sum(_violations(synth.constraints_, X_new).values()) == 0


def test_numpy_input_comes_back_as_the_same_array():
    rng = np.random.RandomState(0)
    low = rng.normal(size=400)
    X = np.column_stack([low, low + rng.exponential(size=400), rng.normal(size=400)])
    synth = GaussianCopulaSynthesizer(
        constraints=[Inequality(0, 1), Formula(2, "`0` + `1`")], random_state=0
    ).fit(np.column_stack([X[:, 0], X[:, 1], X[:, 0] + X[:, 1]]))
    X_new = synth.sample(300)
    assert isinstance(X_new, np.ndarray) and X_new.dtype == np.float64
    assert (X_new[:, 0] <= X_new[:, 1]).all()
    np.testing.assert_allclose(X_new[:, 2], X_new[:, 0] + X_new[:, 1])


def test_conditions_compose_with_rules():
    X = ruled_table()
    synth = GaussianCopulaSynthesizer(constraints=RULES, random_state=0).fit(X)

    X_ba = synth.sample(100, conditions={"education": "BA"})
    assert (X_ba["education"] == "BA").all() and (X_ba["education_num"] == 13).all()
    X_14 = synth.sample(100, conditions={"education_num": 14})
    assert (X_14["education"] == "MA").all()
    X_years = synth.sample(50, conditions={"built": 2000, "remodelled": 2005})
    assert (X_years["built"] == 2000).all() and (X_years["remodelled"] == 2005).all()
    X_dates = synth.sample(50, conditions={"start": "2020-03-01", "end": "2020-03-05"})
    assert (X_dates["end"] == pd.Timestamp("2020-03-05")).all()
    X_none = synth.sample(50, conditions={"previous": 0})
    # A constant bound: the difference is known.
    bounded = GaussianCopulaSynthesizer(
        constraints=[Range(1850, "built", 2010)], random_state=0
    ).fit(X)
    assert (bounded.sample(20, conditions={"built": 1990})["built"] == 1990).all()
    assert (X_none["pdays"] == -1).all()

    with pytest.raises(ValueError, match="computes from other columns"):
        synth.sample(5, conditions={"total": 5.0})
    with pytest.raises(ValueError, match=r"condition on \['built'\] too"):
        synth.sample(5, conditions={"remodelled": 2005})
    with pytest.raises(ValueError, match="match no combination"):
        synth.sample(5, conditions={"education": "BA", "education_num": 9})


def test_predicate_is_enforced_by_rejection_and_named_when_too_rare():
    X = ruled_table()
    rule = Predicate(lambda df: df["price"] > 10, name="price above 10")
    synth = KDESynthesizer(constraints=[rule], random_state=0).fit(X)
    X_new = synth.sample(500)
    assert len(X_new) == 500 and (X_new["price"] > 10).all()
    assert synth.describe_constraints().splitlines() == [
        "price above 10  (rejection: it has no transform)",
        # The columns the data link (see linked_columns), and the columns
        # every row keeps in order.
        "fixed combinations of education, education_num  "
        "(linked columns; models one column of the 4 combinations seen)",
        "built <= remodelled  "
        "(linked columns; models remodelled minus its lower bound)",
        "price < total  (linked columns; models total minus its lower bound)",
        "start <= end  (linked columns; models end minus its lower bound)",
        # And the baselines that imply each other (never contacted, no days
        # since the last contact).
        "if previous is 0 then pdays is -1  "
        "(linked columns; rejection: it forms a cycle with other implications)",
        "if pdays is -1 then previous is 0  "
        "(linked columns; rejection: it forms a cycle with other implications)",
    ]

    rare = Predicate(lambda df: df["price"] > 1e6, name="price above a million")
    synth = KDESynthesizer(constraints=[rare], random_state=0).fit(X)
    with pytest.raises(ValueError, match="satisfy price above a million"):
        synth.sample(100)


# -- over-samplers -----------------------------------------------------------------


@pytest.mark.parametrize("sampler", OVER_SAMPLERS, ids=_name)
def test_every_new_row_of_an_over_sampler_keeps_the_rules(sampler):
    X = ruled_table(800)
    y = np.where(np.random.RandomState(1).rand(len(X)) < 0.1, "rare", "common")
    rules = [*RULES, Predicate(lambda df: df["price"] > 3, name="price above 3")]
    X = X[X["price"] > 3].reset_index(drop=True)
    y = y[: len(X)]
    resampler = clone(sampler).set_params(constraints=rules)
    X_res, y_res = resampler.fit_resample(X, y)

    counts = pd.Series(y_res).value_counts()
    assert counts["rare"] == counts["common"] == np.sum(y == "common")
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)
    new = X_res.iloc[len(X) :]
    fitted = resampler.constraints_
    assert _violations(fitted, new) == dict.fromkeys(map(str, rules), 0)
    pd.testing.assert_series_equal(X_res.dtypes, X.dtypes)
    assert list(resampler.feature_names_in_) == list(X.columns)
    assert resampler.constraints_ == rules
    if hasattr(resampler, "sample_indices_"):
        assert len(resampler.sample_indices_) == len(X_res)


def test_an_over_sampler_names_the_rule_its_new_rows_break():
    # Only the rule that rejects rows is named, not every rule checked.
    X = ruled_table(400)
    y = np.where(np.arange(len(X)) < 40, "rare", "common")
    never = Predicate(lambda df: df["price"] < 0, name="negative price")
    kept = Implication("previous", 0, "pdays", -1)
    resampler = KDEOverSampler(constraints=[kept, never], random_state=0)
    with pytest.raises(ValueError, match="New rows broke negative price") as error:
        resampler.fit_resample(X, y)
    assert str(kept) not in str(error.value)


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_an_implication_reads_any_missing_value_as_missing(missing):
    # NaN or pandas.NA as a value of a rule means missing, as None does
    # (the data layer's is_missing_value), instead of matching no row.
    X = pd.DataFrame({"a": [1.0, np.nan, 2.0, np.nan], "b": [0, 0, 5, 5]})
    expected = [True, False, True, True]
    np.testing.assert_array_equal(
        Implication("a", missing, "b", 5).is_valid(X), expected
    )
    rule = Implication("b", 0, "a", missing)
    assert rule == Implication("b", 0, "a", None)
    assert str(rule) == "if b is 0 then a is missing"
    back = RuleSet([rule]).fit(X).inverse_transform(X)
    assert back["a"].isna().tolist() == [True, True, False, True]


@pytest.mark.parametrize(
    "rule, match",
    [
        (
            Inequality("education", "built"),
            r"Rule 'education <= built' compares column 'education' \(category\) "
            r"with column 'built' \(number\): an inequality needs two number",
        ),
        (
            Inequality(pd.Timestamp("2020-01-01"), "built"),
            r"compares the constant Timestamp\('2020-01-01 00:00:00'\) \(date\) "
            r"with column 'built' \(number\)",
        ),
        (Range(0, "start", 10), r"column 'start' \(date\).*fix the rule or drop it"),
        (
            Formula("total", "price + education"),
            r"Rule 'total = price \+ education' sums column 'education', which "
            r"holds category, not numbers",
        ),
        (
            Implication("education", "HS", "built", "old"),
            r"Rule 'if education is 'HS' then built is 'old'' sets column 'built' "
            r"\(number\) to the constant 'old' \(str\)",
        ),
    ],
)
def test_rules_on_columns_of_the_wrong_kind_are_named(rule, match):
    with pytest.raises(ValueError, match=match):
        GaussianCopulaSynthesizer(constraints=[rule]).fit(ruled_table(200))


def test_a_predicate_that_reads_no_column_of_x_is_named():
    rule = Predicate(lambda df: df["age"] > 18, name="adults")
    synth = GaussianCopulaSynthesizer(constraints=[rule], random_state=0)
    with pytest.raises(ValueError, match=r"Predicate adults reads column 'age', wh"):
        synth.fit(ruled_table(200)).sample(5)


@pytest.mark.parametrize("max_radix", [2.0**62, 1.0])
def test_fixed_combinations_keys_of_many_levels(monkeypatch, max_radix):
    # Codes numbered in one integer, or (too many levels) by their rows.
    monkeypatch.setattr("sksynth.constraints._rules._MAX_RADIX", max_radix)
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        {
            "a": rng.randint(0, 5, 300),
            "b": rng.choice(["x", "y", "z"], 300),
            "c": rng.choice([1.5, np.nan], 300),
        }
    )
    rule = FixedCombinations(["a", "b", "c"]).fit(X.iloc[:150])
    valid = rule.is_valid(X)
    seen = set(map(tuple, X.iloc[:150].astype(str).to_numpy()))
    expected = [tuple(row) in seen for row in X.astype(str).to_numpy()]
    np.testing.assert_array_equal(valid, expected)
    assert len(rule.combinations_) == len(seen)


def test_fitting_leaves_the_rule_objects_alone():
    # Two estimators sharing one list of rules must not share what they learnt.
    rule = FixedCombinations(["education", "education_num"])
    X = ruled_table(400)
    first = GaussianCopulaSynthesizer(constraints=[rule], random_state=0).fit(X)
    only_hs = X[X["education"] == "HS"]
    second = GaussianCopulaSynthesizer(constraints=[rule], random_state=0)
    second.fit(only_hs)
    assert not hasattr(rule, "combinations_")
    assert len(first.constraints_[0].combinations_) == 4
    assert len(second.constraints_[0].combinations_) == 1
    assert set(first.sample(500, random_state=0)["education"]) == {
        "HS",
        "BA",
        "MA",
        "PhD",
    }


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_name)
def test_auto_detects_and_enforces_the_rules_of_the_table(synthesizer):
    X = ruled_table(2000)
    synth = clone(synthesizer).set_params(constraints="auto").fit(X)
    found = [str(rule) for rule in synth.constraints_]
    for rule in [
        "fixed combinations of education, education_num",
        "built <= remodelled",
        "total = price + fee",
        "if previous is 0 then pdays is -1",
        "if pdays is -1 then previous is 0",
    ]:
        assert rule in found
    X_new = synth.sample(1000, random_state=0)
    assert sum(_violations(synth.constraints_, X_new).values()) == 0
    # Both ways: -1 exactly where previous is 0.
    assert ((X_new["pdays"] == -1) == (X_new["previous"] == 0)).all()


def test_formula_keeps_the_missing_values_of_its_column():
    rng = np.random.RandomState(0)
    price = rng.lognormal(3, 1, 1000).round(2)
    fee = rng.lognormal(1, 0.5, 1000).round(2)
    total = np.where(rng.rand(1000) < 0.2, np.nan, price + fee)
    X = pd.DataFrame({"price": price, "fee": fee, "total": total})
    synth = GaussianCopulaSynthesizer(
        constraints=[Formula("total", "price + fee")], random_state=0
    ).fit(X)
    X_new = synth.sample(4000)
    share = X_new["total"].isna().mean()
    assert share == pytest.approx(0.2, abs=4 * np.sqrt(0.16 / 4000) + 0.02)
    assert synth.constraints_[0].is_valid(X_new).all()


def test_a_formula_takes_its_column_before_an_inequality_and_null_patterns_compose():
    rng = np.random.RandomState(0)
    low = rng.normal(size=800)
    high = low + rng.exponential(size=800)
    high[rng.rand(800) < 0.1] = np.nan
    low_copy = np.where(np.isnan(high), np.nan, low)
    X = pd.DataFrame({"low": low, "gap": high - low, "high": high, "copy": low_copy})
    rules = [
        Inequality("low", "high"),
        Formula("high", "low + gap"),
        Implication("high", None, "copy", None),
    ]
    synth = TreeSynthesizer(constraints=rules, random_state=0).fit(X)
    lines = synth.describe_constraints().splitlines()
    assert lines[0].startswith("low <= high  (rejection: column 'high' is already set")
    assert lines[1] == "high = low + gap  (computes high)"
    assert lines[2] == "if high is missing then copy is missing  (sets copy missing)"
    X_new = synth.sample(1000, random_state=0)
    assert sum(_violations(synth.constraints_, X_new).values()) == 0


def test_dates_and_durations_in_rules_round_trip_through_dicts():
    start = pd.Timestamp("2020-01-01")
    rules = [
        Inequality(start, "opened"),
        Range(start, "opened", pd.Timestamp("2021-01-01", tz="UTC")),
        Implication("plan", "trial", "length", pd.Timedelta(days=30)),
        Implication("opened", np.datetime64("2020-06-01"), "plan", "promo"),
    ]
    for rule in rules:
        back = rule_from_dict(rule.to_dict())
        assert back == rule and str(back) == str(rule)
    assert rules[0].to_dict()["low"] == {"date": "2020-01-01T00:00:00"}
    X = pd.DataFrame({"opened": pd.to_datetime(["2019-12-31", "2020-02-01"])})
    np.testing.assert_array_equal(
        rule_from_dict(rules[0].to_dict()).is_valid(X), [False, True]
    )
    assert str(rules[2]) == "if plan is 'trial' then length is 30 days 00:00:00"
    with pytest.raises(ValueError, match="'rule' one of"):
        rule_from_dict({"rule": ["Inequality"]})


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=_name)
def test_the_larger_column_stays_in_its_range(synthesizer):
    # Ames: remodelling years start at 1950 (older houses carry 1950). Rebuilt
    # as built + gap, years past 2010 and before 1950 appeared, and the spike
    # at 1950 was lost.
    rng = np.random.RandomState(0)
    built = rng.randint(1880, 2010, 1500)
    remodelled = np.minimum(
        np.maximum(built, 1950) + rng.geometric(0.1, 1500) - 1, 2010
    )
    X = pd.DataFrame({"built": built, "remodelled": remodelled})
    rule = Inequality("built", "remodelled")
    synth = clone(synthesizer).set_params(constraints=[rule]).fit(X)
    X_new = synth.sample(3000, random_state=0)
    assert X_new["remodelled"].between(1950, 2010).all()
    assert (X_new["built"] <= X_new["remodelled"]).all()
    assert (X_new["remodelled"] == 1950).mean() > 0.5 * (X["remodelled"] == 1950).mean()


def test_chained_and_mutual_implications_all_hold():
    rng = np.random.RandomState(0)
    n = 2000
    previous = rng.poisson(0.6, n)
    X = pd.DataFrame(
        {
            "previous": previous,
            "pdays": np.where(previous == 0, -1, rng.randint(1, 300, n)),
            "outcome": np.where(previous == 0, "none", rng.choice(["won", "lost"], n)),
            "age": rng.randint(18, 90, n),
        }
    )
    rules = [
        Implication("previous", 0, "pdays", -1),
        Implication("pdays", -1, "previous", 0),
        Implication("pdays", -1, "outcome", "none"),
        Implication("outcome", "none", "previous", 0),
    ]
    for synthesizer in SYNTHESIZERS:
        synth = clone(synthesizer).set_params(constraints=rules).fit(X)
        X_new = synth.sample(2000, random_state=0)
        assert sum(_violations(rules, X_new).values()) == 0
        assert X_new["previous"].eq(0).mean() == pytest.approx(
            X["previous"].eq(0).mean(), abs=0.06
        )


@pytest.mark.parametrize("strict", [False, True])
def test_an_inequality_the_difference_explains_worse_is_kept_by_repair(strict):
    # Ames: the unfinished basement area under the whole basement area; the
    # difference varies more than the whole, so the narrower column is moved
    # to the other in the rows that break the rule (a fully unfinished
    # basement), and the wider one is left as drawn.
    rng = np.random.RandomState(0)
    n = 1500
    total = rng.gamma(4.0, 250.0, n).round()
    unfinished = (total * rng.beta(0.2, 0.5, n)).round()
    if strict:
        unfinished = np.minimum(unfinished, total - 1)
    X = pd.DataFrame({"unfinished": unfinished.astype(int), "total": total.astype(int)})
    rule = Inequality("unfinished", "total", strict=strict)
    synth = GaussianCopulaSynthesizer(constraints=[rule], random_state=0).fit(X)
    assert synth.describe_constraints() == (
        f"{rule}  (moves unfinished to total in the rows that break it)"
    )
    X_new = synth.sample(3000, random_state=0)
    assert rule.is_valid(X_new).all()
    assert X_new.dtypes.equals(X.dtypes)
    # Without the rule (nor the order linking finds in the data).
    plain = (
        GaussianCopulaSynthesizer(random_state=0, linked_columns=None)
        .fit(X)
        .sample(3000, random_state=0)
    )
    broken = ~rule.is_valid(plain)
    assert broken.mean() > 0.02
    # Only the rows that broke the rule changed, and only the narrower column.
    np.testing.assert_array_equal(X_new["total"], plain["total"])
    np.testing.assert_array_equal(
        X_new["unfinished"][~broken], plain["unfinished"][~broken]
    )
    gap = X_new["total"][broken] - X_new["unfinished"][broken]
    assert (gap == (1 if strict else 0)).all()


def test_dates_kept_by_repair():
    # Sign-up dates over five years and last logins in the last weeks: the
    # gap varies more than the last login, so the rule is kept by repair.
    rng = np.random.RandomState(0)
    n = 1200
    now = pd.Timestamp("2024-06-01")
    signup = now - pd.to_timedelta(rng.randint(0, 5 * 365, n), "D")
    login = now - pd.to_timedelta(rng.exponential(20, n).round(), "D")
    X = pd.DataFrame({"signup": signup, "login": np.maximum(login, signup)})
    rule = Inequality("signup", "login", strict=False)
    synth = KDESynthesizer(constraints=[rule], random_state=0).fit(X)
    assert "moves login to signup" in synth.describe_constraints()
    X_new = synth.sample(2000, random_state=0)
    assert rule.is_valid(X_new).all()
    assert X_new.dtypes.equals(X.dtypes)


def test_a_condition_a_rule_would_overwrite_is_an_error():
    # plan "a" implies flag True: conditioning on both plan "a" and flag
    # False gave rows with flag True, silently.
    rng = np.random.RandomState(0)
    plan = rng.choice(["a", "b"], 500)
    X = pd.DataFrame(
        {"plan": plan, "flag": np.where(plan == "a", True, rng.rand(500) > 0.5)}
    )
    rule = Implication("plan", "a", "flag", True)
    synth = TreeSynthesizer(constraints=[rule], random_state=0).fit(X)
    X_a = synth.sample(50, conditions={"plan": "a"})
    assert X_a["flag"].all()
    X_b = synth.sample(50, conditions={"plan": "b", "flag": False})
    assert (~X_b["flag"]).all()
    # No drawn row could keep both: an error at once, naming the rule.
    with pytest.raises(ValueError, match="break rule 'if plan is 'a' then flag"):
        synth.sample(50, conditions={"plan": "a", "flag": False})


def _adult_like(n=600, seed=0):
    rng = np.random.RandomState(seed)
    relationship = rng.choice(["Husband", "Wife", "Own-child"], n)
    sex = np.where(relationship == "Husband", "Male", rng.choice(["Male", "Female"], n))
    return pd.DataFrame(
        {
            "relationship": pd.Categorical(relationship),
            "sex": pd.Categorical(sex),
            "age": rng.randint(17, 90, n),
            "hours": rng.randint(1, 99, n),
            "start": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.randint(0, 300, n), "D"),
        }
    )


@pytest.mark.parametrize(
    "rule, message",
    [
        # A user test: 'male' for 'Male' turned every husband into a new
        # level, silently.
        (
            Implication("relationship", "Husband", "sex", "male"),
            "gives its then side the value 'male', a value column 'sex' never "
            "holds (did you mean 'Male'?)",
        ),
        (
            Implication("relationship", "husband", "sex", "Male"),
            "(did you mean 'Husband'?)",
        ),
        (
            Implication("relationship", "Husband", "age", 500),
            "the value 500, outside the range [17, 89] of column 'age'",
        ),
        (Formula("age", "hours + 1"), None),
    ],
)
def test_rules_that_do_not_fit_the_table_are_named(rule, message):
    X = _adult_like()
    X["hours"] = np.where(rule.__class__ is Formula, X["age"] - 1, X["hours"])
    synth = TreeSynthesizer(constraints=[rule], random_state=0)
    if message is None:
        synth.fit(X)
        return
    with pytest.raises(ValueError, match=re.escape(message)):
        synth.fit(X)


def test_a_rule_most_training_rows_break_is_named_in_a_warning():
    X = _adult_like()
    rule = Inequality("hours", "age")
    with pytest.warns(UserWarning, match=r"Rule 'hours <= age' is broken by \d+\.\d% "):
        TreeSynthesizer(constraints=[rule], random_state=0).fit(X)
    # An idle rule (no training row meets its condition) is not checked.
    idle = Implication("relationship", "Partner", "sex", "Neither")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        TreeSynthesizer(constraints=[idle], random_state=0).fit(X)


def test_conditions_off_a_rule_are_named_in_the_users_terms():
    # A user test: the errors spoke of the modelled difference ("the value
    # 78.0, outside the range [0, 73]" for age 95 under Range(17, age, 90)).
    X = _adult_like()
    X["end"] = X["start"] + pd.to_timedelta(X["hours"], "D")
    rules = [
        Range(17, "age", 90),
        Inequality("start", "end"),
        Implication("relationship", "Husband", "sex", "Male"),
    ]
    synth = GaussianCopulaSynthesizer(constraints=rules, random_state=0).fit(X)
    with pytest.raises(ValueError, match=r"column 'age' the value 95, outside the "):
        synth.sample(3, conditions={"age": 95})
    with pytest.raises(ValueError, match="break rule 'start <= end'"):
        synth.sample(3, conditions={"start": "2020-03-05", "end": "2020-03-01"})
    message = "break rule 'if relationship is 'Husband' then sex is 'Male''"
    with pytest.raises(ValueError, match=re.escape(message)):
        synth.sample(3, conditions={"relationship": "Husband", "sex": "Female"})
    assert (synth.sample(5, conditions={"age": 30})["age"] == 30).all()


# -- documentation -----------------------------------------------------------------


def _constraints_names():
    import inspect

    import sksynth.constraints

    for name in sksynth.constraints.__all__:
        obj = getattr(sksynth.constraints, name)
        yield f"sksynth.constraints.{name}"
        if inspect.isclass(obj):
            for member, value in inspect.getmembers(obj):
                if not member.startswith("_") and (
                    inspect.isfunction(value) or isinstance(value, property)
                ):
                    yield f"sksynth.constraints.{name}.{member}"


@pytest.mark.parametrize("name", sorted(set(_constraints_names())))
def test_constraints_docstrings_are_numpydoc_valid(name):
    # As tests/test_docstrings.py checks the estimators and metrics; each
    # public name of the module also has an example (run as a doctest).
    from numpydoc.validate import validate

    ignored = {"GL01", "GL02", "SA01", "ES01", "YD01", "EX01", "RT02", "PR09"}
    errors = [f"{c}: {m}" for c, m in validate(name)["errors"] if c not in ignored]
    assert not errors, "\n".join([name, *errors])
    if name.count(".") == 2:
        import sksynth.constraints

        doc = getattr(sksynth.constraints, name.rsplit(".", 1)[1]).__doc__
        assert "Examples\n    --------\n    >>>" in doc


def test_auto_that_finds_nothing_says_so():
    # A user test: German credit with "auto" printed an empty string.
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.choice(["x", "y"], 300)})
    synth = TreeSynthesizer(constraints="auto", random_state=0).fit(X)
    assert synth.constraints_ == []
    assert synth.describe_constraints() == (
        'no rules: constraints="auto" found none in the training rows'
    )
    assert TreeSynthesizer(random_state=0).fit(X).describe_constraints() == ""
