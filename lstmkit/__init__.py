"""lstmkit: Long Short-Term Memory networks for Python.

The layer family lives in :mod:`lstmkit.nn`.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
