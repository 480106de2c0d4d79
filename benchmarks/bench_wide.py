"""Fit and sample time of every sksynth estimator on a wide and a mixed table.

Two seeded tables, generated here (nothing is downloaded):

- wide: 200 rows x 2,000 numeric columns, correlated through 20 Gaussian
  factors (each column loads on one or two); 60% of the columns normal, 20%
  skewed (lognormal), 10% integer counts, 10% bounded in (0, 1). The class
  target ``y`` (20% positives) depends on the first factor.
- housing: 2,000 rows x 74 columns modelled after the column types of the Ames
  housing data: 36 numeric (areas and a sale price with a skewed spread, year
  and count columns with few values, spikes at zero for porches, pools and
  second floors, missing values in the lot frontage, garage year and veneer
  area) and 38 categorical with 2 to 25 levels (object columns of strings,
  some mostly missing such as the pool quality, alley and fence). Columns are
  associated through latent quality, size and age. ``y`` is "expensive"
  (about 15% positives), from the latent price.

Every synthesizer sksynth exports (default parameters, ``random_state=0``)
fits ``X`` and samples as many rows; every over-sampler (default parameters,
``random_state=0``) runs ``fit_resample(X, y)``. Each estimator and table runs
once, in a fresh Python process, stopped after ``--timeout`` seconds. The
table gives the wall seconds (``time.perf_counter``) of fit, sample and both
(an over-sampler's ``fit_resample`` is its fit column); "> T" is a run stopped
by the time-out, "error" a run that raised (its message is listed under the table).
The target of the project's issue is at most 15 s per estimator and table.

Run from the repository root::

    python benchmarks/bench_wide.py                 # both tables, full size
    python benchmarks/bench_wide.py --quick         # 200 x 400, and 500 x 74
    python benchmarks/bench_wide.py --tables wide --estimators TreeSynthesizer
    python benchmarks/bench_wide.py --timeout 600 --blas-threads 1
    python benchmarks/bench_wide.py --profile prof/ --estimators KDESynthesizer

``--profile DIR`` profiles each run (pyinstrument when it is installed, else
cProfile) and writes ``DIR/<table>_<estimator>.txt``. The script asserts
nothing.
"""

import argparse
import inspect
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from _report import git_commit  # benchmarks/ is on sys.path

import sksynth

#: Shapes (rows, numeric columns) of the wide table, full and --quick.
WIDE_SHAPE = {False: (200, 2000), True: (200, 400)}
#: Rows of the housing table, full and --quick.
HOUSING_ROWS = {False: 2000, True: 500}
TARGET_SECONDS = 15.0
#: Sales by month (more in spring and summer).
_MONTH_SHARES = np.array([4, 5, 7, 9, 12, 15, 14, 10, 7, 6, 6, 5]) / 100


def log(message):
    """Progress on stderr, so that stdout holds the tables only."""
    print(message, file=sys.stderr, flush=True)


# -- data ---------------------------------------------------------------------


def make_wide(n_rows=200, n_columns=2000, seed=0):
    """Correlated numeric table of ``n_columns`` columns, and a 0/1 class."""
    rng = np.random.RandomState(seed)
    n_factors = 20
    factors = rng.standard_normal((n_rows, n_factors))
    loadings = np.zeros((n_factors, n_columns))
    first = rng.randint(n_factors, size=n_columns)
    second = rng.randint(n_factors, size=n_columns)
    loadings[first, np.arange(n_columns)] = rng.uniform(0.3, 0.9, n_columns)
    loadings[second, np.arange(n_columns)] += rng.uniform(0.0, 0.4, n_columns)
    scale = np.sqrt((loadings**2).sum(axis=0) + 0.25)
    z = (factors @ loadings + 0.5 * rng.standard_normal((n_rows, n_columns))) / scale
    X = z.copy()
    kind = rng.choice(4, size=n_columns, p=[0.6, 0.2, 0.1, 0.1])
    X[:, kind == 1] = np.exp(0.8 * z[:, kind == 1])
    X[:, kind == 2] = np.round(np.exp(0.6 * z[:, kind == 2] + 1.0))
    X[:, kind == 3] = 1.0 / (1.0 + np.exp(-z[:, kind == 3]))
    score = factors[:, 0] + 0.7 * rng.standard_normal(n_rows)
    y = (score > np.quantile(score, 0.8)).astype(np.int64)
    return X, y


