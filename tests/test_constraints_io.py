"""Tests of sksynth.constraints.save_constraints and load_constraints
(sksynth/constraints/_io.py), issue 13."""

import json

import numpy as np
import pandas as pd
import pytest

from sksynth import GaussianCopulaSynthesizer
from sksynth.constraints import (
    FixedCombinations,
    Formula,
    Implication,
    Inequality,
    Predicate,
    Range,
    detect_constraints,
    load_constraints,
    save_constraints,
)

RULES = [
    Inequality("built", "remodelled"),
    Inequality("start", "end", strict=True),
    Range(0, "age", 120),
    FixedCombinations(["education", "education_num"]),
    Formula("total", "price + fee"),
    Formula("net weight", "`gross weight` - 0.5"),
    Implication("previous", 0, "pdays", -1),
    Implication("a", None, "b", None),
    Implication("smoker", True, "packs", 0.5),
]


def _table(n=400, seed=0):
    rng = np.random.RandomState(seed)
    level = rng.randint(0, 3, n)
    start = rng.randint(0, 100, n)
    price = rng.randint(1, 50, n)
    return pd.DataFrame(
        {
            "level": level,
            "grade": np.array(["low", "mid", "high"])[level],
            "start": start,
            "end": start + rng.randint(1, 30, n),
            "price": price,
            "total": price + 5,
        }
    )


def test_save_then_load_gives_the_same_rules(tmp_path):
    path = tmp_path / "rules.json"
    assert save_constraints(RULES, path) == path
    assert load_constraints(path) == RULES
    assert load_constraints(str(path)) == RULES


def test_the_file_is_an_indented_json_list_of_the_rules_dicts(tmp_path):
    path = tmp_path / "rules.json"
    save_constraints(RULES, path)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == [rule.to_dict() for rule in RULES]
    # One key per line, so that a user can edit it.
    assert '\n    "rule": "Inequality",\n' in text
    assert '\n    "columns": ["education", "education_num"]\n' in text
    assert text.endswith("]\n")


def test_fixed_combinations_are_saved_by_their_columns_only(tmp_path):
    X = _table()
    rule = FixedCombinations(["level", "grade"]).fit(X)
    path = tmp_path / "rules.json"
    save_constraints([rule], path)
    assert json.loads(path.read_text()) == [
        {"rule": "FixedCombinations", "columns": ["level", "grade"]}
    ]
    (loaded,) = load_constraints(path)
    assert not hasattr(loaded, "combinations_")
    # The combinations are learnt again at fit.
    synthesizer = GaussianCopulaSynthesizer(random_state=0, constraints=[loaded])
    synthetic = synthesizer.fit(X).sample(200)
    assert synthesizer.constraints_[0].is_valid(synthetic).all()


def test_detected_rules_round_trip_and_are_enforced(tmp_path):
    X = _table()
    rules = detect_constraints(X)
    assert rules
    path = tmp_path / "rules.json"
    save_constraints(rules, path)
    loaded = load_constraints(path)
    assert [str(rule) for rule in loaded] == [str(rule) for rule in rules]
    synthetic = (
        GaussianCopulaSynthesizer(random_state=0, constraints=loaded).fit(X).sample(300)
    )
    for rule in loaded:
        if isinstance(rule, FixedCombinations):
            rule.fit(X)
        assert rule.is_valid(synthetic).all(), rule


def test_numpy_values_and_positions_are_saved_as_json_numbers(tmp_path):
    rules = [
        Inequality(np.int64(0), np.int64(2)),
        Implication(1, np.int64(0), 3, np.float64(-1.5)),
    ]
    path = tmp_path / "rules.json"
    save_constraints(rules, path)
    assert json.loads(path.read_text())[1] == {
        "rule": "Implication",
        "if_column": 1,
        "if_value": 0,
        "then_column": 3,
        "then_value": -1.5,
    }
    assert load_constraints(path) == rules


def test_load_from_a_list_of_dicts_and_rules():
    loaded = load_constraints(
        [
            {"rule": "Inequality", "low": "start", "high": "end"},
            Formula("total", "price + 5"),
        ]
    )
    assert loaded == [Inequality("start", "end"), Formula("total", "price + 5")]
    assert load_constraints([]) == []


