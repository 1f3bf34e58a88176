"""The LSTM language model: token embedding -> stacked LSTM -> distribution of the next token.

The standard set-up of Zaremba et al. (2014) and Merity et al. (2018): an embedding
table, a stacked :class:`~lstmkit.nn.LSTM` with dropout between the layers (and on its
input and output), then a softmax over the vocabulary. Two output layers:

* ``"softmax"``: a linear decoder and a full softmax. With ``tie_weights=True`` the
  decoder reuses the embedding matrix (Press & Wolf 2017; Inan et al. 2017): fewer
  parameters and usually a lower perplexity. The decoder's input must then have the
  embedding's size; if the LSTM is wider, it projects its output (``proj_size``,
  LSTMP) down to it.
* ``"adaptive"``: torch's adaptive softmax (Grave et al. 2017). The frequent tokens
  (ids are ranked by frequency) get a small full softmax; rarer ones sit in clusters
  with smaller projections. It is an exact distribution, several times cheaper to train
  with a 10k vocabulary on a CPU, where the softmax is most of the work.

:meth:`LanguageModelNetwork.step` advances the state by one token, so generation costs
the same per token however long the text already is.
"""

from __future__ import annotations

from typing import Any

import torch.nn.functional as F
from torch import Tensor, nn

from lstmkit._checks import check_bool, check_choice, check_int, check_probability
from lstmkit.nn.lstm import LSTM

__all__ = ["OUTPUT_LAYERS", "LanguageModelNetwork", "adaptive_cutoffs"]

OUTPUT_LAYERS = ("softmax", "adaptive")


def adaptive_cutoffs(vocab_size: int) -> list[int]:
    """Cluster boundaries of the adaptive softmax for a frequency-ranked vocabulary.

    The head holds the most frequent 20% of ids (which cover most running text in
    Zipfian language), the first tail cluster the next 30%, the second the rest.

    Args:
        vocab_size: number of tokens, at least 10.

    Returns:
        The increasing cutoffs, e.g. ``[2000, 5000]`` for 10,000 tokens.

    Example:
        >>> from lstmkit.nn.language_model import adaptive_cutoffs
        >>> adaptive_cutoffs(10000)
        [2000, 5000]
    """
    check_int("vocab_size", vocab_size, 10)
    return [round(vocab_size * 0.2), round(vocab_size * 0.5)]


