"""
=====================================================
A table in Parquet files, fitted and sampled on Dask
=====================================================

A table too big for one process usually lives in a folder of Parquet files,
one per month or per export. This example writes such a folder (the Adult
census table, 48,842 people, grown to 400,000 rows with a ``month`` column
and sorted by it, so each file holds one stretch of the year), then, on a
local Dask cluster of two workers:

1. fits :class:`~sksynth.GaussianCopulaSynthesizer` on the files without
   ever collecting them (``synth.fit(dask_frame)``: three passes over the
   partitions on the workers; the margins come from statistics of every
   row, the dependence from a uniform sample);
2. fits the same synthesizer file by file with ``partial_fit``, as a job that
   receives one file at a time would;
3. draws 1,000,000 synthetic rows in parallel into a new Parquet folder with
   :func:`sksynth.dask.sample`: one seeded stream per partition, so the
   files depend on the seed and the number of partitions only.

The same code runs on a real cluster: replace ``LocalCluster(...)`` by the
address of its scheduler, ``Client("tcp://scheduler:8786")`` (see the
:ref:`big-data` guide).
"""

# %%
# A folder of Parquet files
# -------------------------
# Each of the 8 files holds 50,000 rows of Adult, drawn with replacement and
# given a month; the files are sorted by month, as exports usually are.

import tempfile
import time
from pathlib import Path

import dask
import dask.dataframe as dd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from distributed import Client, LocalCluster

import sksynth.dask
from sksynth import GaussianCopulaSynthesizer
from sksynth.datasets import load_adult

adult = load_adult().frame
rng = np.random.RandomState(0)
folder = Path(tempfile.mkdtemp()) / "adult"
folder.mkdir()
for part in range(8):
    rows = adult.sample(50_000, replace=True, random_state=rng)
    rows = rows.assign(month=part + 1).reset_index(drop=True)
    rows.to_parquet(folder / f"part-{part:02d}.parquet")
print(sorted(p.name for p in folder.iterdir()))

# %%
# Fit on the cluster
# ------------------
# ``dd.read_parquet`` reads nothing yet; ``fit`` runs its passes on the
# workers, each partition's result merged in a fixed tree, and only the
# statistics and a sample of at most 200,000 rows per class reach this
# process. ``verbose=1`` prints each pass with its time. (The workers are
# threads of this process here, so that the example runs anywhere; a script
# run as ``python script.py`` starts them as processes, the default, under
# ``if __name__ == "__main__":``.)

cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
)
client = Client(cluster)
table = dd.read_parquet(folder)
X, y = table.drop(columns="income"), table["income"]
start = time.perf_counter()
synth = GaussianCopulaSynthesizer(random_state=0, verbose=1).fit(X, y)
print(f"fit on the cluster: {time.perf_counter() - start:.1f} s")
print("rows:", synth.n_samples_fit_, "class shares:", synth.class_prior_.round(3))

# %%
# The same table, one file at a time
# ----------------------------------
# ``partial_fit`` sees each file once, in month order. Its model is that of
# all rows: the class shares are exact, and the sample it keeps for the
# dependence is uniform over all files, not the last ones.

chunked = GaussianCopulaSynthesizer(random_state=0)
start = time.perf_counter()
for path in sorted(folder.iterdir()):
    part = pd.read_parquet(path)
    chunked.partial_fit(part.drop(columns="income"), part["income"])
print(f"partial_fit over 8 files: {time.perf_counter() - start:.1f} s")
print("class shares:", chunked.class_prior_.round(3))

# %%
# A million synthetic rows to Parquet, in parallel
# ------------------------------------------------
# :func:`sksynth.dask.sample` returns a lazy Dask DataFrame (and Series for
# the target) whose 4 partitions are drawn on the workers.

X_new, y_new = sksynth.dask.sample(synth, 1_000_000, npartitions=4, random_state=0)
out = folder.parent / "synthetic"
start = time.perf_counter()
X_new.assign(income=y_new).to_parquet(out)
print(f"1,000,000 rows written in {time.perf_counter() - start:.1f} s")
print(sorted(p.name for p in out.iterdir()))

# %%
# Same seed, same partitions, same rows: on the cluster or in one thread.

head = X_new.partitions[0].head(3)
with dask.config.set(scheduler="synchronous"):
    again = sksynth.dask.sample(synth, 1_000_000, npartitions=4, random_state=0)
    print(head.equals(again[0].partitions[0].head(3)))
print(head)

# %%
# Real and synthetic rows
# -----------------------
# The synthetic rows read back from the folder, against the real table: two
# margins, and the share of high incomes by years of education (a
# dependence the copula learnt from its sample of rows).

columns = ["age", "hours_per_week", "education_num", "income"]
synthetic = dd.read_parquet(out, columns=columns).head(200_000, npartitions=-1)
real = dd.read_parquet(folder, columns=columns).compute()
fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), layout="constrained")
for ax, column in zip(axes[:2], ["age", "hours_per_week"], strict=True):
    bins = np.arange(real[column].min(), real[column].max() + 2, 3) - 0.5
    for data, label in ((real, "real"), (synthetic, "synthetic")):
        ax.hist(data[column], bins=bins, density=True, histtype="step", label=label)
    ax.set_xlabel(column)
    ax.set_ylabel("density")
axes[0].legend()
for data, label in ((real, "real"), (synthetic, "synthetic")):
    share = (data["income"] == ">50K").groupby(data["education_num"]).mean()
    axes[2].plot(share.index, share.to_numpy(), marker="o", label=label)
axes[2].set_xlabel("education_num (years)")
axes[2].set_ylabel("share with income >50K")
fig.suptitle("400,000 real rows in 8 files, 1,000,000 synthetic rows in 4")

client.close()
cluster.close()
