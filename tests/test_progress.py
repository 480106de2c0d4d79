"""Tests of the progress lines that ``verbose`` prints (sksynth/_progress.py)."""

import re

import numpy as np
import pandas as pd
import pytest

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
from sksynth.__main__ import main
from sksynth.metrics import evaluate_synthetic

SYNTHESIZERS = [
    GaussianCopulaSynthesizer,
    KDESynthesizer,
    MixtureSynthesizer,
    TreeSynthesizer,
]
RESAMPLERS = [
    KDEOverSampler,
    CopulaOverSampler,
    TreeOverSampler,
    SynthesizerOverSampler,
    NoiseAugmenter,
]
# The steps of each synthesizer's model, fitted without y.
MODEL_STEPS = {
    GaussianCopulaSynthesizer: [
        "margins of 3 numeric columns",
        "order of the levels of 2 categorical columns",
        "correlation 5 x 5",
    ],
    KDESynthesizer: [
        "normal scores of 3 numeric columns",
        "bandwidth of 5 columns",
        "distance-to-closest-record ratios: 1",
    ],
    MixtureSynthesizer: ["bins of 5 columns", "EM on 200 rows"],
    TreeSynthesizer: ["visit order of 5 columns", "trees of 5 columns on 200 rows"],
}
LINE = re.compile(r"^\[(\w+)\] ( *)(.+) \.\.\. (\d+\.\d\d) s$")


@pytest.fixture
def table():
    """200 rows: two numbers, a count, a category, a boolean; a 2-class y."""
    rng = np.random.RandomState(0)
    n = 200
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.lognormal(size=n),
            "count": rng.poisson(20, n).astype("int64"),
            "colour": rng.choice(["red", "green", "blue"], n).astype(object),
            "flag": rng.rand(n) < 0.3,
        }
    )
    y = pd.Series(np.where(rng.rand(n) < 0.3, "yes", "no"), name="label")
    return X, y


def _lines(text):
    """``(name, depth, step)`` of each progress line, all of them well formed."""
    parsed = [LINE.match(line) for line in text.splitlines()]
    assert all(parsed), text
    return [(m[1], len(m[2]) // 2, m[3]) for m in parsed]


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=lambda c: c.__name__)
def test_synthesizer_verbose_0_prints_nothing(synthesizer, table, capsys):
    X, y = table
    synthesizer(random_state=0).fit(X, y).sample(10)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=lambda c: c.__name__)
def test_synthesizer_verbose_1_names_the_steps(synthesizer, table, capsys):
    X, _ = table
    fitted = synthesizer(verbose=1, random_state=0).fit(X)
    lines = _lines(capsys.readouterr().out)
    name = synthesizer.__name__
    assert {line[0] for line in lines} == {name}
    steps = [step for _, _, step in lines]
    assert (
        steps[0]
        == "schema: 5 columns (1 boolean, 1 categorical, 2 continuous, 1 integer)"
    )
    for expected in MODEL_STEPS[synthesizer]:
        assert any(step.startswith(expected) for step in steps), steps
    # Small draws print at verbose=2 only.
    fitted.sample(10)
    assert capsys.readouterr().out == ""
    fitted.set_params(verbose=2).sample(10)
    assert _lines(capsys.readouterr().out) == [(name, 0, "sample: 10 rows")]


@pytest.mark.parametrize("synthesizer", SYNTHESIZERS, ids=lambda c: c.__name__)
def test_one_line_per_class_model(synthesizer, table, capsys):
    X, y = table
    synthesizer(verbose=1, random_state=0).fit(X, y)
    lines = _lines(capsys.readouterr().out)
    assert all(depth == 0 for _, depth, _ in lines)
    class_lines = [step for _, _, step in lines if step.startswith("class ")]
    if synthesizer._target_as_column:
        assert class_lines == []
    else:
        counts = y.value_counts()
        assert class_lines == [
            f"class 'no': {counts['no']} rows",
            f"class 'yes': {counts['yes']} rows",
        ]


def test_verbose_2_indents_the_steps_of_each_class_model(table, capsys):
    X, y = table
    GaussianCopulaSynthesizer(verbose=2, random_state=0).fit(X, y)
    lines = _lines(capsys.readouterr().out)
    assert [depth for _, depth, _ in lines] == [0, 1, 1, 1, 0, 1, 1, 1, 0]
    assert lines[4][2].startswith("class 'no'")
    assert lines[1][2] == "margins of 3 numeric columns"


def test_verbose_2_prints_one_line_per_margin(table, capsys):
    X, _ = table
    GaussianCopulaSynthesizer(verbose=2, random_state=0).fit(X)
    steps = [step for _, _, step in _lines(capsys.readouterr().out)]
    assert [s for s in steps if s.startswith("margin of ")] == [
        "margin of 'a'",
        "margin of 'b'",
        "margin of 'count'",
    ]


