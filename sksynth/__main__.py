"""Command line of sksynth: ``python -m sksynth demo``."""

import argparse
import sys
import time

_TARGET = "diagnosis"


def _with_target(X, y):
    """The table with its target as the last column."""
    if hasattr(X, "assign"):
        return X.assign(**{_TARGET: y.to_numpy()})
    import numpy as np

    return np.column_stack([X, y])


def _save_figures(X_train, X_synth, X_test, args):
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("\n(Install the plot extra, pip install 'sksynth[plot]', for figures.)")
        return
    from .metrics import save_figures

    paths = save_figures(
        X_train, X_synth, args.figures, holdout=X_test, random_state=args.random_state
    )
    print(f"\nFigures written to {args.figures}/: " + ", ".join(p.name for p in paths))


def _demo(args):
    """Fit a synthesizer on a bundled data set and report how close it is."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split

    from . import GaussianCopulaSynthesizer
    from .metrics import evaluate_synthetic

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

    print(
        "\nHow close the synthetic rows are to the training rows, beside the same "
        "figure for real held-out rows (what perfect looks like):\n"
    )
    report = evaluate_synthetic(
        _with_target(X_train, y_train),
        _with_target(X_synth, y_synth),
        holdout=_with_target(X_test, y_test),
        target=_TARGET if args.frame else X_train.shape[1],
        random_state=args.random_state,
    )
    print(report)
    if args.figures:
        _save_figures(X_train, X_synth, X_test, args)
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
        "--figures",
        default="sksynth-demo-figures",
        help="folder for the comparison figures (needs matplotlib); '' for none",
    )
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
