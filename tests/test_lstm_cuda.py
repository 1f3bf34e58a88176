"""lstmkit.nn on a GPU: every backend agrees with the reference and with the CPU.

Skipped where torch sees no CUDA device (CI). On a GPU machine:
``pytest tests/test_lstm_cuda.py``.
"""

from __future__ import annotations

import copy

import pytest
import torch

from lstmkit.nn import GRU, LSTM

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

VARIANTS = {
    "standard": {},
    "peephole": {"peephole": True},
    "layer_norm": {"layer_norm": True},
    "proj_size": {"proj_size": 8},
    "coupled_gates": {"coupled_gates": True},
    "bidirectional_2_layers": {"bidirectional": True, "num_layers": 2},
    "hard_sigmoid_relu": {"gate_activation": "hard_sigmoid", "state_activation": "relu"},
}


def _run(layer, x):
    layer.zero_grad(set_to_none=True)
    x = x.detach().clone().requires_grad_(True)
    y, (h, c) = layer(x)
    (y.square().mean() + h.sum() + c.sum()).backward()
    grads = {name: p.grad.detach().clone() for name, p in layer.named_parameters()}
    return y.detach(), h.detach(), c.detach(), x.grad.detach(), grads


def _assert_same(a, b, tol):
    for u, v in zip(a[:4], b[:4], strict=True):
        torch.testing.assert_close(u.cpu(), v.cpu(), atol=tol, rtol=tol)
    assert a[4].keys() == b[4].keys()
    for name in a[4]:
        torch.testing.assert_close(a[4][name].cpu(), b[4][name].cpu(), atol=tol, rtol=tol)


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_backend_on_gpu_equals_reference_on_cpu(variant):
    # every registered backend that runs the case on the GPU, and "auto"
    torch.manual_seed(0)
    cpu = LSTM(6, 16, backend="reference", **VARIANTS[variant]).double()
    x = torch.randn(5, 23, 6, dtype=torch.float64)
    expected = _run(cpu, x)
    backends = copy.deepcopy(cpu).cuda().usable_backends(steps=23)
    assert "fused" in backends
    for backend in ("auto", *backends):
        gpu = copy.deepcopy(cpu).cuda()
        gpu.backend = backend
        _assert_same(_run(gpu, x.cuda()), expected, 1e-9)


def test_auto_runs_cudnn_and_matches_torch_lstm():
    torch.manual_seed(1)
    reference = torch.nn.LSTM(12, 32, num_layers=2, batch_first=True).cuda()
    layer = LSTM.from_torch(reference).cuda()
    x = torch.randn(8, 40, 12, device="cuda")
    y, (h, c) = layer(x)
    assert layer.last_backend == "native"
    y_ref, (h_ref, c_ref) = reference(x)
    torch.testing.assert_close(y, y_ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(h, h_ref, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(c, c_ref, atol=1e-5, rtol=1e-5)


def test_gru_on_gpu_equals_cpu():
    torch.manual_seed(2)
    cpu = GRU(4, 8, backend="reference").double()
    gpu = copy.deepcopy(cpu).cuda()
    x = torch.randn(3, 11, 4, dtype=torch.float64)
    y_cpu, _ = cpu(x)
    y_gpu, _ = gpu(x.cuda())
    torch.testing.assert_close(y_gpu.cpu(), y_cpu, atol=1e-10, rtol=1e-10)


@pytest.mark.parametrize("make", [
    lambda: LSTM(12, 32, num_layers=2, bidirectional=True),
    lambda: LSTM.from_torch(torch.nn.LSTM(12, 32, proj_size=8, batch_first=True)),
    lambda: GRU(12, 32),
])  # fmt: skip
def test_weights_are_flattened_for_cudnn_after_moving_to_the_gpu(make):
    import warnings

    layer = make().cuda()
    x = torch.randn(4, 9, 12, device="cuda")
    with warnings.catch_warnings():
        # cuDNN warns when it has to copy scattered weights into one buffer per call
        warnings.filterwarnings("error", message=".*single contiguous chunk of memory.*")
        y, _ = layer(x)
        y.sum().backward()
    assert layer.last_backend == "native"
