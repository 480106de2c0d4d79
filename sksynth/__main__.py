"""Command line of sksynth: ``python -m sksynth demo``."""

import argparse
import sys
import time


def _demo(args):
    """Fit a synthesizer on a bundled data set and report how close it is."""
    import numpy as np
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from . import GaussianCopulaSynthesizer
    from .metrics import correlation_similarity, ks_complement

    data = load_breast_cancer(as_frame=args.frame)
    X, y = data.data, data.target
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=1 / 3, stratify=y, random_state=args.random_state
    )
    n_rows, n_columns = X.shape
    print(
        "sksynth demo: GaussianCopulaSynthesizer on scikit-learn's breast cancer "
        f"data ({n_rows} rows x {n_columns} columns + a binary target)."
    )
    print(f"Train on {len(X_train)} real rows, hold out {len(X_test)} real rows.\n")

    synthesizer = GaussianCopulaSynthesizer(random_state=args.random_state)
    start = time.perf_counter()
    synthesizer.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    n_samples = args.n_samples or len(X_train)
    start = time.perf_counter()
    X_synth, y_synth = synthesizer.sample(n_samples)
    sample_time = time.perf_counter() - start
    print(f"fit: {fit_time:.2f} s    sample {n_samples} rows: {sample_time:.2f} s")

    margins = synthesizer.marginals_[synthesizer.classes_[0]]
    print(f"\nMargins chosen for class {synthesizer.classes_[0]} (first 5 columns):")
    for name, description in list(margins.items())[:5]:
        print(f"  {str(name):<24} {description}")

    print("\nFidelity to the training rows (1 = identical distributions)")
    print(f"  {'metric':<40}{'synthetic':>10}{'held-out real':>15}")
    rows = [
        ("KS complement (mean over columns)", ks_complement),
        ("correlation similarity (mean over pairs)", correlation_similarity),
    ]
    for label, metric in rows:
        synthetic_score = metric(X_train, X_synth)
        ceiling = metric(X_train, X_test)
        print(f"  {label:<40}{synthetic_score:>10.3f}{ceiling:>15.3f}")

    def held_out_auc(X_fit, y_fit):
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        model.fit(X_fit, y_fit)
        return roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])

    print("\nUtility: logistic regression, ROC AUC on the held-out real rows")
    print(f"  trained on real rows (TRTR)       {held_out_auc(X_train, y_train):.3f}")
    print(f"  trained on synthetic rows (TSTR)  {held_out_auc(X_synth, y_synth):.3f}")

    class_shares = np.unique(np.asarray(y_synth), return_counts=True)[1] / n_samples
    real_shares = np.unique(np.asarray(y_train), return_counts=True)[1] / len(y_train)
    print(
        f"\nClass shares: real {np.round(real_shares, 3).tolist()}, "
        f"synthetic {np.round(class_shares, 3).tolist()}"
    )
    if args.frame:
        print("\nFirst synthetic rows:")
        print(X_synth.iloc[:5, :6].round(3).to_string())
    return 0


def main(argv=None):
    """Entry point of the ``sksynth`` command."""
    parser = argparse.ArgumentParser(
        prog="sksynth", description="Synthetic tabular data the scikit-learn way."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="fit a synthesizer on a bundled data set and report on it"
    )
    demo.add_argument("-n", "--n-samples", type=int, default=None)
    demo.add_argument("--random-state", type=int, default=0)
    demo.add_argument(
        "--no-frame",
        dest="frame",
        action="store_false",
        help="use numpy arrays instead of pandas DataFrames",
    )
    args = parser.parse_args(argv)
    if args.frame:
        try:
            import pandas  # noqa: F401
        except ImportError:
            args.frame = False
    return _demo(args)


if __name__ == "__main__":
    sys.exit(main())
