"""The HTML report: one self-contained file, checked with html.parser."""

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from sksynth.__main__ import main
from sksynth.metrics import SyntheticDataReport, evaluate_synthetic
from sksynth.metrics._html import N_ROWS

# A 1x1 PNG: enough for the HTML, no matplotlib needed.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class _Page(HTMLParser):
    """Tags, attributes and text of a page."""

    def __init__(self):
        super().__init__()
        self.tags = []
        self.attrs = []
        self.text = []
        self.title = ""
        self.cells = []
        self._in = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, name, value) for name, value in attrs)
        self._in.append(tag)

    def handle_endtag(self, tag):
        if tag in self._in:
            del self._in[len(self._in) - 1 - self._in[::-1].index(tag) :]

    def handle_data(self, data):
        self.text.append(data)
        if self._in and self._in[-1] == "title":
            self.title += data
        if self._in and self._in[-1] in ("td", "th"):
            self.cells.append(data)


def _parse(path):
    raw = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(raw)
    page.close()
    return raw, page


def _check_self_contained(raw, page):
    assert page.tags.count("html") == 1
    assert page.tags.count("title") == 1 and page.title.strip()
    assert "table" in page.tags
    # Nothing fetched: no links, scripts or style sheets, images inline only.
    assert "script" not in page.tags and "link" not in page.tags
    for tag, name, value in page.attrs:
        if name in ("src", "href"):
            assert tag == "img" and value.startswith("data:image/png;base64,"), value
    assert "http://" not in raw and "https://" not in raw
    assert "url(" not in raw and "@import" not in raw


@pytest.fixture(scope="module")
def tables():
    rng = np.random.RandomState(0)
    n = 120
    real = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "<b>x</b>": rng.choice(["a & b", "c"], n),
            "income": rng.lognormal(3, 1, n),
        }
    )
    synthetic = real.sample(frac=1, random_state=1).reset_index(drop=True)
    synthetic["age"] += 8
    holdout = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "<b>x</b>": rng.choice(["a & b", "c"], n),
            "income": rng.lognormal(3, 1, n),
        }
    )
    return real, synthetic, holdout


@pytest.fixture(scope="module")
def report(tables):
    real, synthetic, holdout = tables
    with threadpool_limits(limits=1):
        return evaluate_synthetic(
            real, synthetic, holdout=holdout, metrics=["fidelity", "detection"]
        )


def test_html_has_title_verdict_metrics_and_escapes(report, tmp_path):
    path = report.to_html(tmp_path / "report.html")
    assert path == tmp_path / "report.html"
    raw, page = _parse(path)
    _check_self_contained(raw, page)
    text = " ".join(" ".join(page.text).split())
    for line in report._verdict_lines():
        assert " ".join(line.split()) in text
    for metric in report:
        assert metric in page.cells
    # The column named <b>x</b> is text, not a tag.
    assert "&lt;b&gt;x&lt;/b&gt;" in raw and "<b>" not in raw
    assert "<b>x</b>" in page.cells
    assert "No figures were given" in text and "save_figures" in text
    assert "img" not in page.tags


def test_html_embeds_figures_of_a_dict_or_a_folder(report, tmp_path):
    figures = {"marginals": _PNG, "detection_roc.png": _PNG}
    raw, page = _parse(report.to_html(tmp_path / "a.html", figures=figures))
    _check_self_contained(raw, page)
    assert page.tags.count("img") == 2 and page.tags.count("figcaption") == 2
    folder = tmp_path / "figures"
    folder.mkdir()
    (folder / "dcr.png").write_bytes(_PNG)
    (folder / "notes.txt").write_text("not a figure")
    raw, page = _parse(report.to_html(tmp_path / "b.html", figures=folder))
    _check_self_contained(raw, page)
    assert page.tags.count("img") == 1
    assert "Distance to the closest record" in raw


def test_html_shows_the_largest_rows_only():
    n = N_ROWS + 5
    names = [f"c{i}" for i in range(n)]
    column_table = pd.DataFrame(
        {
            "kind": ["continuous"] * n,
            "shape_metric": ["ks_complement"] * n,
            "shape": np.ones(n),
            "shape_real_holdout": np.ones(n),
            "missing_real": np.zeros(n),
            "missing_synthetic": np.zeros(n),
            "detection_auc": np.linspace(0.5, 0.9, n),
            "detection_auc_real_holdout": np.full(n, 0.5),
        },
        index=pd.Index(names, name="column"),
    )
    report = SyntheticDataReport(
        {"ks_complement": {"synthetic": 0.9, "real_holdout": 0.95}},
        column_table=column_table,
    )
    from sksynth.metrics._html import render_html

    page = _Page()
    page.feed(render_html(report))
    assert f"{N_ROWS} of {n} columns" in " ".join(page.text)
    assert names[-1] in page.cells and names[0] not in page.cells
    # The most telling column first.
    assert page.cells.index(names[-1]) < page.cells.index(names[-2])


