"""Benchmark of the evaluation report: time, and agreement with SDMetrics.

On the Adult table (48,842 rows x 15 mixed columns with missing values, read
from ``/work/shared/data/adult``, ``--adult-dir``), split in two halves
(train and holdout), ``GaussianCopulaSynthesizer`` is fitted on the train half
with ``y=income`` and samples as many rows. Then:

1. ``sksynth.metrics.evaluate_synthetic(train, synthetic, holdout=holdout,
   target="income")`` is timed as a whole, and each group of metrics alone
   (``metrics="fidelity"``, ``"detection"``, ``"privacy"``, ``"utility"``;
   every figure with its real-holdout ceiling), and its table printed.
   Target: under 60 s.
2. When ``sdmetrics`` is importable, its ``QualityReport`` (Column Shapes and
   Column Pair Trends) is timed on the same train and synthetic tables, with
   all 15 columns and rows and the sdtypes of their dtypes ("numerical" for
   the 6 numeric ones, "categorical" for the 9 others), twice: with its
   default thresholds, which score only the pairs whose real correlation is
   above 0.5 or real association (Cramer's V) above 0.3 (13 of the 105 pairs
   of Adult), and with both thresholds at 0, which scores all 105 pairs like
   sksynth's pair metrics. Targets: the whole sksynth report no slower than
   the quality report; the like-for-like comparison is sksynth's fidelity
   group (shapes, missing shares and all pairs, plus their ceilings) against
   the all-pairs quality report. The per-column and per-pair values of
   KSComplement, TVComplement, CorrelationSimilarity and ContingencySimilarity
   are compared with sksynth's functions of the same name (largest absolute
   difference printed).
3. The least model work such a report does, timed alone: the two model fits
   of the utility test (trained on real rows, trained on synthetic rows) and
   the gradient-boosting detection test. No report that computes TSTR against
   TRTR and a gradient-boosting detection AUC with the same models can be
   faster than these, so their ratio to the quality report shows whether the
   "no slower than the quality report" target is reachable without weaker
   tests.

Every time is the best of ``--repeat`` runs. Set ``OMP_NUM_THREADS`` and
``OPENBLAS_NUM_THREADS`` to choose the threads (printed in the header).

Run from the repository root; SDMetrics lives in the benchmark environment
(see ``benchmarks/README.md``)::

    python benchmarks/bench_metrics.py
    python benchmarks/bench_metrics.py --repeat 3
    python benchmarks/bench_metrics.py --rows 10000     # a seeded subsample

The script asserts nothing.
"""

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
import sklearn
from _datasets import ADULT_DIR, load_adult  # benchmarks/ is on sys.path
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

import sksynth
from sksynth import GaussianCopulaSynthesizer
from sksynth.metrics import (
    contingency_similarity,
    correlation_similarity,
    detection_auc,
    evaluate_synthetic,
    ks_complement,
    tv_complement,
)

GROUPS = ("fidelity", "detection", "privacy", "utility")


def timed(function, *args, repeat=1, **kwargs):
    """Result of the last call, and the wall and CPU seconds of the fastest of
    ``repeat`` calls (CPU seconds of this process, all its threads: on a busy
    machine they vary less than the wall time)."""
    best = (float("inf"), float("nan"))
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = function(*args, **kwargs)
        best = min(best, (time.perf_counter() - start, time.process_time() - start_cpu))
    return result, best


def time_groups(train, synthetic, holdout, seed, repeat):
    """Seconds of each group of metrics of the report alone, ceilings included."""
    return {
        group: timed(
            evaluate_synthetic,
            train,
            synthetic,
            holdout=holdout,
            target="income",
            metrics=group,
            random_state=seed,
            repeat=repeat,
        )[1]
        for group in GROUPS
    }


