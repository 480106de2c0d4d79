"""Rules every synthetic row keeps: stated, detected from the data, enforced.

Pass rules to any synthesizer or over-sampler as ``constraints=[...]`` (or
``constraints="auto"`` to use those :func:`detect_constraints` finds); each
rule is enforced exactly (by a transform of the table the model learns, by
moving a column to its bound in the drawn rows that break an inequality, or
by setting an implication's value), a :class:`Predicate`, a
:class:`MutuallyExclusive` rule and a rule whose enforcement would clash with
another's by rejection.
:func:`save_constraints` and :func:`load_constraints` keep rules in JSON
files a user can read and edit.
"""

from ._detect import detect_constraints
from ._io import load_constraints, save_constraints
from ._rules import (
    Constraint,
    FixedCombinations,
    Formula,
    Implication,
    Inequality,
    MutuallyExclusive,
    Predicate,
    Range,
    rule_from_dict,
)

__all__ = [
    "Constraint",
    "FixedCombinations",
    "Formula",
    "Implication",
    "Inequality",
    "MutuallyExclusive",
    "Predicate",
    "Range",
    "detect_constraints",
    "load_constraints",
    "rule_from_dict",
    "save_constraints",
]
