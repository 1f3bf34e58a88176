"""Checks of tensors handed to the layers: sequence input, lengths, states.

The argument-level checks (ints, choices, probabilities) are :mod:`lstmkit._checks`,
shared with every other part of lstmkit; these are the ones that need torch.
"""

from __future__ import annotations

from typing import Any

import torch

from lstmkit._checks import describe

# How to convert a tensor, or a module, to a dtype.
_TENSOR_TO = {
    torch.float32: "{}.float()",
    torch.float64: "{}.double()",
    torch.float16: "{}.half()",
    torch.bfloat16: "{}.bfloat16()",
}
_MODULE_TO = {
    torch.float32: "layer.float()",
    torch.float64: "layer.double()",
    torch.float16: "layer.to(torch.float16)",
    torch.bfloat16: "layer.to(torch.bfloat16)",
}


def _autocast(device_type: str) -> bool:
    try:
        return bool(torch.is_autocast_enabled(device_type))
    except TypeError:  # torch < 2.4: no device argument
        if device_type == "cpu":
            return bool(torch.is_autocast_cpu_enabled())
        return bool(torch.is_autocast_enabled())


def check_matches_layer(name: str, x: torch.Tensor, like: torch.Tensor | None) -> None:
    """``x`` must have the dtype and device of the layer's weights (``like``).

    Two attribute comparisons when they match (no copy, no device sync). A dtype
    mismatch is allowed under ``torch.autocast`` (which casts inside the ops).

    Args:
        name: the argument's name, for the message (``"x"``, ``"x_t"``).
        x: the input tensor.
        like: one of the layer's parameters, or None (a layer without parameters).

    Returns:
        None.

    Raises:
        TypeError: another floating dtype than the weights', saying how to convert.
        ValueError: another device than the weights'.

    Example:
        >>> import torch
        >>> check_matches_layer("x", torch.zeros(2, 3), torch.zeros(1))
        >>> check_matches_layer("x", torch.zeros(2, 3, dtype=torch.float64), torch.zeros(1))
        Traceback (most recent call last):
        TypeError: x has dtype torch.float64 but the layer's weights are torch.float32; convert \
the input with x.float() or the layer with layer.double()
    """
    if like is None:
        return
    if x.device != like.device:
        raise ValueError(
            f"{name} is on {x.device} but the layer's weights are on {like.device}; move the "
            f"input with {name}.to('{like.device}') or the layer with layer.to('{x.device}')"
        )
    if x.dtype != like.dtype and not _autocast(x.device.type):
        to_x = _TENSOR_TO.get(like.dtype, "{}.to(" + str(like.dtype) + ")").format(name)
        to_layer = _MODULE_TO.get(x.dtype, f"layer.to({x.dtype})")
        raise TypeError(
            f"{name} has dtype {x.dtype} but the layer's weights are {like.dtype}; convert "
            f"the input with {to_x} or the layer with {to_layer}"
        )


def check_sequence_input(
    x: Any, *, input_size: int, batch_first: bool, like: torch.Tensor | None = None
) -> None:
    """``x`` must be a floating tensor of shape (B, T, F) (batch_first) or (T, B, F),
    with the dtype and device of ``like`` (one of the layer's weights) if given.

    Args:
        x: the input.
        input_size: the features per step the layer takes.
        batch_first: the layout of ``x``.
        like: a parameter of the layer, or None to skip the dtype/device check.

    Returns:
        None.

    Example:
        >>> import torch
        >>> check_sequence_input(torch.zeros(2, 5, 3), input_size=3, batch_first=True)
        >>> check_sequence_input(torch.zeros(2, 5, 4), input_size=3, batch_first=True)
        Traceback (most recent call last):
        ValueError: x must have 3 features (input_size) in its last dimension; received shape \
(2, 5, 4)
    """
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
    check_matches_layer("x", x, like)


def check_step_input(x_t: Any, *, input_size: int, like: torch.Tensor | None = None) -> None:
    """``x_t`` (one step of a stream) must be a floating ``(batch, features)`` tensor with
    ``input_size`` features and the dtype and device of ``like``.

    Args:
        x_t: the step.
        input_size: the features per step the layer takes.
        like: a parameter of the layer, or None to skip the dtype/device check.

    Returns:
        None.

    Example:
        >>> import torch
        >>> check_step_input(torch.zeros(2, 3), input_size=3)
        >>> check_step_input(torch.zeros(2, 5, 3), input_size=3)
        Traceback (most recent call last):
        ValueError: x_t must be a 2-D tensor (batch, features); received a torch.float32 tensor \
of shape (2, 5, 3)
    """
    if not isinstance(x_t, torch.Tensor) or x_t.dim() != 2:
        raise ValueError(f"x_t must be a 2-D tensor (batch, features); received {describe(x_t)}")
    if not x_t.is_floating_point():
        raise TypeError(
            f"x_t must be a floating-point tensor (float32 or float64); received dtype {x_t.dtype}"
        )
    if x_t.shape[1] != input_size:
        raise ValueError(
            f"x_t must have {input_size} features (input_size) in its last dimension; "
            f"received shape {tuple(x_t.shape)}"
        )
    if x_t.shape[0] == 0:
        raise ValueError(f"x_t must have at least one sequence; received {describe(x_t)}")
    check_matches_layer("x_t", x_t, like)


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
    name: str, value: Any, expected: tuple[int, ...], like: torch.Tensor, *, like_name: str = "x"
) -> None:
    """A state tensor must have shape ``expected`` and the dtype and device of the input.

    Args:
        name: how to name the state in the message, e.g. ``"state[0] (h_0)"``.
        value: what was passed.
        expected: its shape.
        like: the input.
        like_name: the input's name, as the user passed it.

    Returns:
        None.

    Example:
        >>> import torch
        >>> check_state_tensor("h", torch.zeros(1, 4), (1, 4), torch.zeros(1, 3))
    """
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a tensor of shape {expected}; received {describe(value)}")
    if tuple(value.shape) != expected:
        raise ValueError(f"{name} must have shape {expected}; received shape {tuple(value.shape)}")
    if value.dtype != like.dtype:
        raise TypeError(
            f"{name} must have dtype {like.dtype} like {like_name}; received {value.dtype} "
            f"(convert it with .to({like_name}.dtype))"
        )
    if value.device != like.device:
        raise ValueError(
            f"{name} must be on {like.device} like {like_name}; received {value.device} "
            f"(move it with .to({like_name}.device))"
        )
