"""Tests of sksynth.metrics: definitions, ceilings, scorer behaviour and errors."""

import copy
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksynth import GaussianCopulaSynthesizer
from sksynth.metrics import (
    SyntheticDataReport,
    TSTRScorer,
    contingency_similarity,
    correlation_similarity,
    dcr_share,
    detection_auc,
    evaluate_synthetic,
    exact_copy_share,
    ks_complement,
    missing_similarity,
    nndr,
    plot_marginals,
    save_figures,
    tv_complement,
)


@pytest.fixture
def table():
    rng = np.random.RandomState(0)
    n = 1500
    z = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=n)
    group = np.where(z[:, 0] + rng.normal(0, 0.5, n) > 0, "up", "down")
    return pd.DataFrame(
        {
            "a": z[:, 0],
            "b": np.exp(z[:, 1]),
            "group": group,
            "flag": rng.rand(n) < 0.3,
            "w": np.where(rng.rand(n) < 0.1, np.nan, rng.normal(size=n)),
        }
    )


def _independent_margins(frame, seed=0):
    """Each column shuffled on its own: same margins, no dependence."""
    rng = np.random.RandomState(seed)
    return pd.DataFrame(
        {c: frame[c].to_numpy()[rng.permutation(len(frame))] for c in frame.columns}
    )


@pytest.mark.parametrize(
    "metric",
    [
        ks_complement,
        tv_complement,
        missing_similarity,
        correlation_similarity,
        contingency_similarity,
    ],
)
def test_identical_data_scores_one(table, metric):
    assert metric(table, table) == pytest.approx(1.0)
    per_column = metric(table, table, aggregate=False)
    assert per_column and all(v == pytest.approx(1.0) for v in per_column.values())


def test_per_column_scores_name_the_columns(table):
    assert set(ks_complement(table, table, aggregate=False)) == {"a", "b", "w"}
    assert set(tv_complement(table, table, aggregate=False)) == {"group", "flag"}
    assert set(missing_similarity(table, table, aggregate=False)) == {"w"}
    assert set(correlation_similarity(table, table, aggregate=False)) == {
        ("a", "b"),
        ("a", "w"),
        ("b", "w"),
    }


def test_independent_margins_keep_margins_but_lose_pairs(table):
    shuffled = _independent_margins(table)
    assert ks_complement(table, shuffled) == pytest.approx(1.0)
    assert tv_complement(table, shuffled) == pytest.approx(1.0)
    pairs = correlation_similarity(table, shuffled, aggregate=False)
    # The a-b correlation of about 0.8 (Pearson on exp(b) a bit less) is gone.
    assert pairs[("a", "b")] < 0.75
    contingency = contingency_similarity(table, shuffled, aggregate=False)
    assert contingency[("a", "group")] < 0.8


def test_known_values():
    real = np.array([["x"], ["x"], ["y"], ["y"]], dtype=object)
    assert (
        tv_complement(real, np.array([["x"], ["x"], ["x"], ["x"]], dtype=object)) == 0.5
    )
    disjoint = ks_complement(np.arange(10.0)[:, None], np.arange(20.0, 30.0)[:, None])
    assert disjoint == 0.0
    assert (
        missing_similarity(np.array([[np.nan], [1.0]]), np.array([[1.0], [1.0]])) == 0.5
    )
    opposite = correlation_similarity(
        np.column_stack([np.arange(10.0), np.arange(10.0)]),
        np.column_stack([np.arange(10.0), -np.arange(10.0)]),
    )
    assert opposite == pytest.approx(0.0)


def test_detection_gradient_boosting_sees_lost_dependence(table):
    numeric = table[["a", "b"]]
    shuffled = _independent_margins(numeric)
    rng = np.random.RandomState(1)
    z = rng.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]], size=len(numeric))
    fresh = pd.DataFrame({"a": z[:, 0], "b": np.exp(z[:, 1])})
    same = detection_auc(numeric, fresh, cv=3, random_state=0)
    # Standard error of an AUC near 0.5 with n rows per class: sqrt(1 / (6 n)).
    assert same == pytest.approx(0.5, abs=4 * np.sqrt(1 / (6 * len(numeric))) + 0.02)
    boosted = detection_auc(numeric, shuffled, cv=3, random_state=0)
    logistic = detection_auc(numeric, shuffled, method="logistic", cv=3, random_state=0)
    # Independent margins fool a linear model, not gradient boosting.
    assert logistic < 0.56
    assert boosted > 0.7


