"""Tests of what ``import sksynth`` loads (issue 15): the resamplers, which need
imbalanced-learn (and through it pytest and scikit-learn's test utilities), and
the metrics are imported on first use only. Each check runs in a fresh Python
process, as the test session itself has imported everything already."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import sksynth
import sksynth.metrics
import sksynth.over_sampling

# Nothing that `import sksynth` needs; the first three come with imbalanced-learn.
NOT_NEEDED = [
    "pytest",
    "imblearn",
    "sklearn.utils._testing",
    "sklearn_compat",
    "matplotlib",
]
LAZY_NAMES = [
    "CopulaOverSampler",
    "ForestOverSampler",
    "KDEOverSampler",
    "NoiseAugmenter",
    "SynthesizerOverSampler",
    "TreeOverSampler",
]


def _run_python(code):
    """Run ``code`` in a fresh interpreter that imports this sksynth, return the
    JSON it prints."""
    source_root = str(Path(sksynth.__file__).resolve().parents[1])
    pythonpath = os.environ.get("PYTHONPATH")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [source_root, pythonpath])),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _loaded_after(statement, names):
    code = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps([name for name in {names!r} if name in sys.modules]))"
    )
    return _run_python(code)


def test_import_sksynth_loads_no_test_utilities_or_resampler_dependencies():
    assert _loaded_after("import sksynth", NOT_NEEDED) == []


def test_import_sksynth_loads_pandas_only_when_scikit_learn_does():
    # scikit-learn imports pandas whenever it is installed; sksynth adds no import.
    baseline = _loaded_after("import sklearn.base, scipy.stats", ["pandas"])
    assert _loaded_after("import sksynth", ["pandas"]) == baseline


def test_import_sksynth_without_pandas_or_matplotlib():
    code = """
import json, sys


class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"pandas", "matplotlib"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


sys.meta_path.insert(0, Missing())
import sksynth

print(json.dumps([sksynth.KDEOverSampler.__name__, sksynth.metrics.__name__]))
"""
    assert _run_python(code) == ["KDEOverSampler", "sksynth.metrics"]


def test_resamplers_and_metrics_resolve_on_first_access():
    code = f"""
import json, sys

import sksynth

before = [name for name in ("imblearn", "sksynth.metrics") if name in sys.modules]
from sksynth import KDEOverSampler
from sksynth.over_sampling import KDEOverSampler as FromSubpackage

resolved = {{
    name: getattr(sksynth, name).__module__.startswith("sksynth.over_sampling.")
    for name in {LAZY_NAMES!r}
}}
print(json.dumps({{
    "before": before,
    "same": KDEOverSampler is FromSubpackage,
    "resolved": resolved,
    "metrics": callable(sksynth.metrics.detection_auc),
}}))
"""
    result = _run_python(code)
    assert result == {
        "before": [],
        "same": True,
        "resolved": dict.fromkeys(LAZY_NAMES, True),
        "metrics": True,
    }


@pytest.mark.parametrize("name", sksynth.__all__)
def test_public_names_resolve(name):
    value = getattr(sksynth, name)
    if name != "__version__":
        assert value.__name__ == name
    assert name in dir(sksynth)


def test_lazy_names_are_the_subpackage_classes():
    for name in LAZY_NAMES:
        assert getattr(sksynth, name) is getattr(sksynth.over_sampling, name)
    assert {"metrics", "over_sampling"} <= set(dir(sksynth))


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="module 'sksynth' has no attribute"):
        sksynth.KDEOverSample