def test_html_rejects_figures_it_cannot_read(report, tmp_path):
    with pytest.raises(ValueError, match="is not a folder"):
        report.to_html(tmp_path / "r.html", figures=tmp_path / "missing")
    with pytest.raises(TypeError, match="not PNG bytes"):
        report.to_html(tmp_path / "r.html", figures={"marginals": "a.png"})
    with pytest.raises(TypeError, match="figures must be"):
        report.to_html(tmp_path / "r.html", figures=3)


def test_cli_evaluate_writes_html(tables, tmp_path, capsys):
    real, synthetic, holdout = tables
    paths = {}
    for name, frame in zip(("real", "synthetic", "holdout"), tables, strict=True):
        paths[name] = tmp_path / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    html = tmp_path / "report.html"
    argv = [
        "evaluate",
        str(paths["real"]),
        str(paths["synthetic"]),
        "--holdout",
        str(paths["holdout"]),
        "--html",
        str(html),
    ]
    with threadpool_limits(limits=1):
        assert main(argv) == 0
    captured = capsys.readouterr()
    assert f"HTML report written to {html}" in captured.out
    raw, page = _parse(html)
    _check_self_contained(raw, page)
    for metric in ("ks_complement", "detection_auc", "dcr_share"):
        assert metric in page.cells
    assert "&lt;b&gt;x&lt;/b&gt;" in raw
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "img" not in page.tags
        assert "without figures" in captured.err
    else:
        assert page.tags.count("img") == 4
        # The temporary folder of figures is gone.
        assert not list(tmp_path.glob("sksynth-figures-*"))


def test_cli_html_without_matplotlib_says_so(tables, tmp_path, capsys, monkeypatch):
    import sksynth._cli

    monkeypatch.setattr(sksynth._cli, "_has_matplotlib", lambda: False)
    real, synthetic, _ = tables
    paths = [tmp_path / "real.csv", tmp_path / "synthetic.csv"]
    real.to_csv(paths[0], index=False)
    synthetic.to_csv(paths[1], index=False)
    html = tmp_path / "report.html"
    argv = ["evaluate", *map(str, paths), "--html", str(html)]
    with threadpool_limits(limits=1):
        assert main(argv) == 0
    assert "HTML report without figures" in capsys.readouterr().err
    raw, page = _parse(html)
    _check_self_contained(raw, page)
    assert "img" not in page.tags and "No figures were given" in raw


def test_html_lets_wide_figures_leave_the_text_column(report, tmp_path):
    # A PNG header of a figure 2,000 pixels wide: only the width is read.
    wide = _PNG[:16] + (2000).to_bytes(4, "big") + _PNG[20:]
    raw, page = _parse(report.to_html(tmp_path / "r.html", figures={"m": wide}))
    assert ("figure", "class", "wide") in page.attrs
    assert "--natural: 2000px" in raw and "zoom in" in raw
    raw, page = _parse(report.to_html(tmp_path / "r.html", figures={"m": _PNG}))
    assert ("figure", "class", "wide") not in page.attrs and "zoom in" not in raw


def test_cli_html_in_a_missing_folder_is_one_error(tables, tmp_path, capsys):
    real, synthetic, _ = tables
    paths = [tmp_path / "real.csv", tmp_path / "synthetic.csv"]
    real.to_csv(paths[0], index=False)
    synthetic.to_csv(paths[1], index=False)
    html = tmp_path / "missing" / "report.html"
    argv = ["evaluate", *map(str, paths), "--html", str(html)]
    argv += ["--figures", str(tmp_path / "figures")]
    with threadpool_limits(limits=1):
        assert main(argv) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"sksynth: error: cannot write '{html}'" in err


def test_html_lists_rules_and_notes_escaped(tmp_path):
    report = SyntheticDataReport(
        {"ks_complement": {"synthetic": 0.95, "real_holdout": 0.97}},
        notes=["a note with <tags> & more"],
        constraints={"start <= end": {"synthetic": 0.02, "real_holdout": 0.0}},
    )
    raw, page = _parse(report.to_html(tmp_path / "r.html"))
    _check_self_contained(raw, page)
    assert "start <= end" in page.cells and "2.00%" in page.cells
    assert "start &lt;= end" in raw and "&lt;tags&gt; &amp; more" in raw


@pytest.mark.parametrize("holdout", [True, False])
def test_html_says_what_the_ceilings_compare(holdout, tmp_path):
    # The page said "real rows the synthesizer did not see" of the two halves
    # of the training rows, the ceilings of a report without a holdout.
    report = SyntheticDataReport(
        {"ks_complement": {"synthetic": 0.95, "real_holdout": 0.97}},
        holdout=holdout,
    )
    _, page = _parse(report.to_html(tmp_path / "report.html"))
    text = " ".join(" ".join(page.text).split())
    assert ("did not see (the holdout)" in text) == holdout
    assert ("two halves of the real rows (no holdout given" in text) != holdout
    assert "Verdict: 0 of 1 metrics as good as real data" in text
