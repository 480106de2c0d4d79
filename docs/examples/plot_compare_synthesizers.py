"""
==========================================
Comparing synthesizers on a real table
==========================================

sksynth has four synthesizers, built on different statistics:

- :class:`~sksynth.GaussianCopulaSynthesizer`: a fitted distribution per
  column and a Gaussian copula for the dependence;
- :class:`~sksynth.KDESynthesizer`: a kernel density estimate, each new row a
  perturbed training row;
- :class:`~sksynth.TreeSynthesizer`: columns drawn one after another from the
  leaves of decision trees;
- :class:`~sksynth.MixtureSynthesizer`: a mixture of many simple groups of
  rows (latent classes).

This example fits each on half of scikit-learn's breast cancer data (with its
target), samples as many rows, and compares them with
:func:`~sksynth.metrics.evaluate_synthetic` against the other half: fidelity
of the columns and of their pairs, whether gradient boosting can tell
synthetic rows from real ones, how a model trained on synthetic rows scores on
real ones (TSTR against TRTR), and how close synthetic rows come to the
training rows (DCR share, 0.5 is ideal).
"""

# %%
# Data
# ----
# 569 tumours, 30 numeric measurements and a binary target (malignant or
# benign), split into two halves of equal size.

import time

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from sksynth import (
    GaussianCopulaSynthesizer,
    KDESynthesizer,
    MixtureSynthesizer,
    TreeSynthesizer,
)
from sksynth.metrics import evaluate_synthetic

frame = load_breast_cancer(as_frame=True).frame
train, holdout = train_test_split(
    frame, test_size=0.5, stratify=frame["target"], random_state=0
)
X, y = train.drop(columns="target"), train["target"]
print(f"train: {train.shape}, holdout: {holdout.shape}")

# %%
# Fit, sample, evaluate
# ---------------------
# Each synthesizer is fitted on ``(X, y)`` and samples as many rows as it saw.
# The report puts the real-holdout ceiling beside each figure: the same
# metric between the training half and the holdout half.

synthesizers = {
    "copula": GaussianCopulaSynthesizer(random_state=0),
    "kde": KDESynthesizer(random_state=0),
    "tree": TreeSynthesizer(random_state=0),
    "mixture": MixtureSynthesizer(random_state=0),
}
samples, rows = {}, {}
for name, synthesizer in synthesizers.items():
    start = time.perf_counter()
    X_synth, y_synth = synthesizer.fit(X, y).sample(len(train))
    seconds = time.perf_counter() - start
    samples[name] = X_synth.assign(target=y_synth)
    report = evaluate_synthetic(
        train,
        samples[name],
        holdout=holdout,
        target="target",
        scoring="roc_auc",
        random_state=0,
    )
    rows[name] = {key: report[key]["synthetic"] for key in report}
    rows[name]["seconds"] = seconds
rows["real holdout"] = {key: report[key]["real_holdout"] for key in report}
results = pd.DataFrame.from_dict(rows, orient="index")
columns = ["ks_complement", "detection_auc", "tstr", "dcr_share", "seconds"]
print(results[columns].round(3))

# %%
# How to read the table:
#
# - ``ks_complement`` is 1 when every column has its real distribution;
# - ``detection_auc`` is 0.5 when gradient boosting cannot tell synthetic rows
#   from real ones;
# - ``tstr`` is the ROC AUC on the real holdout of a model trained on the
#   synthetic rows; the "real holdout" row holds the same model trained on
#   the real training rows (TRTR), the ceiling;
# - ``dcr_share`` is the share of synthetic rows closer to a training row than
#   to a holdout row: 0.5 when the synthesizer learnt the distribution rather
#   than the rows.

fig, axes = plt.subplots(1, 3, figsize=(11, 3.2), layout="constrained")
for ax, (key, title, ideal) in zip(
    axes,
    [
        ("detection_auc", "detection AUC (0.5 best)", 0.5),
        ("tstr", "TSTR ROC AUC (TRTR dashed)", results.loc["real holdout", "tstr"]),
        ("dcr_share", "DCR share (0.5 best)", 0.5),
    ],
    strict=True,
):
    values = results.drop(index="real holdout")[key]
    ax.bar(values.index, values, color="tab:blue")
    ax.axhline(ideal, color="black", linestyle="--", linewidth=1)
    ax.set_title(title)
    ax.set_ylim(min(values.min(), ideal) - 0.05, max(values.max(), ideal) + 0.05)
plt.show()

# %%
# Two columns, real and synthetic
# -------------------------------
# Radius and concavity of the tumours: a curved, class-dependent cloud. Each
# panel overlays the synthetic rows (orange) on the training rows (blue).

fig, axes = plt.subplots(
    1, 4, figsize=(12, 3.2), sharex=True, sharey=True, layout="constrained"
)
for ax, (name, sample) in zip(axes, samples.items(), strict=True):
    ax.scatter(train["mean radius"], train["mean concavity"], s=4, alpha=0.5)
    ax.scatter(sample["mean radius"], sample["mean concavity"], s=4, alpha=0.5)
    ax.set_title(name)
    ax.set_xlabel("mean radius")
axes[0].set_ylabel("mean concavity")
plt.show()