def time_least_work(train, synthetic, seed, repeat):
    """Seconds of the model fits no report of the issue's kind can skip.

    The utility test fits one model on the real rows (TRTR) and one on the
    synthetic rows (TSTR); the gradient-boosting detection fits one model per
    fold. Timed alone, with the report's settings (one OpenMP thread; default
    ``HistGradientBoostingClassifier`` with pandas categories; detection with
    3 folds on at most 10,000 rows of each table), they bound from below the
    time of any report that computes those figures.
    """

    def categories(table):
        X = table.drop(columns="income")
        return X.astype(
            {
                c: "category"
                for c in X.columns
                if not pd.api.types.is_numeric_dtype(X[c])
            }
        ), table["income"]

    def two_fits():
        with threadpool_limits(limits=1, user_api="openmp"):
            for table in (train, synthetic):
                X, y = categories(table)
                HistGradientBoostingClassifier(
                    categorical_features="from_dtype", random_state=seed
                ).fit(X, y)

    fits = timed(two_fits, repeat=repeat)[1]
    detection = timed(
        detection_auc, train, synthetic, cv=3, random_state=seed, repeat=repeat
    )[1]
    return {
        "least model work: TRTR and TSTR fits (2 HistGradientBoosting fits)": fits,
        "least model work: gradient-boosting detection_auc alone (3 folds)": detection,
        "least model work: both": (fits[0] + detection[0], fits[1] + detection[1]),
    }


