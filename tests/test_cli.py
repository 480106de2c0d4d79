"""Tests of the ``sksynth`` command line, run in-process through ``main``."""

import re

import joblib
import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from sksynth import GaussianCopulaSynthesizer
from sksynth.__main__ import main

N_ROWS = 120


@pytest.fixture
def data_csv(tmp_path):
    """A mixed table (integer, float with missing values, string with missing
    values, boolean) with a 2-class target in the middle."""
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(
        {
            "age": rng.randint(18, 80, N_ROWS),
            "income": rng.lognormal(10, 0.5, N_ROWS).round(2),
            "label": np.where(rng.rand(N_ROWS) < 0.25, "yes", "no"),
            "city": rng.choice(["paris", "lyon", "nice"], N_ROWS),
            "member": rng.rand(N_ROWS) < 0.4,
        }
    )
    frame.loc[::10, "income"] = np.nan
    frame.loc[::7, "city"] = None
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    return path


def _error_line(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sksynth: error: ")
    return lines[0]


@pytest.mark.parametrize("synthesizer", ["copula", "kde", "tree", "mixture"])
def test_fit_sample_round_trips_columns_and_dtypes(data_csv, tmp_path, synthesizer):
    output = tmp_path / "synthetic.csv"
    argv = ["fit-sample", str(data_csv), "--synthesizer", synthesizer]
    argv += ["-n", "50", "-o", str(output), "--target", "label", "--random-state", "0"]
    assert main(argv) == 0
    real, synthetic = pd.read_csv(data_csv), pd.read_csv(output)
    assert synthetic.shape == (50, real.shape[1])
    assert list(synthetic.columns) == list(real.columns)
    assert synthetic.dtypes.to_dict() == real.dtypes.to_dict()
    assert set(synthetic["label"]) <= {"yes", "no"}
    assert set(synthetic["city"].dropna()) <= {"paris", "lyon", "nice"}


def test_fit_sample_is_reproducible(data_csv, tmp_path):
    outputs = [tmp_path / "a.csv", tmp_path / "b.csv"]
    for output in outputs:
        argv = ["fit-sample", str(data_csv), "-n", "20", "-o", str(output)]
        assert main([*argv, "--random-state", "3"]) == 0
    pd.testing.assert_frame_equal(*(pd.read_csv(path) for path in outputs))


def test_fit_sample_categorical_option(data_csv, tmp_path):
    model = tmp_path / "model.joblib"
    argv = ["fit-sample", str(data_csv), "-n", "30", "-o", str(tmp_path / "s.csv")]
    argv += ["--categorical", "age,label", "--target", "label", "--save", str(model)]
    assert main(argv) == 0
    synthesizer = joblib.load(model)
    assert synthesizer.column_kinds_["age"] == "categorical"
    assert synthesizer.column_kinds_["income"] == "continuous"
    assert synthesizer.target_type_ == "classification"


def test_fit_sample_parquet(data_csv, tmp_path):
    pytest.importorskip("pyarrow")
    parquet = tmp_path / "data.parquet"
    pd.read_csv(data_csv).to_parquet(parquet)
    output = tmp_path / "synthetic.parquet"
    argv = ["fit-sample", str(parquet), "-n", "25", "-o", str(output)]
    assert main(argv) == 0
    synthetic = pd.read_parquet(output)
    assert synthetic.shape == (25, 5)
    assert synthetic.dtypes.to_dict() == pd.read_parquet(parquet).dtypes.to_dict()


def test_save_then_sample(data_csv, tmp_path, capsys):
    model = tmp_path / "model.joblib"
    argv = ["fit-sample", str(data_csv), "-n", "10", "-o", str(tmp_path / "s.csv")]
    assert main([*argv, "--target", "label", "--save", str(model)]) == 0
    assert isinstance(joblib.load(model), GaussianCopulaSynthesizer)
    output = tmp_path / "more.csv"
    assert main(["sample", "--model", str(model), "-n", "40", "-o", str(output)]) == 0
    synthetic = pd.read_csv(output)
    assert synthetic.shape == (40, 5)
    # The saved model knows the features and the target, not their order.
    assert list(synthetic.columns) == ["age", "income", "city", "member", "label"]
    assert f"Wrote 40 rows x 5 columns to {output}" in capsys.readouterr().out


def test_sample_draws_new_rows_unless_seeded(data_csv, tmp_path):
    model = tmp_path / "model.joblib"
    argv = ["fit-sample", str(data_csv), "-n", "10", "-o", str(tmp_path / "s.csv")]
    assert main([*argv, "--random-state", "0", "--save", str(model)]) == 0

    def draw(name, *seed):
        output = tmp_path / name
        argv = ["sample", "--model", str(model), "-n", "30", "-o", str(output)]
        assert main([*argv, *seed]) == 0
        return pd.read_csv(output)

    # The saved model is the same on every load: without a seed each run
    # still draws new rows.
    assert not draw("a.csv").equals(draw("b.csv"))
    seeded = [draw(name, "--random-state", "4") for name in ("c.csv", "d.csv")]
    pd.testing.assert_frame_equal(*seeded)


@pytest.mark.parametrize("method", ["kde", "copula", "tree", "noise"])
def test_balance(data_csv, tmp_path, capsys, method):
    output = tmp_path / "balanced.csv"
    argv = ["balance", str(data_csv), "--target", "label", "--method", method]
    assert main([*argv, "-o", str(output), "--random-state", "0"]) == 0
    real, balanced = pd.read_csv(data_csv), pd.read_csv(output)
    counts = real["label"].value_counts()
    assert balanced["label"].value_counts().to_dict() == {
        "no": counts["no"],
        "yes": counts["no"],
    }
    assert list(balanced.columns) == list(real.columns)
    assert balanced.dtypes.to_dict() == real.dtypes.to_dict()
    pd.testing.assert_frame_equal(balanced.iloc[: len(real)], real)
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].split() == ["yes", str(counts["yes"]), str(counts["no"])]