def test_detection_on_mixed_data_and_errors(table):
    other = table.copy()
    other["group"] = "down"
    assert detection_auc(table, other, cv=3, random_state=0) > 0.7
    with pytest.raises(ValueError, match="at least cv=5 rows in each table"):
        detection_auc(table, table.iloc[:3])


def test_dcr_share_and_copies():
    rng = np.random.RandomState(0)
    n = 2000
    train, holdout, fresh = (rng.normal(size=(n, 4)) for _ in range(3))
    share = dcr_share(train, fresh, holdout, random_state=0)
    # Binomial standard error of a share of 0.5 over n rows.
    assert share == pytest.approx(0.5, abs=4 * np.sqrt(0.25 / n))
    noisy_copies = train + rng.normal(0, 0.01, size=train.shape)
    assert dcr_share(train, noisy_copies, holdout) > 0.99
    assert exact_copy_share(train, train[:100]) == 1.0
    assert exact_copy_share(train, fresh) == 0.0
    assert nndr(train, noisy_copies) < 0.1
    assert nndr(train, fresh) > 0.5


def test_exact_copy_share_matches_missing_values():
    train = np.array([[1.0, np.nan], [2.0, 3.0]])
    assert exact_copy_share(train, np.array([[1.0, np.nan], [1.0, 0.0]])) == 0.5


def test_mismatched_columns_error(table):
    with pytest.raises(ValueError, match=r"missing \['w'\], unexpected \['zz'\]"):
        ks_complement(table, table.rename(columns={"w": "zz"}))
    with pytest.raises(ValueError, match="has 2 columns but the real one has 3"):
        ks_complement(np.ones((5, 3)), np.ones((5, 2)))
    # Same columns in another order are aligned.
    assert ks_complement(table, table[table.columns[::-1]]) == pytest.approx(1.0)


@pytest.fixture
def classification():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(600, 4))
    y = (X[:, 0] + X[:, 1] + rng.normal(0, 0.5, 600) > 0).astype(int)
    return X[:400], y[:400], X[400:], y[400:]


def _model():
    return make_pipeline(StandardScaler(), LogisticRegression())


def test_tstr_scorer_close_to_trtr_and_chance_with_shuffled_labels(classification):
    X_train, y_train, X_test, y_test = classification
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X_train, y_train)
    scorer = TSTRScorer(_model(), scoring="roc_auc", random_state=0)
    trtr = _model().fit(X_train, y_train)
    real_auc = roc_auc_score(y_test, trtr.predict_proba(X_test)[:, 1])
    assert scorer(synth, X_test, y_test) == pytest.approx(real_auc, abs=0.03)
    # A model trained on shuffled labels points in a random direction: its AUC
    # on real rows is anywhere around 0.5 (sd about 0.22 here), and 0.5 on
    # average: 40 shuffles put the mean within 0.12 (3.4 standard errors).
    chance = [
        scorer(
            GaussianCopulaSynthesizer(random_state=0).fit(
                X_train, np.random.RandomState(seed).permutation(y_train)
            ),
            X_test,
            y_test,
        )
        for seed in range(40)
    ]
    assert np.mean(chance) == pytest.approx(0.5, abs=0.12)


def test_tstr_scorer_leaves_the_synthesizer_unchanged(classification):
    X_train, y_train, X_test, y_test = classification
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X_train, y_train)
    state = copy.deepcopy(synth.random_state_.get_state())
    scorer = TSTRScorer(_model())
    first = scorer(synth, X_test, y_test)
    assert scorer(synth, X_test, y_test) == first
    np.testing.assert_array_equal(synth.random_state_.get_state()[1], state[1])
    assert "TSTRScorer(estimator=Pipeline" in repr(scorer)
    assert "scoring=None" in repr(scorer)


