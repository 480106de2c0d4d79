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
    # Without a holdout, the close records are those nearer to one half of
    # the real rows than the other half's rows are: copies of the real rows
    # copy that half for one half of them, and are as close as the other
    # half's rows for the rest (0.5 + 0.5 * 0.05).
    close = report["close_record_share"]
    assert close["synthetic"] == pytest.approx(0.525, abs=0.03)
    assert close["real_holdout"] == pytest.approx(0.05, abs=0.05)
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
        "close_record_share",
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
    assert report["close_record_share"]["synthetic"] == 1.0
    # Each half of the 375 fresh rows against the other's quantile: 4
    # standard errors of a share of 0.05 over 187 rows, for each half.
    tolerance = 4 * np.sqrt(2 * 0.05 * 0.95 / 187)
    assert report["close_record_share"]["real_holdout"] == pytest.approx(
        0.05, abs=tolerance
    )


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
    # A copula that learns the columns apart (linking would keep the order).
    copula = GaussianCopulaSynthesizer(random_state=0, linked_columns=None)
    synthetic = copula.fit(real).sample(600)
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


def _verdict(report):
    """The plain-words lines printed above the report's table."""
    return str(report).split("\n\n")[0]


def test_report_verdict_fresh_real_rows_are_as_good_as_real(metrics_table):
    # Real rows the "synthesizer" never saw: every figure within its noise.
    train, holdout, fresh = (metrics_table.iloc[i : i + 500] for i in (0, 500, 1000))
    report = evaluate_synthetic(
        train,
        fresh,
        holdout=holdout,
        metrics=["fidelity", "detection", "privacy"],
        random_state=0,
    )
    verdict = _verdict(report)
    assert verdict.startswith(f"Verdict: {len(report)} of {len(report)} metrics as")
    assert "Worse than real" not in verdict
    assert "No column alone gives the synthetic rows away" in verdict
    assert report.tolerance == pytest.approx(1 / np.sqrt(500))
    # The table marks each figure "ok".
    assert re.search(r"\ndetection_auc +[0-9.]+ +[0-9.]+  ok ", str(report))


def test_report_verdict_names_a_shifted_column_among_those_giving_rows_away(
    metrics_table,
):
    train, holdout = metrics_table.iloc[:750], metrics_table.iloc[750:]
    synthetic = holdout.reset_index(drop=True).copy()
    synthetic["w"] += 1.0
    report = evaluate_synthetic(
        train, synthetic, holdout=holdout, metrics=["fidelity", "detection"]
    )
    line = next(
        line for line in _verdict(report).splitlines() if "give the synthetic" in line
    )
    assert line.split(": ", 1)[1].startswith("w (")
    assert "ks_complement: " in _verdict(report).split("Worse than real: ")[1]
    table = report.column_table
    assert table["detection_auc"].idxmax() == "w"
    # A shift of one standard deviation: Phi(1 / sqrt(2)) = 0.76 at best.
    assert table.loc["w", "detection_auc"] > 0.7
    assert (table.drop(index="w")["detection_auc"] < 0.6).all()


def test_report_verdict_names_pairs_whose_association_changed(
    metrics_table, metrics_independent_margins
):
    train, holdout = metrics_table.iloc[:750], metrics_table.iloc[750:]
    synthetic = metrics_independent_margins(holdout)
    report = evaluate_synthetic(train, synthetic, holdout=holdout, metrics="fidelity")
    line = _verdict(report).splitlines()[-1]
    assert line.startswith("  Pairs of columns whose association changed most: ")
    assert "a & b (" in line and "a & group (" in line