def _levels(rng, name, n_levels, latent, dependence, missing=0.0):
    """Strings ``name_0, name_1, ...`` with Zipf-like shares; the level order
    follows ``latent`` with weight ``dependence``; a share ``missing`` is NaN."""
    shares = 1.0 / np.arange(1, n_levels + 1) ** 1.1
    shares = rng.permutation(shares / shares.sum())
    noise = rng.standard_normal(latent.size)
    score = dependence * latent + np.sqrt(1.0 - dependence**2) * noise
    cuts = np.quantile(score, np.cumsum(shares)[:-1])
    code = np.searchsorted(cuts, score)
    values = np.array([f"{name}_{k}" for k in range(n_levels)], dtype=object)[code]
    values[rng.random_sample(latent.size) < missing] = np.nan
    return values


def make_housing(n_rows=2000, seed=0):
    """DataFrame of 36 numeric and 38 categorical columns, and a 0/1 class."""
    import pandas as pd

    rng = np.random.RandomState(seed)
    n = n_rows
    quality = rng.standard_normal(n)
    size = 0.5 * quality + np.sqrt(0.75) * rng.standard_normal(n)
    age = -0.5 * quality + np.sqrt(0.75) * rng.standard_normal(n)

    def noise(scale=1.0):
        return scale * rng.standard_normal(n)

    def spike(share_zero, mean, latent=0.0):
        value = np.round(np.exp(mean + 0.2 * latent + noise(0.6)))
        return np.where(rng.random_sample(n) < share_zero, 0.0, value)

    def with_missing(values, share):
        values = values.astype(float)
        values[rng.random_sample(n) < share] = np.nan
        return values

    year_built = np.clip(np.round(1972 - 25 * age + noise(8)), 1872, 2010)
    first_floor = np.round(np.exp(7.0 + 0.25 * size + noise(0.2)))
    second_floor = np.where(
        rng.random_sample(n) < 0.55 - 0.1 * size, 0.0, np.round(0.8 * first_floor)
    )
    low_quality = spike(0.98, 5.0)
    basement_1 = spike(0.3, 6.2, size)
    basement_2 = spike(0.88, 5.0)
    basement_unf = np.round(np.exp(6.0 + noise(0.7)))
    garage_cars = np.clip(np.round(1.8 + 0.6 * quality + 0.4 * size + noise(0.5)), 0, 4)
    log_price = 12.0 + 0.25 * quality + 0.15 * size - 0.05 * age + noise(0.1)
    numeric = {
        "LotFrontage": with_missing(
            np.round(np.exp(4.2 + 0.2 * size + noise(0.2))), 0.17
        ),
        "LotArea": np.round(np.exp(9.1 + 0.3 * size + noise(0.4))),
        "OverallQual": np.clip(np.round(6.1 + 1.4 * quality), 1, 10),
        "OverallCond": np.clip(np.round(5.6 + noise(1.1)), 1, 9),
        "YearBuilt": year_built,
        "YearRemodAdd": np.maximum(
            year_built, np.clip(np.round(1985 - 15 * age), 1950, 2010)
        ),
        "MasVnrArea": with_missing(spike(0.6, 5.0, quality), 0.005),
        "BsmtFinSF1": basement_1,
        "BsmtFinSF2": basement_2,
        "BsmtUnfSF": basement_unf,
        "TotalBsmtSF": basement_1 + basement_2 + basement_unf,
        "1stFlrSF": first_floor,
        "2ndFlrSF": second_floor,
        "LowQualFinSF": low_quality,
        "GrLivArea": first_floor + second_floor + low_quality,
        "BsmtFullBath": np.clip(np.round(0.4 + 0.3 * quality + noise(0.4)), 0, 3),
        "BsmtHalfBath": (rng.random_sample(n) < 0.06).astype(float),
        "FullBath": np.clip(
            np.round(1.6 + 0.4 * quality + 0.2 * size + noise(0.3)), 0, 3
        ),
        "HalfBath": np.clip(np.round(0.4 + 0.3 * size + noise(0.4)), 0, 2),
        "BedroomAbvGr": np.clip(np.round(2.9 + 0.6 * size + noise(0.6)), 0, 8),
        "KitchenAbvGr": 1.0 + (rng.random_sample(n) < 0.05),
        "TotRmsAbvGrd": np.clip(np.round(6.5 + 1.2 * size + noise(0.8)), 2, 14),
        "Fireplaces": np.clip(np.round(0.6 + 0.4 * quality + noise(0.5)), 0, 3),
        "GarageYrBlt": with_missing(
            np.clip(year_built + np.round(noise(3)), year_built, 2010), 0.055
        ),
        "GarageCars": garage_cars,
        "GarageArea": np.round(garage_cars * 240 + noise(60)).clip(0),
        "WoodDeckSF": spike(0.52, 5.0, size),
        "OpenPorchSF": spike(0.45, 3.8, quality),
        "EnclosedPorch": spike(0.86, 4.8, age),
        "3SsnPorch": spike(0.98, 5.2),
        "ScreenPorch": spike(0.92, 5.1),
        "PoolArea": spike(0.995, 6.2),
        "MiscVal": spike(0.96, 6.0),
        "MoSold": rng.choice(np.arange(1.0, 13.0), n, p=_MONTH_SHARES),
        "YrSold": rng.choice(
            np.arange(2006.0, 2011.0), n, p=[0.22, 0.23, 0.21, 0.22, 0.12]
        ),
        "SalePrice": np.round(np.exp(log_price), -2),
    }
    # (name, levels, latent, dependence, missing share)
    categorical = [
        ("MSSubClass", 15, size, 0.4, 0.0),
        ("MSZoning", 5, quality, 0.3, 0.0),
        ("Street", 2, quality, 0.1, 0.0),
        ("Alley", 2, age, 0.5, 0.93),
        ("LotShape", 4, size, 0.2, 0.0),
        ("LandContour", 4, size, 0.1, 0.0),
        ("LotConfig", 5, size, 0.1, 0.0),
        ("Neighborhood", 25, log_price, 0.8, 0.0),
        ("Condition1", 9, quality, 0.1, 0.0),
        ("BldgType", 5, size, 0.3, 0.0),
        ("HouseStyle", 8, size, 0.5, 0.0),
        ("RoofStyle", 6, quality, 0.2, 0.0),
        ("RoofMatl", 8, quality, 0.1, 0.0),
        ("Exterior1st", 15, age, 0.5, 0.0),
        ("Exterior2nd", 16, age, 0.5, 0.0),
        ("MasVnrType", 4, quality, 0.5, 0.005),
        ("ExterQual", 4, quality, 0.8, 0.0),
        ("ExterCond", 5, age, 0.3, 0.0),
        ("Foundation", 6, age, 0.7, 0.0),
        ("BsmtQual", 4, quality, 0.8, 0.025),
        ("BsmtCond", 4, quality, 0.3, 0.025),
        ("BsmtExposure", 4, size, 0.3, 0.026),
        ("BsmtFinType1", 6, age, 0.5, 0.025),
        ("Heating", 6, age, 0.2, 0.0),
        ("HeatingQC", 5, quality, 0.6, 0.0),
        ("CentralAir", 2, age, 0.5, 0.0),
        ("Electrical", 5, age, 0.4, 0.001),
        ("KitchenQual", 4, quality, 0.8, 0.0),
        ("Functional", 7, quality, 0.2, 0.0),
        ("FireplaceQu", 5, quality, 0.6, 0.47),
        ("GarageType", 6, quality, 0.5, 0.055),
        ("GarageFinish", 3, quality, 0.7, 0.055),
        ("GarageQual", 5, quality, 0.3, 0.055),
        ("PavedDrive", 3, age, 0.3, 0.0),
        ("PoolQC", 3, quality, 0.5, 0.995),
        ("Fence", 4, age, 0.3, 0.8),
        ("SaleType", 9, age, 0.3, 0.0),
        ("SaleCondition", 6, age, 0.3, 0.0),
    ]
    columns = {name: values + 0.0 for name, values in numeric.items()}  # no -0.0
    for name, n_levels, latent, dependence, missing in categorical:
        columns[name] = _levels(rng, name, n_levels, latent, dependence, missing)
    X = pd.DataFrame(columns)
    score = log_price + noise(0.05)
    y = (score > np.quantile(score, 0.85)).astype(np.int64)
    return X, y


