"""
=========================================================
Margins and dependence of a Gaussian copula synthesizer
=========================================================

This example fits :class:`~sksynth.GaussianCopulaSynthesizer` on
scikit-learn's breast cancer data (569 tumours described by 30 numeric
measurements), looks at the margin it chose for some columns, and compares
real and synthetic rows: histograms of single columns, a scatter plot of two
correlated columns, and two fidelity scores from :mod:`sksynth.metrics`.
"""

# %%
# Fit the synthesizer
# -------------------
# The synthesizer takes the DataFrame as it is. Each column gets a margin
# chosen by held-out likelihood among parametric families and a smoothed
# empirical distribution; the dependence between columns is a Gaussian
# copula on their normal scores.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_breast_cancer

from sksynth import GaussianCopulaSynthesizer
from sksynth.metrics import correlation_similarity, ks_complement

X = load_breast_cancer(as_frame=True).data
synth = GaussianCopulaSynthesizer(random_state=0).fit(X)
X_synth = synth.sample(len(X))
print(f"{X.shape[0]} real rows, {X_synth.shape[0]} synthetic rows")

# %%
# The chosen margins
# ------------------
# ``marginals_`` describes the margin of every column. Most measurements are
# positive and right-skewed, and a lognormal or gamma distribution describes
# them; ``mean concavity`` also has a spike at 0 (tumours with no concavity),
# kept as a point mass (``atoms``); the fractal dimension, which no family
# describes well enough, gets the kernel-smoothed empirical margin.

columns = ["mean area", "mean concavity", "mean fractal dimension"]
for column in ["mean radius", "mean smoothness", *columns]:
    print(f"{column:>24}: {synth.marginals_[column]}")

# %%
# Real and synthetic margins
# --------------------------
# Histograms of the real and synthetic values of three columns, on the same
# bins: the synthetic columns follow the real ones, skew and spike included.

fig, axes = plt.subplots(1, 3, figsize=(12, 3.5), layout="constrained")
for ax, column in zip(axes, columns):
    bins = np.histogram_bin_edges(X[column], bins=30)
    ax.hist(X[column], bins=bins, density=True, alpha=0.5, label="real")
    ax.hist(X_synth[column], bins=bins, density=True, alpha=0.5, label="synthetic")
    ax.set_title(column)
axes[0].set_ylabel("density")
axes[0].legend()
plt.show()

# %%
# Dependence between two columns
# ------------------------------
# Larger tumours tend to have more concave points. The synthetic rows keep
# that relation, a little more loosely: compare the correlations in the
# titles.

x_column, y_column = "mean radius", "mean concave points"
fig, axes = plt.subplots(
    1, 2, figsize=(10, 4), sharex=True, sharey=True, layout="constrained"
)
for ax, data, title in zip(axes, [X, X_synth], ["real", "synthetic"]):
    ax.scatter(data[x_column], data[y_column], s=8, alpha=0.5)
    r = data[x_column].corr(data[y_column])
    ax.set_title(f"{title} (correlation {r:.2f})")
    ax.set_xlabel(x_column)
axes[0].set_ylabel(y_column)
plt.show()

# %%
# Fidelity scores
# ---------------
# :func:`~sksynth.metrics.ks_complement` is one minus the Kolmogorov-Smirnov
# distance of each column, averaged; :func:`~sksynth.metrics.correlation_similarity`
# compares the correlations of all pairs of columns. Both are 1 for identical
# tables.

print(f"KS complement:          {ks_complement(X, X_synth):.3f}")
print(f"Correlation similarity: {correlation_similarity(X, X_synth):.3f}")

ks_by_column = ks_complement(X, X_synth, aggregate=False)
worst = sorted(ks_by_column, key=ks_by_column.get)[:3]
print("Columns with the lowest KS complement:")
for column in worst:
    print(f"  {column:>24}: {ks_by_column[column]:.3f}")
