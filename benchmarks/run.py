"""Run the sksynth benchmark suite and write its results table and figures.

One entry point for the two benchmarks:

1. ``bench_synthesizers.py``: every sksynth synthesizer, and SDV's Gaussian
   copula, CTGAN and TVAE when ``sdv`` is installed, on the public data sets
   (speed, fidelity, detection, TSTR / TRTR, DCR share);
2. ``bench_oversampling.py``: sksynth's resamplers against imbalanced-learn's
   samplers (run as a subprocess, with ``--quick`` in quick mode).

It writes into ``--out`` (default ``benchmarks/results/<date>/``, or
``<date>-quick/`` with ``--quick``; git-ignored):
``results.md`` (a header with the date, the versions and the machine, then the
tables), ``results.rst`` (the same, for the documentation), ``results.csv``
(the synthesizer figures), ``oversampling.md`` (that script's output) and the
figures ``synthesizers_*.png``. ``--update-docs`` also copies ``results.rst``
into ``docs/benchmarks.rst``.

Run from the repository root::

    python benchmarks/run.py --quick                 # a few minutes
    python benchmarks/run.py                         # under an hour on 2 cores
    python benchmarks/run.py --out /tmp/bench --epochs 100 --threads 2
    python benchmarks/run.py --quick --update-docs   # refresh the docs' table
    python benchmarks/run.py --datasets adult --oversampling skip
    python benchmarks/run.py --combine DIR1 DIR2 --update-docs  # merge runs

All methods run with ``--threads`` BLAS / OpenMP / torch threads (default 1),
so that timings compare methods rather than thread pools under contention.
"""

import argparse
import datetime
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from _report import git_commit  # benchmarks/ is on sys.path

BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
DOCS_PAGE = ROOT / "docs" / "benchmarks.rst"
DOCS_START = ".. benchmark-results-start"
DOCS_END = ".. benchmark-results-end"
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def log(message):
    print(message, file=sys.stderr, flush=True)


# -- the machine and the versions ---------------------------------------------


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(module):
    try:
        return __import__(module).__version__
    except ImportError:
        return None


def environment(threads):
    """Date, versions and machine, as (label, value) pairs."""
    import sksynth

    versions = [
        f"sksynth {sksynth.__version__}"
        + (f" (git {commit})" if (commit := git_commit()) else ""),
        f"python {platform.python_version()}",
    ]
    for module, label in (
        ("numpy", "numpy"),
        ("scipy", "scipy"),
        ("pandas", "pandas"),
        ("sklearn", "scikit-learn"),
        ("imblearn", "imbalanced-learn"),
        ("sdv", "SDV"),
        ("torch", "torch"),
    ):
        version = _version(module)
        versions.append(f"{label} {version or 'not installed'}")
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    try:
        import psutil

        memory = f", {psutil.virtual_memory().total / 2**30:.0f} GiB RAM"
    except ImportError:
        memory = ""
    machine = (
        f"{_cpu_model()}, {cores} of {os.cpu_count()} cores usable{memory}, "
        f"{platform.system()} {platform.release()}"
    )
    return [
        (
            "date",
            datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        ),
        ("versions", ", ".join(versions)),
        ("machine", machine),
        ("threads", f"{threads} (BLAS, OpenMP and torch, every method)"),
    ]


def _load():
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


# -- markdown and reStructuredText ---------------------------------------------


def _rst_text(text):
    """Markdown inline text as reStructuredText: `code` -> ``code``, and the
    characters reStructuredText gives a meaning to escaped elsewhere."""
    parts = text.split("`")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"``{part}``" if part else "")
        else:
            part = part.replace("\\", "\\\\")
            for char in "*|_":
                part = part.replace(char, "\\" + char)
            out.append(part)
    return "".join(out)


