"""Class balancing with sksynth's over-samplers against imbalanced-learn's.

Part (a), quality: repeated stratified 5-fold on imbalanced data sets loaded
offline, pipeline (scaler ->) sampler -> classifier, for logistic regression,
kNN, a decision tree and gradient boosting; ROC AUC, average precision,
G-mean, minority F1 and balanced accuracy of no resampling, SMOTE, ADASYN,
BorderlineSMOTE, RandomOverSampler(shrinkage=1) (SMOTENC on mixed data),
KDEOverSampler and CopulaOverSampler, in the same run.

Part (b), speed: balancing a 1% minority in 1,000,000 x 20 numeric rows
(SMOTE as baseline), and 200,000 mixed rows (10 numeric + 5 categorical
columns of 50 levels; SMOTENC as baseline) with time and peak traced memory.

Run from the repository root::

    python benchmarks/bench_oversampling.py            # full size
    python benchmarks/bench_oversampling.py --quick    # 1 repeat, smaller (b)

Data: sklearn's breast cancer (made imbalanced), German credit and Adult from
``../shared/data`` (skipped with a note when absent), and a seeded
``make_classification`` set. Nothing is downloaded. Asserts nothing.
"""

import argparse
import sys
import time
import tracemalloc
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
from imblearn.pipeline import make_pipeline
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
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sksynth import CopulaOverSampler, KDEOverSampler

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def log(message):
    print(message, file=sys.stderr, flush=True)


def load_datasets():
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
    german = DATA / "german_credit" / "german.data"
    if german.exists():
        g = pd.read_csv(german, sep=" ", header=None)
        y = (g.pop(20) == 2).astype(int).to_numpy()
        for c in g.select_dtypes(exclude="number").columns:
            g[c] = g[c].astype("category")
        g.columns = [str(c) for c in g.columns]
        datasets["german_credit"] = (g, y, True)
    else:
        log("german credit not found: skipped")
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
        log("adult not found: skipped")
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
        out["ROS(shrink=1)"] = RandomOverSampler(random_state=0)
    else:
        out["SMOTE"] = SMOTE(random_state=0)
        out["ADASYN"] = ADASYN(random_state=0)
        out["BorderlineSMOTE"] = BorderlineSMOTE(random_state=0)
        out["ROS(shrink=1)"] = RandomOverSampler(shrinkage=1.0, random_state=0)
    out["KDEOverSampler"] = KDEOverSampler(random_state=0)
    out["CopulaOverSampler"] = CopulaOverSampler(random_state=0)
    return out


