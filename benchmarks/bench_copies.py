"""What copies of the training rows score: the reach of TSTR on a table.

For each data set and seed, the benchmark's split (``bench_synthesizers.py``:
shuffled, cut into a training half and a holdout half) and, in place of a
synthesizer's rows, a bootstrap sample of the training rows, as many as the
training half holds, with normal noise added to each numeric column of more
than 20 values (the target too): its standard deviation a share ``--noise``
of the column's, clipped to the column's range, rounded for whole numbers.
The rows are scored as the synthesizer benchmark scores them:

- TSTR, TRTR: a gradient-boosting model trained on the copies (TSTR) or on
  the training rows (TRTR), scored on the holdout (ROC AUC or R^2);
- DCR share: share of the copies closer to a training row than to a holdout
  row (0.5: no closer than fresh rows);
- close records: share of the copies nearer a training row than 95 % of the
  holdout rows are (0.05: as fresh rows);
- detection AUC against the holdout rows (gradient boosting);
- TSTR within: share of the seeds whose TSTR is within 0.05 of TRTR (R^2) or
  0.02 (ROC AUC).

A synthesizer whose TSTR is that of copies with a given noise is as useful
as rows that close to the training rows; a TSTR criterion that only copies
with little noise meet asks for rows that near the training rows.

Run from the repository root::

    python benchmarks/bench_copies.py
    python benchmarks/bench_copies.py --datasets concrete --noise 0,0.1,0.2

The script asserts nothing.
"""

import argparse
import warnings

import numpy as np
import pandas as pd
from bench_synthesizers import _report, load_datasets  # benchmarks/ on sys.path

from sksynth.metrics import detection_auc

# A numeric column of more than this many values gets the noise; the others
# (codes, small counts) are copied as they are.
_MANY_VALUES = 20


def noisy_copies(train, noise, rng):
    """A bootstrap sample of ``train``, with normal noise of ``noise`` times
    each many-valued numeric column's standard deviation."""
    rows = train.iloc[rng.randint(len(train), size=len(train))]
    copies = rows.reset_index(drop=True)
    for name in copies.columns:
        column = train[name]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(
            column
        ):
            continue
        if column.nunique() <= _MANY_VALUES:
            continue
        shifted = copies[name] + rng.normal(0, noise * column.std(), len(copies))
        shifted = shifted.clip(column.min(), column.max())
        if column.dtype.kind in "iu":
            shifted = shifted.round()
        copies[name] = shifted.astype(column.dtype)
    return copies


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets", default="california_housing,concrete", help="comma-separated"
    )
    parser.add_argument("--seeds", default="0,1,2", help="comma-separated")
    parser.add_argument(
        "--noise",
        default="0,0.05,0.1,0.2",
        help="comma-separated shares of each column's standard deviation",
    )
    args = parser.parse_args(argv)
    names = args.datasets.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    levels = [float(s) for s in args.noise.split(",")]
    columns = ["TSTR", "TRTR", "DCR share", "close records", "detection"]
    results = []
    for seed in seeds:
        for dataset in load_datasets(names, False, seed, []):
            rng = np.random.RandomState(seed)
            for noise in levels:
                copies = noisy_copies(dataset.train, noise, rng)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    report = _report(dataset, copies, seed, dataset.target)
                    detection = detection_auc(
                        dataset.holdout, copies, random_state=seed
                    )
                results.append(
                    [
                        dataset.name,
                        noise,
                        seed,
                        report["tstr"]["synthetic"],
                        report["tstr"]["real_holdout"],
                        report["dcr_share"]["synthetic"],
                        report["close_record_share"]["synthetic"],
                        detection,
                    ]
                )
    table = pd.DataFrame(results, columns=["data set", "noise", "seed", *columns])
    # Within 0.05 of TRTR for R^2, 0.02 for ROC AUC, as the forest's issue
    # asks (seed by seed).
    tasks = {d.name: d.task for d in load_datasets(names, False, seeds[0], [])}
    gap = np.where(table["data set"].map(tasks) == "regression", 0.05, 0.02)
    table["TSTR within"] = table["TSTR"] >= table["TRTR"] - gap
    columns.append("TSTR within")
    means = table.groupby(["data set", "noise"], sort=False)[columns].mean()
    with pd.option_context("display.width", 120, "display.precision", 3):
        print(f"Bootstrap copies of the training rows, mean of seeds {args.seeds}")
        print(means.to_string())


if __name__ == "__main__":
    main()
