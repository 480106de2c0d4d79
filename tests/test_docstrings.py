"""Docstrings of public names: numpydoc-valid and complete."""

import inspect
import io
import re

import pytest
from numpydoc.validate import validate

import sksynth
import sksynth.datasets
import sksynth.metrics

PUBLIC_CLASSES = [
    getattr(sksynth, name) for name in sksynth.__all__ if name[0].isupper()
]
PUBLIC_FUNCTIONS = [getattr(sksynth.metrics, name) for name in sksynth.metrics.__all__]
PUBLIC_FUNCTIONS += [
    getattr(sksynth.datasets, name) for name in sksynth.datasets.__all__
]

# numpydoc checks left out, as in scikit-learn: see also descriptions, the
# extended summary and "Yields" do not apply to every name.
IGNORED = {"GL01", "GL02", "SA01", "ES01", "YD01", "EX01", "RT02", "PR09"}


def _public_methods(cls):
    for name, member in inspect.getmembers(cls, inspect.isfunction):
        if not name.startswith("_") and member.__qualname__.split(".")[0] != "object":
            defined_in_sksynth = member.__module__.startswith("sksynth")
            if defined_in_sksynth:
                yield f"{cls.__module__}.{cls.__name__}.{name}"


def _names():
    for cls in PUBLIC_CLASSES:
        yield f"{cls.__module__}.{cls.__name__}"
        yield from _public_methods(cls)
    for function in PUBLIC_FUNCTIONS:
        yield f"{function.__module__}.{function.__name__}"
        if inspect.isclass(function):
            yield from _public_methods(function)


@pytest.mark.parametrize("name", sorted(set(_names())))
def test_docstring_is_numpydoc_valid(name):
    result = validate(name)
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in IGNORED
    ]
    assert not errors, "\n".join([name, *errors])


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=lambda c: c.__name__)
def test_attributes_section_lists_every_fitted_attribute(cls):
    import numpy as np

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 2))
    fitted = cls().fit(X, (X[:, 0] > 0).astype(int))
    documented = set(re.findall(r"^    (\w+_) :", cls.__doc__, flags=re.MULTILINE))
    fitted_attributes = {
        name for name in vars(fitted) if name.endswith("_") and not name.startswith("_")
    }
    assert fitted_attributes - documented == set()
    # feature_names_in_ only exists for DataFrames with string column names.
    assert documented - fitted_attributes <= {"feature_names_in_"}


@pytest.mark.parametrize(
    "obj", PUBLIC_CLASSES + PUBLIC_FUNCTIONS, ids=lambda o: o.__name__
)
def test_public_names_have_an_example(obj):
    assert "Examples\n    --------\n    >>>" in obj.__doc__


def _rest_errors(text):
    """docutils' warnings and errors on ``text``, with Sphinx's markup known.

    Roles and directives that only Sphinx defines are registered as plain ones,
    so that what remains are the mistakes the documentation build would fail
    on (with warnings as errors), such as a name ending in an underscore
    outside backticks, which reST reads as a link to a missing target.
    """
    from docutils import nodes
    from docutils.core import publish_doctree
    from docutils.parsers.rst import Directive, directives, roles

    class _Ignored(Directive):
        has_content = True
        optional_arguments = 10
        final_argument_whitespace = True
        option_spec = {"toctree": directives.unchanged}

        def run(self):
            return []

    for role in ("attr", "class", "doc", "func", "meth", "mod", "obj", "ref", "term"):
        roles.register_generic_role(role, nodes.literal)
    for directive in ("autosummary", "only", "seealso"):
        directives.register_directive(directive, _Ignored)
    stream = io.StringIO()
    publish_doctree(
        text,
        settings_overrides={"warning_stream": stream, "report_level": 2},
    )
    return stream.getvalue()


def _documented_objects():
    for obj in PUBLIC_CLASSES + PUBLIC_FUNCTIONS:
        yield obj.__name__, obj
        if inspect.isclass(obj):
            for name, member in inspect.getmembers(obj, inspect.isfunction):
                if not name.startswith("_") and member.__module__.startswith("sksynth"):
                    yield f"{obj.__name__}.{name}", member


@pytest.mark.parametrize(
    "obj",
    [obj for _, obj in _documented_objects()],
    ids=[n for n, _ in _documented_objects()],
)
def test_docstring_renders_as_rest(obj):
    from numpydoc.docscrape_sphinx import get_doc_object

    text = str(get_doc_object(obj, config={"show_class_members": False}))
    assert _rest_errors(text) == ""
