"""The package version, in a module of its own so that any layer can read it without
importing the package root (whose :func:`lstmkit.load` reaches up to the estimators)."""

__version__ = "0.1.0"
