"""Out-of-core fit and parallel sampling of sksynth on tables bigger than memory.

Three parts, each printed as a markdown table:

1. **Fit out of core.** A seeded table of N rows x 20 columns (20,000,000;
   1,000,000 with ``--quick``) is written as Parquet files (500,000 rows each;
   100,000 with ``--quick``), generated file by file, never whole in memory:
   12 continuous columns (3 normal, 3 lognormal, 3 gamma-like, 3 with a spike
   at zero) correlated through a latent Gaussian with a random correlation
   matrix, 4 integer columns (counts, ages, ratings 0-10, incomes), 3
   categorical columns of 5, 20 and 50 levels (Zipf-like shares), 1 boolean,
   and missing values in three columns. ``GaussianCopulaSynthesizer`` is
   fitted three ways, each in a fresh process:

   - ``fit(dd.read_parquet(folder))`` on a ``distributed.LocalCluster`` of 2
     worker processes, 1 thread each;
   - ``partial_fit`` on the files read one by one in sorted order
     (``pandas.read_parquet``);
   - the in-memory ``fit`` on 1,000,000 rows of the same generator.

   Wall time, and the peak resident memory (RSS, polled with psutil every
   0.05 s from a thread of the driver) of the driver (which also runs the
   scheduler) and of each worker; "base" is the RSS just before the fit.
   Quality: each model samples as many rows as a real holdout (100,000;
   20,000 with ``--quick``) and is scored against it with ``sksynth.metrics``
   (KS complement of the numeric columns, TV complement of the categorical
   ones, pair correlations, missing shares, and the detection AUC of a
   gradient-boosting classifier, 3 folds); a second real sample of the
   generator in place of the synthetic rows gives the noise floor.
2. **Sampling to Parquet.** ``sksynth.dask.sample(synth, M, npartitions=P)
   .to_parquet(folder)`` with M = 100,000,000 (5,000,000 with ``--quick``) and
   P = M / 1,000,000, on a LocalCluster of 1 and of 2 worker processes (1
   thread each), against ``synth.sample`` in chunks of 1,000,000 rows written
   one file per chunk by pandas in this process.
3. **The physical limit.** Random numbers of the same dtypes (float64,
   int64, the same categories, bool) written the same way: in one process,
   and through ``dd.from_map`` on 2 worker processes. sksynth's sampling
   throughput is given as a share of it.

Data go to a temporary folder (``--tmp``, default the system's), removed at
the end. BLAS threads are set to ``--threads`` (default 1) in every process.
Progress goes to stderr, the tables to stdout. Asserts nothing.

Run from the repository root::

    python benchmarks/bench_scale.py --quick        # about 4 minutes on 2 cores
    python benchmarks/bench_scale.py                # about 40 minutes on 2 cores
    python benchmarks/bench_scale.py --rows 5000000 --sample-rows 20000000
    python benchmarks/bench_scale.py --parts fit    # only part 1
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
if __name__ == "__main__":
    # Before numpy is imported, so that its pools obey (workers inherit it).
    _threads = "1"
    for _i, _arg in enumerate(sys.argv):
        if _arg == "--threads" and _i + 1 < len(sys.argv):
            _threads = sys.argv[_i + 1]
    for _name in THREAD_VARIABLES:
        os.environ.setdefault(_name, _threads)

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

SIZES = {
    # rows of the table, rows per file, in-memory fit rows, holdout rows,
    # sampled rows (M)
    False: {
        "rows": 20_000_000,
        "file_rows": 500_000,
        "memory_rows": 1_000_000,
        "holdout": 100_000,
        "sample_rows": 100_000_000,
    },
    True: {
        "rows": 1_000_000,
        "file_rows": 100_000,
        "memory_rows": 1_000_000,
        "holdout": 20_000,
        "sample_rows": 5_000_000,
    },
}
CHUNK_ROWS = 1_000_000
GENERATION_ROWS = 500_000
WORKER_MEMORY_LIMIT = "3GiB"
TARGET_GIB = 1.0
SEED_TABLE, SEED_MEMORY, SEED_HOLDOUT, SEED_REAL = 0, 1, 2, 3


def log(message):
    """Progress on stderr, so that stdout holds the tables only."""
    stamp = time.strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


# -- the generator ---------------------------------------------------------------

N_COLUMNS = 20
_ZIPF = {k: 1.0 / np.arange(1, k + 1) ** 1.1 for k in (5, 20, 50)}


def _cholesky(seed=0):
    """Cholesky factor of a random correlation matrix (4 factors + noise)."""
    rng = np.random.default_rng(seed)
    loadings = rng.normal(size=(N_COLUMNS, 4))
    cov = loadings @ loadings.T + np.diag(rng.uniform(0.5, 3.0, N_COLUMNS))
    scale = np.sqrt(np.diag(cov))
    return np.linalg.cholesky(cov / np.outer(scale, scale))


_FACTOR = _cholesky()


def _categories(n_levels):
    return [f"l{n_levels}_{k:02d}" for k in range(n_levels)]


def _cuts(n_levels):
    """Cuts of a standard normal giving Zipf-like shares to the levels."""
    from scipy.special import ndtri

    shares = _ZIPF[n_levels] / _ZIPF[n_levels].sum()
    return ndtri(np.cumsum(shares)[:-1])


def make_chunk(seed, index, n_rows):
    """Rows of chunk ``index`` of the table of seed ``seed``, as a DataFrame:
    the same for the same arguments, in any process."""
    from scipy.special import ndtr

    rng = np.random.default_rng([seed, index])
    z = rng.standard_normal((n_rows, N_COLUMNS)) @ _FACTOR.T
    columns = {}
    # Normal, lognormal, gamma-like (Wilson-Hilferty), spike at zero.
    for j, (loc, scale) in enumerate([(50, 10), (-3, 0.5), (1000, 200)]):
        columns[f"normal_{j}"] = loc + scale * z[:, j]
    for j, sigma in enumerate([0.5, 1.0, 1.5]):
        columns[f"lognormal_{j}"] = np.exp(1.0 + sigma * z[:, 3 + j])
    for j, shape in enumerate([1.5, 3.0, 8.0]):
        c = 1.0 / (9.0 * shape)
        columns[f"gamma_{j}"] = (
            shape * np.maximum(1.0 - c + np.sqrt(c) * z[:, 6 + j], 0.0) ** 3
        )
    for j, zero in enumerate([0.3, 0.5, 0.7]):
        latent = z[:, 9 + j]
        cut = _normal_quantile(zero)
        amount = np.round(np.exp(3.0 + 0.5 * latent), 2)
        columns[f"spike_{j}"] = np.where(latent < cut, 0.0, amount)
    # Integers: counts, ages, ratings, incomes.
    columns["count"] = np.floor(np.exp(1.0 + 0.6 * z[:, 12])).astype(np.int64)
    columns["age"] = np.clip(np.round(40 + 12 * z[:, 13]), 18, 90).astype(np.int64)
    columns["rating"] = np.round(10 * ndtr(z[:, 14])).astype(np.int64)
    columns["income"] = np.round(np.exp(10.0 + 0.6 * z[:, 15])).astype(np.int64)
    # Categories and a flag.
    for j, n_levels in enumerate([5, 20, 50]):
        codes = np.searchsorted(_cuts(n_levels), z[:, 16 + j])
        if n_levels == 20:
            codes[rng.random(n_rows) < 0.02] = -1
        columns[f"cat_{n_levels}"] = pd.Categorical.from_codes(
            codes, categories=_categories(n_levels)
        )
    columns["flag"] = z[:, 19] > 0.5
    frame = pd.DataFrame(columns)
    # Missing values.
    for name, share in [("normal_1", 0.05), ("lognormal_2", 0.10)]:
        frame.loc[rng.random(n_rows) < share, name] = np.nan
    return frame


def _normal_quantile(p):
    from scipy.special import ndtri

    return float(ndtri(p))


def make_table(seed, n_rows):
    """``n_rows`` rows of the table of seed ``seed``, in memory."""
    chunks = []
    for i, start in enumerate(range(0, n_rows, GENERATION_ROWS)):
        chunks.append(make_chunk(seed, i, min(GENERATION_ROWS, n_rows - start)))
    return pd.concat(chunks, ignore_index=True)


def write_table(folder, n_rows, file_rows):
    """The table of seed ``SEED_TABLE`` as Parquet files, one chunk at a time."""
    folder.mkdir(parents=True)
    n_files = -(-n_rows // file_rows)
    for i in range(n_files):
        rows = min(file_rows, n_rows - i * file_rows)
        make_chunk(SEED_TABLE, i, rows).to_parquet(
            folder / f"part-{i:05d}.parquet", index=False
        )
    return n_files


# -- memory ------------------------------------------------------------------------


class PeakRSS:
    """Polls the RSS of processes from a thread; keeps each one's peak."""

    def __init__(self, pids, interval=0.05):
        import psutil

        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.base = {name: p.memory_info().rss for name, p in self.processes.items()}
        self.peak = dict(self.base)
        self._cpu_start = {name: self._cpu(p) for name, p in self.processes.items()}
        self.cpu = {}
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.poll()
            self._stop.wait(self.interval)

    def poll(self):
        for name, process in self.processes.items():
            try:
                rss = process.memory_info().rss
            except Exception:  # the process ended
                continue
            self.peak[name] = max(self.peak[name], rss)

    def __enter__(self):
        self._thread.start()
        return self

    @staticmethod
    def _cpu(process):
        times = process.cpu_times()
        return times.user + times.system

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.poll()
        for name, process in self.processes.items():
            try:
                self.cpu[name] = self._cpu(process) - self._cpu_start[name]
            except Exception:
                self.cpu[name] = float("nan")