def _rst_table(rows):
    """A markdown pipe table (list of lines) as a ``csv-table``."""
    cells = [[c.strip() for c in line.strip().strip("|").split("|")] for line in rows]
    cells = [row for row in cells if not all(set(c) <= set(":-") for c in row)]
    lines = [".. csv-table::", "   :header-rows: 1", ""]
    for row in cells:
        texts = ["\u2013" if c in ("", "-") else _rst_text(c) for c in row]
        quoted = ", ".join('"' + text.replace('"', '""') + '"' for text in texts)
        lines.append("   " + quoted)
    return lines


def markdown_to_rst(text, heading_chars="~^"):
    """Convert the markdown written by the benchmarks to reStructuredText.

    Handles headings (``#`` levels mapped to ``heading_chars``, the last one
    reused for deeper levels), pipe tables, ``-`` lists, code fences and
    paragraphs; inline code and special characters in text.
    """
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            block = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            out.extend(["::", ""] + ["   " + b for b in block] + [""])
        elif stripped.startswith("#"):
            level = len(stripped) - len(stripped.lstrip("#"))
            title = _rst_text(stripped.lstrip("#").strip())
            char = heading_chars[min(level, len(heading_chars)) - 1]
            out.extend([title, char * len(title), ""])
        elif stripped.startswith("|"):
            block = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                block.append(lines[i])
                i += 1
            out.extend(_rst_table(block) + [""])
            continue
        elif stripped.startswith(("- ", "* ")):
            out.append("- " + _rst_text(stripped[2:]))
            if i + 1 >= len(lines) or not lines[i + 1].strip().startswith(("- ", "* ")):
                out.append("")
        elif stripped:
            out.extend([_rst_text(stripped), ""])
        i += 1
    # Collapse runs of blank lines.
    result = []
    for line in out:
        if line or (result and result[-1]):
            result.append(line)
    return "\n".join(result).strip() + "\n"


def _demote(markdown, by):
    return "\n".join(
        "#" * by + line if line.startswith("#") else line
        for line in markdown.splitlines()
    )


# -- the two benchmarks ----------------------------------------------------------


def run_synthesizers(args, out_dir):
    """Run bench_synthesizers in this process; markdown and figure paths."""
    sys.path.insert(0, str(BENCHMARKS))
    import bench_synthesizers as bench

    start = time.perf_counter()
    results, info = bench.run(
        args.datasets,
        quick=args.quick,
        epochs=args.epochs,
        seed=args.seed,
        use_sdv=not args.no_sdv,
        threads=args.threads,
        csv_path=out_dir / "results.csv",
    )
    seconds = time.perf_counter() - start
    results.to_csv(out_dir / "results.csv", index=False)
    figures = bench.plot(results, out_dir)
    markdown = bench.to_markdown(results, info, level=3)
    return markdown, figures, seconds, info


