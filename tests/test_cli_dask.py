"""Tests of the command line on tables read with Dask (folders and globs of
files, --workers, --scheduler, Parquet folder outputs), run in-process."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from sksynth import _cli_dask  # noqa: E402
from sksynth.__main__ import main  # noqa: E402

# Dask's Parquet reader calls reset_index(inplace=True), deprecated by pandas 3.1.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")

N_FILES = 4
ROWS_PER_FILE = 150


def _part(seed):
    rng = np.random.RandomState(seed)
    n = ROWS_PER_FILE
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "x": x,
            "count": rng.poisson(3, n).astype("int64"),
            "city": rng.choice(["oslo", "lima", "pune"], n),
            "label": np.where(x + rng.normal(size=n) > 0.8, "yes", "no"),
            "member": rng.rand(n) < 0.4,
        }
    )


@pytest.fixture
def parquet_folder(tmp_path):
    folder = tmp_path / "parts"
    folder.mkdir()
    for i in range(N_FILES):
        _part(i).to_parquet(folder / f"part-{i}.parquet", index=False)
    return folder


@pytest.fixture
def csv_glob(tmp_path):
    for i in range(N_FILES):
        _part(i).to_csv(tmp_path / f"log-2026-0{i + 1}.csv", index=False)
    (tmp_path / "other.csv").write_text("a\n1\n")
    return str(tmp_path / "log-2026-*.csv")


@pytest.fixture
def threads_cluster(monkeypatch):
    """Clusters of --workers in threads: quick to start in tests."""
    monkeypatch.setattr(_cli_dask, "LOCAL_CLUSTER_PROCESSES", False)


def _error_line(capsys):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line.startswith("sksynth")]
    assert lines[-1].startswith("sksynth: error: "), err
    return lines[-1]


def _fit_sample(data, output, *options):
    argv = ["fit-sample", str(data), "--target", "label", "-n", "500"]
    return main([*argv, "-o", str(output), "--random-state", "0", *options])


def test_fit_sample_parquet_folder_to_folder(parquet_folder, tmp_path, capsys):
    output = tmp_path / "synthetic"
    assert _fit_sample(parquet_folder, output, "--npartitions", "3") == 0
    out = capsys.readouterr().out
    assert f"Wrote 500 rows x 5 columns to {output} (3 Parquet files)" in out
    assert len(list(output.glob("*.parquet"))) == 3
    synthetic = pd.read_parquet(output)
    real = pd.read_parquet(parquet_folder / "part-0.parquet")
    assert synthetic.shape == (500, 5)
    assert list(synthetic.columns) == list(real.columns)
    pd.testing.assert_series_equal(synthetic.dtypes, real.dtypes)
    assert set(synthetic["label"]) <= {"yes", "no"}


def test_fit_sample_csv_glob_to_folder(csv_glob, tmp_path, capsys):
    output = tmp_path / "out" / ""
    assert _fit_sample(csv_glob, f"{output}/", "-v") == 0
    captured = capsys.readouterr()
    assert "Wrote 500 rows x 5 columns" in captured.out
    assert "sksynth: writing" in captured.err
    synthetic = pd.read_parquet(output)
    real = pd.read_csv(csv_glob.replace("*", "01"), keep_default_na=False)
    assert list(synthetic.columns) == list(real.columns)
    pd.testing.assert_series_equal(synthetic.dtypes, real.dtypes)


def test_single_file_to_folder_keeps_pandas_reading(parquet_folder, tmp_path):
    output = tmp_path / "synthetic"
    assert _fit_sample(parquet_folder / "part-0.parquet", output) == 0
    assert pd.read_parquet(output).shape == (500, 5)


def test_same_seed_and_partitions_same_rows_with_1_or_2_workers(
    parquet_folder, tmp_path, threads_cluster
):
    outputs = []
    for workers in ("1", "2"):
        output = tmp_path / f"workers-{workers}"
        options = ("--workers", workers, "--npartitions", "4")
        assert _fit_sample(parquet_folder, output, *options) == 0
        outputs.append(pd.read_parquet(output))
    pd.testing.assert_frame_equal(*outputs)


def test_scheduler_of_a_running_cluster(parquet_folder, tmp_path, capsys):
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        output = tmp_path / "synthetic"
        options = ("--scheduler", cluster.scheduler_address, "-v")
        assert _fit_sample(parquet_folder, output, *options) == 0
    assert f"Dask cluster of {cluster.scheduler_address}" in capsys.readouterr().err
    assert pd.read_parquet(output).shape == (500, 5)


def test_sample_and_balance_to_folders(parquet_folder, tmp_path, capsys):
    model = tmp_path / "model.joblib"
    assert _fit_sample(parquet_folder, tmp_path / "first", "--save", str(model)) == 0
    argv = ["sample", "--model", str(model), "-n", "300", "--random-state", "1"]
    assert main([*argv, "-o", str(tmp_path / "more/"), "--npartitions", "2"]) == 0
    assert pd.read_parquet(tmp_path / "more").shape == (300, 5)

    output = tmp_path / "balanced"
    argv = ["balance", str(parquet_folder), "--target", "label", "--method", "copula"]
    assert main([*argv, "-o", str(output), "--random-state", "0"]) == 0
    balanced = pd.read_parquet(output)
    counts = balanced["label"].value_counts()
    assert counts["yes"] == counts["no"]
    assert len(balanced) == 2 * counts.max()
    out = capsys.readouterr().out
    assert f"{counts['no']:>8}  {counts['no']:>8}" in out


def test_evaluate_on_a_bounded_sample(parquet_folder, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(_cli_dask, "SAMPLE_ROWS", 200)
    synthetic = tmp_path / "synthetic"
    assert _fit_sample(parquet_folder, synthetic) == 0
    capsys.readouterr()
    assert main(["evaluate", str(parquet_folder), str(synthetic)]) == 0
    out = capsys.readouterr().out
    total = N_FILES * ROWS_PER_FILE
    assert f"Evaluating on a random sample of 200 of the {total} rows" in out
    assert "ks_complement" in out


def test_detect_constraints_on_a_glob(csv_glob, capsys):
    assert main(["detect-constraints", csv_glob, "--target", "label"]) == 0
    assert "rows x 4 columns" in capsys.readouterr().out


@pytest.mark.parametrize(
    "options, message",
    [
        (
            ("--workers", "2", "--scheduler", "tcp://127.0.0.1:1"),
            "--workers and --scheduler are given together",
        ),
        (("--scheduler", "tcp://127.0.0.1:1"), "--scheduler: cannot reach"),
    ],
)
def test_scheduler_errors(
    parquet_folder, tmp_path, capsys, monkeypatch, options, message
):
    monkeypatch.setattr(_cli_dask, "CONNECT_TIMEOUT", 1)
    assert _fit_sample(parquet_folder, tmp_path / "out", *options) == 2
    assert message in _error_line(capsys)


@pytest.mark.parametrize(
    "data, output, message",
    [
        ("missing/*.parquet", "out/", "input 'missing/*.parquet' matches no file"),
        ("{folder}", "out.csv", "is written as a folder of Parquet files"),
        ("{folder}/part-0.parquet", "out.csv", "--npartitions applies to a folder"),
    ],
)
def test_input_and_output_errors(
    parquet_folder, tmp_path, capsys, monkeypatch, data, output, message
):
    monkeypatch.chdir(tmp_path)
    data = data.format(folder=parquet_folder)
    options = ("--npartitions", "2")
    assert _fit_sample(data, output, *options) == 2
    assert message in _error_line(capsys)


def test_output_folder_must_be_empty(parquet_folder, tmp_path, capsys):
    output = tmp_path / "full"
    output.mkdir()
    (output / "old.parquet").write_bytes(b"")
    assert _fit_sample(parquet_folder, output) == 2
    assert "is not empty" in _error_line(capsys)


def test_empty_folder_and_mixed_formats(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _fit_sample(empty, tmp_path / "out") == 2
    assert "holds no .csv or .parquet file" in _error_line(capsys)
    _part(0).to_csv(empty / "a.csv", index=False)
    _part(1).to_parquet(empty / "b.parquet", index=False)
    assert _fit_sample(empty, tmp_path / "out") == 2
    assert "give files of one format" in _error_line(capsys)


def test_single_file_does_not_import_dask(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "data.csv"
    _part(0).to_csv(path, index=False)
    code = (
        "import sys; from sksynth.__main__ import main; "
        f"main(['fit-sample', {str(path)!r}, '-n', '20', '-o', "
        f"{str(tmp_path / 'out.csv')!r}, '--random-state', '0']); "
        "assert 'dask' not in sys.modules, 'dask imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_missing_input_fails_before_a_cluster_starts(tmp_path, capsys, monkeypatch):
    import distributed

    def no_cluster(*args, **kwargs):
        raise AssertionError("a cluster was started for an input that is missing")

    monkeypatch.setattr(distributed, "LocalCluster", no_cluster)
    monkeypatch.chdir(tmp_path)
    assert _fit_sample("missing/*.parquet", "out/", "--workers", "2") == 2
    assert "input 'missing/*.parquet' matches no file" in _error_line(capsys)


def test_balance_a_folder_keeps_the_rules_of_linked_columns(tmp_path, capsys):
    # A husband is a man, a wife a woman: the copula over-sampler learns the
    # two columns as one on the collected rows, and says so.
    folder = tmp_path / "people"
    folder.mkdir()
    for i in range(2):
        rng = np.random.RandomState(i)
        sex = rng.choice(["Female", "Male"], 1500)
        other = rng.choice(["Own-child", "Unmarried"], 1500)
        spouse = rng.rand(1500) < 0.5
        relationship = np.where(
            spouse, np.where(sex == "Male", "Husband", "Wife"), other
        )
        label = np.where(rng.rand(1500) < 0.1, "rare", "common")
        part = pd.DataFrame({"sex": sex, "relationship": relationship, "label": label})
        part.to_parquet(folder / f"part-{i}.parquet", index=False)
    output = tmp_path / "balanced"
    argv = ["balance", str(folder), "--target", "label", "--method", "copula"]
    assert main([*argv, "-o", str(output), "--random-state", "0"]) == 0
    out = capsys.readouterr().out
    assert (
        "Rules every new row keeps:\n  fixed combinations of sex, relationship" in out
    )
    rows = pd.read_parquet(output)
    husband = (rows["relationship"] == "Husband") & (rows["sex"] == "Female")
    wife = (rows["relationship"] == "Wife") & (rows["sex"] == "Male")
    assert not (husband | wife).any()
