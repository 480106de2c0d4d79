"""Tests of detect_constraints: planted rules found, no rules from chance."""

import numpy as np
import pandas as pd
import pytest

from sksynth.constraints import (
    FixedCombinations,
    Formula,
    Implication,
    Inequality,
    detect_constraints,
)

N_ROWS = 4000


def _independent(rng, n_rows=N_ROWS):
    """Columns of several kinds, drawn independently (missing values too)."""
    frame = pd.DataFrame(
        {
            "color": rng.choice(["red", "green", "blue"], size=n_rows),
            "size": rng.choice(
                ["S", "M", "L", "XL"], size=n_rows, p=[0.1, 0.3, 0.4, 0.2]
            ),
            "rating": rng.randint(1, 6, size=n_rows),
            "flag": rng.rand(n_rows) < 0.3,
            "amount": rng.gamma(2.0, 100.0, size=n_rows).round(2),
            "count": rng.poisson(3, size=n_rows),
            "weight": rng.normal(70, 10, size=n_rows),
            "opened": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(rng.randint(0, 1000, size=n_rows), unit="D"),
            "closed": pd.Timestamp("2020-06-01")
            + pd.to_timedelta(rng.randint(0, 1000, size=n_rows), unit="D"),
        }
    )
    frame.loc[rng.rand(n_rows) < 0.1, "color"] = None
    frame.loc[rng.rand(n_rows) < 0.1, "weight"] = np.nan
    return frame


def _without_kind(rules, kind):
    return [rule for rule in rules if not isinstance(rule, kind)]


def test_finds_a_one_to_one_coding():
    rng = np.random.RandomState(0)
    X = _independent(rng)
    level = rng.randint(0, 8, size=N_ROWS)
    X["level"] = level
    X["level_name"] = np.array(list("abcdefgh"))[level]

    rules = detect_constraints(X)

    assert rules == [FixedCombinations(["level", "level_name"])]
    assert rules[0].is_valid(X).all()


def test_finds_a_three_column_hierarchy():
    rng = np.random.RandomState(1)
    city = rng.randint(0, 12, size=N_ROWS)
    X = pd.DataFrame(
        {
            "city": np.array([f"city {i}" for i in range(12)])[city],
            "region": np.array([f"region {i // 3}" for i in range(12)])[city],
            "country": np.array([f"country {i // 6}" for i in range(12)])[city],
            "noise": rng.normal(size=N_ROWS),
        }
    )

    rules = detect_constraints(X)

    assert rules == [FixedCombinations(["city", "region", "country"])]


@pytest.mark.parametrize("kind", ["integer", "date"])
@pytest.mark.parametrize(
    "n_broken, found", [(0, True), (3, True), (40, False)], ids=["exact", "few", "many"]
)
def test_finds_a_planted_inequality(kind, n_broken, found):
    rng = np.random.RandomState(2)
    X = _independent(rng, n_rows=20_000)
    start = rng.randint(0, 5000, size=len(X))
    end = start + rng.randint(1, 400, size=len(X))
    broken = rng.choice(len(X), n_broken, replace=False)
    end[broken] = start[broken] - 5
    if kind == "date":
        origin = pd.Timestamp("2001-01-01")
        start = origin + pd.to_timedelta(start, unit="D")
        end = origin + pd.to_timedelta(end, unit="D")
    X["start"], X["end"] = start, end

    rules = detect_constraints(X, tolerance=0.0005)

    inequalities = [rule for rule in rules if isinstance(rule, Inequality)]
    assert inequalities == ([Inequality("start", "end", strict=True)] if found else [])


def test_inequality_with_ties_is_not_strict():
    rng = np.random.RandomState(3)
    low = rng.randint(0, 100, size=N_ROWS)
    X = pd.DataFrame({"low": low, "high": low + rng.randint(0, 10, size=N_ROWS)})

    assert detect_constraints(X) == [Inequality("low", "high", strict=False)]


def test_leaves_out_inequalities_that_hold_for_any_pairing():
    # Like age <= fnlwgt in Adult: every age is below every weight.
    rng = np.random.RandomState(4)
    X = pd.DataFrame(
        {
            "age": rng.randint(17, 91, size=N_ROWS),
            "fnlwgt": rng.randint(12_000, 1_500_000, size=N_ROWS),
            "hours": rng.randint(1, 100, size=N_ROWS),
        }
    )

    assert detect_constraints(X) == []