class LanguageModelNetwork(nn.Module):
    """Embedding + stacked LSTM + softmax over the next token.

    Args:
        vocab_size: number of token ids.
        embedding_size: size of the token embeddings.
        hidden_size: LSTM units per layer.
        num_layers: stacked LSTM layers.
        dropout: dropout on the embeddings, between LSTM layers and on the LSTM
            output (training only).
        tie_weights: share the embedding matrix with the decoder (``"softmax"`` only).
            If ``hidden_size != embedding_size`` the LSTM projects its output to
            ``embedding_size`` (needs ``embedding_size < hidden_size``).
        output_layer: ``"softmax"`` (full) or ``"adaptive"`` (adaptive softmax; needs
            a frequency-ranked vocabulary of at least 10 tokens, as
            :class:`~lstmkit.text.Tokenizer` makes).

    Returns:
        A module: ``forward(tokens (B, T), state) -> (hidden (B, T, D), state)``, then
        :meth:`loss` or :meth:`log_probs` of the next tokens; :meth:`step` for one
        token at a time.

    Example:
        >>> import torch
        >>> from lstmkit.nn.language_model import LanguageModelNetwork
        >>> net = LanguageModelNetwork(50, embedding_size=16, hidden_size=16)
        >>> hidden, state = net(torch.randint(0, 50, (2, 7)))
        >>> net.log_probs(hidden).shape
        torch.Size([2, 7, 50])
        >>> logp, state = net.step(torch.tensor([3, 4]), state)   # one more token each
        >>> logp.shape
        torch.Size([2, 50])
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_size: int = 256,
        hidden_size: int = 256,
        num_layers: int = 1,
        dropout: float = 0.0,
        tie_weights: bool = True,
        output_layer: str = "softmax",
    ) -> None:
        super().__init__()
        check_int("vocab_size", vocab_size, 2)
        check_int("embedding_size", embedding_size, 1)
        check_int("hidden_size", hidden_size, 1)
        check_int("num_layers", num_layers, 1)
        check_probability("dropout", dropout)
        check_bool("tie_weights", tie_weights)
        check_choice("output_layer", output_layer, OUTPUT_LAYERS)
        tied = tie_weights and output_layer == "softmax"
        if tied and embedding_size > hidden_size:
            raise ValueError(
                f"tie_weights=True needs embedding_size <= hidden_size (the LSTM output is "
                f"projected down to the embedding); received embedding_size={embedding_size}, "
                f"hidden_size={hidden_size}"
            )
        self.vocab_size = vocab_size
        self.output_layer = output_layer
        self.tied = tied
        proj = embedding_size if tied and embedding_size != hidden_size else 0
        self.embedding = nn.Embedding(vocab_size, embedding_size)
        self.drop = nn.Dropout(dropout)
        self.lstm = LSTM(
            embedding_size, hidden_size, num_layers=num_layers, dropout=dropout, proj_size=proj
        )
        self.output_size = proj or hidden_size
        if output_layer == "adaptive":
            # div_value 4: each tail cluster's projection is 4x narrower than the last.
            self.decoder: nn.Module = nn.AdaptiveLogSoftmaxWithLoss(
                self.output_size, vocab_size, adaptive_cutoffs(vocab_size), div_value=4.0
            )
        else:
            self.decoder = nn.Linear(self.output_size, vocab_size)
            if tied:
                self.decoder.weight = self.embedding.weight
        # Small uniform embeddings, as in the usual word-level LM recipes: the tied
        # matrix is also the output layer, whose logits should start near zero.
        nn.init.uniform_(self.embedding.weight, -0.1, 0.1)
        if output_layer == "softmax":
            nn.init.zeros_(self.decoder.bias)

    def forward(self, tokens: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        """Top LSTM outputs for a batch of token windows, and the final state.

        Args:
            tokens: int64 ids, ``(B, T)``.
            state: ``(h, c)`` from a previous call, or None (zeros).

        Returns:
            ``(hidden (B, T, output_size), state)``; ``hidden`` has had dropout.
        """
        embedded = self.drop(self.embedding(tokens))
        hidden, state = self.lstm(embedded, state)
        return self.drop(hidden), state

    def log_probs(self, hidden: Tensor) -> Tensor:
        """Log-probabilities of every next token, ``(..., vocab_size)``, from hidden outputs."""
        flat = hidden.reshape(-1, hidden.shape[-1])
        if self.output_layer == "adaptive":
            out = self.decoder.log_prob(flat)
        else:
            out = F.log_softmax(self.decoder(flat), dim=-1)
        return out.reshape(*hidden.shape[:-1], self.vocab_size)

    def loss(self, hidden: Tensor, targets: Tensor, reduction: str = "mean") -> Tensor:
        """Negative log-likelihood of ``targets`` (same leading shape as ``hidden``).

        Args:
            hidden: outputs of :meth:`forward`, ``(..., output_size)``.
            targets: the next token ids, ``(...)``.
            reduction: ``"mean"`` or ``"sum"`` over all tokens.

        Returns:
            A scalar tensor (nats).
        """
        flat, flat_y = hidden.reshape(-1, hidden.shape[-1]), targets.reshape(-1)
        if self.output_layer == "adaptive":
            nll = -self.decoder(flat, flat_y).output  # log p of each target
            return nll.mean() if reduction == "mean" else nll.sum()
        return F.cross_entropy(self.decoder(flat), flat_y, reduction=reduction)

    def step(self, token: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        """Feed one token per sequence; return the next token's log-probabilities.

        Args:
            token: int64 ids, ``(B,)``.
            state: the state after the tokens before, or None.

        Returns:
            ``(log_probs (B, vocab_size), new_state)``.
        """
        embedded = self.drop(self.embedding(token))
        # torch's fused kernel (oneDNN on CPU) re-lays out the weights on every call:
        # ~6 ms for one 512-unit step, 20x its arithmetic. A single step is two small
        # matmuls, which the reference backend does directly (same values to ~1e-6).
        backend, self.lstm.backend = self.lstm.backend, "reference"
        try:
            hidden, state = self.lstm.step(embedded, state)
        finally:
            self.lstm.backend = backend
        return self.log_probs(self.drop(hidden)), state
