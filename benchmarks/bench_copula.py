"""Benchmark of GaussianCopulaSynthesizer: time, peak memory and fidelity.

Two parts, each printed as a markdown table (fit, sample and total seconds,
peak memory, ratio to a baseline, and fidelity of the synthetic table to the
real one with :mod:`sksynth.metrics`):

(a) Scale. A seeded table of 1,000,000 rows x 20 numeric columns (normal,
    lognormal, gamma, beta-like bounded, integer-valued and bimodal columns,
    correlated through a Gaussian factor model). ``GaussianCopulaSynthesizer``
    with its default settings and with ``marginals="empirical"`` is compared
    with a plain numpy Gaussian copula with empirical margins written below
    (ranks -> normal scores -> ``np.corrcoef`` -> Cholesky sampling ->
    ``np.quantile`` inverse margins), the baseline. Target: sksynth at most 3x
    the plain copula's time.

(b) Adult. The UCI Adult table (48,842 rows x 15 mixed columns, with missing
    values) read from ``/work/shared/data/adult`` (``--adult-dir``).
    sksynth fitted on the whole table as ``X``, and as ``X, y`` with
    ``y=income``, against SDV's default ``GaussianCopulaSynthesizer`` (the
    baseline, when ``sdv`` is importable) and the plain numpy copula
    (categorical columns factorized into integer codes, missing values being one
    more code). Each method samples as many rows as it was fitted on. When
    ``sdmetrics`` is importable, its QualityReport scores (Column Shapes, Column
    Pair Trends) are printed as a cross-check. Target: sksynth fit + sample at
    least 20x faster than SDV and at least as faithful.

Fit and sample are timed separately with ``time.perf_counter``; each is the
best of ``--repeat`` runs (default: 1 for SDV, 3 for the others), and "total"
is the sum of the two. Peak memory is the ``tracemalloc`` peak of one more,
untimed, fit + sample run (numpy, pandas and Python allocations made during
fit and sample; the input table is not counted). All data are seeded; nothing
is downloaded. The script asserts nothing.

Run from the repository root (see ``benchmarks/README.md``)::

    python benchmarks/bench_copula.py                 # both parts, full size
    python benchmarks/bench_copula.py --quick         # 100k rows, 10k Adult rows
    python benchmarks/bench_copula.py --part a --repeat 5
    python benchmarks/bench_copula.py --blas-threads 1  # BLAS on one thread
"""

import argparse
import datetime
import gc
import os
import platform
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
import sklearn
from _datasets import ADULT_DIR, load_adult  # benchmarks/ is on sys.path
from _report import git_commit
from scipy import stats
from scipy.special import ndtr, ndtri
from threadpoolctl import threadpool_info, threadpool_limits

import sksynth
from sksynth import GaussianCopulaSynthesizer
from sksynth.metrics import correlation_similarity, ks_complement, tv_complement

MEMORY_HEADER = "peak MiB (tracemalloc)"
METRICS = ("ks", "tv", "corr")


# -- data ---------------------------------------------------------------------


def make_numeric_table(n_rows, seed=0):
    """Seeded numeric table of ``n_rows`` x 20 with correlated columns.

    Latent normals with a three-factor correlation are mapped through the
    quantile functions of the target margins, so the columns keep a rank
    dependence of up to about 0.8.
    """
    rng = np.random.RandomState(seed)
    n_columns = 20
    loadings = rng.uniform(-0.9, 0.9, size=(n_columns, 3)) * (
        rng.uniform(size=(n_columns, 1)) < 0.8
    )
    covariance = loadings @ loadings.T + np.diag(rng.uniform(0.3, 1.0, n_columns))
    scale = np.sqrt(np.diag(covariance))
    correlation = covariance / np.outer(scale, scale)
    Z = rng.standard_normal((n_rows, n_columns)) @ np.linalg.cholesky(correlation).T
    U = np.clip(ndtr(Z), 1e-12, 1 - 1e-12)
    component = rng.uniform(size=(n_rows, 2)) < [0.35, 0.6]
    margins = [
        Z[:, 0],  # standard normal
        50 + 10 * Z[:, 1],  # normal
        -3 + 0.2 * Z[:, 2],  # narrow normal
        1e4 + 2e3 * Z[:, 3],  # wide normal
        np.exp(Z[:, 4]),  # lognormal
        np.exp(10 + 0.5 * Z[:, 5]),  # lognormal, income-like
        np.exp(-2 + 1.2 * Z[:, 6]),  # skewed lognormal
        stats.gamma.ppf(U[:, 7], a=2.0, scale=3.0),  # gamma
        stats.gamma.ppf(U[:, 8], a=0.7, scale=1.0),  # gamma, mode at 0
        stats.gamma.ppf(U[:, 9], a=9.0, scale=0.5),  # gamma, near normal
        stats.beta.ppf(U[:, 10], 2.0, 5.0),  # beta in [0, 1]
        100 * stats.beta.ppf(U[:, 11], 0.5, 0.5),  # U-shaped on [0, 100]
        stats.beta.ppf(U[:, 12], 5.0, 1.5),  # beta, left-skewed
        stats.poisson.ppf(U[:, 13], 3.0),  # counts, few levels
        stats.binom.ppf(U[:, 14], 10, 0.3),  # binomial(10, 0.3)
        np.clip(np.round(40 + 13 * Z[:, 15]), 17, 90),  # age-like integers
        stats.nbinom.ppf(U[:, 16], 2, 0.02),  # overdispersed counts
        np.round(stats.lognorm.ppf(U[:, 17], 1.0, scale=2e3)),  # large integers
        np.where(component[:, 0], -2 + 0.5 * Z[:, 18], 3 + Z[:, 18]),  # bimodal
        np.where(component[:, 1], 1 + 0.1 * Z[:, 19], 4 + 0.5 * Z[:, 19]),  # bimodal
    ]
    return np.column_stack(margins)


