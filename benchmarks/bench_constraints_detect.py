"""Rule detection benchmark: ``detect_constraints`` on UCI Adult.

Measures, on Adult from ``../shared/data`` (48,842 rows x 15; nothing is
downloaded):

- the time of one ``detect_constraints`` call on all rows, and the rules it
  proposes (with the share of the rows that break each);
- for each seed, a seeded shuffle of the rows cut into a training half and a
  holdout half: the rules proposed on the training half, and the share of the
  holdout rows that break each (a ``FixedCombinations`` rule is fitted on the
  training half, so an unseen combination breaks it). A rule found by more
  than chance breaks in at most about ``tolerance`` (0.05 %) of the holdout
  rows.

Run from the repository root::

    python benchmarks/bench_constraints_detect.py
    python benchmarks/bench_constraints_detect.py --seeds 10 --tolerance 0.001

The script is seeded and asserts nothing; the markdown tables go to stdout.
"""

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd
from _datasets import load_adult  # benchmarks/ is on sys.path
from _report import git_commit

import sksynth
from sksynth.constraints import detect_constraints


def broken_share(rule, X):
    return float(np.mean(~rule.is_valid(X)))


def time_all_rows(X, tolerance, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        rules = detect_constraints(X, tolerance=tolerance)
        times.append(time.perf_counter() - start)
    return rules, min(times)


def holdout_table(X, tolerance, seeds):
    """``{str(rule): [holdout share or None per seed]}`` and train sizes."""
    found = {}
    for k, seed in enumerate(seeds):
        order = np.random.RandomState(seed).permutation(len(X))
        half = len(X) // 2
        train = X.iloc[order[:half]].reset_index(drop=True)
        holdout = X.iloc[order[half:]].reset_index(drop=True)
        for rule in detect_constraints(train, tolerance=tolerance, random_state=seed):
            shares = found.setdefault(str(rule), [None] * len(seeds))
            shares[k] = broken_share(rule, holdout)
    return found, len(X) // 2


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--tolerance", type=float, default=0.0005)
    args = parser.parse_args()
    X = load_adult()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"sksynth {sksynth.__version__} ({git_commit()}), pandas {pd.__version__}, "
        f"numpy {np.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, load {load:.2f}; Adult {X.shape[0]:,} x "
        f"{X.shape[1]}, tolerance {args.tolerance}"
    )

    rules, seconds = time_all_rows(X, args.tolerance)
    print(f"\n## All rows: {seconds:.2f} s (best of 3), {len(rules)} rules\n")
    print("| rule | rows breaking it |")
    print("|---|---|")
    for rule in rules:
        print(f"| {rule} | {100 * broken_share(rule, X):.3f} % |")

    seeds = list(range(args.seeds))
    found, n_train = holdout_table(X, args.tolerance, seeds)
    print(
        f"\n## Train half ({n_train:,} rows) / holdout half, seeds {seeds}: "
        "holdout rows breaking each rule (- : not proposed)\n"
    )
    print("| rule | " + " | ".join(f"seed {s}" for s in seeds) + " | max |")
    print("|---|" + "---|" * (len(seeds) + 1))
    for name, shares in found.items():
        cells = ["-" if s is None else f"{100 * s:.3f} %" for s in shares]
        worst = max(s for s in shares if s is not None)
        print(f"| {name} | " + " | ".join(cells) + f" | {100 * worst:.3f} % |")


if __name__ == "__main__":
    main()