def test_drops_inequalities_implied_by_two_others():
    rng = np.random.RandomState(5)
    a = rng.randint(0, 100, size=N_ROWS)
    b = a + rng.randint(1, 100, size=N_ROWS)
    c = b + rng.randint(1, 100, size=N_ROWS)
    X = pd.DataFrame({"a": a, "b": b, "c": c})

    rules = detect_constraints(X)

    assert rules == [
        Inequality("a", "b", strict=True),
        Inequality("b", "c", strict=True),
    ]


def test_skips_identifiers_and_booleans_in_inequalities():
    rng = np.random.RandomState(6)
    X = pd.DataFrame(
        {
            "row_id": np.arange(N_ROWS),
            "other_id": np.arange(N_ROWS) + 10,
            "is_a": rng.rand(N_ROWS) < 0.5,
        }
    )
    X["is_b"] = X["is_a"] | (rng.rand(N_ROWS) < 0.5)

    rules = detect_constraints(X)

    # The booleans give one implication (not its contrapositive too).
    assert rules == [Implication("is_a", True, "is_b", True)]


def test_finds_a_null_pattern():
    rng = np.random.RandomState(7)
    X = _independent(rng)
    employer = rng.choice(["private", "public", "self"], size=N_ROWS).astype(object)
    job = rng.choice(["clerk", "driver", "nurse", "cook"], size=N_ROWS).astype(object)
    no_employer = rng.rand(N_ROWS) < 0.09
    employer[no_employer] = None
    job[no_employer | (rng.rand(N_ROWS) < 0.03)] = None
    X["employer"], X["job"] = employer, job

    rules = detect_constraints(X)

    assert rules == [Implication("employer", None, "job", None)]
    assert rules[0].is_valid(X).all()


def test_finds_a_value_implication():
    # The bank marketing case: no previous contact, no days since one (-1).
    rng = np.random.RandomState(8)
    X = _independent(rng)
    previous = rng.poisson(1.0, size=N_ROWS)
    pdays = np.where(previous == 0, -1, rng.randint(1, 400, size=N_ROWS))
    X["previous"], X["pdays"] = previous, pdays

    rules = detect_constraints(X)

    assert Implication("previous", 0, "pdays", -1) in rules
    assert _without_kind(rules, Implication) == []
    for rule in rules:
        assert rule.is_valid(X).all()


@pytest.mark.parametrize("difference", [False, True])
def test_finds_a_linear_sum(difference):
    rng = np.random.RandomState(9)
    X = _independent(rng)
    price = rng.randint(10, 1000, size=N_ROWS).astype(float)
    fee = rng.gamma(2.0, 3.0, size=N_ROWS).round(2)
    if difference:
        X["gross"], X["fee"], X["net"] = price + fee, fee, price
        expected = Formula("gross", "fee + net")
    else:
        X["price"], X["fee"], X["total"] = price, fee, price + fee
        expected = Formula("total", "price + fee")

    rules = detect_constraints(X)

    assert _without_kind(rules, Inequality) == [expected]
    assert expected.is_valid(X).all()


def test_finds_a_copied_column():
    rng = np.random.RandomState(10)
    X = _independent(rng)
    X["weight_again"] = X["weight"]

    assert detect_constraints(X) == [
        Formula("weight_again", "weight"),
        Implication("weight", None, "weight_again", None),
        Implication("weight_again", None, "weight", None),
    ]


def test_quotes_column_names_that_are_not_python_names():
    rng = np.random.RandomState(11)
    a = rng.normal(size=N_ROWS)
    b = rng.normal(size=N_ROWS)
    X = pd.DataFrame({"part a": a, "class": b, "sum": a + b})

    rules = detect_constraints(X)

    assert rules == [Formula("sum", "`part a` + `class`")]
    assert rules[0].is_valid(X).all()


@pytest.mark.parametrize("seed", range(20))
def test_no_rules_on_independent_columns(seed):
    X = _independent(np.random.RandomState(seed))

    assert detect_constraints(X, random_state=seed) == []


@pytest.mark.parametrize("n_rows", [30, 300])
def test_no_rules_by_chance_on_few_rows(n_rows):
    rng = np.random.RandomState(12)
    X = pd.DataFrame(
        {
            "a": rng.choice(list("abcdefghij"), size=n_rows),
            "b": rng.choice(list("xyz"), size=n_rows),
            "c": rng.randint(0, 40, size=n_rows),
            "d": rng.rand(n_rows),
        }
    )

    assert detect_constraints(X) == []


