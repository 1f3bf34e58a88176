"""SequenceNetwork's per-step encoder: folding time into the batch, sizes, padding,
streaming, gradients, and the arguments it refuses."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from lstmkit.nn import SequenceNetwork
from tests.helpers import max_diff, pad_batch


def _frames_encoder() -> nn.Module:
    # (N, 2, 3, 3) "images" -> (N, 6)
    return nn.Sequential(nn.Conv2d(2, 4, 2), nn.ReLU(), nn.Flatten(), nn.Linear(16, 6))


def test_the_encoder_runs_on_every_step_and_sets_the_recurrent_input_size():
    torch.manual_seed(0)
    encoder = _frames_encoder()
    net = SequenceNetwork((2, 3, 3), 5, step_encoder=encoder, hidden_size=8, layer="bigru")
    assert net.recurrent.input_size == 6  # read from the encoder's output
    x = torch.randn(4, 7, 2, 3, 3)
    y = net(x)
    assert y.shape == (4, 5)
    # the same as encoding each step by hand, then the recurrent layers and the head
    encoded = torch.stack([encoder(x[:, t]) for t in range(7)], dim=1)
    out = net.recurrent(encoded)[0]
    assert max_diff(y, net.head(out)) <= 1e-6
    y.sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in encoder.parameters())


def test_encoded_size_given_or_read_and_the_encoder_mode_kept():
    dropout = nn.Sequential(nn.Linear(3, 10), nn.Dropout(0.5))
    dropout.train()
    net = SequenceNetwork(3, 2, step_encoder=dropout)
    assert net.recurrent.input_size == 10 and dropout.training  # probed in eval, restored
    explicit = SequenceNetwork(3, 2, step_encoder=nn.Linear(3, 4), encoded_size=4)
    assert explicit.recurrent.input_size == 4
    plain = SequenceNetwork(3, 2)
    assert plain.step_encoder is None and "step_encoder" not in dict(plain.named_children())


@pytest.mark.parametrize("side", ["right", "left"])
def test_padded_batch_equals_each_sequence_alone_and_padded_steps_stay_zero(side):
    torch.manual_seed(1)
    net = SequenceNetwork(
        (2, 3, 3), 3, step_encoder=_frames_encoder(), hidden_size=5,
        output_mode="sequence", padding_side=side,
    ).eval()  # fmt: skip
    lengths = [6, 2, 4]
    seqs = [torch.randn(n, 2, 3, 3) for n in lengths]
    features = {}
    net.recurrent.register_forward_hook(lambda m, args, out: features.update(y=out[0]))
    y = net(pad_batch(seqs, 6, side), lengths=lengths)
    padded_features = features["y"]
    for b, s in enumerate(seqs):
        rows = slice(0, lengths[b]) if side == "right" else slice(6 - lengths[b], 6)
        assert max_diff(y[b, rows], net(s.unsqueeze(0))[0]) <= 1e-5
        pad = torch.ones(6, dtype=torch.bool)
        pad[rows] = False
        assert torch.equal(padded_features[b, pad], torch.zeros_like(padded_features[b, pad]))


def test_step_applies_the_encoder():
    torch.manual_seed(2)
    net = SequenceNetwork(
        (2, 3, 3), 3, step_encoder=_frames_encoder(), hidden_size=5, num_layers=2,
        output_mode="sequence", layer="gru",
    ).eval()  # fmt: skip
    x = torch.randn(2, 5, 2, 3, 3)
    full = net(x)
    state = None
    for t in range(5):
        y_t, state = net.step(x[:, t], state)
        assert max_diff(y_t, full[:, t]) <= 1e-5


def test_bad_encoder_arguments():
    with pytest.raises(TypeError, match=r"step_encoder must be a torch.nn.Module; received"):
        SequenceNetwork(3, 2, step_encoder=lambda x: x)
    with pytest.raises(ValueError, match=r"encoded_size is the output size of a step_encoder"):
        SequenceNetwork(3, 2, encoded_size=4)
    with pytest.raises(ValueError, match=r"encoded_size must be an int >= 1; received 0"):
        SequenceNetwork(3, 2, step_encoder=nn.Linear(3, 4), encoded_size=0)
    with pytest.raises(ValueError, match=r"step_encoder must map steps \(N, \*\(3,\)\) to feat"):
        SequenceNetwork(3, 2, step_encoder=nn.Unflatten(1, (3, 1)))
    net = SequenceNetwork(3, 2, step_encoder=nn.Linear(3, 4))
    with pytest.raises(ValueError, match=r"x must be a tensor \(batch, time, \*step\)"):
        net(torch.randn(5, 3))