@pytest.mark.parametrize(
    "target, scoring, name",
    [
        ("flag", None, "ROC AUC, binary target"),
        ("level", None, "accuracy, 3-class target"),
        ("a", None, "R^2, numeric target"),
        ("flag", "accuracy", "accuracy, binary target"),
    ],
)
def test_report_names_the_tstr_score(metrics_table, target, scoring, name):
    table = metrics_table.assign(
        level=pd.cut(metrics_table["a"], 3, labels=list("xyz"))
    )
    table["level"] = table["level"].astype(str)
    table["flag"] = table["flag"].map({True: "yes", False: "no"})
    report = evaluate_synthetic(
        table.iloc[:300],
        table.iloc[300:600],
        holdout=table.iloc[600:900],
        target=target,
        scoring=scoring,
        metrics="utility",
        random_state=0,
    )
    assert report.tstr_scoring == name
    assert f"tstr ({name})" in _verdict(report)
    assert re.search(
        rf"\ntstr .*scored on real test rows: {re.escape(name)}", str(report)
    )


def test_report_names_the_tstr_score_of_an_estimator(metrics_table):
    from sklearn.linear_model import LinearRegression

    table = metrics_table.drop(columns=["group", "flag"]).fillna(0.0)
    report = evaluate_synthetic(
        table.iloc[:500],
        table.iloc[500:1000],
        holdout=table.iloc[1000:],
        target="a",
        estimator=LinearRegression(),
        metrics="utility",
    )
    assert report.tstr_scoring == "R^2, numeric target"


def test_report_says_why_a_figure_is_missing():
    rng = np.random.RandomState(0)
    numbers = pd.DataFrame({"x": rng.normal(size=400), "y": rng.normal(size=400)})
    report = evaluate_synthetic(numbers.iloc[:200], numbers.iloc[200:], metrics="all")
    text = str(report)
    assert "tv_complement (no categorical columns)" in _verdict(report)
    assert "contingency_similarity (no pair of columns with a categorical one)" in text
    assert "dcr_share (no holdout given)" in text
    assert re.search(r"\ntv_complement +- +- +- +not computed: no categorical", text)
    # Ceilings from two halves of the real rows: no "real holdout" header.
    assert "real holdout" not in text
    assert re.search(r"\nmetric +synthetic +real halves +verdict", text)
    assert "two halves of the real rows" in _verdict(report)


def test_report_column_and_pair_tables_by_hand():
    real = pd.DataFrame(
        {
            "x": [1.0, 2.0, 3.0, 4.0, np.nan, 6.0, 7.0, 8.0],
            "y": [2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0],
            "c": ["a", "a", "a", "a", "b", "b", "b", "b"],
        }
    )
    synthetic = real.assign(y=-real["y"], c=["a", "b"] * 4)
    report = evaluate_synthetic(real, synthetic, metrics="fidelity")
    columns = report.column_table
    assert list(columns.index) == ["x", "y", "c"]
    assert list(columns.columns) == [
        "kind",
        "shape_metric",
        "shape",
        "shape_real_holdout",
        "missing_real",
        "missing_synthetic",
        "detection_auc",
        "detection_auc_real_holdout",
    ]
    assert list(columns["shape_metric"]) == ["ks_complement"] * 2 + ["tv_complement"]
    assert columns.loc["x", "shape"] == 1.0 and columns.loc["y", "shape"] == 0.0
    assert columns.loc["c", "shape"] == 1.0  # four of each level in both
    assert columns.loc["x", "missing_real"] == columns.loc["x", "missing_synthetic"]
    assert columns.loc["x", "missing_real"] == 1 / 8
    # Detection was not asked for.
    assert columns["detection_auc"].isna().all()
    pairs = report.pair_table.set_index(["column_1", "column_2"])
    assert list(pairs.index) == [("x", "y"), ("x", "c"), ("y", "c")]
    assert list(pairs["measure"]) == ["correlation"] + ["correlation_ratio"] * 2
    assert pairs.loc[("x", "y"), "real"] == pytest.approx(1.0)
    assert pairs.loc[("x", "y"), "synthetic"] == pytest.approx(-1.0)
    assert pairs.loc[("x", "y"), "difference"] == pytest.approx(-2.0)
    # y by c: means 5 and 13 around 9 (between 8 * 16 = 128), squares around
    # 9 sum to 168: eta^2 = 128 / 168.
    assert pairs.loc[("y", "c"), "real"] == pytest.approx(np.sqrt(128 / 168))
    # c alternates: means -8 and -10 around -9, between 8 * 1.
    assert pairs.loc[("y", "c"), "synthetic"] == pytest.approx(np.sqrt(8 / 168))


