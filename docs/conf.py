"""Sphinx configuration of the sksynth documentation.

Build with ``make -C docs html`` (warnings are errors). Links to the
documentation of Python, numpy, scipy, scikit-learn, imbalanced-learn and
pandas need their intersphinx inventories, downloaded at build time; they are
off by default so that the build works offline. Turn them on with
``SKSYNTH_DOCS_INTERSPHINX=1 make -C docs html``.
"""

import os
from datetime import date

import sksynth

# -- The command line reference, written from the parser ---------------------

_GENERATED = os.path.join(os.path.dirname(__file__), "generated")
os.makedirs(_GENERATED, exist_ok=True)
with open(os.path.join(_GENERATED, "cli_reference.rst"), "w", encoding="utf-8") as f:
    from sksynth._cli_reference import reference_rst

    f.write(reference_rst())

# -- Project -----------------------------------------------------------------

project = "sksynth"
author = "The sksynth developers"
copyright = f"{date.today().year}, {author}"
version = release = sksynth.__version__

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
# examples/ holds the gallery sources, rendered into auto_examples/.
exclude_patterns = ["_build", "examples", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"
pygments_style = "sphinx"

# -- autodoc, autosummary, numpydoc ------------------------------------------

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
# The class template lists the methods itself; numpydoc would add a second,
# unlinked table.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- intersphinx (opt-in: the inventories are downloaded) --------------------

_INTERSPHINX_MAPPING = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable/", None),
    "scipy": ("https://docs.scipy.org/doc/scipy/", None),
    "sklearn": ("https://scikit-learn.org/stable/", None),
    "imblearn": ("https://imbalanced-learn.org/stable/", None),
    "pandas": ("https://pandas.pydata.org/pandas-docs/stable/", None),
}
USE_INTERSPHINX = os.environ.get("SKSYNTH_DOCS_INTERSPHINX", "0") == "1"
intersphinx_mapping = _INTERSPHINX_MAPPING if USE_INTERSPHINX else {}
intersphinx_timeout = 10

# -- sphinx-gallery ----------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": ("sksynth",),
    "backreferences_dir": os.path.join("generated", "backreferences"),
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
}

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sksynth {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "header_links_before_dropdown": 5,
}
# Every page sits in the top-level toctree, so the left sidebar (the
# section's pages) would be empty: drop it and give tables the width.
html_sidebars = {"**": []}
html_static_path = []
html_show_sourcelink = False

# Labels of scikit-learn's documentation that inherited docstrings refer to.
_EXTERNAL_LABELS = {"metadata_routing"}


def _offline_external_labels(app, env, node, contnode):
    """Render references to other projects' labels as plain text when the
    intersphinx inventories are off (e.g. scikit-learn's ``metadata_routing``
    label in the docstring of the inherited ``get_metadata_routing``)."""
    if node.get("refdomain") == "std" and node.get("reftarget") in _EXTERNAL_LABELS:
        return contnode
    return None


def setup(app):
    if not USE_INTERSPHINX:
        app.connect("missing-reference", _offline_external_labels)