def run_oversampling(args, out_dir, env):
    """Run bench_oversampling.py as a subprocess; its markdown output."""
    command = [sys.executable, str(BENCHMARKS / "bench_oversampling.py")]
    if args.oversampling == "quick":
        command.append("--quick")
    start = time.perf_counter()
    with open(out_dir / "oversampling.log", "w") as stderr:
        done = subprocess.run(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
    seconds = time.perf_counter() - start
    (out_dir / "oversampling.md").write_text(done.stdout)
    text = done.stdout.strip()
    if done.returncode:
        text += (
            f"\n\n`bench_oversampling.py` exited with code {done.returncode}; "
            f"see `oversampling.log`."
        )
    return text, seconds


# -- main --------------------------------------------------------------------------


INTRO = (
    "Synthesizers: fitted on a training half, sampling as many rows; scored "
    "against it with the other half as unseen real rows. The *real holdout* "
    "row puts that half in place of the synthetic rows: the ceiling. "
    "Times are one run each."
)
OVERSAMPLING_TITLE = "## Resamplers (bench_oversampling.py)"


def render(out_dir, title, header, synth_md, figures, over_md):
    """Write results.md and results.rst into ``out_dir``; return the latter."""
    figure_list = "\n".join(f"- `{Path(path).name}`" for path in figures)
    markdown = "\n".join(
        [
            f"# {title}",
            "",
            *(f"- **{label}**: {value}" for label, value in header),
            "",
            "## Synthesizers",
            "",
            INTRO,
            "",
            synth_md,
            f"Figures:\n\n{figure_list}\n" if figures else "",
            OVERSAMPLING_TITLE,
            "",
            _demote(over_md, 2),
            "",
        ]
    )
    (out_dir / "results.md").write_text(markdown)
    rst = "\n".join(
        [
            *(f":{label}: {_rst_text(value)}" for label, value in header),
            "",
            "Synthesizers",
            "~~~~~~~~~~~~",
            "",
            _rst_text(INTRO).replace("\\*real holdout\\*", "*real holdout*"),
            "",
            markdown_to_rst(synth_md, "~~^\"'"),
            "Resamplers",
            "~~~~~~~~~~",
            "",
            markdown_to_rst(_demote(over_md, 2), "~~^\"'"),
        ]
    )
    (out_dir / "results.rst").write_text(rst)
    log(f"wrote {out_dir / 'results.md'} and {out_dir / 'results.rst'}")
    return rst


def _read_run(directory):
    """Header pairs, notes and resampler markdown of an earlier run's
    results.md, and its results.csv."""
    import pandas as pd

    text = (directory / "results.md").read_text()
    head, _, rest = text.partition("## Synthesizers")
    header = []
    for line in head.splitlines():
        if line.startswith("- **") and "**: " in line:
            label, value = line[4:].split("**: ", 1)
            header.append((label, value))
    synth, _, over = rest.partition(OVERSAMPLING_TITLE)
    notes = []
    if "\nNotes:\n" in synth:
        for line in synth.split("\nNotes:\n", 1)[1].strip().splitlines():
            if not line.startswith("- "):
                break
            notes.append(line[2:])
    over = "\n".join(
        line[2:] if line.startswith("###") else line for line in over.splitlines()
    ).strip()
    return dict(header), notes, over, pd.read_csv(directory / "results.csv")


def combine(directories, out_dir, update):
    """Merge the synthesizer tables of earlier runs (say, one run per data set)
    into one results.md / results.rst, with each run's mode, load and time."""
    import pandas as pd

    sys.path.insert(0, str(BENCHMARKS))
    import bench_synthesizers as bench

    runs = [_read_run(Path(d)) for d in directories]
    results = pd.concat([r[3] for r in runs], ignore_index=True)
    results = results.drop_duplicates(["data", "synthesizer"], keep="last")
    datasets, notes = [], []
    for directory, (header, run_notes, _, frame) in zip(directories, runs, strict=True):
        quick = header.get("mode", "").startswith("quick")
        seed = int(header.get("mode", "seed 0").split("seed ")[1].split(",")[0])
        names = list(dict.fromkeys(frame["data"]))
        datasets.extend(bench.load_datasets(names, quick, seed, notes))
        notes.extend(n for n in run_notes if n not in notes)
    datasets = list({d.name: d for d in datasets}.values())
    epochs = runs[0][0].get("mode", "").split("epochs ")[-1].split(",")[0]
    info = {"datasets": datasets, "notes": notes, "epochs": epochs}
    synth_md = bench.to_markdown(results, info, level=3)
    figures = bench.plot(results, out_dir)
    results.to_csv(out_dir / "results.csv", index=False)
    first = runs[0][0]
    shared = [
        label
        for label in ("versions", "machine", "threads")
        if len({r[0].get(label) for r in runs}) == 1 and label in first
    ]
    own = [
        label
        for label in ("versions", "machine", "threads", "mode", "load average")
        if label not in shared
    ]
    header = [
        ("date", max(r[0].get("date", "") for r in runs)),
        *((label, first[label]) for label in shared),
    ]
    for directory, (run_header, *_rest) in zip(directories, runs, strict=True):
        header.append(
            (
                f"run {Path(directory).name}",
                "; ".join(
                    f"{label} {run_header[label]}"
                    for label in (*own, "wall time")
                    if label in run_header
                ),
            )
        )
    over_md = next(
        (r[2] for r in runs if r[2] and not r[2].startswith("Not run")),
        "Not run.",
    )
    rst = render(
        out_dir, "sksynth benchmark (combined runs)", header, synth_md, figures, over_md
    )
    if update:
        update_docs(rst)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few minutes")
    parser.add_argument("--out", type=Path, default=None, help="output folder")
    parser.add_argument("--epochs", type=int, default=None, help="CTGAN / TVAE")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--no-sdv", action="store_true", help="leave SDV out")
    parser.add_argument(
        "--oversampling",
        choices=["quick", "full", "skip"],
        default=None,
        help="mode of the resampler part (default: that of the run)",
    )
    parser.add_argument(
        "--update-docs", action="store_true", help=f"write the tables into {DOCS_PAGE}"
    )
    parser.add_argument(
        "--combine",
        nargs="+",
        metavar="DIR",
        help="run nothing: merge the results of earlier runs into --out",
    )
    args = parser.parse_args(argv)

    # Before numpy, scipy or torch are imported, so that their pools obey.
    for name in THREAD_VARIABLES:
        os.environ[name] = str(args.threads)
    default = datetime.date.today().isoformat() + ("-quick" if args.quick else "")
    if args.combine:
        default += "-combined"
    out_dir = args.out or BENCHMARKS / "results" / default
    out_dir.mkdir(parents=True, exist_ok=True)
    if args.combine:
        return combine(args.combine, out_dir, args.update_docs)
    load_start = _load()
    start = time.perf_counter()
    mode = "quick" if args.quick else "full"
    log(f"benchmark ({mode}) -> {out_dir}; load average {load_start}")
    import sksynth

    log(f"sksynth {sksynth.__version__} imported from {Path(sksynth.__file__).parent}")

    synth_md, figures, synth_s, info = run_synthesizers(args, out_dir)
    if args.oversampling is None:
        args.oversampling = "quick" if args.quick else "full"
    if args.oversampling == "skip":
        over_md, over_s = "Not run (`--oversampling skip`).", 0.0
    else:
        log("bench_oversampling.py ...")
        over_md, over_s = run_oversampling(args, out_dir, dict(os.environ))
    total = time.perf_counter() - start

    header = environment(args.threads) + [
        (
            "mode",
            f"{mode}, seed {args.seed}, CTGAN / TVAE epochs {info['epochs']}, "
            f"resamplers {args.oversampling}",
        ),
        ("load average", f"{load_start} at start, {_load()} at end (1, 5, 15 min)"),
        (
            "wall time",
            f"{total / 60:.1f} min (synthesizers {synth_s / 60:.1f}, "
            f"resamplers {over_s / 60:.1f})",
        ),
    ]
    title = f"sksynth benchmark ({mode})"
    rst = render(out_dir, title, header, synth_md, figures, over_md)
    if args.update_docs:
        update_docs(rst)
    log(f"done in {total / 60:.1f} min; load average {_load()}")
    return 0


def update_docs(rst):
    """Replace the results between the markers of docs/benchmarks.rst."""
    page = DOCS_PAGE.read_text()
    head, sep, rest = page.partition(DOCS_START)
    _, sep_end, tail = rest.partition(DOCS_END)
    if not (sep and sep_end):
        raise SystemExit(
            f"{DOCS_PAGE} has no '{DOCS_START}' ... '{DOCS_END}' markers; add them "
            "where the results go."
        )
    DOCS_PAGE.write_text(f"{head}{DOCS_START}\n\n{rst.strip()}\n\n{DOCS_END}{tail}")
    log(f"updated {DOCS_PAGE}")


if __name__ == "__main__":
    sys.exit(main())
