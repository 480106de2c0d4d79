"""Rules in JSON files: saved to read and edit, loaded back as rules."""

import json
import os
from pathlib import Path

from ._rules import _RULES, Constraint, Predicate, _parameters, rule_from_dict


def save_constraints(rules, path):
    """Write rules to a JSON file a user can read, edit and load back.

    The file holds a list with one object per rule, as
    :meth:`Constraint.to_dict` gives it (``{"rule": "Inequality", "low":
    "start", "high": "end", "strict": false}``). A
    :class:`FixedCombinations` rule is saved by its columns only: the
    combinations it allows are learnt again from the rows it is fitted on.

    Parameters
    ----------
    rules : list of Constraint
        The rules, such as those :func:`detect_constraints` returns.
    path : str or path-like
        The file to write (overwritten).

    Returns
    -------
    path : Path
        The file written.

    Raises
    ------
    TypeError
        When a rule is a :class:`Predicate` (a Python function, which JSON
        cannot store) or not a rule.

    See Also
    --------
    load_constraints : The rules of such a file.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sksynth.constraints import (
    ...     Inequality, Formula, load_constraints, save_constraints
    ... )
    >>> path = Path(tempfile.mkdtemp()) / "rules.json"
    >>> _ = save_constraints(
    ...     [Inequality("start", "end"), Formula("total", "price + fee")], path
    ... )
    >>> print(path.read_text())
    [
      {
        "rule": "Inequality",
        "low": "start",
        "high": "end",
        "strict": false
      },
      {
        "rule": "Formula",
        "column": "total",
        "expression": "price + fee"
      }
    ]
    >>> load_constraints(path)
    [start <= end, total = price + fee]
    """
    entries = [_entry(rule, i) for i, rule in enumerate(_as_list(rules))]
    path = Path(path)
    path.write_text(_dumps(entries) + "\n", encoding="utf-8")
    return path


def _dumps(entries):
    """JSON of a list of rules' dicts: one parameter a line, lists of columns
    on their line."""
    blocks = []
    for entry in entries:
        lines = [
            f"    {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
            for key, value in entry.items()
        ]
        blocks.append("  {\n" + ",\n".join(lines) + "\n  }")
    return "[\n" + ",\n".join(blocks) + "\n]" if blocks else "[]"


def _as_list(rules):
    if isinstance(rules, Constraint):
        return [rules]
    if isinstance(rules, str | bytes | dict) or not hasattr(rules, "__iter__"):
        raise TypeError(
            f"rules must be a list of rules of sksynth.constraints; got "
            f"{type(rules).__name__}."
        )
    return list(rules)


def _entry(rule, i):
    """The JSON-ready dict of ``rule``, the ``i``-th of the list."""
    if isinstance(rule, Predicate):
        raise TypeError(
            f"Rule {i} ('{rule}') is a Predicate: it holds a Python function, "
            "which a JSON file cannot store. Keep it in code and save the other "
            "rules."
        )
    if not isinstance(rule, Constraint):
        raise TypeError(
            f"Rule {i} is a {type(rule).__name__}, not a rule; save the rules of "
            "sksynth.constraints (Inequality, Range, FixedCombinations, Formula, "
            "Implication)."
        )
    return rule.to_dict()


def load_constraints(path_or_list):
    """The rules of a JSON file written by :func:`save_constraints`.

    Parameters
    ----------
    path_or_list : str, path-like or list of dict
        A JSON file holding a list of rules, each an object ``{"rule": name,
        ...}`` with that rule's parameters (as :meth:`Constraint.to_dict`
        gives them), or such a list itself. Rules in the list are kept as
        they are.

    Returns
    -------
    rules : list of Constraint
        The rules, in the order of the file, ready for any synthesizer's or
        over-sampler's ``constraints``.

    Raises
    ------
    ValueError
        When the file is not a JSON list of rules; the message names the
        entry (counted from 0) and what is wrong with it.

    See Also
    --------
    save_constraints : Write rules to such a file.

    Examples
    --------
    >>> from sksynth.constraints import load_constraints
    >>> load_constraints([
    ...     {"rule": "Inequality", "low": "built", "high": "remodelled"},
    ...     {"rule": "FixedCombinations", "columns": ["education", "education_num"]},
    ... ])
    [built <= remodelled, fixed combinations of education, education_num]
    """
    if isinstance(path_or_list, str | os.PathLike):
        source = f"'{path_or_list}'"
        entries = _read_json(path_or_list)
        what = f"{source} must hold"
    else:
        source = "the list"
        entries = path_or_list
        what = "path_or_list must be a JSON file of rules or"
    if not isinstance(entries, list | tuple):
        raise ValueError(
            f"{what} a list of rules, such as "
            '[{"rule": "Inequality", "low": "start", "high": "end"}]; got '
            f"{type(entries).__name__}."
        )
    return [_rule(entry, i, source) for i, entry in enumerate(entries)]


def _read_json(path):
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No file of rules at '{path}'.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(
            f"'{path}' is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}."
        ) from None
    except UnicodeDecodeError:
        raise ValueError(f"'{path}' is not a UTF-8 text file of rules.") from None


def _rule(entry, i, source):
    """The rule of the ``i``-th ``entry`` of ``source``."""
    if isinstance(entry, Constraint):
        return entry
    where = f"Entry {i} of {source}"
    if not isinstance(entry, dict):
        raise ValueError(
            f"{where} is {entry!r}, not a rule: write each rule as an object "
            '{"rule": name, ...} with its parameters.'
        )
    name = entry.get("rule")
    if not isinstance(name, str):
        raise ValueError(
            f"{where} is {entry!r}, not a rule: its 'rule' must be one of "
            f"{sorted(_RULES)}."
        )
    if name in _RULES:
        parameters = list(_parameters(_RULES[name]))
        unknown = sorted(set(entry) - {"rule", *parameters}, key=str)
        if unknown:
            raise ValueError(
                f"{where} ({entry['rule']}) has unknown parameter(s) {unknown}; "
                f"its parameters are {parameters}."
            )
    try:
        rule = rule_from_dict(entry)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{where}: {error}") from None
    strict = entry.get("strict", False)
    if not isinstance(strict, bool):
        raise ValueError(
            f"{where} ({entry['rule']}): 'strict' must be true or false; got "
            f"{strict!r}."
        )
    return rule
