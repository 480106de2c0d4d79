"""Rules every synthetic row keeps: stated, detected from the data, enforced.

Pass rules to any synthesizer or over-sampler as ``constraints=[...]`` (or
``constraints="auto"`` to use those :func:`detect_constraints` finds); each
rule with a transform is enforced exactly, the others by rejection.
"""

from ._detect import detect_constraints
from ._rules import (
    Constraint,
    FixedCombinations,
    Formula,
    Implication,
    Inequality,
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
    "Predicate",
    "Range",
    "detect_constraints",
    "rule_from_dict",
]