def test_association_matrix_cramers_v():
    from sksynth.metrics._fidelity import association_matrix

    table = pd.DataFrame({"u": list("aabb") * 5, "v": list("xxyy") * 5})
    table["w"] = list("xyxy") * 5
    names, matrix = association_matrix(table)
    assert names == ["u", "v", "w"]
    np.testing.assert_allclose(matrix, [[1, 1, 0], [1, 1, 0], [0, 0, 1]], atol=1e-12)


def test_report_model_agreement_of_fresh_real_rows_is_as_good_as_real(metrics_table):
    # Its ceiling was a fixed 1.0: even real rows the synthesizer never saw
    # read "worse". Now a model trained on unseen real rows sets it.
    train, holdout, fresh = (metrics_table.iloc[i : i + 500] for i in (0, 500, 1000))
    report = evaluate_synthetic(
        train, fresh, holdout=holdout, target="group", metrics="utility", random_state=0
    )
    agreement = report["model_agreement"]
    assert 0.5 < agreement["real_holdout"] < 1.0
    assert agreement["synthetic"] >= agreement["real_holdout"] - report.tolerance
    assert report._verdict("model_agreement") == ("good", "")
    assert re.search(r"\nmodel_agreement +[0-9.]+ +[0-9.]+  ok ", str(report))


def test_report_model_agreement_without_a_ceiling_says_why():
    report = SyntheticDataReport(
        {"model_agreement": {"synthetic": 0.9, "real_holdout": float("nan")}}
    )
    verdict, reason = report._verdict("model_agreement")
    assert verdict == "missing"
    assert "no half of the holdout can train a model" in reason
    assert "Not computed: model_agreement (no real ceiling" in str(report)


def test_report_detection_auc_below_one_half_is_as_good_as_real():
    # Cross-validated AUCs of tables that look alike fall below 0.5 by chance
    # (each training fold holds fewer rows of the table its test fold holds
    # more of); they were read "worse" than a ceiling of 0.5.
    report = SyntheticDataReport(
        {
            "detection_auc_logistic": {"synthetic": 0.437, "real_holdout": 0.499},
            "detection_auc": {"synthetic": 0.563, "real_holdout": 0.499},
            "dcr_share": {"synthetic": 0.437, "real_holdout": 0.499},
        }
    )
    assert report._verdict("detection_auc_logistic") == ("good", "")
    assert report._verdict("detection_auc") == ("worse", "")
    assert report._verdict("dcr_share") == ("worse", "")


@pytest.mark.parametrize(
    "scoring, words",
    [
        ("R^2, numeric target", "correlation of the predictions with the model"),
        ("ROC AUC, binary target", "same predictions as the model"),
    ],
)
def test_report_says_what_model_agreement_is_for_the_target(scoring, words):
    # For a numeric target the figure is a correlation of predictions, not a
    # share of equal ones.
    report = SyntheticDataReport(
        {"model_agreement": {"synthetic": 0.88, "real_holdout": 0.97}},
        tstr_scoring=scoring,
    )
    assert words in str(report)


def test_report_without_holdout_lists_the_utility_metrics_and_why(metrics_table):
    # With a target and no holdout the utility metrics were left out of the
    # table and the verdict; a note alone said why.
    train = metrics_table.iloc[:500]
    report = evaluate_synthetic(
        train, train, target="group", metrics="utility", random_state=0
    )
    assert set(report) == {"tstr", "model_agreement", "output_ks"}
    assert all(np.isnan(values["synthetic"]) for values in report.values())
    verdict = _verdict(report)
    assert (
        "Not computed: tstr (no holdout to test models on), model_agreement" in verdict
    )
    assert re.search(
        r"\nmodel_agreement +- +- +-  +not computed: no holdout to test models on",
        str(report),
    )
