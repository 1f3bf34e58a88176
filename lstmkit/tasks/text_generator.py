"""TextGenerator: an LSTM language model that learns a text and writes more like it.

Like MATLAB's "Word-By-Word Text Generation Using Deep Learning": words (or
characters) in, the next word's distribution out. :meth:`TextGenerator.fit` learns a
vocabulary and trains the network on the text as one continuous stream (stateful
truncated BPTT, see :mod:`lstmkit.training.language_model`);
:meth:`TextGenerator.perplexity` scores unseen text; :meth:`TextGenerator.generate`
streams new text token by token, with temperature, top-k and nucleus (top-p)
sampling from a seeded generator.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from lstmkit._checks import check_choice, check_int, check_optional_int, describe
from lstmkit.nn.language_model import OUTPUT_LAYERS, LanguageModelNetwork
from lstmkit.tasks.persistence import (
    PersistentEstimator,
    refuse_plateau_without_validation,
    refuse_sample_weight,
    register,
)
from lstmkit.text import LEVELS, NEWLINE, StreamingDetokenizer, Tokenizer
from lstmkit.training import TrainingOptions, fit_language_model

__all__ = ["TextGenerator"]

#: Tokens scored per forward pass in :meth:`TextGenerator.perplexity` (one stream).
EVAL_CHUNK = 2048


@register
@dataclass(eq=False, repr=False, kw_only=True)
class TextGenerator(PersistentEstimator):
    """Word-level (or character-level) LSTM language model with streaming generation.

    Args:
        level: ``"word"`` (words, punctuation marks and line breaks are tokens) or
            ``"char"``.
        max_vocab: vocabulary cap, ``<unk>`` included (None: every token).
        min_count: tokens seen fewer times in the training text become ``<unk>``.
        lowercase: lower-case the text first.
        embedding_size: size of the token embeddings.
        hidden_size: LSTM units per layer.
        num_layers: stacked LSTM layers.
        dropout: dropout on embeddings, between layers and on the LSTM output.
        tie_weights: share the embedding matrix with the output layer (full softmax).
        output_layer: ``"softmax"`` or ``"adaptive"`` (adaptive softmax: much cheaper
            to train with a large vocabulary; not tied).
        bptt: window of truncated back-propagation through time, in tokens.
        training_options: a :class:`~lstmkit.training.TrainingOptions` (None:
            defaults); ``batch_size`` is the number of parallel streams.
        run_dir: folder for the training run; None: a temporary one.

    Returns:
        An unfitted estimator; ``fit`` sets the attributes below.

    Attributes:
        tokenizer_: the :class:`~lstmkit.text.Tokenizer` with the learned vocabulary.
        network_: the trained :class:`~lstmkit.nn.language_model.LanguageModelNetwork`.
        training_options_: the :class:`~lstmkit.training.TrainingOptions` used.
        fit_result_: the :class:`~lstmkit.training.LanguageModelFitResult` (run folder,
            epochs, best validation, tokens per second).
        history_: the training history (loss and perplexity per iteration), a
            ``pandas.DataFrame``; kept by ``save`` / ``load`` (None for a folder saved
            without one).

    Example:
        >>> from lstmkit.tasks import TextGenerator
        >>> from lstmkit.training import TrainingOptions
        >>> text = "the cat sat on the mat .\\n" * 200
        >>> model = TextGenerator(hidden_size=32, embedding_size=32,
        ...                       training_options=TrainingOptions(max_epochs=5))
        >>> model.fit(text).generate_text("the cat", max_words=5, temperature=0)  # doctest: +SKIP
        'the cat sat on the mat.'
    """

    level: str = "word"
    max_vocab: int | None = 10000
    min_count: int = 1
    lowercase: bool = False
    embedding_size: int = 256
    hidden_size: int = 256
    num_layers: int = 1
    dropout: float = 0.2
    tie_weights: bool = True
    output_layer: str = "softmax"
    bptt: int = 35
    training_options: TrainingOptions | None = None
    run_dir: str | None = None

    _fit_call = "fit(text)"

    # ------------------------------------------------------------------ checks
    def _check_params(self) -> TrainingOptions:
        """Check what the tokenizer and network do not check themselves."""
        check_choice("level", self.level, LEVELS)
        check_choice("output_layer", self.output_layer, OUTPUT_LAYERS)
        for name in ("embedding_size", "hidden_size", "num_layers", "bptt"):
            check_int(name, getattr(self, name), 1)
        return super()._check_params()

    def _build_network(self, vocab_size: int, options: TrainingOptions) -> LanguageModelNetwork:
        torch.manual_seed(options.seed)  # the same seed gives the same initial weights
        return LanguageModelNetwork(
            vocab_size,
            embedding_size=int(self.embedding_size),
            hidden_size=int(self.hidden_size),
            num_layers=int(self.num_layers),
            dropout=float(self.dropout),
            tie_weights=bool(self.tie_weights),
            output_layer=self.output_layer,
        )

    # --------------------------------------------------------------- training
    def fit(
        self,
        text: str | Sequence[str],
        y: Any = None,
        *,
        sample_weight: Any = None,
        validation_text: Any = None,
    ):
        """Learn the vocabulary and train the language model on one continuous text.

        Args:
            text: the training text (a str), or a list of token strings.
            y: ignored (scikit-learn's signature; the targets are the text itself,
                shifted by one token).
            sample_weight: must be None (one continuous text has no samples to weigh).
            validation_text: text to validate on (perplexity per iteration in the
                training history; the best weights are kept with
                ``output_model="best-validation"``), or None.

        Returns:
            self.
        """
        options = self._check_params()
        refuse_sample_weight(self, sample_weight, "one continuous text has no samples to weigh")
        self.tokenizer_ = Tokenizer(self.level, self.max_vocab, self.min_count, self.lowercase)
        self.tokenizer_.fit(text)
        train_ids = self.tokenizer_.encode(text)
        if len(train_ids) < 3:
            raise ValueError(f"text must hold at least 3 tokens; received {len(train_ids)}")
        val_ids = None if validation_text is None else self.tokenizer_.encode(validation_text)
        refuse_plateau_without_validation(options, val_ids is not None, "pass validation_text")
        self.network_ = self._build_network(self.tokenizer_.vocab_size, options)
        result = fit_language_model(
            self.network_, train_ids, val_ids, options, bptt=int(self.bptt), run_dir=self.run_dir
        )
        self.network_.eval()
        self.fit_result_ = result
        self.history_ = result.history
        return self

    # ------------------------------------------------------------- evaluation
    def log_probs(self, text: str | Sequence[str]) -> np.ndarray:
        """Natural-log probability of every token after the first, given all before it.

        The text is read as one stream from a zero state (exactly, in chunks of
        :data:`EVAL_CHUNK` tokens with the state carried over).

        Args:
            text: a str or a list of token strings (at least 2 tokens).

        Returns:
            A float64 array of ``n_tokens - 1`` values.
        """
        self._check_fitted()
        ids = torch.as_tensor(self.tokenizer_.encode(text))
        if len(ids) < 2:
            raise ValueError(f"text must hold at least 2 tokens to score; received {len(ids)}")
        network = self.network_
        network.eval()
        out, state = [], None
        with torch.no_grad():
            for start in range(0, len(ids) - 1, EVAL_CHUNK):
                x = ids[start : min(start + EVAL_CHUNK, len(ids) - 1)]
                y = ids[start + 1 : start + 1 + len(x)]
                hidden, state = network(x[None], state)
                logp = network.log_probs(hidden[0])
                out.append(logp.gather(1, y[:, None])[:, 0].double())
        return torch.cat(out).numpy()

    def perplexity(self, text: str | Sequence[str]) -> float:
        """Perplexity on a text: ``exp`` of the mean negative log-probability per token.

        Args:
            text: a str or a list of token strings (unknown words count as ``<unk>``).

        Returns:
            The perplexity over every token after the first.
        """
        return float(np.exp(-self.log_probs(text).mean()))

    def score(self, text: str | Sequence[str], y: Any = None, sample_weight: Any = None) -> float:
        """Mean log-probability per token (higher is better; scikit-learn's convention).

        Args:
            text: a str or a list of token strings (at least 2 tokens).
            y: ignored (scikit-learn's signature).
            sample_weight: one weight per scored token (``n_tokens - 1`` of them), or
                None for the plain mean.

        Returns:
            The (weighted) mean natural-log probability per token.
        """
        log_probs = self.log_probs(text)
        if sample_weight is not None and np.shape(sample_weight) != log_probs.shape:
            raise ValueError(
                f"sample_weight must hold one weight per scored token, shape "
                f"{log_probs.shape}; received {describe(sample_weight)}"
            )
        return float(np.average(log_probs, weights=sample_weight))

    # -------------------------------------------------------------- generation
    def generate(
        self,
        prompt: str = "",
        max_words: int = 50,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
    ) -> Iterator[str]:
        """Stream a continuation of ``prompt``, one token at a time.

        The prompt is read once; then each new token is one step of the LSTM from the
        carried state, so every token costs the same however long the text grows.
        ``<unk>`` is never produced.

        Args:
            prompt: text to continue ("" starts a new text, as after a line break).
            max_words: number of tokens to generate (words, punctuation marks and line
                breaks each count one; characters at ``level="char"``).
            temperature: divides the log-probabilities before sampling: < 1 sharper,
                > 1 flatter; 0 takes the most likely token every time (greedy).
            top_k: sample only among the k most likely tokens (None: all).
            top_p: nucleus sampling: only among the most likely tokens whose
                probabilities add up to ``top_p`` (None: all).
            seed: seeds the sampling; the same seed gives the same text (None: fresh
                randomness).

        Returns:
            An iterator of text pieces, each one token with the space before it where
            one belongs; ``"".join`` of them continues ``prompt`` readably.
        """
        self._check_fitted()
        check_int("max_words", max_words, 0)
        if isinstance(temperature, bool) or not isinstance(temperature, int | float):
            raise TypeError(f"temperature must be a number >= 0; received {describe(temperature)}")
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0; received {temperature}")
        check_optional_int("top_k", top_k, 1)
        if top_p is not None and (
            isinstance(top_p, bool) or not isinstance(top_p, int | float) or not 0 < top_p <= 1
        ):
            raise ValueError(
                f"top_p must be a number in (0, 1] or None; received {describe(top_p)}"
            )
        check_optional_int("seed", seed, 0)
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a str; received {describe(prompt)}")
        return self._stream(prompt, int(max_words), float(temperature), top_k, top_p, seed)

    def _stream(self, prompt, max_words, temperature, top_k, top_p, seed) -> Iterator[str]:
        tokenizer, network = self.tokenizer_, self.network_
        network.eval()
        tokens = tokenizer.tokenize(prompt)
        detokenizer = StreamingDetokenizer(tokenizer.level, tokens[-1] if tokens else None)
        # An empty prompt starts as after a line break: the start of a speech or line.
        ids = tokenizer.encode(tokens or [NEWLINE])
        generator = torch.Generator()  # its own stream: the global RNG is left alone
        if seed is None:
            generator.seed()  # fresh, non-deterministic
        else:
            generator.manual_seed(seed)
        with torch.no_grad():
            hidden, state = network(torch.as_tensor(ids)[None], None)  # the prompt, once
            logp = network.log_probs(hidden[:, -1])[0]
        for _ in range(max_words):
            token = self._choose(logp, temperature, top_k, top_p, generator)
            yield detokenizer.push(tokenizer.vocabulary_[token])
            with torch.no_grad():
                step_logp, state = network.step(torch.tensor([token]), state)
            logp = step_logp[0]

    @staticmethod
    def _choose(logp, temperature, top_k, top_p, generator) -> int:
        """The next token id from log-probabilities ``(V,)``, by the sampling rules."""
        logits = logp.clone()
        logits[0] = -torch.inf  # never write <unk> (id 0)
        if temperature == 0:
            return int(logits.argmax())
        logits = logits / temperature
        if top_k is not None and top_k < len(logits):
            kth = torch.topk(logits, top_k).values[-1]
            logits[logits < kth] = -torch.inf
        if top_p is not None and top_p < 1:
            sorted_logits, order = torch.sort(logits, descending=True)
            probs = torch.softmax(sorted_logits, dim=0)
            before = torch.cumsum(probs, dim=0) - probs  # mass of the tokens ranked above
            logits[order[before >= top_p]] = -torch.inf  # the top token always stays
        probs = torch.softmax(logits.double(), dim=0)
        return int(torch.multinomial(probs, 1, generator=generator))

    def generate_text(
        self,
        prompt: str = "",
        max_words: int = 50,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        seed: int | None = None,
    ) -> str:
        """The prompt and its generated continuation as one string (see :meth:`generate`).

        Args:
            prompt, max_words, temperature, top_k, top_p, seed: as :meth:`generate`.

        Returns:
            ``prompt`` (trailing spaces removed) followed by the generated text.
        """
        pieces = self.generate(prompt, max_words, temperature, top_k, top_p, seed)
        return prompt.rstrip(" \t") + "".join(pieces)

    # -------------------------------------------------------------- save/load
    def _fitted_config(self) -> dict[str, Any]:
        return {"tokenizer": self.tokenizer_.to_dict()}

    def _restore_fitted(self, config: dict[str, Any]) -> None:
        self.tokenizer_ = Tokenizer.from_dict(config["tokenizer"])
        self.network_ = self._build_network(self.tokenizer_.vocab_size, self.training_options_)