# -- plain numpy Gaussian copula, the baseline ----------------------------------


def plain_copula_fit(X):
    """Fit a Gaussian copula with empirical margins to a float array.

    Normal scores of the ranks (ties broken by position), their correlation
    and its Cholesky factor; the empirical margins are the sorted columns.
    Columns are processed as contiguous rows of ``X.T``.
    """
    n_rows = X.shape[0]
    columns = np.ascontiguousarray(X.T)
    order = np.argsort(columns, axis=1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, n_rows + 1)[None, :], axis=1)
    scores = ndtri(ranks / (n_rows + 1))
    correlation = np.corrcoef(scores)
    factor = np.linalg.cholesky(correlation)
    return {"sorted": np.take_along_axis(columns, order, axis=1), "factor": factor}


def plain_copula_sample(model, n_samples, rng):
    """Draw rows: correlated normals -> uniforms -> empirical quantiles."""
    factor = model["factor"]
    U = ndtr(factor @ rng.standard_normal((factor.shape[0], n_samples)))
    columns = [
        np.quantile(margin, u, method="inverted_cdf")
        for margin, u in zip(model["sorted"], U, strict=True)
    ]
    return np.column_stack(columns)


def factorize_table(df):
    """Float array of ``df``, categorical columns as integer codes (missing
    values as code -1), and what is needed to rebuild the DataFrame."""
    columns, levels = [], {}
    for name in df.columns:
        column = df[name]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(
            column
        ):
            columns.append(column.to_numpy(dtype=float))
        else:
            codes, uniques = pd.factorize(column)
            levels[name] = uniques
            columns.append(codes.astype(float))
    return np.column_stack(columns), (list(df.columns), df.dtypes, levels)


def unfactorize_table(values, layout):
    """DataFrame with the columns and dtypes of the factorized table."""
    names, dtypes, levels = layout
    data = {}
    for j, name in enumerate(names):
        if name in levels:
            codes = values[:, j].astype(int)
            column = pd.Series(pd.Categorical.from_codes(codes, levels[name]))
            data[name] = column.astype(dtypes[name])
        else:
            data[name] = pd.Series(values[:, j]).astype(dtypes[name])
    return pd.DataFrame(data)


def plain_copula_table(df, rng):
    """Fit and sample functions of the plain copula on a mixed DataFrame."""
    state = {}

    def fit():
        values, layout = factorize_table(df)
        state["model"], state["layout"] = plain_copula_fit(values), layout

    def sample():
        values = plain_copula_sample(state["model"], len(df), rng)
        return unfactorize_table(values, state["layout"])

    return fit, sample


# -- methods --------------------------------------------------------------------


def sksynth_method(X, y=None, n_samples=None, **params):
    """Fit and sample functions of sksynth's copula."""
    state = {}
    n_samples = n_samples or len(X)

    def fit():
        estimator = GaussianCopulaSynthesizer(random_state=0, **params)
        state["estimator"] = estimator.fit(X, y)

    def sample():
        drawn = state["estimator"].sample(n_samples)
        if y is None:
            return drawn
        X_synth, y_synth = drawn
        return X_synth.assign(**{y.name: y_synth.to_numpy()})

    return fit, sample


def sdv_method(df):
    """Fit and sample functions of SDV's default GaussianCopulaSynthesizer."""
    from sdv.metadata import Metadata
    from sdv.single_table import GaussianCopulaSynthesizer as SDVCopula

    state = {}

    def fit():
        metadata = Metadata.detect_from_dataframes({"adult": df}, infer_keys=None)
        state["synthesizer"] = SDVCopula(metadata)
        state["synthesizer"].fit({"adult": df})

    def sample():
        drawn = state["synthesizer"].sample(num_rows=len(df))
        return drawn["adult"] if isinstance(drawn, dict) else drawn

    return fit, sample