def test_tstr_scorer_tunes_a_synthesizer_in_grid_search(classification):
    X_train, y_train, _, _ = classification
    search = GridSearchCV(
        GaussianCopulaSynthesizer(random_state=0),
        {"marginals": ["auto", "empirical"]},
        scoring=TSTRScorer(_model(), scoring="roc_auc", random_state=0),
        cv=3,
    ).fit(X_train, y_train)
    scores = search.cv_results_["mean_test_score"]
    assert np.all((scores > 0.8) & (scores <= 1.0))


def test_tstr_scorer_errors(classification):
    X_train, y_train, X_test, y_test = classification
    scorer = TSTRScorer(_model())
    unsupervised = GaussianCopulaSynthesizer(random_state=0).fit(X_train)
    with pytest.raises(ValueError, match="needs a synthesizer fitted with a target"):
        scorer(unsupervised, X_test, y_test)
    supervised = GaussianCopulaSynthesizer(random_state=0).fit(X_train, y_train)
    with pytest.raises(ValueError, match="pass y"):
        scorer(supervised, X_test)


def test_tstr_evaluate_reports_agreement(classification):
    X_train, y_train, X_test, y_test = classification
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X_train, y_train)
    X_synth, y_synth = synth.sample(400)
    result = TSTRScorer(_model(), scoring="roc_auc", random_state=0).evaluate(
        X_train, y_train, X_synth, y_synth, X_test, y_test
    )
    assert result["ratio"] == pytest.approx(result["tstr"] / result["trtr"])
    assert result["agreement"] > 0.85
    assert result["output_correlation"] > 0.9
    assert result["output_ks"] < 0.2
    assert result["importance_correlation"] > 0.5


def test_evaluate_synthetic_report(table):
    train, holdout = table.iloc[:750], table.iloc[750:]
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


def test_evaluate_synthetic_without_holdout_and_errors(table):
    report = evaluate_synthetic(table, table, random_state=0)
    assert np.isnan(report["dcr_share"]["synthetic"])
    assert "no holdout" in str(report)
    with pytest.raises(ValueError, match="target 'nope' is not a column"):
        evaluate_synthetic(table, table, holdout=table, target="nope", random_state=0)


def test_evaluate_synthetic_metric_groups(table):
    train, holdout = table.iloc[:750], table.iloc[750:]
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
def test_evaluate_synthetic_metrics_errors(table, metrics, match):
    with pytest.raises(ValueError, match=match):
        evaluate_synthetic(table, table, metrics=metrics)


def test_evaluate_synthetic_privacy_flags_copied_rows(table):
    train, holdout = table.iloc[:750], table.iloc[750:]
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


def test_save_figures_writes_the_comparison_figures(table, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    train, holdout = table.iloc[:700], table.iloc[700:]
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(train).sample(700)
    paths = save_figures(
        train, synthetic, tmp_path / "figures", holdout=holdout, random_state=0
    )
    assert [p.name for p in paths] == [
        "marginals.png",
        "correlation_difference.png",
        "detection_roc.png",
        "dcr.png",
    ]
    assert all(p.stat().st_size > 1000 for p in paths)
    figure = plot_marginals(train, synthetic, columns=["a", "group"])
    assert len([ax for ax in figure.axes if ax.get_visible()]) == 2


def test_column_missing_in_every_row(table):
    real = table.assign(empty=np.nan)
    synthetic = _independent_margins(table).assign(empty=np.nan)
    halves = real.iloc[:750], real.iloc[750:]
    assert 0.4 < detection_auc(*halves, random_state=0) < 0.6
    report = evaluate_synthetic(
        real.iloc[:750], synthetic, holdout=real.iloc[750:], target="group"
    )
    assert report["detection_auc"]["synthetic"] > 0.7
    assert report["tstr"]["synthetic"] > 0.5


def test_tstr_evaluate_with_string_labels_and_no_probabilities():
    from sklearn.linear_model import RidgeClassifier
    from sklearn.svm import LinearSVC

    rng = np.random.RandomState(0)
    X = rng.normal(size=(900, 3))
    y = np.array(["low", "mid", "high"])[np.digitize(X[:, 0], [-0.5, 0.5])]
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X[:600], y[:600])
    X_synth, y_synth = synth.sample(600)
    for model in (RidgeClassifier(), LinearSVC()):
        result = TSTRScorer(model, random_state=0).evaluate(
            X[:600], y[:600], X_synth, y_synth, X[600:], y[600:]
        )
        assert result["tstr"] > 0.8
        assert 0 <= result["output_ks"] < 0.2


