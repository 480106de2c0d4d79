"""Tests of the synthesizer API shared by every synthesizer (sksynth._base)."""

import numpy as np
import pandas as pd
import pytest

from sksynth import (
    GaussianCopulaSynthesizer,
    KDESynthesizer,
    MixtureSynthesizer,
    TreeSynthesizer,
)

SYNTHESIZERS = [
    GaussianCopulaSynthesizer,
    KDESynthesizer,
    TreeSynthesizer,
    MixtureSynthesizer,
]


@pytest.fixture
def frame():
    rng = np.random.RandomState(0)
    n = 200
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "count": pd.array(
                np.where(rng.rand(n) < 0.2, None, rng.randint(0, 5, n)), dtype="Int64"
            ),
            "word": pd.array(
                np.where(rng.rand(n) < 0.2, None, rng.choice(["a", "b"], n)),
                dtype="string",
            ),
        }
    )


@pytest.mark.parametrize("Synthesizer", SYNTHESIZERS, ids=lambda s: s.__name__)
def test_conditions_take_pandas_na_as_missing(Synthesizer, frame):
    synth = Synthesizer(random_state=0).fit(frame)
    for column in ("count", "word"):
        rows = synth.sample(20, conditions={column: pd.NA})
        assert rows[column].isna().all()


@pytest.mark.parametrize("Synthesizer", SYNTHESIZERS, ids=lambda s: s.__name__)
def test_target_named_like_a_column_is_an_error(Synthesizer, frame):
    X = frame.rename(columns={"x": "y"})
    with pytest.raises(ValueError, match="target is named 'y', like a column of X"):
        Synthesizer().fit(X, np.arange(len(X), dtype=float))
    # Issue 15: the message suggested renaming y to the name it already had.
    with pytest.raises(
        ValueError,
        match=r"target is named 'word', like a column.*y\.rename\('word_target'\)",
    ):
        Synthesizer().fit(frame, frame["word"].fillna("a").rename("word"))


@pytest.mark.parametrize("Synthesizer", SYNTHESIZERS, ids=lambda s: s.__name__)
def test_refit_without_target_forgets_the_classes(Synthesizer, frame):
    synth = Synthesizer(random_state=0).fit(frame, (frame["x"] > 0).rename("up"))
    assert list(synth.classes_) == [False, True]
    synth.fit(frame)
    assert synth.target_type_ is None
    assert not hasattr(synth, "classes_")
    assert not hasattr(synth, "class_prior_")


@pytest.mark.parametrize("Synthesizer", SYNTHESIZERS, ids=lambda s: s.__name__)
def test_condition_no_class_produces_names_the_column(Synthesizer, frame):
    synth = Synthesizer(random_state=0).fit(frame, (frame["x"] > 0).rename("up"))
    with pytest.raises(ValueError, match="'word'"):
        synth.sample(5, conditions={"word": "zzz"})


@pytest.mark.parametrize("Synthesizer", SYNTHESIZERS, ids=lambda s: s.__name__)
def test_duplicated_column_names_are_named(Synthesizer, frame):
    # Issue 15: a third-party DuplicateError, with no column named.
    X = frame.copy()
    X.columns = ["x", "count", "x"][: X.shape[1]] + list(X.columns[3:])
    with pytest.raises(ValueError, match=r"X has duplicated column names \['x'\]"):
        Synthesizer().fit(X)
    fitted = Synthesizer(random_state=0).fit(frame)
    with pytest.raises(ValueError, match=r"duplicated column names \['x'\]"):
        fitted.score_samples(X)