def test_evaluate_prints_report_and_figures(data_csv, tmp_path, capsys):
    synthetic = tmp_path / "synthetic.csv"
    argv = ["fit-sample", str(data_csv), "-n", "60", "-o", str(synthetic)]
    assert main([*argv, "--random-state", "0"]) == 0
    figures = tmp_path / "figures"
    argv = ["evaluate", str(data_csv), str(synthetic), "--figures", str(figures)]
    # One OpenMP thread: gradient boosting on a few rows is slower with more.
    with threadpool_limits(limits=1):
        assert main(argv) == 0
    out = capsys.readouterr().out
    assert "ks_complement" in out and "detection_auc" in out
    pytest.importorskip("matplotlib")
    assert (figures / "marginals.png").is_file()


def _write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["fit-sample", "{tmp}/missing.csv"],
            "input file '.*missing.csv' does not exist",
        ),
        (["fit-sample", "{data}", "--target", "nope"], "--target column 'nope' is not"),
        (["fit-sample", "{data}", "--categorical", "city,zip"], "column 'zip' is not"),
        (["fit-sample", "{tmp}/empty.csv"], "is empty"),
        (["fit-sample", "{tmp}/header.csv"], "has no data rows"),
        (["fit-sample", "{tmp}/ragged.csv"], "cannot read .* Expected 2 fields"),
        (["fit-sample", "{tmp}/binary.csv"], "cannot read .* as csv"),
        (["fit-sample", "{tmp}/data.xlsx"], "unsupported extension '.xlsx'"),
        (["fit-sample", "{data}", "-o", "{tmp}/out.txt"], "unsupported extension"),
        (["balance", "{data}", "--target", "income"], "'income' .* 12 missing"),
        (
            ["balance", "{tmp}/one_class.csv", "--target", "fraud"],
            "--target column 'fraud' of .* single class \\(1\\).* pick a column",
        ),
        (
            ["balance", "{tmp}/continuous.csv", "--target", "price"],
            "--target column 'price' of .* continuous values .* class labels",
        ),
        (
            [
                "evaluate",
                "{data}",
                "{data}",
                "--target",
                "income",
                "--holdout",
                "{data}",
            ],
            "--target column 'income' of .* 12 missing value",
        ),
        (["sample", "--model", "{data}"], "is not a saved sksynth synthesizer"),
        (["sample", "--model", "{tmp}/other.joblib"], "holds a list, not a sksynth"),
        (["sample", "--model", "{tmp}/none.joblib"], "does not exist"),
        (["evaluate", "{data}", "{tmp}/other.csv"], "synthetic"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    argv, message, data_csv, tmp_path, capsys
):
    _write(tmp_path, "empty.csv", b"")
    _write(tmp_path, "header.csv", b"a,b\n")
    _write(tmp_path, "ragged.csv", b"a,b\n1,2\n3,4,5,6\n")
    _write(tmp_path, "binary.csv", bytes(range(128, 256)) * 4)
    _write(tmp_path, "data.xlsx", b"a,b\n1,2\n")
    _write(tmp_path, "other.csv", b"x,y\n1,2\n3,4\n")
    _write(tmp_path, "one_class.csv", b"a,fraud\n0.5,1\n1.5,1\n2.5,1\n")
    _write(tmp_path, "continuous.csv", b"a,price\n0.5,1.25\n1.5,2.5\n2.5,0.75\n")
    joblib.dump([1, 2], tmp_path / "other.joblib")
    argv = [a.format(tmp=tmp_path, data=data_csv) for a in argv]
    if argv[0] in ("fit-sample", "sample", "balance") and "-o" not in argv:
        argv += ["-o", str(tmp_path / "out.csv")]
    if argv[0] in ("fit-sample", "sample"):
        argv += ["-n", "5"]
    assert main(argv) == 2
    assert re.search(message, _error_line(capsys))
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("command", ["fit-sample", "demo"])
@pytest.mark.parametrize("n_samples", ["0", "-5"])
def test_bad_n_samples_is_a_usage_error(data_csv, tmp_path, capsys, command, n_samples):
    argv = [command, "-n", n_samples]
    if command == "fit-sample":
        argv += [str(data_csv), "-o", str(tmp_path / "o.csv")]
    with pytest.raises(SystemExit) as excinfo:
        main(argv)
    assert excinfo.value.code == 2
    err = capsys.readouterr().err
    assert f"expected an integer >= 1; got {n_samples}" in err
    assert "Traceback" not in err
