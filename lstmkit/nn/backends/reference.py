"""The reference backend: the cell's own step equations, once per step, under autograd.

It runs every cell with every option, and it is the ground truth every other backend is
tested against (outputs, final states and gradients, in float64). It is also the
fastest for a single step, which is why ``backend="auto"`` gives it those.
"""

from __future__ import annotations

import torch

from lstmkit.nn.backends.base import BackendCall, DirectionBackend

Tensor = torch.Tensor


class ReferenceBackend(DirectionBackend):
    """``cell.step`` once per step: readable, any cell, any option, gates included."""

    name = "reference"

    def claims(self, call: BackendCall) -> bool:
        # One step (streaming, generation): torch's oneDNN kernel pays a fixed set-up
        # per call that a few matmuls do not. Measured on 2 CPU cores, B=1, H=512:
        # native 4.3 ms, reference 0.6 ms, fused 1.1 ms; reference was never slower at
        # T=1 (H 64-512, B 1-32). Longer sequences keep the fast kernels (native
        # already wins at T=16).
        return call.steps == 1

    def run_direction(self, cell, x, state, params, masks, return_gates):
        weights = cell.weights(params)
        out = cell.output_index
        outputs, trace = [], []
        for t in range(x.shape[0]):
            updates = tuple(None if u is None else u[t] for u in masks.update)
            state, gates = cell.step(
                x[t], state, weights, recurrent_mask=masks.recurrent, updates=updates
            )
            h = state[out]
            outputs.append(h if masks.valid is None else h * masks.valid[t])
            if return_gates:
                trace.append(gates)
        traced = None
        if return_gates:
            traced = {k: torch.stack([g[k] for g in trace]) for k in cell.gate_names}
        return torch.stack(outputs), state, traced
