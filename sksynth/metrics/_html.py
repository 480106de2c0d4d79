"""A synthetic data report as one self-contained HTML file.

No network, no external style sheet or script: the style is inline and the
figures are embedded as base64 PNG ``data:`` URIs, so that the file can be
mailed or attached as it is.
"""

import base64
import html
import os
from pathlib import Path

import numpy as np

# Rows of the column and pair tables shown at most (the largest first).
N_ROWS = 20

# Figures of ``save_figures`` in the order shown, with their captions.
_FIGURES = {
    "marginals": (
        "Marginals: each column's distribution in the real and the synthetic "
        "rows (the 15 most frequent categories of a categorical column)."
    ),
    "correlation_difference": (
        "Association difference: for each pair of columns, the association in "
        "the synthetic rows minus that in the real rows (0 = same)."
    ),
    "detection_roc": (
        "Detection ROC: how well a classifier tells synthetic from real rows; "
        "the diagonal (AUC 0.5) means it cannot."
    ),
    "dcr": (
        "Distance to the closest record: how near synthetic rows, and unseen "
        "real rows, lie to the training rows; synthetic rows much nearer than "
        "unseen real ones hint at copies."
    ),
}

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
  margin: 2em auto; max-width: 1100px; padding: 0 1em; color: #222;
  line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd;
  padding-bottom: 0.2em; }
.verdict { background: #f6f8fa; border-left: 4px solid #4a7bb7;
  padding: 0.6em 1em; }
