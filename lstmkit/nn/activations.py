"""Gate and state activation functions, with derivatives expressed through outputs.

The fused backend stores activations, not pre-activations, so each activation here
also knows its derivative as a function of its *output* y = act(x). That keeps the
backward pass free of recomputation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from lstmkit._checks import check_choice

Tensor = torch.Tensor


def hard_sigmoid(x: Tensor) -> Tensor:
    """MATLAB's / Keras 2's hard sigmoid: ``clip(0.2 x + 0.5, 0, 1)``."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


def _sigmoid_grad(y: Tensor) -> Tensor:
    return y * (1.0 - y)


def _hard_sigmoid_grad(y: Tensor) -> Tensor:
    # The slope is 0.2 strictly inside (0, 1) and 0 on the clipped flats.
    return ((y > 0.0) & (y < 1.0)).to(y.dtype) * 0.2


def _tanh_grad(y: Tensor) -> Tensor:
    return 1.0 - y * y


def _softsign_grad(y: Tensor) -> Tensor:
    # y = x / (1 + |x|)  =>  dy/dx = 1 / (1 + |x|)^2 = (1 - |y|)^2
    return (1.0 - y.abs()).square()


def _relu_grad(y: Tensor) -> Tensor:
    return (y > 0.0).to(y.dtype)


def _sigmoid_grad_(y: Tensor, out: Tensor) -> Tensor:
    return torch.sub(y, torch.mul(y, y, out=out), out=out)


def _hard_sigmoid_grad_(y: Tensor, out: Tensor) -> Tensor:
    # y (1 - y) > 0 exactly on the sloped part; its sign picks it out.
    return _sigmoid_grad_(y, out).sign_().mul_(0.2)


def _tanh_grad_(y: Tensor, out: Tensor) -> Tensor:
    return torch.mul(y, y, out=out).neg_().add_(1.0)


def _softsign_grad_(y: Tensor, out: Tensor) -> Tensor:
    return torch.abs(y, out=out).neg_().add_(1.0).square_()


def _relu_grad_(y: Tensor, out: Tensor) -> Tensor:
    return torch.sign(y, out=out)  # relu outputs are >= 0


@dataclass(frozen=True)
class Activation:
    """An activation ``fn`` with ``grad_from_output(y) = fn'(x)`` where ``y = fn(x)``.

    ``grad_from_output_(y, out)`` writes the same into ``out`` without allocating:
    the fused backward evaluates it over every step at once, where fresh memory is
    the dominant cost.
    """

    name: str
    fn: Callable[[Tensor], Tensor]
    grad_from_output: Callable[[Tensor], Tensor]
    grad_from_output_: Callable[[Tensor, Tensor], Tensor]


GATE_ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", torch.sigmoid, _sigmoid_grad, _sigmoid_grad_),
    "hard_sigmoid": Activation(
        "hard_sigmoid", hard_sigmoid, _hard_sigmoid_grad, _hard_sigmoid_grad_
    ),
}

STATE_ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation("tanh", torch.tanh, _tanh_grad, _tanh_grad_),
    "softsign": Activation("softsign", F.softsign, _softsign_grad, _softsign_grad_),
    "relu": Activation("relu", torch.relu, _relu_grad, _relu_grad_),
}


def gate_activation(name: str) -> Activation:
    """Look up a gate activation by name (``sigmoid`` or ``hard_sigmoid``)."""
    check_choice("gate_activation", name, GATE_ACTIVATIONS)
    return GATE_ACTIVATIONS[name]


def state_activation(name: str) -> Activation:
    """Look up a state activation by name (``tanh``, ``softsign`` or ``relu``)."""
    check_choice("state_activation", name, STATE_ACTIVATIONS)
    return STATE_ACTIVATIONS[name]
