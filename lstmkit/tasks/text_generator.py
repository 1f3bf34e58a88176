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
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator

import lstmkit
from lstmkit._checks import describe
from lstmkit.nn.language_model import OUTPUT_LAYERS, LanguageModelNetwork
from lstmkit.tasks import base
from lstmkit.text import LEVELS, NEWLINE, StreamingDetokenizer, Tokenizer
from lstmkit.training import TrainingOptions, fit_language_model

__all__ = ["TextGenerator"]

#: Tokens scored per forward pass in :meth:`TextGenerator.perplexity` (one stream).
EVAL_CHUNK = 2048


def _check_int(name: str, value: Any, low: int, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        none = " or None" if allow_none else ""
        raise ValueError(f"{name} must be an int >= {low}{none}; received {describe(value)}")


@base.register
class TextGenerator(BaseEstimator):
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
        After ``fit``: ``tokenizer_``, ``network_``, ``history_``, ``fit_result_``.

    Example:
        >>> from lstmkit.tasks import TextGenerator
        >>> from lstmkit.training import TrainingOptions
        >>> text = "the cat sat on the mat .\\n" * 200
        >>> model = TextGenerator(hidden_size=32, embedding_size=32,
        ...                       training_options=TrainingOptions(max_epochs=5))
        >>> model.fit(text).generate_text("the cat", max_words=5, temperature=0)  # doctest: +SKIP
        'the cat sat on the mat.'
    """

    def __init__(
        self,
        level: str = "word",
        max_vocab: int | None = 10000,
        min_count: int = 1,
        lowercase: bool = False,
        embedding_size: int = 256,
        hidden_size: int = 256,
        num_layers: int = 1,
        dropout: float = 0.2,
        tie_weights: bool = True,
        output_layer: str = "softmax",
        bptt: int = 35,
        training_options: TrainingOptions | None = None,
        run_dir: str | None = None,
    ) -> None:
        self.level = level
        self.max_vocab = max_vocab
        self.min_count = min_count
        self.lowercase = lowercase
        self.embedding_size = embedding_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.tie_weights = tie_weights
        self.output_layer = output_layer
        self.bptt = bptt
        self.training_options = training_options
        self.run_dir = run_dir

    # ------------------------------------------------------------------ checks
    def _training_options(self) -> TrainingOptions:
        return base.resolve_training_options(self.training_options)

    def _check_params(self) -> TrainingOptions:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}; received {self.level!r}")
        if self.output_layer not in OUTPUT_LAYERS:
            raise ValueError(
                f"output_layer must be one of {OUTPUT_LAYERS}; received {self.output_layer!r}"
            )
        for name in ("embedding_size", "hidden_size", "num_layers", "bptt"):
            _check_int(name, getattr(self, name), 1)
        return self._training_options()

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(text) first"
            )

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
    def fit(self, text: str | Sequence[str], y: Any = None, *, validation_text: Any = None):
        """Learn the vocabulary and train the language model on one continuous text.

        Args:
            text: the training text (a str), or a list of token strings.
            y: ignored (scikit-learn's signature; the targets are the text itself,
                shifted by one token).
            validation_text: text to validate on (perplexity per iteration in the
                training history; the best weights are kept with
                ``output_model="best-validation"``), or None.

        Returns:
            self.
        """
        options = self._check_params()
        self.tokenizer_ = Tokenizer(self.level, self.max_vocab, self.min_count, self.lowercase)
        self.tokenizer_.fit(text)
        train_ids = self.tokenizer_.encode(text)
        if len(train_ids) < 3:
            raise ValueError(f"text must hold at least 3 tokens; received {len(train_ids)}")
        val_ids = None if validation_text is None else self.tokenizer_.encode(validation_text)
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

    def score(self, text: str | Sequence[str], y: Any = None) -> float:
        """Mean log-probability per token (higher is better; scikit-learn's convention)."""
        return float(self.log_probs(text).mean())

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
        _check_int("max_words", max_words, 0)
        if isinstance(temperature, bool) or not isinstance(temperature, int | float):
            raise TypeError(f"temperature must be a number >= 0; received {describe(temperature)}")
        if temperature < 0:
            raise ValueError(f"temperature must be >= 0; received {temperature}")
        _check_int("top_k", top_k, 1, allow_none=True)
        if top_p is not None and (
            isinstance(top_p, bool) or not isinstance(top_p, int | float) or not 0 < top_p <= 1
        ):
            raise ValueError(
                f"top_p must be a number in (0, 1] or None; received {describe(top_p)}"
            )
        _check_int("seed", seed, 0, allow_none=True)
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
    def save(self, directory: str | Path) -> Path:
        """Save the model to a folder: ``model.safetensors`` and ``config.json``.

        The config holds the class name, the constructor parameters and the
        vocabulary; load it with :func:`lstmkit.load` or :meth:`TextGenerator.load`.

        Args:
            directory: the model folder to write (replaced if it holds a model).

        Returns:
            The folder as a Path.
        """
        from lstmkit.io import save_model, to_jsonable

        self._check_fitted()
        config = {
            "estimator": type(self).__name__,
            "params": to_jsonable(base.saved_params(self), path="params"),
            "tokenizer": self.tokenizer_.to_dict(),
            "estimator_lstmkit_version": lstmkit.__version__,
        }
        return save_model(directory, self.network_.state_dict(), config)

    @classmethod
    def _from_saved(cls, state: dict[str, torch.Tensor], config: dict[str, Any]) -> TextGenerator:
        params = dict(config["params"])
        params["training_options"] = TrainingOptions.from_dict(params["training_options"])
        model = cls(**params)
        model.tokenizer_ = Tokenizer.from_dict(config["tokenizer"])
        model.network_ = model._build_network(
            model.tokenizer_.vocab_size, model._training_options()
        )
        model.network_.load_state_dict(state)
        model.network_.eval()
        return model

    @classmethod
    def load(cls, directory: str | Path) -> TextGenerator:
        """Load a TextGenerator saved with :meth:`save`.

        Args:
            directory: the model folder.

        Returns:
            The fitted TextGenerator.
        """
        model = base.load(directory)
        if not isinstance(model, cls):
            raise ValueError(f"{directory} holds a {type(model).__name__}, not a {cls.__name__}")
        return model