def make_table(table, quick, seed=0):
    if table == "wide":
        n_rows, n_columns = WIDE_SHAPE[quick]
        return make_wide(n_rows, n_columns, seed)
    return make_housing(HOUSING_ROWS[quick], seed)


def describe_table(table, quick):
    if table == "wide":
        n_rows, n_columns = WIDE_SHAPE[quick]
        return f"wide: {n_rows} x {n_columns} numeric, y 20% positives"
    return (
        f"housing: {HOUSING_ROWS[quick]} x 74 (36 numeric, 38 categorical), "
        "y 15% positives"
    )


# -- estimators ---------------------------------------------------------------


def estimators():
    """``{name: (class, is_resampler)}`` of every estimator sksynth exports."""
    found = {}
    for name in sksynth.__all__:
        cls = getattr(sksynth, name)
        if not inspect.isclass(cls):
            continue
        if hasattr(cls, "fit_resample"):
            found[name] = (cls, True)
        elif hasattr(cls, "sample"):
            found[name] = (cls, False)
    synthesizers = sorted(n for n, (_, r) in found.items() if not r)
    resamplers = sorted(n for n, (_, r) in found.items() if r)
    return {n: found[n] for n in synthesizers + resamplers}


def run_one(table, name, quick, seed):
    """Fit (and sample) one estimator on one table; seconds as a dict."""
    X, y = make_table(table, quick, seed)
    cls, is_resampler = estimators()[name]
    estimator = cls(random_state=0)
    start = time.perf_counter()
    if is_resampler:
        X_res, _ = estimator.fit_resample(X, y)
        return {"fit": time.perf_counter() - start, "sample": None, "rows": len(X_res)}
    estimator.fit(X)
    fitted = time.perf_counter()
    X_new = estimator.sample(X.shape[0])
    return {
        "fit": fitted - start,
        "sample": time.perf_counter() - fitted,
        "rows": len(X_new),
    }