def test_works_on_numpy_arrays():
    rng = np.random.RandomState(13)
    low = rng.normal(size=N_ROWS)
    X = np.column_stack(
        [low, low + rng.gamma(1.0, size=N_ROWS), rng.normal(size=N_ROWS)]
    )

    rules = detect_constraints(X)

    assert rules == [Inequality(0, 1, strict=True)]
    assert rules[0].is_valid(X).all()


def test_is_deterministic_with_random_state():
    rng = np.random.RandomState(14)
    X = _independent(rng)
    X["opened_again"] = X["opened"] + pd.to_timedelta(
        rng.randint(0, 30, size=N_ROWS), unit="D"
    )
    previous = rng.poisson(1.0, size=N_ROWS)
    X["previous"], X["pdays"] = previous, np.where(previous == 0, -1, 7)

    first = detect_constraints(X, random_state=3)
    second = detect_constraints(X, random_state=3)

    assert first
    assert [rule.to_dict() for rule in first] == [rule.to_dict() for rule in second]


def test_tiny_tables_give_no_rules():
    assert detect_constraints(pd.DataFrame({"a": [1, 2], "b": [3, 4]})) == []
    assert detect_constraints(pd.DataFrame({"a": range(100)})) == []


@pytest.mark.parametrize(
    "params, match",
    [
        ({"tolerance": -0.1}, "tolerance"),
        ({"tolerance": 1.0}, "tolerance"),
        ({"min_support": 0}, "min_support"),
    ],
)
def test_parameters_are_validated(params, match):
    X = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 3, 4, 5]})
    with pytest.raises(ValueError, match=match):
        detect_constraints(X, **params)


def test_value_implications_with_many_valued_columns(monkeypatch):
    # Tables too large for a dense count are built on the values seen only.
    from sksynth.constraints import _detect

    rng = np.random.RandomState(15)
    X = _independent(rng)
    previous = rng.poisson(1.0, size=N_ROWS)
    X["previous"] = previous
    X["pdays"] = np.where(previous == 0, -1, rng.randint(1, 400, size=N_ROWS))
    dense = detect_constraints(X)

    monkeypatch.setattr(_detect, "_MAX_TABLE_SIZE", 0)

    assert detect_constraints(X) == dense
    assert Implication("previous", 0, "pdays", -1) in dense


def test_finds_a_sum_of_array_columns():
    rng = np.random.RandomState(21)
    a, b = rng.normal(size=N_ROWS), rng.normal(size=N_ROWS)
    X = np.column_stack([a, b, a + b])

    rules = detect_constraints(X)

    assert Formula(2, "`0` + `1`") in rules
    assert all(rule.is_valid(X).all() for rule in rules)


def test_no_chance_implication_on_a_small_table():
    # Ames (1,465 rows): "if Garage_Finish is RFn then Central_Air is Y" held
    # on both halves by chance; a common value and a condition met by a few
    # dozen rows per half make such rules. An implication needs its condition
    # in 300 rows by default.
    rng = np.random.RandomState(22)
    n = 1500
    X = pd.DataFrame(
        {
            "finish": rng.choice(["RFn", "Fin", "Unf"], n, p=[0.1, 0.4, 0.5]),
            "air": rng.choice(["Y", "N"], n, p=[0.7, 0.3]),
        }
    )
    X.loc[X["finish"] == "RFn", "air"] = "Y"

    assert detect_constraints(X) == []
    assert Implication("finish", "RFn", "air", "Y") in detect_constraints(
        X, min_support=20
    )


def test_one_breaking_row_in_1500_is_within_the_tolerance():
    # Ames: one house remodelled before it was built, among 1,465 rows
    # (0.0007, rounded to 1 row of the 0.73 rows the tolerance allows).
    rng = np.random.RandomState(23)
    n = 1465
    built = rng.randint(1880, 2010, n)
    remodelled = np.minimum(built + rng.geometric(0.05, n) - 1, 2010)
    remodelled[0] = built[0] - 3
    X = pd.DataFrame({"built": built, "remodelled": remodelled})

    assert detect_constraints(X) == [Inequality("built", "remodelled")]
    remodelled[1] = built[1] - 1
    assert detect_constraints(X.assign(remodelled=remodelled)) == []