.verdict p { font-weight: 600; margin: 0.3em 0; }
.verdict li { margin: 0.2em 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #e3e3e3;
  text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
td.good { color: #1a7f37; font-weight: 600; }
td.worse { color: #c62828; font-weight: 600; }
td.missing { color: #777; }
.note, .hint { color: #555; font-size: 0.9em; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figure.wide { width: min(calc(100vw - 3em), var(--natural));
  position: relative; left: 50%; transform: translateX(-50%); }
figcaption { color: #444; font-size: 0.9em; margin-top: 0.3em; }
"""


def write_html(report, path, figures=None):
    """Write ``report`` as one HTML file at ``path``; return ``path``."""
    text = render_html(report, figures)
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path


def render_html(report, figures=None):
    """The HTML text of a :class:`SyntheticDataReport`."""
    figures = _read_figures(figures)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<title>Synthetic data report</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<h1>Synthetic data report</h1>",
        f'<p class="hint">{_e(_ceiling_hint(report))}</p>',
        "<h2>Verdict</h2>",
        _verdict(report),
        "<h2>Metrics</h2>",
        _metrics_table(report),
    ]
    if report._constraints is not None:
        parts += ["<h2>Rules</h2>", _constraints_table(report)]
    parts += _column_section(report)
    parts += _pair_section(report)
    if report.notes:
        parts.append("<h2>Notes</h2>")
        parts.append(
            "<ul>"
            + "".join(f'<li class="note">{_e(note)}</li>' for note in report.notes)
            + "</ul>"
        )
    parts.append("<h2>Figures</h2>")
    parts.append(_figures_section(figures))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _ceiling_hint(report):
    """What the real ceiling of each metric is, with or without a holdout."""
    if report._holdout:
        rows = "real rows the synthesizer did not see (the holdout)"
    else:
        rows = (
            "two halves of the real rows (no holdout given: the privacy share "
            "and the utility test need one)"
        )
    return (
        "Each metric of the synthetic rows beside the same metric computed with "
        f"{rows}: its real ceiling."
    )


def _e(value):
    return html.escape(str(value), quote=True)


def _verdict(report):
    """The printed verdict: its first line a paragraph, the others a list."""
    first, *others = report._verdict_lines()
    items = "".join(f"<li>{_e(line.strip())}</li>" for line in others)
    return (
        f'<div class="verdict"><p>{_e(first)}</p>'
        + (f"<ul>{items}</ul>" if items else "")
        + "</div>"
    )


def _number(value, digits=3):
    if value is None:
        return "-"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return _e(value)
    return "-" if np.isnan(value) else f"{value:.{digits}f}"


def _table(header, rows, classes=None):
    """An HTML table of escaped cells; ``classes`` gives each column's cell
    class, a cell ``(text, class)`` its own."""
    classes = classes or [""] * len(header)
    head = "".join(f"<th>{_e(name)}</th>" for name in header)
    body = []
    for row in rows:
        cells = []
        for cell, cls in zip(row, classes, strict=True):
            if isinstance(cell, tuple):
                cell, cls = cell
            cells.append(
                f'<td class="{cls}">{cell}</td>' if cls else f"<td>{cell}</td>"
            )
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _metrics_table(report):
    ceiling = "real holdout" if report._holdout else "real halves"
    rows = []
    for name, values, label, verdict, description in report._metric_rows():
        rows.append(
            (
                _e(name),
                _number(values["synthetic"]),
                _number(values["real_holdout"]),
                (_e(label), verdict),
                _e(description),
            )
        )
    if not rows:
        return "<p>No metrics were computed.</p>"
    return _table(
        ["metric", "synthetic", ceiling, "verdict", "what it measures"],
        rows,
        ["", "num", "num", "", ""],
    )


def _constraints_table(report):
    rows = [
        (
            _e(rule),
            _percent(shares["synthetic"]),
            _percent(shares["real_holdout"]),
        )
        for rule, shares in report._constraints.items()
    ]
    if not rows:
        return "<p>No rules.</p>"
    header = "real holdout" if report._holdout else "no holdout"
    return "<p>The share of rows that break each rule.</p>" + _table(
        ["rule", "synthetic", header], rows, ["", "num", "num"]
    )


def _percent(share):
    if share is None or np.isnan(share):
        return "-"
    return f"{100 * share:.2f}%"


def _columns(table):
    from ._report import _as_columns

    return _as_columns(table)


def _top(values, n):
    """Positions of the ``n`` largest values, NaN last."""
    values = np.asarray(values, dtype=float)
    order = np.argsort(-np.nan_to_num(values, nan=-np.inf), kind="stable")
    return order[:n]


def _column_section(report):
    table = _columns(report.column_table)
    if table is None or not len(table["column"]):
        return []
    names = list(table["column"])
    n = len(names)
    auc = np.asarray(table["detection_auc"], dtype=float)
    if np.all(np.isnan(auc)):
        order = np.arange(min(n, N_ROWS))
        how = "in table order"
    else:
        order = _top(auc, N_ROWS)
        how = "the columns that give the synthetic rows away most first"
    shown = f"{len(order)} of {n} columns" if len(order) < n else f"all {n} columns"
    header = [
        "column",
        "kind",
        "shape metric",
        "shape",
        "shape (real)",
        "missing (real)",
        "missing (synthetic)",
        "detection AUC",
        "detection AUC (real)",
    ]
    keys = [
        "kind",
        "shape_metric",
        "shape",
        "shape_real_holdout",
        "missing_real",
        "missing_synthetic",
        "detection_auc",
        "detection_auc_real_holdout",
    ]
    rows = []
    for i in order:
        row = [_e(names[i])]
        for key in keys:
            value = table[key][i]
            row.append(_e(value) if key in ("kind", "shape_metric") else _number(value))
        rows.append(row)
    return [
        "<h2>Columns</h2>",
        f'<p class="hint">{_e(shown)}, {_e(how)}. Shape: 1 - KS distance '
        "(numbers) or 1 - TV distance (categories), 1 = same distribution. "
        "Detection AUC of the column alone: 0.5 = it gives nothing away.</p>",
        _table(header, rows, ["", "", "", *["num"] * 6]),
    ]


def _pair_section(report):
    pairs = _columns(report.pair_table)
    if pairs is None or not len(pairs["difference"]):
        return []
    difference = np.abs(np.asarray(pairs["difference"], dtype=float))
    order = _top(difference, N_ROWS)
    n = len(difference)
    shown = f"{len(order)} of {n} pairs" if len(order) < n else f"all {n} pairs"
    rows = [
        (
            _e(pairs["column_1"][i]),
            _e(pairs["column_2"][i]),
            _e(pairs["measure"][i]),
            _number(pairs["real"][i]),
            _number(pairs["synthetic"][i]),
            _number(pairs["difference"][i]),
        )
        for i in order
    ]
    return [
        "<h2>Pairs of columns</h2>",
        f'<p class="hint">{_e(shown)}, the largest changes of association '
        "first (difference: synthetic minus real).</p>",
        _table(
            ["column 1", "column 2", "measure", "real", "synthetic", "difference"],
            rows,
            ["", "", "", "num", "num", "num"],
        ),
    ]


def _read_figures(figures):
    """``{name: PNG bytes}`` of a dict, a folder of PNG files, or None."""
    if figures is None:
        return None
    if isinstance(figures, str | os.PathLike):
        folder = Path(figures)
        if not folder.is_dir():
            raise ValueError(
                f"figures={str(figures)!r} is not a folder. Pass the folder that "
                "sksynth.metrics.save_figures wrote, or a dict {name: PNG bytes}."
            )
        figures = {
            path.stem: path.read_bytes() for path in sorted(folder.glob("*.png"))
        }
    elif not hasattr(figures, "items"):
        raise TypeError(
            "figures must be a folder of PNG files, a dict {name: PNG bytes} or "
            f"None; got {type(figures).__name__}."
        )
    read = {}
    for name, data in figures.items():
        if not isinstance(data, bytes | bytearray):
            raise TypeError(
                f"figures[{name!r}] is a {type(data).__name__}, not PNG bytes. "
                "Pass the bytes of a PNG file, e.g. Path(file).read_bytes()."
            )
        read[Path(str(name)).stem if str(name).endswith(".png") else str(name)] = bytes(
            data
        )
    known = [name for name in _FIGURES if name in read]
    return {name: read[name] for name in [*known, *sorted(set(read) - set(known))]}


def _figures_section(figures):
    if figures is None:
        return (
            '<p class="hint">No figures were given. Draw them with '
            "<code>sksynth.metrics.save_figures(real, synthetic, folder, "
            "holdout=holdout)</code> (needs matplotlib) and pass "
            "<code>report.to_html(path, figures=folder)</code>, or use "
            "<code>sksynth evaluate ... --html report.html</code>.</p>"
        )
    if not figures:
        return '<p class="hint">The figures given hold no PNG file.</p>'
    parts = []
    if any(_png_width(data) > 1000 for data in figures.values()):
        parts.append(
            '<p class="hint">Wide figures take the width of the window; zoom in '
            "to read their labels.</p>"
        )
    for name, data in figures.items():
        caption = _FIGURES.get(name, name)
        encoded = base64.b64encode(data).decode("ascii")
        width = _png_width(data)
        # Figures wider than the text leave its column, up to their own width.
        wide = f' class="wide" style="--natural: {width}px"' if width > 1000 else ""
        parts.append(
            f'<figure{wide}><img src="data:image/png;base64,{encoded}" '
            f'alt="{_e(name)}"><figcaption>{_e(caption)}</figcaption></figure>'
        )
    return "\n".join(parts)


def _png_width(data):
    """The width in pixels of PNG bytes (0 if they are not a PNG)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return 0
    return int.from_bytes(data[16:20], "big")
