"""Build the HTML report of a synthetic Adult table and take a screenshot.

A Gaussian copula is fitted on half of 5,000 rows of Adult (the target a
column like the others); the other half is the holdout. The report, with its
figures, is written to ``report.html``; when ``chromium`` is on the PATH, a
headless Chromium takes a screenshot of it, ``report.png``, to look at the
page without opening a browser.

Run::

    python docs/check_html_report.py [output folder, default: html-report]
"""

import shutil
import subprocess
import sys
import time
from pathlib import Path

from sksynth import GaussianCopulaSynthesizer
from sksynth.datasets import load_adult
from sksynth.metrics import evaluate_synthetic, save_figures


def main(folder="html-report"):
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    adult = load_adult().frame.sample(5000, random_state=0).reset_index(drop=True)
    real, holdout = adult.iloc[:2500], adult.iloc[2500:]
    start = time.perf_counter()
    synthetic = GaussianCopulaSynthesizer(random_state=0).fit(real).sample(len(real))
    report = evaluate_synthetic(
        real, synthetic, holdout=holdout, target="income", random_state=0
    )
    save_figures(
        real,
        synthetic,
        folder / "figures",
        holdout=holdout,
        random_state=0,
        report=report,
    )
    html = report.to_html(folder / "report.html", figures=folder / "figures")
    print(
        f"{html} ({html.stat().st_size / 1e6:.1f} MB) in "
        f"{time.perf_counter() - start:.0f} s"
    )
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("No chromium on the PATH: no screenshot.")
        return
    png = folder / "report.png"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            f"--screenshot={png}",
            "--window-size=1200,5200",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    print(f"Screenshot: {png}")


if __name__ == "__main__":
    main(*sys.argv[1:])