def run_method(fit, sample, repeat):
    """Best fit and sample times over ``repeat`` runs, the tracemalloc peak
    of one more run, and the synthetic table of the last timed run."""
    fit_times, sample_times = [], []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fit()
        fit_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        synthetic = sample()
        sample_times.append(time.perf_counter() - start)
    del synthetic
    gc.collect()
    tracemalloc.start()
    fit()
    synthetic = sample()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {
        "fit": min(fit_times),
        "sample": min(sample_times),
        "peak": peak,
        "synthetic": synthetic,
    }


def add_fidelity(result, real):
    synthetic = result["synthetic"]
    result["ks"] = ks_complement(real, synthetic)
    result["tv"] = tv_complement(real, synthetic)
    result["corr"] = correlation_similarity(real, synthetic)


# -- report ---------------------------------------------------------------------


def versions_line():
    def version(name):
        try:
            return __import__(name).__version__
        except ImportError:
            return "not installed"

    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    blas = ", ".join(
        sorted(
            {
                f"{pool['internal_api']} {pool['num_threads']} thread(s)"
                for pool in threadpool_info()
                if pool["user_api"] == "blas"
            }
        )
    )
    return (
        f"{datetime.datetime.now():%Y-%m-%d %H:%M} | python {platform.python_version()}"
        f" | numpy {np.__version__} | scipy {scipy.__version__}"
        f" | pandas {pd.__version__} | sklearn {sklearn.__version__}"
        f" | sksynth {sksynth.__version__} (git {git_commit() or 'unknown'})"
        f" | sdv {version('sdv')} | sdmetrics {version('sdmetrics')}"
        f" | machine: {platform.machine()}, {usable} of {cores} cores"
        f" ({platform.system()} {platform.release()}) | BLAS: {blas or 'unknown'}"
        f" | load average at start {os.getloadavg()[0]:.2f}"
    )


def fmt(value, digits=4):
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "n/a"
    return f"{value:.{digits}f}"


