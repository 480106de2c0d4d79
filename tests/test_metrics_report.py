"""Tests of sksynth.metrics.evaluate_synthetic and SyntheticDataReport
(sksynth/metrics/_report.py)."""

import re

import numpy as np
import pandas as pd
import pytest

from sksynth import GaussianCopulaSynthesizer
from sksynth.constraints import FixedCombinations, Inequality, detect_constraints
from sksynth.metrics import (
    SyntheticDataReport,
    detection_auc,
    evaluate_synthetic,
)


def test_evaluate_synthetic_report(metrics_table):
    train, holdout = metrics_table.iloc[:750], metrics_table.iloc[750:]
    synth = GaussianCopulaSynthesizer(random_state=0).fit(train)
    report = evaluate_synthetic(
        train, synth.sample(750), holdout=holdout, target="group", random_state=0
    )
    assert isinstance(report, SyntheticDataReport)
    expected = {
        "ks_complement",
        "tv_complement",
        "correlation_similarity",
        "contingency_similarity",
        "detection_auc",
        "dcr_share",
        "exact_copy_share",
        "tstr",
    }
    assert expected <= set(report)
    for values in report.values():
        assert set(values) == {"synthetic", "real_holdout"}
    assert report["detection_auc"]["real_holdout"] == pytest.approx(0.5, abs=0.08)
    assert report["dcr_share"]["real_holdout"] == pytest.approx(0.5, abs=0.1)
    assert report["ks_complement"]["synthetic"] > 0.9
    text = str(report)
    assert "detection_auc" in text and "real holdout" in text
    frame = report.to_frame()
    assert list(frame.columns) == ["synthetic", "real_holdout", "description"]


def test_evaluate_synthetic_without_holdout_and_errors(metrics_table):
    report = evaluate_synthetic(metrics_table, metrics_table, random_state=0)
    assert np.isnan(report["dcr_share"]["synthetic"])
    assert "no holdout" in str(report)
    with pytest.raises(ValueError, match="target 'nope' is not a column"):
        evaluate_synthetic(
            metrics_table,
            metrics_table,
            holdout=metrics_table,
            target="nope",
            random_state=0,
        )


def test_evaluate_synthetic_metric_groups(metrics_table):
    train, holdout = metrics_table.iloc[:750], metrics_table.iloc[750:]
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(train).sample(750)
    options = {"holdout": holdout, "target": "group", "random_state": 0}
    full = evaluate_synthetic(train, synthetic, **options)
    fidelity = evaluate_synthetic(train, synthetic, metrics="fidelity", **options)
    assert list(fidelity) == [
        "ks_complement",
        "tv_complement",
        "missing_similarity",
        "correlation_similarity",
        "contingency_similarity",
    ]
    chosen = evaluate_synthetic(
        train, synthetic, metrics=["privacy", "utility"], **options
    )
    assert set(chosen) == {
        "exact_copy_share",
        "nndr",
        "dcr_share",
        "tstr",
        "model_agreement",
        "output_ks",
    }
    # A group gives the same figures whichever other groups are computed.
    for part in (fidelity, chosen):
        assert all(part[name] == full[name] for name in part)


@pytest.mark.parametrize(
    "metrics, match",
    [
        (["fidelity", "margins"], "metrics must be 'all' or a non-empty list"),
        ([], "metrics must be 'all' or a non-empty list"),
        ("margins", "The 'metrics' parameter"),
        (["utility"], "'utility', which needs the target column"),
        ("utility", "'utility', which needs the target column"),
    ],
)
def test_evaluate_synthetic_metrics_errors(metrics_table, metrics, match):
    with pytest.raises(ValueError, match=match):
        evaluate_synthetic(metrics_table, metrics_table, metrics=metrics)


def test_evaluate_synthetic_privacy_flags_copied_rows(metrics_table):
    train, holdout = metrics_table.iloc[:750], metrics_table.iloc[750:]
    report = evaluate_synthetic(
        train, train, holdout=holdout, metrics=["privacy"], random_state=0
    )
    assert report["exact_copy_share"]["synthetic"] == 1.0
    assert report["dcr_share"]["synthetic"] == 1.0
    assert report["nndr"]["synthetic"] == 0.0
    # The ceiling queries 375 fresh rows: 4 standard errors of a share of 0.5.
    tolerance = 4 * 0.5 / np.sqrt(375)
    assert report["dcr_share"]["real_holdout"] == pytest.approx(0.5, abs=tolerance)
    assert report["nndr"]["real_holdout"] > 0.5


