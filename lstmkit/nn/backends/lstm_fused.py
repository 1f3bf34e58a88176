"""The fused LSTM backend: the variants at close to native speed.

Same math as :func:`lstmkit.nn.cells.lstm.lstm_step`, arranged for speed:

* The input projection ``W x + b`` of all steps is one matmul before the loop (done
  by the caller, under ordinary autograd, so ``W_ih`` gets its gradient from one
  matmul too).
* The loop runs under a custom :class:`torch.autograd.Function` with a hand-written
  backward, so autograd records one node per layer instead of ~20 per step.
* Every local derivative that does not depend on the incoming gradient (σ'(i) g,
  σ'(f) c_{t-1}, ...) is computed for all steps at once before the backward loop;
  the loop itself does only the few multiplies that carry the gradient back in time.
* ``dW_hh``, ``dW_hr`` and the peephole / layer-norm gains get their gradients from
  one reduction each after the loop. Buffers are indexed by step, never sliced out of
  a growing list, so backward stays O(T).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

from lstmkit.nn.activations import Activation, gate_activation, state_activation
from lstmkit.nn.backends.base import DirectionBackend
from lstmkit.nn.cells.base import CellDescription
from lstmkit.nn.cells.lstm import LAYER_NORM_EPS, LSTMDescription, LSTMSpec, LSTMWeights

Tensor = torch.Tensor

_layer_norm = torch.ops.aten.native_layer_norm
_layer_norm_backward = torch.ops.aten.native_layer_norm_backward
# torch has out= kernels for these; the others fall back to a copy.
_OUT_KERNELS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": lambda x, out: torch.clamp(x, min=0.0, out=out),
}


def _apply(act: Activation, x: Tensor, out: Tensor) -> Tensor:
    kernel = _OUT_KERNELS.get(act.name)
    if kernel is not None:
        return kernel(x, out=out)
    return out.copy_(act.fn(x))


def _per_step(x: Tensor | None, steps: int) -> tuple[Tensor | None, ...]:
    return x.unbind(0) if x is not None else (None,) * steps


@dataclass(frozen=True)
class _Config:
    spec: LSTMSpec
    return_gates: bool


class FusedLSTMRecurrence(torch.autograd.Function):
    """Runs the recurrent part of one layer in one direction, forward in time.

    Inputs: ``zx`` (T, B, G·H), the input-side pre-activations with biases; the initial
    states; the recurrent parameters; constant masks. Outputs: y (T, B, P or H), h_n,
    c_n and, if asked, the activations (T, B, G, H) and cell states (T, B, H).
    """

    @staticmethod
    def forward(
        ctx,
        zx: Tensor,
        h0: Tensor,
        c0: Tensor,
        weight_hh: Tensor,
        weight_hr: Tensor | None,
        weight_peephole: Tensor | None,
        ln_hh_weight: Tensor | None,
        ln_cell_weight: Tensor | None,
        ln_cell_bias: Tensor | None,
        recurrent_mask: Tensor | None,
        update_h: Tensor | None,
        update_c: Tensor | None,
        valid: Tensor | None,
        config: _Config,
    ):
        spec = config.spec
        sigma = gate_activation(spec.gate_activation)
        phi = state_activation(spec.state_activation)
        steps, batch, gh = zx.shape
        hidden = spec.hidden_size
        coupled = spec.coupled_gates
        n_gates = spec.num_gates
        slot = {name: k for k, name in enumerate(spec.gate_names)}

        h_seq = zx.new_empty(steps + 1, batch, h0.shape[-1])
        c_seq = zx.new_empty(steps + 1, batch, hidden)
        h_seq[0] = h0
        c_seq[0] = c0
        acts = zx.new_empty(steps, batch, n_gates, hidden)
        s_all = zx.new_empty(steps, batch, hidden)  # φ(cell or its layer norm)
        # c̃ before zoneout / padding; without those it *is* the next cell state.
        cand = c_seq[1:] if update_c is None else zx.new_empty(steps, batch, hidden)
        m_all = zx.new_empty(steps, batch, hidden) if weight_hr is not None else None
        r_all = zx.new_empty(steps, batch, gh) if ln_hh_weight is not None else None
        r_means, r_rstds, c_means, c_rstds = [], [], [], []

        # Per-step views made once, in C++ (unbind), not by Python indexing each step.
        zx_, h_, c_, cand_, s_ = (v.unbind(0) for v in (zx, h_seq, c_seq, cand, s_all))
        acts_ = acts.unbind(0)
        gate_ = {name: acts[:, :, k].unbind(0) for k, name in enumerate(spec.gate_names)}
        m_, r_, uh_, uc_ = (_per_step(v, steps) for v in (m_all, r_all, update_h, update_c))
        z = zx.new_empty(batch, gh)
        z_gates = z.view(batch, n_gates, hidden)
        z_g, z_o = z_gates[:, slot["g"]], z_gates[:, slot["o"]]
        n_peep = 1 if coupled else 2  # (f,) or (i, f) see c_{t-1}
        if weight_peephole is not None:
            z_in, p_in, p_o = z_gates[:, :n_peep], weight_peephole[:n_peep], weight_peephole[-1]
        w_hh_t = weight_hh.t()
        w_hr_t = weight_hr.t() if weight_hr is not None else None
        for t in range(steps):
            h_prev, c_prev, c_t, s = h_[t], c_[t], cand_[t], s_[t]
            h_in = h_prev if recurrent_mask is None else h_prev * recurrent_mask
            if r_all is not None:
                torch.mm(h_in, w_hh_t, out=r_[t])
                r_hat, mean, rstd = _layer_norm(r_[t], [gh], ln_hh_weight, None, LAYER_NORM_EPS)
                r_means.append(mean)
                r_rstds.append(rstd)
                torch.add(zx_[t], r_hat, out=z)
            else:
                torch.addmm(zx_[t], h_in, w_hh_t, out=z)
            if weight_peephole is not None:
                z_in.addcmul_(p_in, c_prev.unsqueeze(1))
            # σ over every gate at once is cheaper than over strided pieces; g (and,
            # with peepholes, o) are overwritten below.
            _apply(sigma, z, acts_[t].view(batch, gh))
            g, f, o = gate_["g"][t], gate_["f"][t], gate_["o"][t]
            _apply(phi, z_g, g)
            if coupled:  # c̃ = f c + (1 - f) g
                torch.lerp(g, c_prev, f, out=c_t)
            else:
                torch.mul(f, c_prev, out=c_t).addcmul_(gate_["i"][t], g)
            if weight_peephole is not None:
                _apply(sigma, z_o.addcmul_(p_o, c_t), o)
            if ln_cell_weight is not None:
                n, mean, rstd = _layer_norm(
                    c_t, [hidden], ln_cell_weight, ln_cell_bias, LAYER_NORM_EPS
                )
                c_means.append(mean)
                c_rstds.append(rstd)
                _apply(phi, n, s)
            else:
                _apply(phi, c_t, s)
            if m_all is not None:
                h_new = torch.mm(torch.mul(o, s, out=m_[t]), w_hr_t)
            elif update_h is not None:
                h_new = torch.mul(o, s)
            else:
                torch.mul(o, s, out=h_[t + 1])
            if update_h is not None:
                torch.lerp(h_prev, h_new, uh_[t], out=h_[t + 1])
            elif m_all is not None:
                h_[t + 1].copy_(h_new)
            if update_c is not None:
                torch.lerp(c_prev, c_t, uc_[t], out=c_[t + 1])
        r_stats = torch.stack((torch.stack(r_means), torch.stack(r_rstds))) if r_means else None
        c_stats = torch.stack((torch.stack(c_means), torch.stack(c_rstds))) if c_means else None

        y = h_seq[1:] * valid if valid is not None else h_seq[1:].clone()
        ctx.config = config
        ctx.save_for_backward(
            h_seq, c_seq, acts, s_all, cand, m_all, r_all, r_stats, c_stats,
            weight_hh, weight_hr, weight_peephole, ln_hh_weight, ln_cell_weight, ln_cell_bias,
            recurrent_mask, update_h, update_c, valid,
        )  # fmt: skip
        gates = cells = None
        if config.return_gates:
            gates, cells = acts.clone(), c_seq[1:].clone()
            ctx.mark_non_differentiable(gates, cells)
        return y, h_seq[steps].clone(), c_seq[steps].clone(), gates, cells

    @staticmethod
    @once_differentiable
    def backward(ctx, dy, dh_n, dc_n, _dgates, _dcells):
        (
            h_seq, c_seq, acts, s_all, cand, m_all, r_all, r_stats, c_stats,
            weight_hh, weight_hr, weight_peephole, ln_hh_weight, ln_cell_weight, ln_cell_bias,
            recurrent_mask, update_h, update_c, valid,
        ) = ctx.saved_tensors  # fmt: skip
        spec: LSTMSpec = ctx.config.spec
        sigma = gate_activation(spec.gate_activation)
        phi = state_activation(spec.state_activation)
        steps, batch, n_gates, hidden = acts.shape
        gh = n_gates * hidden
        coupled = spec.coupled_gates
        slot = {name: k for k, name in enumerate(spec.gate_names)}
        c_prev_all = c_seq[:-1]

        # --- local derivatives for every step at once ------------------------------
        # k[t] turns the gradient arriving at step t into gate gradients with single
        # multiplies inside the loop. Slots: the gates before o (k_cand), o (k_o),
        # the cell output n (k_n) and the carry of dL/dc back in time (k_c).
        f = acts[:, :, slot["f"]]
        g = acts[:, :, slot["g"]]
        o = acts[:, :, slot["o"]]
        n_cand = n_gates - 1
        k = acts.new_empty(steps, batch, n_gates + 2, hidden)
        k_cand, k_o, k_n, k_c = k[:, :, :n_cand], k[:, :, n_cand], k[:, :, n_gates], k[:, :, -1]
        if coupled:  # c̃ = f c + (1 - f) g
            sigma.grad_from_output_(f, k_cand[:, :, 0]).mul_(c_prev_all - g)
            phi.grad_from_output_(g, k_cand[:, :, 1])
            k_cand[:, :, 1].addcmul_(k_cand[:, :, 1], f, value=-1.0)  # ⊙ (1 - f)
        else:
            i = acts[:, :, slot["i"]]
            sigma.grad_from_output_(i, k_cand[:, :, 0]).mul_(g)
            sigma.grad_from_output_(f, k_cand[:, :, 1]).mul_(c_prev_all)
            phi.grad_from_output_(g, k_cand[:, :, 2]).mul_(i)
        sigma.grad_from_output_(o, k_o).mul_(s_all)  # dL/dz_o = dL/dm ⊙ k_o
        phi.grad_from_output_(s_all, k_n).mul_(o)  # dL/dn = dL/dm ⊙ k_n
        k_c.copy_(f)  # dL/dc_{t-1} = dL/dc̃ ⊙ k_c
        peep_o = None
        if weight_peephole is not None:
            n_peep = 1 if coupled else 2  # (f,) or (i, f) see c_{t-1}
            for row in range(n_peep):
                k_c.addcmul_(k_cand[:, :, row], weight_peephole[row])
            if c_stats is None:  # o sees c̃ directly: fold its path into k_n
                k_n.addcmul_(k_o, weight_peephole[-1])
            else:
                peep_o = weight_peephole[-1]

        dy = dy if valid is None else dy * valid
        dz_all = acts.new_empty(steps, batch, gh)
        dz_gates = dz_all.view(steps, batch, n_gates, hidden)
        dr_all = acts.new_empty(steps, batch, gh) if r_all is not None else dz_all
        dht_all = acts.new_empty(steps, batch, spec.output_size) if m_all is not None else None
        dn_all = acts.new_empty(steps, batch, hidden) if c_stats is not None else None
        dh = dy[steps - 1].clone() if dh_n is None else dh_n + dy[steps - 1]
        dc = torch.zeros_like(c_seq[0]) if dc_n is None else dc_n.clone()
        gh_shape, hidden_shape = [gh], [hidden]

        # Per-step views made once (see forward).
        dy_, cand_, dz_, k_o_, k_n_, k_c_ = (v.unbind(0) for v in (dy, cand, dz_all, k_o, k_n, k_c))
        dz_o_ = dz_gates[:, :, n_cand].unbind(0)
        dz_cand_ = dz_gates[:, :, :n_cand].unbind(0)
        k_cand_ = k_cand.unbind(0)
        uh_, uc_, dht_, dn_, r_, dr_ = (
            _per_step(v, steps) for v in (update_h, update_c, dht_all, dn_all, r_all,
                                          dr_all if r_all is not None else None)
        )  # fmt: skip
        if r_stats is not None:
            r_mean_, r_rstd_ = r_stats[0].unbind(0), r_stats[1].unbind(0)
            c_mean_, c_rstd_ = c_stats[0].unbind(0), c_stats[1].unbind(0)

        for t in range(steps - 1, -1, -1):
            # h_t = lerp(h_{t-1}, h̃_t, u_h): split dh into the new and the kept part.
            if update_h is not None:
                dht = dh * uh_[t]
                dh_keep = dh.sub_(dht)
            else:
                dht = dh
            if dht_all is not None:
                dm = torch.mm(dht_[t].copy_(dht), weight_hr)
            else:
                dm = dht
            torch.mul(dm, k_o_[t], out=dz_o_[t])
            if update_c is not None:
                dcc = dc * uc_[t]
                dc_keep = dc.sub_(dcc)
            else:
                dcc = dc
            if dn_all is not None:
                dn = torch.mul(dm, k_n_[t], out=dn_[t])
                dln = _layer_norm_backward(
                    dn, cand_[t], hidden_shape, c_mean_[t], c_rstd_[t],
                    ln_cell_weight, ln_cell_bias, [True, False, False],
                )[0]  # fmt: skip
                dcand = dln.add_(dcc)
                if peep_o is not None:
                    dcand.addcmul_(peep_o, dz_o_[t])
            else:
                dcand = torch.addcmul(dcc, dm, k_n_[t])
            torch.mul(dcand.unsqueeze(1), k_cand_[t], out=dz_cand_[t])
            dc = dcand.mul_(k_c_[t])
            if update_c is not None:
                dc.add_(dc_keep)
            if r_all is not None:
                dr = _layer_norm_backward(
                    dz_[t], r_[t], gh_shape, r_mean_[t], r_rstd_[t],
                    ln_hh_weight, None, [True, False, False],
                )[0]  # fmt: skip
                dr_[t].copy_(dr)
            else:
                dr = dz_[t]
            # dL/dh_{t-1}: through the recurrent matmul, plus what the step t-1 output
            # and the kept part of h carry directly.
            carry = dy_[t - 1] if t > 0 else None
            if update_h is not None:
                carry = dh_keep if carry is None else dh_keep.add_(carry)
            if recurrent_mask is None:
                dh = torch.mm(dr, weight_hh) if carry is None else torch.addmm(carry, dr, weight_hh)
            else:
                dh = torch.mm(dr, weight_hh).mul_(recurrent_mask)
                if carry is not None:
                    dh.add_(carry)

        # --- parameter gradients, one reduction each --------------------------------
        h_in_all = h_seq[:-1] if recurrent_mask is None else h_seq[:-1] * recurrent_mask
        d_weight_hh = dr_all.reshape(-1, gh).t().mm(h_in_all.reshape(-1, h_in_all.shape[-1]))
        d_weight_hr = None
        if dht_all is not None:
            d_weight_hr = dht_all.reshape(-1, spec.output_size).t().mm(m_all.reshape(-1, hidden))
        d_peep = None
        if weight_peephole is not None:
            n_peep = 1 if coupled else 2
            d_in = (dz_gates[:, :, :n_peep] * c_prev_all.unsqueeze(2)).sum((0, 1))
            d_out = (dz_gates[:, :, n_cand] * cand).sum((0, 1))
            d_peep = torch.cat((d_in, d_out.unsqueeze(0)))
        d_ln_hh = d_ln_cell_w = d_ln_cell_b = None
        if r_all is not None:
            r_hat = (r_all - r_stats[0]) * r_stats[1]
            d_ln_hh = (dz_all * r_hat).sum((0, 1))
            n_hat = (cand - c_stats[0]) * c_stats[1]
            d_ln_cell_w = (dn_all * n_hat).sum((0, 1))
            d_ln_cell_b = dn_all.sum((0, 1))
        return (
            dz_all, dh, dc, d_weight_hh, d_weight_hr, d_peep,
            d_ln_hh, d_ln_cell_w, d_ln_cell_b,
            None, None, None, None, None,
        )  # fmt: skip


def fused_lstm_direction(
    x: Tensor,
    h0: Tensor,
    c0: Tensor,
    w: LSTMWeights,
    spec: LSTMSpec,
    *,
    recurrent_mask: Tensor | None = None,
    update_h: Tensor | None = None,
    update_c: Tensor | None = None,
    valid: Tensor | None = None,
    return_gates: bool = False,
) -> tuple[Tensor, Tensor, Tensor, tuple[Tensor, Tensor] | None]:
    """Run one layer forward in time over time-major ``x`` (T, B, I).

    Returns ``(y, h_n, c_n, gates)`` where gates is ``(acts, cells)`` or None.
    """
    if spec.layer_norm:
        zx = F.layer_norm(
            F.linear(x, w.weight_ih), (w.weight_ih.shape[0],), w.ln_ih_weight, None, LAYER_NORM_EPS
        )
        if w.bias_ih is not None:
            zx = zx + (w.bias_ih + w.bias_hh)
    else:
        bias = w.bias_ih + w.bias_hh if w.bias_ih is not None else None
        zx = F.linear(x, w.weight_ih, bias)
    y, h_n, c_n, acts, cells = FusedLSTMRecurrence.apply(
        zx.contiguous(), h0, c0, w.weight_hh, w.weight_hr, w.weight_peephole,
        w.ln_hh_weight, w.ln_cell_weight, w.ln_cell_bias,
        recurrent_mask, update_h, update_c, valid, _Config(spec, return_gates),
    )  # fmt: skip
    return y, h_n, c_n, (acts, cells) if return_gates else None


class FusedBackend(DirectionBackend):
    """:func:`fused_lstm_direction` for LSTM cells: every variant, gates included."""

    name = "fused"

    def runs_cell(self, cell: CellDescription) -> bool:
        return isinstance(cell, LSTMDescription)

    def run_direction(self, cell, x, state, params, masks, return_gates):
        spec = cell.spec
        h0, c0 = state
        update_h, update_c = masks.update
        y, h_n, c_n, traced = fused_lstm_direction(
            x, h0, c0, cell.weights(params), spec, recurrent_mask=masks.recurrent,
            update_h=update_h, update_c=update_c, valid=masks.valid, return_gates=return_gates,
        )  # fmt: skip
        gates = None
        if traced is not None:
            acts, cells = traced
            named = dict(zip(spec.gate_names, acts.unbind(2), strict=True))
            if spec.coupled_gates:
                named["i"] = 1.0 - named["f"]
            gates = {k: named[k] for k in ("i", "f", "g", "o")} | {"c": cells}
        return y, (h_n, c_n), gates