def _gib(n_bytes):
    return n_bytes / 2**30


# -- part 1: the fits, each in a fresh process ---------------------------------


def child_fit(step, folder, work, memory_rows):
    """One fit in this process; writes ``work/<step>.json`` and the model."""
    import pickle

    from sksynth import GaussianCopulaSynthesizer

    result = {"step": step}
    synth = GaussianCopulaSynthesizer(random_state=0)
    files = sorted(Path(folder).glob("*.parquet"))
    if step == "dask":
        import dask.dataframe as dd
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                memory_limit=WORKER_MEMORY_LIMIT,
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            workers = client.run(os.getpid)
            pids = {"driver": os.getpid()}
            for k, pid in enumerate(sorted(workers.values())):
                pids[f"worker {k + 1}"] = pid
            X = dd.read_parquet(str(folder))
            result["npartitions"] = X.npartitions
            with PeakRSS(pids) as rss:
                start = time.perf_counter()
                synth.fit(X)
                result["wall"] = time.perf_counter() - start
    elif step == "partial":
        with PeakRSS({"driver": os.getpid()}) as rss:
            start = time.perf_counter()
            read = 0.0
            for path in files:
                tick = time.perf_counter()
                chunk = pd.read_parquet(path)
                read += time.perf_counter() - tick
                synth.partial_fit(chunk)
                del chunk
            result["wall"] = time.perf_counter() - start
            result["read"] = read
        result["npartitions"] = len(files)
    else:  # in memory
        X = make_table(SEED_MEMORY, memory_rows)
        result["npartitions"] = 1
        with PeakRSS({"driver": os.getpid()}) as rss:
            start = time.perf_counter()
            synth.fit(X)
            result["wall"] = time.perf_counter() - start
        result["table"] = X.memory_usage(deep=True).sum()
    result["base"] = rss.base
    result["peak"] = rss.peak
    result["cpu"] = sum(rss.cpu.values())
    result["rows"] = int(synth.n_samples_fit_)
    result["load"] = os.getloadavg()[0]
    with open(work / f"{step}.pkl", "wb") as f:
        pickle.dump(synth, f)
    result["pickle"] = (work / f"{step}.pkl").stat().st_size
    (work / f"{step}.json").write_text(json.dumps(result, default=float))


