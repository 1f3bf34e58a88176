"""LSTM-FCN (lstmkit.nn.lstm_fcn): padding never changes an output, per-step outputs of
a unidirectional network never see the future, batch norm counts real steps only, it
learns what an LSTM alone cannot in a few epochs, and bad options are refused."""

from __future__ import annotations

import pytest
import torch

from lstmkit.data import pad_batch
from lstmkit.nn.architectures import ARCHITECTURES, build_network
from lstmkit.nn.lstm_fcn import LSTMFCNNetwork, MaskedBatchNorm1d
from tests.helpers import max_diff

SMALL = {"filters": (8, 16, 8), "kernel_sizes": (5, 3, 3), "se_reduction": 4}


def _trained_once(net: torch.nn.Module, x: torch.Tensor, lengths: torch.Tensor) -> None:
    """One training pass (batch norm gets running statistics), then eval mode."""
    net.train()
    net(x, lengths).sum().backward()
    net.eval()


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize(
    ("mode", "layer"), [("last", "lstm"), ("last", "bilstm"), ("sequence", "lstm"),
                        ("sequence", "bigru")],
)  # fmt: skip
def test_a_sequence_gives_the_same_output_alone_and_padded_in_a_batch(side, mode, layer):
    torch.manual_seed(0)
    net = LSTMFCNNetwork(3, 4, layer=layer, hidden_size=5, output_mode=mode,
                         padding_side=side, fcn_options=SMALL)  # fmt: skip
    seqs = [torch.randn(n, 3) for n in (11, 6, 2)]
    x, lengths = pad_batch([s.numpy() for s in seqs], side=side)
    _trained_once(net, x, lengths)
    with torch.no_grad():
        batched = net(x, lengths)
        for i, seq in enumerate(seqs):
            alone = net(seq[None], torch.tensor([len(seq)]))[0]
            mine = batched[i]
            if mode == "sequence":
                n = len(seq)
                mine = mine[:n] if side == "right" else mine[x.shape[1] - n :]
            assert max_diff(mine, alone) <= 1e-5, (i, side, mode, layer)


def test_per_step_outputs_of_a_unidirectional_network_never_see_later_steps():
    torch.manual_seed(0)
    net = LSTMFCNNetwork(2, 3, hidden_size=4, output_mode="sequence", fcn_options=SMALL)
    assert net.causal
    x = torch.randn(2, 12, 2)
    _trained_once(net, x, None)
    changed = x.clone()
    changed[:, 7:] += 5.0
    with torch.no_grad():
        a, b = net(x), net(changed)
    assert max_diff(a[:, :7], b[:, :7]) <= 1e-6
    assert max_diff(a[:, 7:], b[:, 7:]) > 1e-3  # the later ones do change
    # a bidirectional one reads both ways, and says so
    assert not LSTMFCNNetwork(2, 3, layer="bilstm", output_mode="sequence").causal


def test_batch_norm_statistics_ignore_padding():
    torch.manual_seed(0)
    norm = MaskedBatchNorm1d(3)
    real = torch.randn(2, 3, 5)
    padded = torch.cat([real, torch.full((2, 3, 4), 100.0)], dim=-1)
    mask = torch.cat([torch.ones(2, 1, 5), torch.zeros(2, 1, 4)], dim=-1)
    out = norm(padded, mask)[..., :5]
    reference = torch.nn.BatchNorm1d(3)(real)  # fresh: the same affine parameters
    assert max_diff(out, reference) <= 1e-5
    assert max_diff(norm.running_mean, 0.1 * real.mean(dim=(0, 2))) <= 1e-6


def test_learns_where_the_class_is_a_local_shape_in_a_long_series():
    # class 1 holds a short bump somewhere in 200 steps of noise: convolutions see it at
    # once; an LSTM alone needs far longer to learn to carry it to the end
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 200, 1, generator=g) * 0.3
    y = torch.arange(64) % 2
    for i in torch.nonzero(y).flatten():
        start = int(torch.randint(0, 190, (1,), generator=g))
        x[i, start : start + 8, 0] += torch.tensor([0.5, 1.5, 2.5, 3.0, 3.0, 2.5, 1.5, 0.5])
    torch.manual_seed(0)
    net = build_network("lstm-fcn", 1, 2, hidden_size=8, fcn_options=SMALL)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(40):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        optimizer.step()
    net.eval()
    with torch.no_grad():
        accuracy = (net(x).argmax(-1) == y).float().mean().item()
    assert accuracy >= 0.95


def test_cannot_stream_and_says_what_to_use_instead():
    net = build_network("lstm-fcn", 2, 2)
    assert not net.streamable and build_network("recurrent", 2, 2).streamable
    with pytest.raises(ValueError, match=r"cannot stream.*architecture='recurrent'"):
        net.step(torch.zeros(1, 2))


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"filter": (8,)}, ValueError, r"unknown key\(s\) \['filter'\]"),
        ({"filters": (8, 8), "kernel_sizes": (3,)}, ValueError, "one kernel size per block"),
        ({"filters": []}, TypeError, r"fcn_options\['filters'\] must be a non-empty list"),
        ({"filters": (8, 0, 8)}, ValueError, r"fcn_options\['filters'\]\[1\]"),
        ({"se_reduction": 0}, ValueError, "se_reduction"),
        ("wide", TypeError, "fcn_options must be a dict or None; received 'wide'"),
    ],
)
def test_bad_fcn_options_are_refused_with_what_was_received(options, error, match):
    with pytest.raises(error, match=match):
        LSTMFCNNetwork(2, 2, fcn_options=options)


def test_the_architecture_registry_refuses_unknown_names_and_stray_options():
    assert ARCHITECTURES == ("recurrent", "lstm-fcn")
    with pytest.raises(ValueError, match="architecture must be one of"):
        build_network("transformer", 2, 2)
    with pytest.raises(ValueError, match="fcn_options configures"):
        build_network("recurrent", 2, 2, fcn_options={"filters": (4,)})
