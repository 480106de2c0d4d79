"""Progress lines of long steps, printed when an estimator's ``verbose`` asks.

Every estimator and ``evaluate_synthetic`` print through :class:`Progress`, one
line per step once it is done: ``[GaussianCopulaSynthesizer] correlation
18 x 18 ... 0.41 s``, on standard output (as scikit-learn's ``verbose``), so
that ``contextlib.redirect_stdout`` moves them elsewhere (the command line
sends them to stderr).
"""

import time
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np

# Steps open around the current line (a class model around its margins): a
# line nested ``depth`` steps deep prints at ``verbose >= level + depth``, so
# ``verbose=1`` shows one line per class model and ``verbose=2`` what each
# did, indented.
_depth = ContextVar("sksynth_progress_depth", default=0)

# Rows from which ``sample`` reports its time at ``verbose=1`` (smaller draws
# at ``verbose=2``).
LARGE_DRAW = 100_000


class Progress:
    """Time the steps of one call and print ``[name] step ... 1.23 s``.

    Parameters
    ----------
    name : str
        Name in brackets at the start of each line: the estimator's class.
    verbose : int
        Lines of ``level`` print when ``verbose >= level`` (plus one per
        enclosing step); 0 prints nothing.
    """

    def __init__(self, name, verbose):
        self.name = name
        self.verbose = verbose
        self._last = time.perf_counter()

    @classmethod
    def of(cls, estimator):
        """Progress of ``estimator``, at its ``verbose`` (0 without one)."""
        return cls(type(estimator).__name__, getattr(estimator, "verbose", 0) or 0)

    def shows(self, level=1):
        """Whether a line of ``level`` prints here."""
        return self.verbose >= level + _depth.get()

    def lap(self, message, level=1):
        """Print ``message`` with the time since the last line (or since this
        object was made). A callable ``message`` is called only to print."""
        now = time.perf_counter()
        if self.shows(level):
            self._print(message() if callable(message) else message, now - self._last)
        self._last = now

    @contextmanager
    def step(self, message, level=1):
        """Time the block, then print its line (not when it raises).

        Yields an object whose ``message`` the block may change, to report
        what it found. Lines printed inside the block are nested one level
        deeper.
        """
        line = _Line(message)
        start = time.perf_counter()
        token = _depth.set(_depth.get() + 1)
        try:
            yield line
        finally:
            _depth.reset(token)
        now = time.perf_counter()
        if self.shows(level):
            self._print(line.message, now - start)
        self._last = now

    def _print(self, message, seconds):
        indent = "  " * _depth.get()
        print(f"[{self.name}] {indent}{message} ... {seconds:.2f} s", flush=True)


class _Line:
    def __init__(self, message):
        self.message = message


def describe_columns(columns):
    """``"14 columns (6 categorical, 1 identifier)"`` for column specs."""
    kinds = {}
    for column in columns:
        kinds[column.kind] = kinds.get(column.kind, 0) + 1
    detail = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    return f"{len(columns)} columns ({detail})"


def describe_label(label):
    """A class label as a line shows it: ``'<=50K'``, ``1``, ``True``."""
    if isinstance(label, np.generic):
        label = label.item()
    return repr(label)


def describe_class(label, n_rows, n_new):
    """``"class '>50K': 984 rows, 2032 new"``: a class an over-sampler grows."""
    return f"class {describe_label(label)}: {n_rows} rows, {n_new} new"
