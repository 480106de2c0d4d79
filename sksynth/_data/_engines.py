"""Optional engines: Dask collections and the quantile digests of out-of-core
fits, recognised without importing them and imported with a message that says
how to install them."""

_DASK_EXTRA = "pip install 'sksynth[dask]'"


def is_dask_collection(X):
    """Whether ``X`` is a Dask DataFrame, Series or Array, without importing
    Dask (``import sksynth`` never does)."""
    return type(X).__module__.split(".")[0] in {"dask", "dask_expr"} and hasattr(
        X, "__dask_graph__"
    )


def import_dask(needed_by):
    """``dask.dataframe``, or an ImportError saying that ``needed_by`` needs
    the ``dask`` extra."""
    try:
        import dask.dataframe as dd
    except ImportError:
        raise ImportError(
            f"{needed_by} needs Dask with its DataFrame support: {_DASK_EXTRA}."
        ) from None
    return dd


def import_fastdigest(needed_by):
    """The ``fastdigest`` module (mergeable t-digests), or an ImportError
    saying that ``needed_by`` needs the ``dask`` extra."""
    try:
        import fastdigest
    except ImportError:
        raise ImportError(
            f"{needed_by} needs the fastdigest package for its quantile digests: "
            f"{_DASK_EXTRA}."
        ) from None
    return fastdigest