def test_large_draws_print_at_verbose_1(monkeypatch, table, capsys):
    import sksynth._base

    monkeypatch.setattr(sksynth._base, "LARGE_DRAW", 50)
    X, _ = table
    synthesizer = GaussianCopulaSynthesizer(random_state=0).fit(X)
    synthesizer.set_params(verbose=1).sample(50)
    assert _lines(capsys.readouterr().out) == [
        ("GaussianCopulaSynthesizer", 0, "sample: 50 rows")
    ]


@pytest.mark.parametrize("resampler", RESAMPLERS, ids=lambda c: c.__name__)
def test_resampler_progress(resampler, table, capsys):
    X, y = table
    resampler(random_state=0).fit_resample(X, y)
    assert capsys.readouterr().out == ""
    resampler(verbose=1, random_state=0).fit_resample(X, y)
    counts = y.value_counts()
    assert _lines(capsys.readouterr().out) == [
        (
            resampler.__name__,
            0,
            "schema: 5 columns (1 boolean, 1 categorical, 2 continuous, 1 integer)",
        ),
        (
            resampler.__name__,
            0,
            f"class 'yes': {counts['yes']} rows, {counts['no'] - counts['yes']} new",
        ),
    ]


def test_resampler_verbose_2_shows_the_class_synthesizer(table, capsys):
    X, y = table
    SynthesizerOverSampler(verbose=2, random_state=0).fit_resample(X, y)
    lines = _lines(capsys.readouterr().out)
    nested = [(name, depth) for name, depth, _ in lines if depth == 1]
    assert nested and set(nested) == {("GaussianCopulaSynthesizer", 1)}
    # The class's own line closes the step that holds the synthesizer's lines.
    names = [name for name, _, _ in lines]
    first_nested = names.index("GaussianCopulaSynthesizer")
    assert "SynthesizerOverSampler" in names[first_nested:]


@pytest.mark.parametrize(
    "estimator", [*SYNTHESIZERS, *RESAMPLERS], ids=lambda c: c.__name__
)
def test_negative_verbose_is_an_error(estimator, table):
    X, y = table
    with pytest.raises(ValueError, match="'verbose' parameter of"):
        if hasattr(estimator, "fit_resample"):
            estimator(verbose=-1).fit_resample(X, y)
        else:
            estimator(verbose=-1).fit(X)


def test_evaluate_synthetic_progress(table, capsys):
    X, y = table
    real = X.assign(label=y)
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(real).sample(100)
    holdout = real.iloc[:100]
    kwargs = {"holdout": holdout, "target": "label", "random_state": 0}
    evaluate_synthetic(real, synthetic, **kwargs)
    assert capsys.readouterr().out == ""
    evaluate_synthetic(real, synthetic, verbose=1, **kwargs)
    lines = _lines(capsys.readouterr().out)
    assert [step for _, _, step in lines] == [
        "tables: 6 columns (1 boolean, 2 categorical, 2 continuous, 1 integer)",
        "fidelity",
        "detection",
        "column and pair tables",
        "privacy",
        "utility (TSTR)",
    ]
    assert {name for name, _, _ in lines} == {"evaluate_synthetic"}
    with pytest.raises(ValueError, match="'verbose' parameter of"):
        evaluate_synthetic(real, synthetic, verbose=-1)


def test_cli_progress_on_stderr(monkeypatch, table, tmp_path, capsys):
    import sksynth._cli

    # The command's own "still working" line of slow steps (a loaded machine
    # makes any step slow) is not a progress line of the library's.
    monkeypatch.setattr(sksynth._cli, "_PROGRESS_DELAY", 3600.0)
    X, y = table
    data = tmp_path / "data.csv"
    X.assign(label=y).to_csv(data, index=False)
    output = tmp_path / "synthetic.csv"
    argv = ["fit-sample", str(data), "--target", "label", "-n", "50"]
    argv += ["-o", str(output), "--random-state", "0"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "[" not in captured.err
    assert main([*argv, "-v"]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"Wrote 50 rows x 6 columns to {output}\n"
    steps = [step for _, _, step in _lines(captured.err)]
    assert steps[0].startswith("schema: 5 columns")
    assert steps[1].startswith("class 'no': ")
    assert main(["evaluate", str(data), str(output), "-v"]) == 0
    captured = capsys.readouterr()
    assert "fidelity" in [step for _, _, step in _lines(captured.err)]
    assert "evaluate_synthetic" not in captured.out


def test_cli_progress_by_default_for_large_tables(monkeypatch, table, tmp_path, capsys):
    import sksynth._cli

    monkeypatch.setattr(sksynth._cli, "_VERBOSE_ROWS", 100)
    X, y = table
    data = tmp_path / "data.csv"
    X.assign(label=y).to_csv(data, index=False)
    argv = ["balance", str(data), "--target", "label"]
    assert main([*argv, "-o", str(tmp_path / "balanced.csv")]) == 0
    steps = [step for _, _, step in _lines(capsys.readouterr().err)]
    assert steps[0].startswith("schema: ") and steps[1].startswith("class 'yes'")
