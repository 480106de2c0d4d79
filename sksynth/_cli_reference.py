"""The command line reference of the documentation, written from the parser of
the ``sksynth`` command, so that it cannot drift from what the command takes."""

import argparse
import os
import textwrap

from ._cli import build_parser


def _commands(parser):
    """The subcommands of ``parser``: ``{name: (subparser, one-line help)}``."""
    action = next(
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    )
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    return {name: (sub, helps.get(name)) for name, sub in action.choices.items()}


def _flags(action):
    if not action.option_strings:
        return f"``{action.metavar or action.dest}``"
    metavar = ""
    if action.nargs != 0:
        if action.metavar is None and action.choices is not None:
            metavar = " {" + ",".join(map(str, action.choices)) + "}"
        else:
            metavar = " " + (action.metavar or action.dest.upper())
    return ", ".join(f"``{flag}{metavar}``" for flag in action.option_strings)


def _help(action):
    text = (action.help or "").replace("%(default)s", str(action.default))
    text = text.replace("%%", "%")
    # Characters reStructuredText reads as markup outside literals.
    for character in "*|":
        text = text.replace(character, "\\" + character)
    return " ".join(text.split()) or "-"


def reference_rst(width=72):
    """reStructuredText of every command of ``sksynth``: its use (wrapped at
    ``width`` characters, as ``--help`` wraps at the terminal's width), what
    it does, and a table of its arguments and options."""
    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(width + 2)  # argparse wraps at COLUMNS - 2
    try:
        return _reference(build_parser())
    finally:
        if previous is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = previous


def _reference(parser):
    lines = [
        ".. This file is written by docs/conf.py from sksynth's argument parser.",
        "",
        ".. code-block:: text",
        "",
        textwrap.indent(parser.format_usage().strip(), "   "),
        "",
    ]
    for name, (sub, summary) in _commands(parser).items():
        title = f"``sksynth {name}``"
        lines += [title, "-" * len(title), ""]
        if summary:
            lines += [" ".join(summary.split()), ""]
        # The usage without its "usage: " prefix, continuation lines aligned.
        first, *rest = sub.format_usage().strip().splitlines()
        usage = "\n".join([first[len("usage: ") :], *(r[7:] for r in rest)])
        lines += [".. code-block:: text", "", textwrap.indent(usage, "   "), ""]
        if sub.description:
            lines += [" ".join(sub.description.split()), ""]
        rows = [a for a in sub._actions if not isinstance(a, argparse._HelpAction)]
        lines += [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 35 65",
            "",
            "   * - argument",
            "     - meaning",
        ]
        for action in rows:
            lines += [f"   * - {_flags(action)}", f"     - {_help(action)}"]
        lines.append("")
    return "\n".join(lines)


def option_strings():
    """Every option and positional argument of every command, as the
    reference names them (for the tests)."""
    found = {}
    for name, (sub, _) in _commands(build_parser()).items():
        found[name] = [
            flag
            for action in sub._actions
            if not isinstance(action, argparse._HelpAction)
            for flag in (action.option_strings or [action.metavar or action.dest])
        ]
    return found
