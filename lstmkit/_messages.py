"""One way to show a received value in an error message, for every subpackage.

Torch-free on purpose (tensors are recognised by their module), so the data, dataset,
I/O and plotting layers can use it without importing torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def describe(value: Any) -> str:
    """Arrays and tensors by dtype and shape; anything else by a clipped repr and type.

    Args:
        value: what the caller passed.

    Returns:
        A short phrase such as ``"a float32 array of shape (3, 4)"`` or
        ``"'abc' (str)"``.

    Example:
        >>> describe(np.zeros((2, 3), np.float32)), describe("abc")
        ('a float32 array of shape (2, 3)', "'abc' (str)")
    """
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    if type(value).__module__.partition(".")[0] == "torch" and hasattr(value, "shape"):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"