def child(table, name, quick, seed, blas_threads, profile):
    """Entry point of the subprocess: one run, a JSON line on stdout."""
    from contextlib import nullcontext

    limits = nullcontext()
    if blas_threads:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(blas_threads)
    with limits:
        if profile:
            result = profiled(table, name, quick, seed, Path(profile))
        else:
            result = run_one(table, name, quick, seed)
    print(json.dumps(result))


def profiled(table, name, quick, seed, directory):
    """``run_one`` under pyinstrument (or cProfile), report written to a file."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{table}_{name}.txt"
    try:
        from pyinstrument import Profiler
    except ImportError:
        Profiler = None
    if Profiler is not None:
        profiler = Profiler(interval=0.005)
        profiler.start()
        result = run_one(table, name, quick, seed)
        profiler.stop()
        path.write_text(profiler.output_text(unicode=False, color=False))
        return result
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    result = profiler.runcall(run_one, table, name, quick, seed)
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(40)
    path.write_text(stream.getvalue())
    return result


def spawn(table, name, args):
    """One run in a fresh process, stopped after ``args.timeout`` seconds."""
    command = [
        sys.executable,
        __file__,
        "--child",
        table,
        name,
        "--seed",
        str(args.seed),
    ]
    if args.quick:
        command.append("--quick")
    if args.blas_threads:
        command += ["--blas-threads", str(args.blas_threads)]
    if args.profile:
        command += ["--profile", args.profile]
    try:
        out = subprocess.run(
            command, capture_output=True, text=True, timeout=args.timeout
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    if out.returncode != 0:
        lines = out.stderr.strip().splitlines() or ["(no message)"]
        return {"status": "error", "message": lines[-1]}
    return {"status": "ok", **json.loads(out.stdout.strip().splitlines()[-1])}


# -- report -------------------------------------------------------------------


def header(args):
    import imblearn
    import pandas
    import scipy
    import sklearn

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 0
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return (
        f"# bench_wide ({time.strftime('%Y-%m-%d %H:%M')}"
        f"{', quick' if args.quick else ''})\n\n"
        f"Python {platform.python_version()} | numpy {np.__version__} | scipy "
        f"{scipy.__version__} | pandas {pandas.__version__} | scikit-learn "
        f"{sklearn.__version__} | imbalanced-learn {imblearn.__version__} | "
        f"sksynth {sksynth.__version__} (git {git_commit() or 'unknown'}) | "
        f"{usable or '?'} of {os.cpu_count()} cores | BLAS threads "
        f"{args.blas_threads or 'default'} | load average {load} | time-out "
        f"{args.timeout:g} s\n"
    )


def cell(result, key, timeout):
    if result["status"] == "timeout":
        return "" if key == "sample" else f"> {timeout:g}"
    if result["status"] == "error":
        return "error"
    value = result[key]
    return "" if value is None else f"{value:.2f}"


def total(result, timeout):
    if result["status"] != "ok":
        return cell(result, "fit", timeout)
    seconds = result["fit"] + (result["sample"] or 0.0)
    flag = " **" if seconds > TARGET_SECONDS else ""
    return f"{seconds:.2f}{flag}"


def print_table(results, tables, names, timeout):
    head = "| estimator |"
    rule = "|---|"
    for table in tables:
        head += f" {table} fit s | {table} sample s | {table} total s |"
        rule += "---:|---:|---:|"
    print(head)
    print(rule)
    for name in names:
        row = f"| {name} |"
        for table in tables:
            result = results[table, name]
            row += f" {cell(result, 'fit', timeout)} |"
            row += f" {cell(result, 'sample', timeout)} | {total(result, timeout)} |"
        print(row)
    print(
        f"\nOver-samplers: `fit_resample` seconds in the fit column. ** : over the "
        f"target of {TARGET_SECONDS:g} s."
    )
    notes = [
        f"{name} on {table}: {result['message']}"
        for (table, name), result in results.items()
        if result["status"] == "error"
    ]
    if notes:
        print("\nErrors:\n" + "\n".join(f"- {note}" for note in notes))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller tables")
    parser.add_argument("--tables", nargs="+", choices=["wide", "housing"])
    parser.add_argument("--estimators", nargs="+", help="class names (default: all)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--blas-threads", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0, help="seed of the data")
    parser.add_argument("--profile", metavar="DIR", help="write a profile per run")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        table, name = args.child
        child(table, name, args.quick, args.seed, args.blas_threads, args.profile)
        return
    tables = args.tables or ["wide", "housing"]
    names = args.estimators or list(estimators())
    unknown = sorted(set(names) - set(estimators()))
    if unknown:
        parser.error(f"unknown estimators {unknown}; choose from {list(estimators())}")
    print(header(args))
    for table in tables:
        print(f"- {describe_table(table, args.quick)}")
    print()
    results = {}
    for table in tables:
        for name in names:
            log(f"{table}: {name} ...")
            results[table, name] = spawn(table, name, args)
            log(f"    {results[table, name]}")
    print_table(results, tables, names, args.timeout)
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"\nload average at end: {load}")


if __name__ == "__main__":
    main()
