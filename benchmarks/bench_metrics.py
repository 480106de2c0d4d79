"""Benchmark of the evaluation report: time, and agreement with SDMetrics.

On the Adult table (48,842 rows x 15 mixed columns with missing values, read
from ``/work/shared/data/adult``, ``--adult-dir``), split in two halves
(train and holdout), ``GaussianCopulaSynthesizer`` is fitted on the train half
with ``y=income`` and samples as many rows. Then:

1. ``sksynth.metrics.evaluate_synthetic(train, synthetic, holdout=holdout,
   target="income")`` is timed as a whole and by part (fidelity, detection,
   privacy, utility), and its table printed. Target: under 60 s.
2. When ``sdmetrics`` is importable, its ``QualityReport`` (Column Shapes and
   Column Pair Trends) is timed on the same tables (target: the whole sksynth
   report no slower than this quality report alone), and the per-column and
   per-pair values of KSComplement, TVComplement, CorrelationSimilarity and
   ContingencySimilarity are compared with sksynth's functions of the same
   name (largest absolute difference printed).

Run from the repository root; SDMetrics lives in the benchmark environment
(see ``benchmarks/README.md``)::

    python benchmarks/bench_metrics.py
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

import sksynth
from sksynth import GaussianCopulaSynthesizer
from sksynth.metrics import (
    contingency_similarity,
    correlation_similarity,
    dcr_share,
    detection_auc,
    evaluate_synthetic,
    exact_copy_share,
    ks_complement,
    missing_similarity,
    nndr,
    tv_complement,
)


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - start


def time_parts(train, synthetic, holdout, seed):
    """Seconds of each family of metrics, computed one by one."""
    parts = {
        "fidelity (5 metrics)": lambda: [
            metric(train, synthetic)
            for metric in (
                ks_complement,
                tv_complement,
                missing_similarity,
                correlation_similarity,
                contingency_similarity,
            )
        ],
        "detection, gradient boosting": lambda: detection_auc(
            train, synthetic, cv=3, random_state=seed
        ),
        "detection, logistic": lambda: detection_auc(
            train, synthetic, method="logistic", cv=3, random_state=seed
        ),
        "privacy (DCR, copies, NNDR)": lambda: (
            dcr_share(train, synthetic, holdout, random_state=seed),
            exact_copy_share(train, synthetic),
            nndr(train, synthetic, random_state=seed),
        ),
    }
    return {name: timed(part)[1] for name, part in parts.items()}


def sdmetrics_comparison(train, synthetic):
    """QualityReport time, and sksynth's values against SDMetrics' own."""
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="sdv-xdg-"))
    from sdmetrics.column_pairs import ContingencySimilarity, CorrelationSimilarity
    from sdmetrics.reports.single_table import QualityReport
    from sdmetrics.single_column import KSComplement, TVComplement

    categorical = [
        c for c in train.columns if not pd.api.types.is_numeric_dtype(train[c])
    ]
    metadata = {
        "columns": {
            c: {"sdtype": "categorical" if c in categorical else "numerical"}
            for c in train.columns
        }
    }
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, seconds = timed(report.generate, train, synthetic, metadata, verbose=False)
    properties = report.get_properties().set_index("Property")["Score"]

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
    return seconds, properties, gaps


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adult-dir", default=ADULT_DIR)
    parser.add_argument("--rows", type=int, default=None, help="seeded subsample")
    parser.add_argument("--seed", type=int, default=0)
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
        f"{sdmetrics_version or 'not installed'} | {os.cpu_count()} cores | load "
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
    )
    print("## The report\n\n```")
    print(report)
    print("```\n")
    print("## Time\n\n| step | seconds |\n|---|---:|")
    print(f"| evaluate_synthetic, whole report (with ceilings) | {total:.1f} |")
    for name, seconds in time_parts(train, synthetic, holdout, args.seed).items():
        print(f"| {name}, synthetic figure only | {seconds:.1f} |")
    if sdmetrics_version is None:
        print("\nsdmetrics is not installed: no QualityReport comparison.")
        return 0
    seconds, properties, gaps = sdmetrics_comparison(train, synthetic)
    print(f"| sdmetrics QualityReport (shapes + pair trends) | {seconds:.1f} |")
    print(f"\nsksynth report / QualityReport time: {total / seconds:.2f}\n")
    print("## Agreement with SDMetrics' definitions\n")
    print("| metric | largest per-column or per-pair difference |\n|---|---:|")
    for name, gap in gaps.items():
        print(f"| {name} | {gap:.2e} |")
    print(
        "\nQualityReport properties: "
        + ", ".join(f"{name} {score:.4f}" for name, score in properties.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
