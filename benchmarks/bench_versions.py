"""Fit and sample times of this checkout against another one, in the same run.

Times every synthesizer both checkouts export on the same data, each fit and
sample in a fresh subprocess that imports sksynth from one checkout or the
other, alternating between them (A, B, A, B, ...) so that a change of load on
the machine hits both alike. Prints a markdown table of the median times and
their ratio (this checkout / the other); asserts nothing. The data are loaded
once, by this checkout's loaders, and handed to both as a pickle.

Run from the repository root, against e.g. a worktree of an earlier commit::

    git worktree add /tmp/sksynth-before <commit>
    python benchmarks/bench_versions.py --other /tmp/sksynth-before
    python benchmarks/bench_versions.py --other /tmp/sksynth-before --repeats 7 \\
        --rows 24421 --datasets adult california_housing
"""

import argparse
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from _datasets import (  # noqa: E402
    load_adult,
    load_california_housing,
    load_german_credit,
)

DATASETS = {
    "adult": (load_adult, "income"),
    "german_credit": (load_german_credit, "credit_risk"),
    "california_housing": (load_california_housing, "median_house_value"),
}

# Run in a subprocess: fit and sample one synthesizer, print the two times.
_SNIPPET = """
import pickle, sys, time, warnings
warnings.simplefilter("ignore")
import sksynth
X, y, n_samples, name, seed = pickle.load(open(sys.argv[1], "rb"))
synthesizer = getattr(sksynth, name)(random_state=seed)
start = time.perf_counter()
synthesizer.fit(X, y)
middle = time.perf_counter()
synthesizer.sample(n_samples)
end = time.perf_counter()
print(middle - start, end - middle)
"""


def synthesizers(checkout):
    """Names of the synthesizer classes a checkout exports."""
    code = (
        "import inspect, sksynth\n"
        "from sksynth._base import BaseSynthesizer\n"
        "print(' '.join(n for n in sksynth.__all__ if inspect.isclass("
        "getattr(sksynth, n)) and issubclass(getattr(sksynth, n), BaseSynthesizer)))"
    )
    return set(_run(checkout, ["-c", code]).split())


def _run(checkout, arguments):
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(variable, "1")
    # From a temporary folder: the current one must not shadow the checkout.
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=tempfile.gettempdir(),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def time_one(checkout, data_path):
    fit, sample = map(float, _run(checkout, ["-c", _SNIPPET, data_path]).split())
    return fit, sample


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="other checkout")
    parser.add_argument("--datasets", nargs="+", default=["adult"])
    parser.add_argument("--rows", type=int, default=5000, help="training rows")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    names = sorted(synthesizers(ROOT) & synthesizers(args.other))
    print(
        f"# bench_versions: {ROOT} (this) against {args.other} (other), "
        f"{args.repeats} alternating runs each, python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}\n"
    )
    for dataset in args.datasets:
        load, target = DATASETS[dataset]
        table = load().sample(frac=1.0, random_state=args.seed).iloc[: args.rows]
        X, y = table.drop(columns=target), table[target]
        print(f"## {dataset}: {len(X)} rows x {X.shape[1]} columns, target {target}\n")
        print(
            "| synthesizer | fit s (this) | fit s (other) | fit ratio | "
            "fit + sample s (this) | fit + sample s (other) | ratio |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        with tempfile.TemporaryDirectory() as folder:
            for name in names:
                data_path = str(Path(folder) / f"{name}.pickle")
                with open(data_path, "wb") as file:
                    pickle.dump((X, y, len(X), name, args.seed), file)
                times = {"this": [], "other": []}
                for _ in range(args.repeats):
                    times["this"].append(time_one(ROOT, data_path))
                    times["other"].append(time_one(args.other, data_path))
                row = {}
                for side, runs in times.items():
                    row[side] = (
                        statistics.median(f for f, _ in runs),
                        statistics.median(f + s for f, s in runs),
                    )
                print(
                    f"| {name} | {row['this'][0]:.2f} | {row['other'][0]:.2f} | "
                    f"{row['this'][0] / row['other'][0]:.2f} | {row['this'][1]:.2f} | "
                    f"{row['other'][1]:.2f} | {row['this'][1] / row['other'][1]:.2f} |",
                    flush=True,
                )
        print()


if __name__ == "__main__":
    main()
