"""Command line of sksynth: ``python -m sksynth {demo,fit-sample,sample,...}``.

The commands live in :mod:`sksynth._cli`; ``main`` stays importable from here
for the ``sksynth`` console script.
"""

import sys

from ._cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