def run_child(step, folder, work, memory_rows, threads):
    command = [
        sys.executable,
        __file__,
        "--child",
        step,
        "--folder",
        str(folder),
        "--work",
        str(work),
        "--memory-rows",
        str(memory_rows),
        "--threads",
        str(threads),
    ]
    done = subprocess.run(command, stdout=sys.stderr)
    if done.returncode:
        return {"step": step, "error": f"exit code {done.returncode}"}
    return json.loads((work / f"{step}.json").read_text())


def quality(real, synthetic, seed=0):
    """Fidelity and detection scores of ``synthetic`` against ``real``."""
    from sksynth.metrics import (
        correlation_similarity,
        detection_auc,
        ks_complement,
        missing_similarity,
        tv_complement,
    )

    start = time.perf_counter()
    scores = {
        "KS compl.": ks_complement(real, synthetic),
        "TV compl.": tv_complement(real, synthetic),
        "corr. (Pearson)": correlation_similarity(real, synthetic),
        "corr. (Spearman)": correlation_similarity(real, synthetic, method="spearman"),
        "missing": missing_similarity(real, synthetic),
        "detection AUC": detection_auc(
            real, synthetic, cv=3, max_samples=None, random_state=seed
        ),
    }
    log(f"  scored in {time.perf_counter() - start:.0f} s")
    return scores