def test_evaluate_synthetic_estimator_sees_columns_in_the_order_of_real(table):
    from sklearn.ensemble import HistGradientBoostingClassifier

    numeric = table[["a", "b", "w", "flag"]]
    train, holdout = numeric.iloc[:750], numeric.iloc[750:]
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(train).sample(750)
    options = {
        "holdout": holdout[holdout.columns[::-1]],
        "target": "flag",
        "estimator": HistGradientBoostingClassifier(max_iter=20),
        "metrics": "utility",
        "random_state": 0,
    }
    shuffled = evaluate_synthetic(train, synthetic[synthetic.columns[::-1]], **options)
    ordered = evaluate_synthetic(train, synthetic, **options)
    assert shuffled["tstr"] == ordered["tstr"]


def test_evaluate_synthetic_estimator_with_array_synthetic_rows(table):
    from sklearn.ensemble import HistGradientBoostingClassifier

    numeric = table[["a", "b", "w", "flag"]]
    train, holdout = numeric.iloc[:750], numeric.iloc[750:]
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(train).sample(750)
    options = {
        "holdout": holdout,
        "target": "flag",
        "estimator": HistGradientBoostingClassifier(max_iter=20),
        "metrics": "utility",
        "random_state": 0,
    }
    as_array = evaluate_synthetic(train, synthetic.to_numpy(), **options)
    assert as_array["tstr"] == evaluate_synthetic(train, synthetic, **options)["tstr"]


def test_evaluate_synthetic_target_errors_name_the_column_and_table(table):
    train, holdout = table.iloc[:750], table.iloc[750:].copy()
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


def test_detection_on_tables_too_small_for_early_stopping():
    rng = np.random.RandomState(0)
    for n, cv in [(2, 2), (5, 5), (30, 3)]:
        auc = detection_auc(rng.normal(size=(n, 2)), rng.normal(size=(n, 2)), cv=cv)
        assert 0 <= auc <= 1


def test_tstr_scorer_n_samples_must_be_positive(classification):
    X_train, y_train, X_test, y_test = classification
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X_train, y_train)
    with pytest.raises(ValueError, match="n_samples must be None or an integer >= 1"):
        TSTRScorer(_model(), n_samples=0)(synth, X_test, y_test)


def test_figures_of_tables_without_two_numeric_columns(tmp_path):
    rng = np.random.RandomState(0)
    real = pd.DataFrame({"c": rng.choice(["a", "b"], 200), "x": rng.normal(size=200)})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = save_figures(real, real.sample(frac=1, random_state=0), tmp_path)
    assert [p.name for p in paths] == ["marginals.png", "detection_roc.png"]
    with pytest.raises(ValueError, match=r"columns \['cc'\] are not columns"):
        plot_marginals(real, real, columns=["cc"])


@pytest.mark.parametrize("method", ["pearson", "spearman"])
def test_correlations_over_the_rows_where_both_columns_are_present(method):
    rng = np.random.RandomState(0)
    cov = 0.6 * np.ones((4, 4)) + 0.4 * np.eye(4)
    real, synthetic = (
        pd.DataFrame(rng.multivariate_normal(np.zeros(4), cov, 300) * 1e3 + 1e5)
        .mask(rng.rand(300, 4) < share)
        .add_prefix("x")
        for share in (0.2, 0.0)
    )
    scores = correlation_similarity(real, synthetic, method=method, aggregate=False)
    expected = 1 - (real.corr(method) - synthetic.corr(method)).abs() / 2
    for (a, b), score in scores.items():
        assert score == pytest.approx(expected.loc[a, b], abs=1e-12)
