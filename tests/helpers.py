"""Shared test helpers (not a test module)."""

from __future__ import annotations

import torch


def randomize_(module: torch.nn.Module, scale: float = 0.5, seed: int = 0) -> None:
    """Give every parameter random values, so zero-initialised ones (peepholes) and
    unit gains (layer norm) are exercised by parity tests too."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_((torch.rand(p.shape, generator=gen, dtype=p.dtype) * 2 - 1) * scale)


def run_and_grad(layer, x, state, lengths, *, seed: int = 1):
    """Forward, a loss that touches every output, and gradients of x, state, params."""
    torch.manual_seed(seed)  # same random masks for every backend
    y, final = layer(x, state, lengths=lengths)
    finals = final if isinstance(final, tuple) else (final,)
    weight = torch.linspace(-1.0, 1.0, y.shape[-1], dtype=y.dtype)
    loss = (y * weight).square().sum() + sum((s**3).sum() * (k + 1) for k, s in enumerate(finals))
    inputs = [x, *[s for s in (state if isinstance(state, tuple) else (state,)) if s is not None]]
    grads = torch.autograd.grad(loss, inputs + list(layer.parameters()))
    return y.detach(), tuple(s.detach() for s in finals), grads


def max_diff(a, b) -> float:
    if isinstance(a, tuple | list):
        return max(max_diff(x, y) for x, y in zip(a, b, strict=True))
    return (a - b).abs().max().item()


def assert_backends_match_reference(layer, x, state, lengths, *, tol: float = 1e-8) -> list[str]:
    """Run every registered backend that can run this call (all but the reference, which
    is the ground truth) and compare outputs, final states and every gradient with the
    reference's; returns the names of the backends checked."""
    from lstmkit.nn.backends.registry import REFERENCE

    steps = x.shape[1] if layer.batch_first else x.shape[0]
    layer.backend = REFERENCE
    expected = run_and_grad(layer, x, state, lengths)
    checked = []
    for name in layer.usable_backends(steps=steps):
        if name == REFERENCE:
            continue
        layer.backend = name
        got = run_and_grad(layer, x, state, lengths)
        assert layer.last_backend == name
        for what, a, b in zip(("outputs", "final states", "gradients"), expected, got, strict=True):
            assert max_diff(a, b) <= tol, f"backend {name!r}: {what} differ by {max_diff(a, b)}"
        checked.append(name)
    return checked


def pad_batch(seqs, steps: int, side: str):
    """Sequences (T_i, *F) zero-padded to one (B, steps, *F) batch, on the right or left."""
    batch = torch.zeros(len(seqs), steps, *seqs[0].shape[1:], dtype=seqs[0].dtype)
    for b, s in enumerate(seqs):
        if side == "right":
            batch[b, : len(s)] = s
        else:
            batch[b, steps - len(s) :] = s
    return batch