def print_table(results, baseline):
    """Markdown table; the ratio is each total over the baseline's total."""
    base = results[baseline]["fit"] + results[baseline]["sample"]
    print(f"Baseline: {baseline}.\n")
    print(
        f"| method | fit s | sample s | total s | {MEMORY_HEADER} | x baseline "
        "| KS compl. | TV compl. | corr. sim. |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        total = r["fit"] + r["sample"]
        print(
            f"| {name} | {r['fit']:.3f} | {r['sample']:.3f} | {total:.3f} "
            f"| {r['peak']:.0f} | {total / base:.2f} | {fmt(r.get('ks'))} "
            f"| {fmt(r.get('tv'))} | {fmt(r.get('corr'))} |"
        )
    print()


def total(result):
    return result["fit"] + result["sample"]


# -- parts ----------------------------------------------------------------------


def part_a(n_rows, repeat):
    print(f"## (a) {n_rows:,} rows x 20 numeric columns, fit + sample {n_rows:,}\n")
    X = make_numeric_table(n_rows, seed=0)
    rng = np.random.RandomState(0)
    state = {}

    def plain_fit():
        state["model"] = plain_copula_fit(X)

    def plain_sample():
        return plain_copula_sample(state["model"], n_rows, rng)

    methods = {
        "plain numpy copula": (plain_fit, plain_sample),
        "sksynth (default)": sksynth_method(X),
        'sksynth (marginals="empirical")': sksynth_method(X, marginals="empirical"),
    }
    results = {}
    for name, (fit, sample) in methods.items():
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results[name] = run_method(fit, sample, repeat)
        add_fidelity(results[name], X)
        del results[name]["synthetic"]
    print_table(results, "plain numpy copula")
    base = total(results["plain numpy copula"])
    for name in list(results)[1:]:
        ratio = total(results[name]) / base
        verdict = "met" if ratio <= 3 else "NOT met"
        print(
            f"- {name}: {ratio:.2f}x the plain copula's time (target <= 3x: {verdict})"
        )
    print()


def sdmetrics_scores(real, synthetic):
    """Column Shapes and Column Pair Trends of sdmetrics' QualityReport."""
    from sdmetrics.reports import QualityReport

    columns = {
        name: {
            "sdtype": "numerical"
            if pd.api.types.is_numeric_dtype(real[name])
            else "categorical"
        }
        for name in real.columns
    }
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(
            {"table": real},
            {"table": synthetic},
            {"tables": {"table": {"columns": columns}}},
            verbose=False,
        )
    scores = report.get_properties().set_index("Property")["Score"]
    return float(scores["Column Shapes"]), float(scores["Column Pair Trends"])


def have(module):
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def part_b(adult, n_rows, repeat, sdv_repeat):
    if n_rows < len(adult):
        adult = adult.sample(n=n_rows, random_state=0).reset_index(drop=True)
    n_missing = int(adult.isna().any(axis=1).sum())
    print(
        f"## (b) Adult, {len(adult):,} rows x {adult.shape[1]} columns "
        f"({n_missing:,} rows with a missing value), fit + sample {len(adult):,}\n"
    )
    X, y = adult.drop(columns="income"), adult["income"]
    methods = {}
    if have("sdv"):
        os.environ.setdefault("XDG_DATA_HOME", tempfile.mkdtemp(prefix="sdv-xdg-"))
        methods["SDV GaussianCopula (default)"] = (*sdv_method(adult), sdv_repeat)
    else:
        print("Note: sdv is not importable; the SDV rows are skipped.\n")
    methods.update(
        {
            "sksynth (X)": (*sksynth_method(adult), repeat),
            "sksynth (X, y=income)": (*sksynth_method(X, y), repeat),
            "plain numpy copula (codes)": (
                *plain_copula_table(adult, np.random.RandomState(0)),
                repeat,
            ),
        }
    )
    results = {}
    for name, (fit, sample, n_repeat) in methods.items():
        print(f"running {name} ...", file=sys.stderr, flush=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results[name] = run_method(fit, sample, n_repeat)
        synthetic = results[name]["synthetic"][adult.columns]
        results[name]["synthetic"] = synthetic
        add_fidelity(results[name], adult)
    baseline = next(iter(results))
    print_table(results, baseline)

    if "SDV GaussianCopula (default)" in results:
        sdv_total = total(results["SDV GaussianCopula (default)"])
        sdv_scores = [results["SDV GaussianCopula (default)"][k] for k in METRICS]
        for name in ("sksynth (X)", "sksynth (X, y=income)"):
            speedup = sdv_total / total(results[name])
            verdict = "met" if speedup >= 20 else "NOT met"
            print(
                f"- {name}: {speedup:.1f}x faster than SDV (target >= 20x: {verdict})"
            )
            scores = [results[name][k] for k in METRICS]
            at_least = all(
                a >= b
                for a, b in zip(scores, sdv_scores, strict=True)
                if not np.isnan(a)
            )
            print(
                f"  fidelity KS/TV/corr {'/'.join(fmt(s) for s in scores)} vs SDV "
                f"{'/'.join(fmt(s) for s in sdv_scores)}: at least as faithful on "
                f"all three: {'yes' if at_least else 'no'}"
            )
        print()

    if have("sdmetrics"):
        print("sdmetrics QualityReport (cross-check; numeric dtypes as numerical):\n")
        print("| method | Column Shapes | Column Pair Trends |")
        print("|---|---:|---:|")
        for name, r in results.items():
            shapes, trends = sdmetrics_scores(adult, r["synthetic"])
            print(f"| {name} | {shapes:.4f} | {trends:.4f} |")
        print()
    else:
        print("Note: sdmetrics is not importable; its QualityReport is skipped.\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["a", "b", "all"], default="all")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="100,000 rows for (a) and a 10,000-row Adult subsample for (b)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per timing, best kept, for sksynth and the plain copula",
    )
    parser.add_argument(
        "--sdv-repeat", type=int, default=1, help="runs per timing for SDV"
    )
    parser.add_argument("--rows", type=int, default=None, help="rows for part (a)")
    parser.add_argument("--adult-dir", type=Path, default=ADULT_DIR)
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="limit BLAS threads (threadpoolctl) for every method; default: as is",
    )
    args = parser.parse_args(argv)
    with threadpool_limits(limits=args.blas_threads):
        run(args)


def run(args):
    print("# bench_copula: GaussianCopulaSynthesizer time, memory and fidelity\n")
    print(versions_line())
    print(
        f"\nTimes: best of {args.repeat} (SDV: best of {args.sdv_repeat}); "
        "total = fit + sample. Memory: tracemalloc peak of one extra fit + sample "
        "run, input table excluded. Fidelity: sksynth.metrics against the real "
        "table (n/a: no column of that kind). 'x baseline': total time over "
        "the baseline's.\n"
    )
    if args.part in ("a", "all"):
        part_a(args.rows or (100_000 if args.quick else 1_000_000), args.repeat)
    if args.part in ("b", "all"):
        adult = load_adult(args.adult_dir)
        n_rows = 10_000 if args.quick else len(adult)
        part_b(adult, n_rows, args.repeat, args.sdv_repeat)
    print(f"Load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