def test_evaluate_synthetic_utility_keeps_negative_numbers():
    # The default utility model once read every negative number as missing.
    rng = np.random.RandomState(0)
    a = rng.normal(size=2000)
    frame = pd.DataFrame(
        {"a": a, "noise": rng.normal(size=2000), "y": np.where(a < -1, "low", "rest")}
    )
    train, holdout = frame.iloc[:1000], frame.iloc[1000:]
    report = evaluate_synthetic(
        train, train, holdout=holdout, target="y", metrics=["utility"], random_state=0
    )
    assert report["tstr"]["real_holdout"] > 0.99


def test_column_missing_in_every_row(metrics_independent_margins, metrics_table):
    real = metrics_table.assign(empty=np.nan)
    synthetic = metrics_independent_margins(metrics_table).assign(empty=np.nan)
    halves = real.iloc[:750], real.iloc[750:]
    assert 0.4 < detection_auc(*halves, random_state=0) < 0.6
    report = evaluate_synthetic(
        real.iloc[:750], synthetic, holdout=real.iloc[750:], target="group"
    )
    assert report["detection_auc"]["synthetic"] > 0.7
    assert report["tstr"]["synthetic"] > 0.5


def test_evaluate_synthetic_estimator_sees_columns_in_the_order_of_real(metrics_table):
    # A tree (it takes missing values): gradient boosting's threads made this
    # test take 30 s on a busy machine.
    from sklearn.tree import DecisionTreeClassifier

    numeric = metrics_table[["a", "b", "w", "flag"]]
    train, holdout = numeric.iloc[:750], numeric.iloc[750:]
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(train).sample(750)
    options = {
        "holdout": holdout[holdout.columns[::-1]],
        "target": "flag",
        "estimator": DecisionTreeClassifier(max_depth=4, random_state=0),
        "metrics": "utility",
        "random_state": 0,
    }
    shuffled = evaluate_synthetic(train, synthetic[synthetic.columns[::-1]], **options)
    ordered = evaluate_synthetic(train, synthetic, **options)
    assert shuffled["tstr"] == ordered["tstr"]


def test_evaluate_synthetic_estimator_with_array_synthetic_rows(metrics_table):
    # A tree (it takes missing values): gradient boosting's threads made this
    # test take 30 s on a busy machine.
    from sklearn.tree import DecisionTreeClassifier

    numeric = metrics_table[["a", "b", "w", "flag"]]
    train, holdout = numeric.iloc[:750], numeric.iloc[750:]
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(train).sample(750)
    options = {
        "holdout": holdout,
        "target": "flag",
        "estimator": DecisionTreeClassifier(max_depth=4, random_state=0),
        "metrics": "utility",
        "random_state": 0,
    }
    as_array = evaluate_synthetic(train, synthetic.to_numpy(), **options)
    assert as_array["tstr"] == evaluate_synthetic(train, synthetic, **options)["tstr"]


def test_evaluate_synthetic_target_errors_name_the_column_and_table(metrics_table):
    train, holdout = metrics_table.iloc[:750], metrics_table.iloc[750:].copy()
    options = {"target": "group", "metrics": "utility", "random_state": 0}
    with pytest.raises(ValueError, match="'group' has 3 missing value.* synthetic"):
        synthetic = train.copy()
        synthetic.loc[synthetic.index[:3], "group"] = np.nan
        evaluate_synthetic(train, synthetic, holdout=holdout, **options)
    holdout.loc[holdout.index[:2], "group"] = "sideways"
    with pytest.raises(
        ValueError, match=r"holdout rows hold class\(es\) \['sideways'\]"
    ):
        evaluate_synthetic(train, train, holdout=holdout, **options)


def _frame(n_rows, seed):
    rng = np.random.RandomState(seed)
    return pd.DataFrame(
        {"a": rng.normal(size=n_rows), "g": rng.choice(["x", "y"], n_rows)}
    )