def part_fit(args, sizes, tmp):
    import pickle

    folder = tmp / "table"
    log(f"writing {sizes['rows']:,} rows in files of {sizes['file_rows']:,} ...")
    start = time.perf_counter()
    n_files = write_table(folder, sizes["rows"], sizes["file_rows"])
    written = sum(p.stat().st_size for p in folder.iterdir())
    seconds = time.perf_counter() - start
    log(f"  {n_files} files, {_gib(written):.2f} GiB, {seconds:.0f} s")
    steps = {
        "dask": f"`fit(dd.read_parquet)`, 2 workers, {sizes['rows']:,} rows",
        "partial": f"`partial_fit` x {n_files} files, {sizes['rows']:,} rows",
        "memory": f"in-memory `fit`, {sizes['memory_rows']:,} rows",
    }
    if args.skip_partial:
        del steps["partial"]
    results = {}
    for step in steps:
        log(f"fit: {step} ...")
        results[step] = run_child(step, folder, tmp, sizes["memory_rows"], args.threads)
        log(f"  {results[step]}")

    print(
        f"\n## 1. Fit out of core: {sizes['rows']:,} rows x {N_COLUMNS} columns "
        f"in {n_files} Parquet files ({_gib(written):.2f} GiB)\n"
    )
    print(
        "| fit | partitions | wall s | rows/s | CPU s (cores busy) "
        "| driver base / peak GiB | workers base / peak GiB | model pickle MiB "
        "| load |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|")
    for step, label in steps.items():
        r = results[step]
        if "error" in r:
            print(f"| {label} | | {r['error']} | | | | | | |")
            continue
        base, peak = r["base"], r["peak"]
        workers = [k for k in peak if k.startswith("worker")]
        worker_text = (
            ", ".join(
                f"{_gib(base[k]):.2f} / {_gib(peak[k]):.2f}" for k in sorted(workers)
            )
            or "-"
        )
        extra = f" (reading {r['read']:.0f} s)" if "read" in r else ""
        print(
            f"| {label} | {r['npartitions']} | {r['wall']:.1f}{extra} "
            f"| {r['rows'] / r['wall']:,.0f} "
            f"| {r['cpu']:.0f} ({r['cpu'] / r['wall']:.2f}) "
            f"| {_gib(base['driver']):.2f} / {_gib(peak['driver']):.2f} "
            f"| {worker_text} | {r['pickle'] / 2**20:.1f} | {r['load']:.1f} |"
        )
    print(
        f"\nWorkers: `LocalCluster(n_workers=2, threads_per_worker=1, "
        f"memory_limit='{WORKER_MEMORY_LIMIT}')`; the driver also runs the "
        f"scheduler. base: RSS before the fit; peak: largest RSS polled during "
        f"it. Target: peak <= {TARGET_GIB:.0f} GiB in every process. CPU s: user + "
        "system seconds of the driver and workers during the fit (cores busy = "
        "CPU s / wall). load: 1-minute load average at the end (other work "
        "shares the 2 cores)."
    )
    if "memory" in results and "table" in results["memory"]:
        print(
            f"In-memory table: {_gib(results['memory']['table']):.2f} GiB "
            "(pandas, deep)."
        )

    log(f"quality: holdout of {sizes['holdout']:,} rows ...")
    holdout = make_table(SEED_HOLDOUT, sizes["holdout"])
    rows = {"real (another sample)": make_table(SEED_REAL, sizes["holdout"])}
    for step, label in steps.items():
        if "error" in results[step]:
            continue
        with open(tmp / f"{step}.pkl", "rb") as f:
            synth = pickle.load(f)
        rows[label] = synth.sample(sizes["holdout"], random_state=0)
    scores = {}
    for label, table in rows.items():
        log(f"  scoring {label} ...")
        scores[label] = quality(holdout, table)
    names = list(next(iter(scores.values())))
    print(
        f"\n### Quality against a real holdout of {sizes['holdout']:,} rows "
        f"({sizes['holdout']:,} rows of each)\n"
    )
    print("| rows | " + " | ".join(names) + " |")
    print("|---|" + "---:|" * len(names))
    for label, values in scores.items():
        print(f"| {label} | " + " | ".join(f"{values[n]:.4f}" for n in names) + " |")
    print(
        "\nKS / TV compl.: mean over numeric / categorical columns; corr.: "
        "mean pair agreement `1 - |r_real - r_synth| / 2`; missing: agreement "
        "of missing shares; detection AUC: `detection_auc` (gradient boosting, "
        "3 folds, every row; 0.5 = indistinguishable)."
    )
    shutil.rmtree(folder)
    with open(tmp / "dask.pkl", "rb") as f:
        return pickle.load(f)