def test_save_rejects_a_predicate_by_name(tmp_path):
    rules = [Inequality("a", "b"), Predicate(lambda df: df["a"] > 0, name="a > 0")]
    path = tmp_path / "rules.json"
    with pytest.raises(TypeError, match=r"Rule 1 \('a > 0'\) is a Predicate"):
        save_constraints(rules, path)
    assert not path.exists()


@pytest.mark.parametrize(
    "rules, match",
    [
        ([Inequality("a", "b"), "a <= b"], "Rule 1 is a str, not a rule"),
        ("a <= b", "rules must be a list of rules"),
        ({"rule": "Inequality"}, "rules must be a list of rules"),
    ],
)
def test_save_rejects_what_is_not_a_rule(tmp_path, rules, match):
    with pytest.raises(TypeError, match=match):
        save_constraints(rules, tmp_path / "rules.json")


def test_save_takes_a_single_rule(tmp_path):
    path = tmp_path / "rules.json"
    save_constraints(Inequality("a", "b"), path)
    assert load_constraints(path) == [Inequality("a", "b")]


@pytest.mark.parametrize(
    "entries, match",
    [
        (
            [{"rule": "Inequality", "low": "a", "high": "b"}, {"rule": "Inequality"}],
            r"Entry 1 of the list: .* lacks the parameter 'low'",
        ),
        (
            [{"rule": "Inequalty", "low": "a", "high": "b"}],
            r"Entry 0 of the list: Not a rule: .* one of \['FixedCombinations'",
        ),
        ([{"low": "a", "high": "b"}], r"its 'rule' must be one of \['Fixed"),
        ([3], r"Entry 0 of the list is 3, not a rule"),
        (
            [{"rule": "Inequality", "low": "a", "high": "b", "hihg": 1}],
            r"Entry 0 of the list \(Inequality\) has unknown parameter\(s\) "
            r"\['hihg'\]; its parameters are \['low', 'high', 'strict'\]",
        ),
        (
            [{"rule": "Inequality", "low": "a", "hihg": "b"}],
            r"Entry 0 of the list \(Inequality\) has unknown parameter\(s\) "
            r"\['hihg'\]",
        ),
        ([{"rule": ["Inequality"]}], r"its 'rule' must be one of \['Fixed"),
        (
            [{"rule": "Range", "low": 0, "middle": "a", "high": 1, "strict": "no"}],
            r"Entry 0 of the list \(Range\): 'strict' must be true or false",
        ),
        (
            [{"rule": "FixedCombinations", "columns": ["a"]}],
            r"Entry 0 of the list: FixedCombinations needs two or more columns",
        ),
        (
            [{"rule": "Formula", "column": "c", "expression": "a * b"}],
            r"Entry 0 of the list: Formula expression 'a \* b' multiplies",
        ),
        ({"rule": "Inequality"}, "path_or_list must be a JSON file of rules or a"),
    ],
)
def test_load_errors_name_the_entry_and_the_problem(entries, match):
    with pytest.raises(ValueError, match=match):
        load_constraints(entries)


def test_load_errors_name_the_file(tmp_path):
    path = tmp_path / "rules.json"
    with pytest.raises(FileNotFoundError, match="No file of rules at"):
        load_constraints(path)
    path.write_text('[{"rule": "Inequality", "low": "a", "high": "b"},]')
    with pytest.raises(ValueError, match=r"rules.json' is not valid JSON: .* line 1"):
        load_constraints(path)
    path.write_text('{"rule": "Inequality", "low": "a", "high": "b"}')
    with pytest.raises(ValueError, match=r"rules.json' must hold a list of rules"):
        load_constraints(path)
    path.write_text('[{"rule": "Inequality", "low": "a"}]')
    with pytest.raises(ValueError, match=r"Entry 0 of '.*rules.json': .* 'high'"):
        load_constraints(path)


def test_an_edited_file_loads(tmp_path):
    # A user deletes a rule and adds one by hand.
    path = tmp_path / "rules.json"
    save_constraints([Inequality("start", "end"), Formula("total", "price + 5")], path)
    entries = json.loads(path.read_text())
    entries = entries[:1] + [
        {"rule": "Range", "low": 0, "middle": "price", "high": 100}
    ]
    path.write_text(json.dumps(entries, indent=2))
    assert load_constraints(path) == [
        Inequality("start", "end"),
        Range(0, "price", 100),
    ]
