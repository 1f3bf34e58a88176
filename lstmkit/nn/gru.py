"""The GRU layer: stacked, bidirectional, both reset forms and the variants.

The cell -- equations, parameters, initialisation -- is :mod:`lstmkit.nn.cells.gru`;
stacking, directions, padding and streaming are :class:`~lstmkit.nn.RecurrentLayer`'s.
"""

from __future__ import annotations

from typing import ClassVar

from torch import nn

from lstmkit.nn.cells.gru import GRUDescription, GRUSpec
from lstmkit.nn.initializers import Initializers
from lstmkit.nn.interop import TorchInterop
from lstmkit.nn.recurrent import RecurrentLayer


class GRU(TorchInterop, RecurrentLayer):
    """Gated recurrent unit layer (Cho et al. 2014) and its variants.

    For the standard options the parameters have torch.nn.GRU's names, shapes and gate
    order (r, z, n: ``weight_ih_l0`` (3H, I), ``weight_hh_l0`` (3H, H), ``bias_ih_l0``,
    ``bias_hh_l0``, ``..._reverse``), so weights move both ways (:meth:`from_torch`,
    :meth:`to_torch`, ``load_state_dict``).

    Args:
        input_size: features per step of the input.
        hidden_size: units in the hidden state.
        num_layers: stacked layers.
        bias: learn biases.
        batch_first: input and output are (batch, time, features) if True.
        dropout: dropout on the outputs of every layer but the last.
        bidirectional: also run a layer backwards in time; outputs are concatenated.
        reset_after: True (default): the reset gate scales the recurrent term after the
            matmul, ``n = φ(W_n x + b_in + r ⊙ (R_n h + b_hn))``, as torch.nn.GRU and
            cuDNN compute it; False: before it, ``n = φ(W_n x + R_n (r ⊙ h) + b_n)``,
            the original form of Cho et al. 2014 (``b_n = b_in + b_hn``). Different
            functions of the same weights; only True runs on torch's kernel.
        layer_norm: layer-normalise the input and recurrent pre-activations, gain only
            (Ba et al. 2016). With ``reset_after=False`` the recurrent part is
            normalised in two pieces, r and z together and R_n (r ⊙ h) alone, since the
            latter needs r first.
        recurrent_dropout: variational dropout on h before the recurrent matmuls, one
            mask per sequence (Gal & Ghahramani 2016); training only.
        zoneout: probability of keeping each unit's previous h (Krueger et al. 2017);
            the expectation is used in eval.
        state_activation: ``"tanh"`` (default), ``"softsign"`` or ``"relu"``; used for
            the candidate n.
        gate_activation: ``"sigmoid"`` (default) or ``"hard_sigmoid"``
            (``clip(0.2 x + 0.5, 0, 1)``), used for r and z.
        output_mode: ``"sequence"`` gives every step; ``"last"`` gives each sequence's
            final hidden state (both directions' ends concatenated if bidirectional).
        padding_side: where padded batches carry their padding, ``"right"`` or
            ``"left"``; used when ``lengths`` is passed to ``forward``.
        backend: ``"auto"`` (default: native kernels when the options allow, else
            reference), ``"native"``, ``"reference"`` or a backend added with
            :func:`~lstmkit.nn.register_backend`; there is no fused GRU.
        input_initializer: ``"glorot"`` (default), ``"he"``, ``"orthogonal"``,
            ``"narrow-normal"`` or ``"pytorch"``.
        recurrent_initializer: the same choices; default ``"orthogonal"`` (per gate).
        bias_initializer: ``"zeros"`` (default) or ``"pytorch"``; with no forget gate,
            ``"unit-forget-gate"`` is accepted and also gives zeros.

    Returns:
        ``forward(x, state=None, lengths=None, return_gates=False)`` returns
        ``(output, h_n)``: output is (B, T, D·H) for ``"sequence"`` or (B, D·H) for
        ``"last"`` (D = 2 if bidirectional); h_n is (num_layers·D, B, H), each
        sequence's own final state. With ``return_gates=True`` a third value maps
        ``"r", "z", "n", "h"`` to tensors (num_layers, D, B, T, H) ((..., T, B, H) when
        not batch_first). ``lengths`` (B,) serves a padded batch: padded steps never
        change the state and give zero output.

    Example:
        >>> import torch
        >>> from lstmkit.nn import GRU
        >>> gru = GRU(input_size=3, hidden_size=16, num_layers=2, reset_after=False)
        >>> x = torch.randn(4, 10, 3)
        >>> y, h = gru(x, lengths=[10, 7, 5, 2])
        >>> y.shape, h.shape, gru.last_backend
        (torch.Size([4, 10, 16]), torch.Size([2, 4, 16]), 'reference')
    """

    torch_class: ClassVar[type[nn.Module]] = nn.GRU

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = True,
        dropout: float = 0.0,
        bidirectional: bool = False,
        *,
        reset_after: bool = True,
        layer_norm: bool = False,
        recurrent_dropout: float = 0.0,
        zoneout: float = 0.0,
        state_activation: str = "tanh",
        gate_activation: str = "sigmoid",
        output_mode: str = "sequence",
        padding_side: str = "right",
        backend: str = "auto",
        input_initializer: str = "glorot",
        recurrent_initializer: str = "orthogonal",
        bias_initializer: str = "zeros",
    ) -> None:
        initializers = Initializers(input_initializer, recurrent_initializer, bias_initializer)
        spec = GRUSpec(hidden_size, reset_after, layer_norm, gate_activation, state_activation)
        super().__init__(
            GRUDescription(spec, initializers, bias), input_size, num_layers, batch_first,
            dropout, bidirectional, recurrent_dropout=recurrent_dropout, zoneout=zoneout,
            output_mode=output_mode, padding_side=padding_side, backend=backend,
        )  # fmt: skip
        self.spec = spec
        self.reset_after = reset_after
        self.layer_norm = layer_norm
        self.state_activation = state_activation
        self.gate_activation = gate_activation
