"""Helpers shared by the benchmark scripts' reports."""

import subprocess
from pathlib import Path

#: The repository holding the benchmarks (and, installed editable, sksynth).
ROOT = Path(__file__).resolve().parents[1]


def git_commit(root=ROOT):
    """Short commit of the checkout at ``root``, with "+dirty" when tracked
    files under ``sksynth/`` have local changes; None outside a git checkout."""

    def git(*arguments):
        return subprocess.run(
            ["git", "-C", str(root), *arguments],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no", "sksynth")
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+dirty" if dirty else "")