@pytest.mark.parametrize(
    "n_real, n_synthetic, n_holdout, got",
    [
        (5, 100, None, "2 rows in a half of the real rows"),
        (100, 2, 100, "2 synthetic rows"),
        (100, 100, 2, "2 holdout rows"),
        (1, 1, 1, "1 real rows, 1 synthetic rows and 1 holdout rows"),
    ],
)
def test_evaluate_synthetic_detection_needs_rows_for_its_folds(
    n_real, n_synthetic, n_holdout, got
):
    # Once "detection_auc needs at least cv=3 rows in each table; got 2 real and
    # 3 synthetic rows" for 5 real and 100 synthetic rows.
    real, synthetic = _frame(n_real, 0), _frame(n_synthetic, 1)
    holdout = None if n_holdout is None else _frame(n_holdout, 2)
    match = (
        r"The detection tests of evaluate_synthetic need at least detection_cv=3 "
        rf"rows in each table; got {got}.*leave 'detection' out of metrics"
    )
    with pytest.raises(ValueError, match=match):
        evaluate_synthetic(
            real, synthetic, holdout=holdout, metrics="detection", random_state=0
        )


def test_identifiers_are_left_out_and_dates_compared_as_numbers():
    # Issue 12: a key is unique per row and synthetic rows hold new keys; dates
    # are numbers on a line.
    n = 400

    def table(seed):
        rng = np.random.RandomState(seed)
        return pd.DataFrame(
            {
                "loan_id": [f"L{v:07d}" for v in rng.choice(10**7, n, replace=False)],
                "issued": pd.Timestamp("2020-01-01")
                + pd.to_timedelta(rng.randint(0, 700, n), unit="D"),
                "amount": rng.lognormal(8, 0.5, n),
                "grade": rng.choice(list("ABC"), n),
            }
        )

    real, holdout = table(1), table(2)
    shifted = table(3).assign(issued=lambda t: t["issued"] + pd.Timedelta(days=400))
    options = {
        "holdout": holdout,
        "metrics": ["fidelity", "privacy"],
        "random_state": 0,
    }
    report = evaluate_synthetic(real, table(3), **options)
    far = evaluate_synthetic(real, shifted, **options)
    assert any("['loan_id'] left out of every figure" in note for note in report.notes)
    assert np.isfinite(report["exact_copy_share"]["synthetic"])
    assert report["ks_complement"]["synthetic"] > far["ks_complement"]["synthetic"]
    with pytest.raises(ValueError, match="target 'loan_id' is an identifier column"):
        evaluate_synthetic(real, table(3), holdout=holdout, target="loan_id")


def _ruled(n, seed):
    """Rows where ``level`` fixes ``grade`` and ``start < end``."""
    rng = np.random.RandomState(seed)
    level = rng.randint(0, 3, n)
    start = rng.randint(0, 100, n)
    return pd.DataFrame(
        {
            "level": level,
            "grade": np.array(["low", "mid", "high"])[level],
            "start": start,
            "end": start + rng.randint(1, 30, n),
        }
    )


def test_evaluate_synthetic_constraints_gives_the_share_of_rows_breaking_each_rule():
    # Issue 13: the share of synthetic rows off each rule, beside the holdout's.
    real, holdout, synthetic = _ruled(400, 0), _ruled(200, 1), _ruled(400, 2)
    synthetic.loc[:99, ["start", "end"]] = synthetic.loc[:99, ["end", "start"]].values
    synthetic.loc[:9, "grade"] = "top"  # a combination unseen in real
    holdout.loc[:4, "grade"] = "low"
    holdout.loc[:4, "level"] = 2
    rules = [FixedCombinations(["level", "grade"]), Inequality("start", "end", True)]
    report = evaluate_synthetic(
        real,
        synthetic,
        holdout=holdout,
        metrics="fidelity",
        constraints=rules,
        random_state=0,
    )
    table = report["constraints"]
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == ["synthetic", "real_holdout"]
    assert list(table.index) == ["fixed combinations of level, grade", "start < end"]
    assert table.loc["start < end", "synthetic"] == 100 / 400
    assert table.loc["start < end", "real_holdout"] == 0.0
    # Fixed combinations are those of the real rows: a holdout row with a
    # combination unseen there breaks the rule.
    assert table.loc["fixed combinations of level, grade", "synthetic"] == 10 / 400
    assert table.loc["fixed combinations of level, grade", "real_holdout"] == 5 / 200
    # The rule given stays unfitted.
    assert not hasattr(rules[0], "combinations_")
    assert list(report)[-1] == "constraints" and len(report) == 6
    text = str(report)
    assert re.search(r"\nrule +synthetic +real holdout +share of rows that break", text)
    assert re.search(r"\nstart < end +25\.00% +0\.00%$", text)
    assert re.search(r"\nfixed combinations of level, grade +2\.50% +2\.50%", text)
    assert repr(report).startswith("SyntheticDataReport(5 metrics, 2 rules)")
    # The other figures are those of a report without rules.
    plain = evaluate_synthetic(
        real, synthetic, holdout=holdout, metrics="fidelity", random_state=0
    )
    assert "constraints" not in plain and "rule" not in str(plain)
    assert all(report[name] == plain[name] for name in plain)
    assert report.to_frame().equals(plain.to_frame())


