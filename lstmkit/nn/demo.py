"""A short tour of lstmkit.nn: ``python -m lstmkit.nn.demo`` (what ``make demo`` runs).

Trains a small LSTM to predict the next value of noisy sine waves of varying length,
once with the standard options (torch's native kernel) and once with peepholes and
layer norm (lstmkit's fused backend), and prints what each backend did.
"""

from __future__ import annotations

import math
import time

import torch

from lstmkit.nn import LSTM


def make_batch(gen: torch.Generator, batch: int = 32, steps: int = 60):
    """Sine waves with random frequency and phase, right-padded to ``steps``."""
    lengths = torch.randint(steps // 2, steps + 1, (batch,), generator=gen)
    freq = 0.1 + 0.3 * torch.rand(batch, 1, generator=gen)
    phase = 2 * math.pi * torch.rand(batch, 1, generator=gen)
    t = torch.arange(steps + 1).float()
    wave = torch.sin(freq * t + phase) + 0.05 * torch.randn(batch, steps + 1, generator=gen)
    x, y = wave[:, :-1, None], wave[:, 1:, None]
    valid = torch.arange(steps)[None, :] < lengths[:, None]
    return x * valid[..., None], y, lengths, valid


class NextValue(torch.nn.Module):
    def __init__(self, **options) -> None:
        super().__init__()
        self.lstm = LSTM(1, 32, **options)
        self.head = torch.nn.Linear(self.lstm.output_size, 1)

    def forward(self, x, lengths):
        return self.head(self.lstm(x, lengths=lengths)[0])


def train(name: str, seed: int = 0, steps: int = 150, **options) -> None:
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = NextValue(**options)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    start = time.perf_counter()
    first = None
    for _ in range(steps + 1):
        x, y, lengths, valid = make_batch(gen)
        pred = model(x, lengths)
        loss = ((pred - y).square().squeeze(-1) * valid).sum() / valid.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if first is None:
            first = loss.item()
    seconds = time.perf_counter() - start
    print(
        f"{name:<30} backend={model.lstm.last_backend:<7} "
        f"MSE {first:.3f} -> {loss.item():.4f}  ({steps} steps, {seconds:.1f} s)"
    )


def main() -> None:
    print("lstmkit.nn demo: next-value prediction on padded batches of sine waves\n")
    train("standard LSTM")
    train("peephole + layer-norm LSTM", peephole=True, layer_norm=True)
    train("LSTMP (proj_size=16), zoneout", proj_size=16, zoneout=0.1)

    layer = LSTM(1, 8)
    _, _, gates = layer(torch.randn(1, 20, 1), return_gates=True)
    print(
        "\nGate introspection: return_gates=True gives i, f, g, o and c for every layer "
        f"and step, e.g. forget gate {tuple(gates['f'].shape)} "
        f"(layers, directions, batch, time, hidden); mean f = {gates['f'].mean():.3f}"
    )


if __name__ == "__main__":
    main()