def make_model(sampler, classifier, X, mixed):
    if mixed:
        categorical = [c for c in X.columns if X[c].dtype == "category"]
        numeric = [c for c in X.columns if c not in categorical]
        encode = make_column_transformer(
            (StandardScaler(), numeric),
            (OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
        )
        steps = [sampler, encode, classifier]
    else:
        steps = [StandardScaler(), sampler, classifier]
    return make_pipeline(*[s for s in steps if s is not None])


def scores(y, proba):
    pred = (proba >= 0.5).astype(int)
    return {
        "auc": roc_auc_score(y, proba),
        "ap": average_precision_score(y, proba),
        "gmean": geometric_mean_score(y, pred),
        "f1": f1_score(y, pred),
        "bacc": balanced_accuracy_score(y, pred),
    }


def part_a(repeats):
    rows = []
    for name, (X, y, mixed) in load_datasets().items():
        categorical = [c for c in X.columns if X[c].dtype == "category"]
        cv = RepeatedStratifiedKFold(n_splits=5, n_repeats=repeats, random_state=0)
        splits = list(cv.split(X, y))
        for s_name, sampler in samplers(mixed, categorical).items():
            for c_name, classifier in classifiers().items():
                log(f"{name} {s_name} {c_name}")
                fold = []
                for train, test in splits:
                    model = make_model(sampler, classifier, X, mixed)
                    try:
                        model.fit(X.iloc[train], y[train])
                    except Exception as exc:  # a failing cell is reported, not fatal
                        log(f"FAILED {name} {s_name} {c_name}: {exc!r}")
                        print(f"- failed: {name} / {s_name} / {c_name}: {exc!r}")
                        fold = [
                            dict.fromkeys(["auc", "ap", "gmean", "f1", "bacc"], np.nan)
                        ]
                        break
                    proba = model.predict_proba(X.iloc[test])[:, 1]
                    fold.append(scores(y[test], proba))
                mean = pd.DataFrame(fold).mean()
                rows.append({"data": name, "sampler": s_name, "clf": c_name, **mean})
    return pd.DataFrame(rows)


def markdown(table, index=True):
    """A DataFrame as a markdown table (no tabulate needed)."""
    table = table.reset_index() if index else table
    header = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "---|" * table.shape[1]
    body = [
        "| "
        + " | ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row)
        + " |"
        for row in table.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def summarise(results):
    means = results.groupby("sampler")[["auc", "ap", "gmean", "f1", "bacc"]].mean()
    print("### Mean over data sets x classifiers\n")
    print(markdown(means.sort_values("auc", ascending=False)))
    for ours in ["KDEOverSampler", "CopulaOverSampler"]:
        for base in ["SMOTE", "SMOTENC"]:
            a = results[results.sampler == ours].set_index(["data", "clf"])
            b = results[results.sampler == base].set_index(["data", "clf"])
            common = a.index.intersection(b.index)
            if not len(common):
                continue
            for metric in ["auc", "gmean"]:
                diff = a.loc[common, metric] - b.loc[common, metric]
                print(
                    f"\n{ours} vs {base} on {metric}: {int((diff > 0).sum())} wins, "
                    f"{int((diff < 0).sum())} losses over {len(common)} cells, "
                    f"mean difference {diff.mean():+.4f}"
                )
    print("\n### Per data set (mean over classifiers)\n")
    table = results.groupby(["data", "sampler"])[["auc", "gmean", "ap"]].mean()
    print(markdown(table))


def timed(function):
    tracemalloc.start()
    start = time.perf_counter()
    function()
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return elapsed, peak / 2**20


def part_b(n_numeric_rows, n_mixed_rows):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n_numeric_rows, 20))
    y = (rng.rand(n_numeric_rows) < 0.01).astype(int)
    X[y == 1] += 0.5
    rows = []
    for name, sampler in [
        ("SMOTE", SMOTE(random_state=0)),
        ("KDEOverSampler", KDEOverSampler(random_state=0)),
        ("CopulaOverSampler", CopulaOverSampler(random_state=0)),
    ]:
        log(f"speed numeric {name}")
        seconds, peak = timed(lambda s=sampler: s.fit_resample(X, y))
        rows.append(
            {
                "data": f"{n_numeric_rows:,} x 20 numeric",
                "sampler": name,
                "seconds": seconds,
                "peak MiB": peak,
            }
        )
    mixed = pd.DataFrame(
        rng.normal(size=(n_mixed_rows, 10)), columns=[f"x{i}" for i in range(10)]
    )
    levels = np.array([f"l{k}" for k in range(50)])
    for i in range(5):
        mixed[f"c{i}"] = pd.Categorical(levels[rng.randint(0, 50, n_mixed_rows)])
    y = (rng.rand(n_mixed_rows) < 0.01).astype(int)
    categorical = [f"c{i}" for i in range(5)]
    for name, sampler in [
        ("SMOTENC", SMOTENC(categorical_features=categorical, random_state=0)),
        ("KDEOverSampler", KDEOverSampler(random_state=0)),
        ("CopulaOverSampler", CopulaOverSampler(random_state=0)),
    ]:
        log(f"speed mixed {name}")
        seconds, peak = timed(lambda s=sampler: s.fit_resample(mixed, y))
        rows.append(
            {
                "data": f"{n_mixed_rows:,} mixed (10 num + 5 cat x 50)",
                "sampler": name,
                "seconds": seconds,
                "peak MiB": peak,
            }
        )
    table = pd.DataFrame(rows)
    base = table.groupby("data")["seconds"].transform("first")
    base_memory = table.groupby("data")["peak MiB"].transform("first")
    table["time / baseline"] = table["seconds"] / base
    table["memory / baseline"] = table["peak MiB"] / base_memory
    print("\n### Speed (baseline: first row of each data set)\n")
    print(markdown(table, index=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--part", choices=["a", "b", "all"], default="all")
    args = parser.parse_args()
    import imblearn
    import sklearn

    print(
        f"# bench_oversampling ({time.strftime('%Y-%m-%d')}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, imbalanced-learn {imblearn.__version__}"
        f"{', quick' if args.quick else ''})\n"
    )
    if args.part in ("a", "all"):
        results = part_a(repeats=1 if args.quick else 3)
        results.to_csv(Path(__file__).parent / "results" / "oversampling_cells.csv")
        summarise(results)
    if args.part in ("b", "all"):
        if args.quick:
            part_b(200_000, 20_000)
        else:
            part_b(1_000_000, 200_000)


if __name__ == "__main__":
    main()