# -- parts 2 and 3: sampling to Parquet -----------------------------------------


def _folder_bytes(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def _random_like(example, n_rows, seed):
    """Random rows with the dtypes (and categories) of ``example``."""
    rng = np.random.default_rng(seed)
    columns = {}
    for name, dtype in example.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            k = len(dtype.categories)
            columns[name] = pd.Categorical.from_codes(
                rng.integers(0, k, n_rows), dtype=dtype
            )
        elif dtype.kind == "f":
            columns[name] = rng.standard_normal(n_rows).astype(dtype)
        elif dtype.kind in "iu":
            columns[name] = rng.integers(0, 100_000, n_rows).astype(dtype)
        elif dtype.kind == "b":
            columns[name] = rng.random(n_rows) < 0.5
        else:
            raise TypeError(f"no random draw for column {name!r} of dtype {dtype}")
    return pd.DataFrame(columns)


def _cluster(n_workers):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        memory_limit=WORKER_MEMORY_LIMIT,
        dashboard_address=None,
    )
    return cluster, Client(cluster)


def _timed(function, folder, pids):
    with PeakRSS(pids, interval=0.5) as rss:
        start = time.perf_counter()
        function(folder)
        wall = time.perf_counter() - start
    size = _folder_bytes(folder)
    shutil.rmtree(folder)
    return wall, size, sum(rss.cpu.values()), os.getloadavg()[0]


