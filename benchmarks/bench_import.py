"""Benchmark of import time: what ``import sksynth`` and the command line cost.

Every command runs in a fresh Python process (``sys.executable``, with the
environment of this script, so ``PYTHONPATH`` chooses which sksynth is timed)
and its wall time is taken with ``time.perf_counter`` around the whole process.
The commands are interleaved: each round runs every command once, in an order
rotated from round to round, after one untimed warm-up round (bytecode caches,
file cache). The table gives, over ``--repeat`` rounds (default 15), the median
and the minimum wall time, the median CPU time (user + system, from
``resource.getrusage``; less sensitive than wall time to other work on the
machine) and the ratios of the medians to the baseline's:

- ``import sklearn.base, scipy.stats``: the baseline, what any sksynth
  synthesizer needs anyway;
- ``import sksynth``;
- ``import sksynth.over_sampling`` (the resamplers, which need imbalanced-learn);
- ``import sksynth.metrics``;
- ``python -m sksynth --help``.

Target: ``import sksynth`` at most 1.3x the baseline's wall time. One more,
untimed, run of each command lists which of the heavy packages that sksynth
should not need at import time (pytest, imbalanced-learn, sklearn-compat,
scikit-learn's test utilities, matplotlib, pandas) it loaded. scikit-learn
itself imports pandas when pandas is installed, so pandas shows up in the
baseline too. The script asserts nothing.

Run from the repository root (see ``benchmarks/README.md``)::

    python benchmarks/bench_import.py
    python benchmarks/bench_import.py --repeat 31
    PYTHONPATH=. python benchmarks/bench_import.py   # this checkout's sksynth
"""

import argparse
import datetime
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

BASELINE = "import sklearn.base, scipy.stats"
COMMANDS = {
    BASELINE: ["-c", BASELINE],
    "import sksynth": ["-c", "import sksynth"],
    "import sksynth.over_sampling": ["-c", "import sksynth.over_sampling"],
    "import sksynth.metrics": ["-c", "import sksynth.metrics"],
    "sksynth --help": ["-m", "sksynth", "--help"],
}
HEAVY = (
    "pytest",
    "imblearn",
    "sklearn_compat",
    "sklearn.utils._testing",
    "matplotlib",
    "pandas",
)
# Runs a command in this process and prints, last, the heavy modules it loaded.
PROBE = (
    f"heavy = {HEAVY!r}\n"
    + """
import runpy, sys
args = sys.argv[1:]
try:
    if args[0] == "-c":
        exec(args[1], {"__name__": "__main__"})
    else:
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
except SystemExit:
    pass
print("\\nLOADED:" + ",".join(m for m in heavy if m in sys.modules))
"""
)


def _children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_once(args):
    """Wall and CPU seconds of one fresh interpreter running ``args``."""
    cpu_start = _children_cpu_seconds()
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - start, _children_cpu_seconds() - cpu_start


def loaded_heavy_modules(args):
    """The modules of ``HEAVY`` that running ``args`` loads."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        check=True,
        capture_output=True,
        text=True,
    )
    last_line = result.stdout.rstrip().splitlines()[-1]
    names = last_line.removeprefix("LOADED:")
    return names.replace(",", ", ") or "none"


def time_commands(repeat):
    """Wall and CPU seconds per command over ``repeat`` interleaved rounds."""
    labels = list(COMMANDS)
    for label in labels:
        run_once(COMMANDS[label])
    wall = {label: [] for label in labels}
    cpu = {label: [] for label in labels}
    for round_index in range(repeat):
        shift = round_index % len(labels)
        for label in labels[shift:] + labels[:shift]:
            wall_seconds, cpu_seconds = run_once(COMMANDS[label])
            wall[label].append(wall_seconds)
            cpu[label].append(cpu_seconds)
        print(f"round {round_index + 1}/{repeat}", file=sys.stderr)
    return wall, cpu


def header():
    """One line with the date, the versions, the cores and the load average."""
    probe = (
        "import numpy, scipy, sklearn, sksynth;"
        "print(numpy.__version__, scipy.__version__, sklearn.__version__,"
        " sksynth.__version__, sksynth.__file__)"
    )
    versions = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.split()
    numpy_version, scipy_version, sklearn_version, sksynth_version, path = versions
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}, Python "
        f"{platform.python_version()}, numpy {numpy_version}, scipy "
        f"{scipy_version}, scikit-learn {sklearn_version}, sksynth "
        f"{sksynth_version} ({os.path.dirname(path)}), {os.cpu_count()} cores, "
        f"load average {load}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=15, help="timed rounds (default 15)"
    )
    args = parser.parse_args()

    print(header())
    print()
    wall, cpu = time_commands(args.repeat)
    loaded = {label: loaded_heavy_modules(COMMANDS[label]) for label in COMMANDS}
    wall_baseline = statistics.median(wall[BASELINE])
    cpu_baseline = statistics.median(cpu[BASELINE])
    print(
        f"Seconds of a fresh process, {args.repeat} interleaved rounds: wall "
        "median and min, CPU (user + system) median; x baseline = median over "
        "the baseline's median."
    )
    print()
    print(
        "| command | wall median s | wall min s | x baseline (wall) "
        "| CPU median s | x baseline (CPU) | heavy modules loaded |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for label in COMMANDS:
        wall_median = statistics.median(wall[label])
        cpu_median = statistics.median(cpu[label])
        print(
            f"| `{label}` | {wall_median:.3f} | {min(wall[label]):.3f} | "
            f"{wall_median / wall_baseline:.2f} | {cpu_median:.3f} | "
            f"{cpu_median / cpu_baseline:.2f} | {loaded[label]} |"
        )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print()
    print(f"Load average at the end: {load}")


if __name__ == "__main__":
    main()
