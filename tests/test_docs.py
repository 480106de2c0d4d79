"""The install lines of the README and the documentation pages agree (issue 15).

sksynth is installed from a clone of its repository, not from a package index.
The README's two set-up commands are the reference: every page that shows the
install for the demo or for the tests shows the same line, a user install is
``pip install ".[pandas,plot]"`` and the other extras are installed editable
(``pip install -e ".[docs]"``), each extra one that pyproject.toml defines.
"""

import re
import shlex
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject needs Python 3.11")

ROOT = Path(__file__).resolve().parents[1]
DEMO_LINE = 'pip install ".[pandas,plot]" && python -m sksynth demo'
TEST_LINE = 'pip install -e ".[test,dask]" && python -m pytest'
USER_INSTALL = ".[pandas,plot]"
# A line that runs one of these after its install must be the README's line.
REFERENCE_LINES = {"python -m sksynth demo": DEMO_LINE, "python -m pytest": TEST_LINE}
GENERATED = ("_build", "auto_examples", "generated")


def _pages():
    """README.md and the documentation's own .rst pages."""
    pages = [ROOT / "README.md"]
    for path in sorted((ROOT / "docs").rglob("*.rst")):
        if not set(GENERATED) & set(path.relative_to(ROOT / "docs").parts):
            pages.append(path)
    return pages


def _install_lines(path):
    """``(line number, command)`` of every ``pip install`` on the page, up to
    the end of its inline literal or of its line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        (number, match.group(0).strip())
        for number, line in enumerate(lines, start=1)
        for match in re.finditer(r"pip install[^`\n]*", line)
    ]


def _extras():
    with open(ROOT / "pyproject.toml", "rb") as file:
        return set(tomllib.load(file)["project"]["optional-dependencies"])


def _problems(command, extras):
    """What is wrong with one install command, as a list of texts."""
    for after, reference in REFERENCE_LINES.items():
        if after in command and command != reference:
            return [f"differs from the README's {reference!r}"]
    words = shlex.split(command, comments=True)
    install = words[2 : words.index("&&")] if "&&" in words else words[2:]
    editable = "-e" in install
    problems = []
    for target in (word for word in install if not word.startswith("-")):
        if re.match(r"sksynth\b", target):
            problems.append(
                f"installs {target!r} from a package index; sksynth installs "
                f"from a clone: {USER_INSTALL!r}"
            )
        if not target.startswith("."):
            continue  # another project's package
        names = re.fullmatch(r"\.(?:\[(.*)\])?", target)
        named = names.group(1).split(",") if names and names.group(1) else []
        problems += [
            f"extra {name!r} is not in pyproject.toml"
            for name in named
            if name not in extras
        ]
        if not editable and target != USER_INSTALL:
            problems.append(
                f"a user install is {USER_INSTALL!r}, other extras '-e \".[x]\"'"
            )
    return problems


def test_readme_set_up_commands_are_the_reference():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    set_up = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)\n```", set_up, flags=re.DOTALL)
    assert blocks == [DEMO_LINE, TEST_LINE]


def test_ci_runs_the_readme_test_command():
    assert TEST_LINE in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", _pages(), ids=lambda path: str(path.relative_to(ROOT)))
def test_install_lines_agree_with_the_readme(page):
    extras = _extras()
    problems = [
        f"{page.relative_to(ROOT)}:{number}: {command!r} {problem}"
        for number, command in _install_lines(page)
        for problem in _problems(command, extras)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    "command, problem",
    [
        ('pip install ".[pandas]" && python -m sksynth demo', "differs from"),
        ('pip install "sksynth[plot]"', "from a package index"),
        ("pip install sksynth", "from a package index"),
        ('pip install ".[pandas]"', "a user install is"),
        ('pip install -e ".[plots]"', "extra 'plots' is not in pyproject"),
    ],
)
def test_install_line_problems_are_found(command, problem):
    assert any(problem in text for text in _problems(command, _extras()))


@pytest.mark.parametrize(
    "command",
    [DEMO_LINE, TEST_LINE, 'pip install ".[pandas,plot]"', 'pip install -e ".[docs]"'],
)
def test_reference_install_lines_pass(command):
    assert _problems(command, _extras()) == []


def test_command_line_reference_names_every_option():
    from sksynth._cli_reference import option_strings, reference_rst

    reference = reference_rst()
    for command, options in option_strings().items():
        assert f"``sksynth {command}``" in reference
        for option in options:
            assert f"``{option}" in reference, (command, option)
    # The usage blocks (indented, not table rows) wrap at 72 characters, but
    # for one token argparse cannot break (the list of commands, 78).
    usage = [
        line
        for line in reference.splitlines()
        if line.startswith("   ") and not line.lstrip().startswith(("*", "-", ":"))
    ]
    assert usage and max(len(line) for line in usage) <= 80


def test_command_line_page_includes_the_generated_reference():
    page = (ROOT / "docs" / "user_guide" / "command_line.rst").read_text("utf-8")
    assert ".. include:: ../generated/cli_reference.rst" in page
    conf = (ROOT / "docs" / "conf.py").read_text("utf-8")
    assert "reference_rst()" in conf


def _pages_with_examples():
    """User guide pages whose examples are doctests (``>>>``)."""
    return [
        path
        for path in sorted((ROOT / "docs" / "user_guide").glob("*.rst"))
        if "\n>>> " in path.read_text(encoding="utf-8")
    ]


@pytest.mark.parametrize(
    "page", _pages_with_examples(), ids=lambda path: str(path.relative_to(ROOT))
)
def test_user_guide_examples_print_what_the_page_shows(page):
    """The printed output on a page is the output of its code, as in the
    docstrings' examples."""
    import doctest

    pytest.importorskip("pandas")
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS,
        raise_on_error=False,
        report=True,
    )
    assert result.attempted > 0
    assert result.failed == 0, f"{result.failed} examples of {page.name} differ"


@pytest.fixture(scope="module")
def demo_printout():
    """The lines ``python -m sksynth demo`` prints (figures aside)."""
    import contextlib
    import io

    pytest.importorskip("pandas")
    from sksynth.__main__ import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["demo", "--figures", ""]) == 0
    return out.getvalue().splitlines()


def _shown_demo_lines(text, fence):
    """The lines of the demo's printout a page shows: those of its text
    blocks (``fence`` opens one), but for the times, which vary, and the
    figures' line, which the test's demo (``--figures ''``) does not print."""
    if fence == "```text":
        blocks = re.findall(r"```text\n(.*?)\n```", text, flags=re.DOTALL)
        lines = [line for block in blocks for line in block.splitlines()]
    else:
        blocks = re.findall(
            r"\.\. code-block:: text\n\n(.*?)(?=\n\S|\Z)", text, re.DOTALL
        )
        lines = [line[3:] for block in blocks for line in block.splitlines()]
    skipped = ("fit: ", "Figures written to ")
    return [line for line in lines if line.strip() and not line.startswith(skipped)]


@pytest.mark.parametrize(
    "page, fence",
    [("README.md", "```text"), ("docs/getting_started.rst", ".. code-block:: text")],
)
def test_demo_printout_shown_is_the_demo_s(demo_printout, page, fence):
    shown = _shown_demo_lines((ROOT / page).read_text(encoding="utf-8"), fence)
    assert len(shown) >= 8
    missing = [line for line in shown if line.rstrip() not in demo_printout]
    assert not missing, f"{page} shows lines the demo does not print: {missing}"