def part_sample(args, sizes, tmp, synth):
    import dask.dataframe as dd

    import sksynth.dask

    n = sizes["sample_rows"]
    example = synth.sample(1000, random_state=0)
    # Disk: the largest output is held at a time.
    probe = tmp / "probe.parquet"
    synth.sample(100_000, random_state=0).to_parquet(probe, index=False)
    per_row = probe.stat().st_size / 100_000
    probe.unlink()
    free = shutil.disk_usage(tmp).free
    note = ""
    if per_row * n * 1.3 > free:
        reduced = int(free / (per_row * 1.3) // CHUNK_ROWS * CHUNK_ROWS)
        note = (
            f"Disk: {_gib(free):.0f} GiB free for {_gib(per_row * n):.0f} GiB of "
            f"output; M reduced from {n:,} to {reduced:,}."
        )
        log(note)
        n = reduced
    n_parts = max(1, n // CHUNK_ROWS)
    log(f"sampling {n:,} rows in {n_parts} partitions ({per_row:.0f} B/row) ...")

    def in_memory(folder):
        folder.mkdir()
        for i in range(n_parts):
            rows = CHUNK_ROWS if i < n_parts - 1 else n - CHUNK_ROWS * (n_parts - 1)
            synth.sample(rows).to_parquet(folder / f"part-{i:05d}.parquet", index=False)

    def random_one(folder):
        folder.mkdir()
        for i in range(n_parts):
            _random_like(example, n // n_parts, i).to_parquet(
                folder / f"part-{i:05d}.parquet", index=False
            )

    def with_dask(folder):
        rows = sksynth.dask.sample(synth, n, npartitions=n_parts, random_state=0)
        rows.to_parquet(str(folder), write_index=False)

    def random_dask(folder):
        rows = dd.from_map(
            _random_like,
            [example] * n_parts,
            [n // n_parts] * n_parts,
            list(range(n_parts)),
            meta=example.iloc[:0],
        )
        rows.to_parquet(str(folder), write_index=False)

    results = {}
    for label, function, workers in [
        ("sksynth, `synth.sample` + pandas, 1 process", in_memory, 0),
        ("sksynth, `sksynth.dask.sample`, 1 worker", with_dask, 1),
        ("sksynth, `sksynth.dask.sample`, 2 workers", with_dask, 2),
        ("random numbers + pandas, 1 process", random_one, 0),
        ("random numbers, `dd.from_map`, 2 workers", random_dask, 2),
    ]:
        log(f"  {label} ...")
        pids = {"driver": os.getpid()}
        if workers:
            cluster, client = _cluster(workers)
            try:
                pids.update(client.run(os.getpid))
                results[label] = _timed(function, tmp / "out", pids)
            finally:
                client.close()
                cluster.close()
        else:
            results[label] = _timed(function, tmp / "out", pids)
        wall, size = results[label][:2]
        log(f"    {wall:.1f} s, {n / wall:,.0f} rows/s, {_gib(size):.2f} GiB")

    labels = list(results)
    rate = {label: n / results[label][0] for label in labels}
    limit_1, limit_2 = rate[labels[3]], rate[labels[4]]
    print(
        f"\n## 2-3. Sampling {n:,} rows x {example.shape[1]} columns to Parquet "
        f"({n_parts} files of {n // n_parts:,} rows)\n"
    )
    if note:
        print(note + "\n")
    print(
        "| writer | wall s | rows/s | GiB written | speed-up vs 1 | share of limit "
        "| CPU s (cores busy) | load |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for k, label in enumerate(labels):
        wall, size, cpu, load = results[label]
        if k in (0, 1, 3):
            speed = "1.00"
        elif k == 2:
            speed = f"{rate[label] / rate[labels[1]]:.2f} (vs 1 worker)"
        else:
            speed = f"{rate[label] / limit_1:.2f}"
        limit = limit_1 if k in (0, 1, 3) else limit_2
        print(
            f"| {label} | {wall:.1f} | {rate[label]:,.0f} | {_gib(size):.2f} "
            f"| {speed} | {rate[label] / limit:.0%} | {cpu:.0f} ({cpu / wall:.2f}) "
            f"| {load:.1f} |"
        )
    print(
        f"\nshare of limit: rows/s as a share of the random-number writer with "
        f"as many processes (1: {limit_1:,.0f} rows/s, 2: {limit_2:,.0f} rows/s). "
        "Workers: `LocalCluster(processes=True, threads_per_worker=1)`. "
        "`sksynth.dask.sample(..., random_state=0).to_parquet(folder, "
        "write_index=False)`. CPU s: user + system seconds of this process and "
        "the workers during the run (cores busy = CPU s / wall; below the "
        "number of processes when other work holds the cores or the disk is "
        "waited for). load: 1-minute load average at the end of the run."
    )


# -- main ----------------------------------------------------------------------------


def _version(module):
    try:
        return __import__(module).__version__
    except (ImportError, AttributeError):
        try:
            from importlib.metadata import version

            return version(module)
        except Exception:
            return "?"


def environment():
    import psutil

    import sksynth

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _report import git_commit

    versions = ", ".join(
        f"{m} {_version(m)}"
        for m in ("dask", "distributed", "numpy", "pandas", "pyarrow", "fastdigest")
    )
    commit = git_commit()
    return (
        f"sksynth {sksynth.__version__}" + (f" (git {commit})" if commit else "")
        + f", {versions}, python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs, {_gib(psutil.virtual_memory().total):.0f} GiB RAM; "
        f"BLAS threads {os.environ.get('OMP_NUM_THREADS')}; load average "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="about 4 minutes")
    parser.add_argument("--rows", type=int, help="rows of the fitted table")
    parser.add_argument("--sample-rows", type=int, help="rows sampled (M)")
    parser.add_argument("--parts", nargs="+", default=["fit", "sample"])
    parser.add_argument("--skip-partial", action="store_true")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads")
    parser.add_argument("--tmp", type=Path, default=None, help="temporary folder")
    # A fit in a fresh process (internal).
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--memory-rows", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_fit(args.child, args.folder, args.work, args.memory_rows)
        return 0

    sizes = dict(SIZES[args.quick])
    if args.rows:
        sizes["rows"] = args.rows
    if args.sample_rows:
        sizes["sample_rows"] = args.sample_rows
    mode = "quick" if args.quick else "full"
    start = time.perf_counter()
    print(f"# sksynth at scale ({mode})\n")
    print(environment())
    tmp = Path(tempfile.mkdtemp(prefix="sksynth-scale-", dir=args.tmp))
    free = shutil.disk_usage(tmp).free
    print(f"\nTemporary folder on a disk with {_gib(free):.0f} GiB free.")
    try:
        synth = None
        if "fit" in args.parts:
            synth = part_fit(args, sizes, tmp)
        if "sample" in args.parts:
            if synth is None:
                from sksynth import GaussianCopulaSynthesizer

                synth = GaussianCopulaSynthesizer(random_state=0).fit(
                    make_table(SEED_MEMORY, 200_000)
                )
            part_sample(args, sizes, tmp, synth)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"\nWall time {(time.perf_counter() - start) / 60:.1f} min; load average "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
