"""Checks of tensors handed to the layers: sequence input, lengths, states.

The argument-level checks (ints, choices, probabilities) are :mod:`lstmkit._checks`,
shared with every other part of lstmkit; these are the ones that need torch.
"""

from __future__ import annotations

from typing import Any

import torch

from lstmkit._checks import describe


def check_sequence_input(x: Any, *, input_size: int, batch_first: bool) -> None:
    """``x`` must be a floating tensor of shape (B, T, F) (batch_first) or (T, B, F)."""
    layout = "(batch, time, features)" if batch_first else "(time, batch, features)"
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor of shape {layout}; received {describe(x)}")
    if not x.is_floating_point():
        raise TypeError(
            f"x must be a floating-point tensor (float32 or float64); received dtype {x.dtype}"
        )
    if x.dim() != 3:
        raise ValueError(
            f"x must be 3-D {layout}; received a {x.dim()}-D tensor of shape {tuple(x.shape)}"
        )
    if x.shape[2] != input_size:
        raise ValueError(
            f"x must have {input_size} features (input_size) in its last dimension; "
            f"received shape {tuple(x.shape)}"
        )
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"x must have at least one sequence and one step; received {describe(x)}")


def check_lengths(lengths: Any, *, batch: int, steps: int) -> torch.Tensor:
    """Validate per-sequence lengths and return them as an int64 CPU tensor."""
    if isinstance(lengths, list | tuple):
        lengths = torch.as_tensor(lengths)
    if not isinstance(lengths, torch.Tensor):
        raise TypeError(
            f"lengths must be a 1-D integer tensor or list of {batch} lengths; "
            f"received {describe(lengths)}"
        )
    if lengths.is_floating_point() or lengths.is_complex() or lengths.dtype == torch.bool:
        raise TypeError(f"lengths must hold integers; received dtype {lengths.dtype}")
    if lengths.shape != (batch,):
        raise ValueError(
            f"lengths must have shape ({batch},), one length per sequence; "
            f"received shape {tuple(lengths.shape)}"
        )
    lengths = lengths.detach().to("cpu", torch.int64)
    bad = (lengths < 1) | (lengths > steps)
    if bool(bad.any()):
        index = int(bad.nonzero()[0])
        raise ValueError(
            f"lengths must lie in [1, {steps}] (the number of steps in x); "
            f"received lengths[{index}] = {int(lengths[index])}"
        )
    return lengths


def check_state_tensor(
    name: str, value: Any, expected: tuple[int, ...], like: torch.Tensor
) -> None:
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a tensor of shape {expected}; received {describe(value)}")
    if tuple(value.shape) != expected:
        raise ValueError(f"{name} must have shape {expected}; received shape {tuple(value.shape)}")
    if value.dtype != like.dtype:
        raise TypeError(f"{name} must have dtype {like.dtype} like x; received {value.dtype}")
    if value.device != like.device:
        raise ValueError(f"{name} must be on {like.device} like x; received {value.device}")