def test_evaluate_synthetic_constraints_auto_uses_the_rules_of_the_real_rows():
    real, holdout = _ruled(600, 0), _ruled(300, 1)
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(real).sample(600)
    report = evaluate_synthetic(
        real,
        synthetic,
        holdout=holdout,
        metrics="fidelity",
        constraints="auto",
        random_state=0,
    )
    table = report["constraints"]
    detected = [str(rule) for rule in detect_constraints(real)]
    assert list(table.index) == detected
    assert "start < end" in detected
    assert (table["real_holdout"] == 0).all()
    # The copula alone breaks the order of start and end in some rows.
    assert table.loc["start < end", "synthetic"] > 0
    ruled = GaussianCopulaSynthesizer(random_state=0, constraints="auto").fit(real)
    report = evaluate_synthetic(
        real, ruled.sample(600), metrics="fidelity", constraints="auto"
    )
    assert (report["constraints"]["synthetic"] == 0).all()


def test_evaluate_synthetic_constraints_without_holdout_and_with_arrays():
    real, synthetic = _ruled(200, 0), _ruled(200, 1)
    synthetic.loc[:19, "end"] = synthetic.loc[:19, "start"] - 1
    report = evaluate_synthetic(
        real[["start", "end"]].to_numpy(),
        synthetic[["start", "end"]].to_numpy(),
        metrics="fidelity",
        constraints=[Inequality(0, 1)],
        random_state=0,
    )
    shares = report["constraints"].loc["0 <= 1"]
    assert shares["synthetic"] == 20 / 200
    assert np.isnan(shares["real_holdout"])
    assert "rules' shares have no real ceiling" in str(report)
    assert re.search(r"\n0 <= 1 +10\.00% +-\n", str(report))
    # A DataFrame beside an array of the same columns.
    report = evaluate_synthetic(
        real,
        synthetic.to_numpy(),
        metrics="fidelity",
        constraints=[Inequality("start", "end")],
    )
    assert report["constraints"].loc["start <= end", "synthetic"] == 20 / 200


def test_evaluate_synthetic_constraints_with_no_rule():
    real = _ruled(200, 0)
    report = evaluate_synthetic(real, real, metrics="fidelity", constraints=[])
    assert report["constraints"].empty
    assert "(no rules)" in str(report)
    assert "constraints: no rule to check." in report.notes


def test_report_constraints_table_without_pandas(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    report = SyntheticDataReport(
        {}, constraints={"a <= b": {"synthetic": 0.25, "real_holdout": 0.0}}
    )
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    assert report["constraints"] == {
        "synthetic": {"a <= b": 0.25},
        "real_holdout": {"a <= b": 0.0},
    }


@pytest.mark.parametrize(
    "constraints, error, match",
    [
        (
            [Inequality("start", "finish")],
            ValueError,
            r"constraints: rule 'start <= finish' names column 'finish', which "
            r"is not a column of the tables; columns are \['level'",
        ),
        (["start <= end"], TypeError, "constraints holds str, which is not a rule"),
        ("yes", ValueError, "The 'constraints' parameter"),
    ],
)
def test_evaluate_synthetic_constraints_errors(constraints, error, match):
    real = _ruled(100, 0)
    with pytest.raises(error, match=match):
        evaluate_synthetic(real, real, metrics="fidelity", constraints=constraints)