def sdmetrics_comparison(train, synthetic, repeat):
    """QualityReport times, and sksynth's values against SDMetrics' own."""
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="sdv-xdg-"))
    from sdmetrics.column_pairs import ContingencySimilarity, CorrelationSimilarity
    from sdmetrics.reports import QualityReport
    from sdmetrics.single_column import KSComplement, TVComplement

    categorical = [
        c for c in train.columns if not pd.api.types.is_numeric_dtype(train[c])
    ]
    metadata = {
        "tables": {
            "adult": {
                "columns": {
                    c: {"sdtype": "categorical" if c in categorical else "numerical"}
                    for c in train.columns
                }
            }
        }
    }
    runs = {}
    for label, threshold in (("default thresholds", None), ("all pairs", 0)):
        report = QualityReport()
        if threshold is not None:
            report.real_correlation_threshold = threshold
            report.real_association_threshold = threshold
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _, seconds = timed(
                report.generate,
                {"adult": train},
                {"adult": synthetic},
                metadata,
                verbose=False,
                repeat=repeat,
            )
        pairs = report.get_details("Column Pair Trends")
        runs[label] = {
            "seconds": seconds,
            "scored pairs": f"{pairs['Score'].notna().sum()} of {len(pairs)}",
            "properties": report.get_properties().set_index("Property")["Score"],
        }

    numeric = [c for c in train.columns if c not in categorical]
    gaps = {}
    ours = ks_complement(train, synthetic, aggregate=False)
    theirs = {c: KSComplement.compute(train[c], synthetic[c]) for c in numeric}
    gaps["KSComplement"] = max(abs(ours[c] - theirs[c]) for c in numeric)
    ours = tv_complement(train, synthetic, aggregate=False)
    theirs = {
        c: TVComplement.compute(train[c].dropna(), synthetic[c].dropna())
        for c in categorical
    }
    # SDMetrics leaves missing values out of the shares; sksynth counts them as
    # one more level, so compare on the columns without missing values.
    complete = [
        c
        for c in categorical
        if not train[c].isna().any() and not synthetic[c].isna().any()
    ]
    gaps["TVComplement (complete columns)"] = max(
        abs(ours[c] - theirs[c]) for c in complete
    )
    ours = correlation_similarity(train, synthetic, aggregate=False)
    gaps["CorrelationSimilarity (Pearson)"] = max(
        abs(
            value
            - CorrelationSimilarity.compute(
                train[list(pair)], synthetic[list(pair)], coefficient="Pearson"
            )
        )
        for pair, value in ours.items()
    )
    ours = contingency_similarity(train, synthetic, aggregate=False)
    pairs = [p for p in ours if p[0] in complete and p[1] in complete]
    gaps["ContingencySimilarity (complete categorical pairs)"] = max(
        abs(ours[p] - ContingencySimilarity.compute(train[list(p)], synthetic[list(p)]))
        for p in pairs
    )
    return runs, gaps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adult-dir", default=ADULT_DIR)
    parser.add_argument("--rows", type=int, default=None, help="seeded subsample")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1, help="best of this many")
    args = parser.parse_args(argv)

    adult = load_adult(args.adult_dir)
    if args.rows:
        adult = adult.sample(args.rows, random_state=args.seed).reset_index(drop=True)
    order = np.random.RandomState(args.seed).permutation(len(adult))
    train = adult.iloc[order[: len(adult) // 2]].reset_index(drop=True)
    holdout = adult.iloc[order[len(adult) // 2 :]].reset_index(drop=True)
    synthesizer = GaussianCopulaSynthesizer(random_state=args.seed)
    synthesizer.fit(train.drop(columns="income"), train["income"])
    X_synth, y_synth = synthesizer.sample(len(train))
    synthetic = X_synth.assign(income=y_synth)

    try:
        import sdmetrics

        sdmetrics_version = sdmetrics.__version__
    except ImportError:
        sdmetrics_version = None
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print("# bench_metrics: evaluate_synthetic on Adult\n")
    print(
        f"{datetime.datetime.now():%Y-%m-%d %H:%M} | python {platform.python_version()}"
        f" | numpy {np.__version__} | pandas {pd.__version__} | sklearn "
        f"{sklearn.__version__} | sksynth {sksynth.__version__} | sdmetrics "
        f"{sdmetrics_version or 'not installed'} | {os.cpu_count()} cores | "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')} | load "
        f"average at start {load:.2f}\n"
    )
    print(
        f"train {len(train)} rows, holdout {len(holdout)} rows, synthetic "
        f"{len(synthetic)} rows (GaussianCopulaSynthesizer, X and y=income)\n"
    )

    report, total = timed(
        evaluate_synthetic,
        train,
        synthetic,
        holdout=holdout,
        target="income",
        random_state=args.seed,
        repeat=args.repeat,
    )
    print("## The report\n\n```")
    print(report)
    print("```\n")
    times = {"sksynth evaluate_synthetic, whole report": total}
    for group, seconds in time_groups(
        train, synthetic, holdout, args.seed, args.repeat
    ).items():
        times[f"sksynth evaluate_synthetic, metrics={group!r}"] = seconds
    least = time_least_work(train, synthetic, args.seed, args.repeat)
    times.update(least)
    runs, gaps = {}, {}
    if sdmetrics_version is not None:
        runs, gaps = sdmetrics_comparison(train, synthetic, args.repeat)
        for label, run in runs.items():
            times[
                f"sdmetrics QualityReport, {label} ({run['scored pairs']} pairs scored)"
            ] = run["seconds"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"## Time (best of {args.repeat}; load average at end {load:.2f})\n")
    print("| step | wall s | CPU s |\n|---|---:|---:|")
    for name, (seconds, cpu) in times.items():
        print(f"| {name} | {seconds:.2f} | {cpu:.2f} |")
    if not runs:
        print("\nsdmetrics is not installed: no QualityReport comparison.")
        return 0
    fidelity = times["sksynth evaluate_synthetic, metrics='fidelity'"]
    default, all_pairs = (
        runs[k]["seconds"] for k in ("default thresholds", "all pairs")
    )
    print("\n| comparison | wall time ratio | CPU time ratio |\n|---|---:|---:|")
    for name, ours, theirs in (
        ("whole report / QualityReport, default thresholds", total, default),
        ("whole report / QualityReport, all pairs", total, all_pairs),
        ("fidelity group / QualityReport, default thresholds", fidelity, default),
        ("fidelity group / QualityReport, all pairs", fidelity, all_pairs),
        (
            "least model work alone / QualityReport, default thresholds",
            least["least model work: both"],
            default,
        ),
    ):
        print(f"| {name} | {ours[0] / theirs[0]:.2f} | {ours[1] / theirs[1]:.2f} |")
    print("\n## Agreement with SDMetrics' definitions\n")
    print("| metric | largest per-column or per-pair difference |\n|---|---:|")
    for name, gap in gaps.items():
        print(f"| {name} | {gap:.2e} |")
    for label, run in runs.items():
        print(
            f"\nQualityReport properties ({label}): "
            + ", ".join(
                f"{name} {score:.4f}" for name, score in run["properties"].items()
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
