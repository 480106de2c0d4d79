"""Tests of sksynth.metrics.TSTRScorer (sksynth/metrics/_tstr.py)."""

import copy
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sksynth import GaussianCopulaSynthesizer
from sksynth.metrics import TSTRScorer


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


def test_tstr_scorer_n_samples_must_be_positive(classification):
    X_train, y_train, X_test, y_test = classification
    synth = GaussianCopulaSynthesizer(random_state=0).fit(X_train, y_train)
    with pytest.raises(ValueError, match="n_samples must be None or an integer >= 1"):
        TSTRScorer(_model(), n_samples=0)(synth, X_test, y_test)


@pytest.mark.parametrize("n_test", [1, 2])
def test_tstr_evaluate_on_one_or_two_test_rows_warns_nothing(n_test):
    # The Kolmogorov-Smirnov distances once came with scipy's divide-by-zero
    # and small-sample warnings.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = TSTRScorer(LogisticRegression(), random_state=0).evaluate(
            X, y, X, y, X[:n_test], y[:n_test]
        )
    assert 0 <= result["output_ks"] <= 1
    # Halves of one row: one of them is empty.
    assert np.isnan(result["output_ks_reference"]) == (n_test == 1)


def test_tstr_evaluate_agreement_reference_of_models_trained_on_fresh_rows(
    classification,
):
    # The ceiling of the agreement: models trained on halves of the test rows
    # agree with the real-trained one about as much as a model trained on
    # other real rows does.
    X_train, y_train, X_test, y_test = classification
    n = len(y_test) // 2
    scorer = TSTRScorer(_model(), random_state=0)
    result = scorer.evaluate(
        X_train, y_train, X_test[:n], y_test[:n], X_test[n:], y_test[n:]
    )
    assert 0.5 < result["agreement_reference"] < 1.0
    tolerance = 3 / np.sqrt(len(y_test) - n)
    assert result["agreement_reference"] == pytest.approx(
        result["agreement"], abs=tolerance
    )


def test_tstr_evaluate_agreement_reference_of_one_test_row_is_nan():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(100, 3))
    y = (X[:, 0] > 0).astype(int)
    result = TSTRScorer(LogisticRegression(), random_state=0).evaluate(
        X, y, X, y, X[:1], y[:1]
    )
    assert np.isnan(result["agreement_reference"])
