"""TextGenerator: learning, exact perplexity, streamed generation, sampling rules, save/load."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone

import lstmkit
from lstmkit.nn.language_model import LanguageModelNetwork
from lstmkit.tasks import TextGenerator, load
from lstmkit.tasks import text_generator as text_generator_module
from lstmkit.training import TokenStreams, TrainingOptions

# A small language with real structure: who does what to whom, one clause per line.
SUBJECTS = ["the king", "the queen", "a fool", "my lord", "the duke"]
VERBS = ["loves", "hates", "serves", "follows", "fears"]
OBJECTS = ["the crown", "his daughter", "the sea", "her brother", "no man"]


def _text(n: int, seed: int) -> str:
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        s, v, o = rng.integers(5, size=3)
        end = [".", "!", "?"][rng.integers(3)]
        lines.append(f"{SUBJECTS[s].capitalize()} {VERBS[v]} {OBJECTS[o]}{end}\n")
    return "".join(lines)


TRAIN, VALID = _text(600, 0), _text(60, 1)


@pytest.fixture(scope="module")
def model():
    options = TrainingOptions(max_epochs=4, batch_size=8, learning_rate=1e-2, seed=0,
                              gradient_threshold=1.0, num_threads=1)  # fmt: skip
    return TextGenerator(
        embedding_size=24, hidden_size=32, dropout=0.0, bptt=20, training_options=options
    ).fit(TRAIN, validation_text=VALID)


def test_it_learns_the_language(model):
    vocab = model.tokenizer_.vocab_size
    ppl = model.perplexity(VALID)
    # Uniform guessing over the vocabulary scores `vocab`; the structure allows ~3.5
    # (5 choices per slot, then the punctuation, then a fixed line break).
    assert ppl < 6.0 < vocab
    assert model.history_["val_perplexity"].dropna().iloc[-1] < 8.0
    assert model.fit_result_.train_tokens_per_second > 0


def test_perplexity_is_exact_and_independent_of_chunking(model, monkeypatch):
    ids = torch.as_tensor(model.tokenizer_.encode(VALID))
    with torch.no_grad():
        hidden, _ = model.network_(ids[None, :-1])
        logp = model.network_.log_probs(hidden)[0].gather(1, ids[1:, None])[:, 0]
    expected = float(torch.exp(-logp.double().mean()))
    assert model.perplexity(VALID) == pytest.approx(expected, rel=1e-5)
    monkeypatch.setattr(text_generator_module, "EVAL_CHUNK", 7)
    assert model.perplexity(VALID) == pytest.approx(expected, rel=1e-5)


def _greedy_by_full_passes(model, prompt: str, n: int) -> list[str]:
    """Greedy decoding the slow way: re-read the whole text for every new token."""
    ids = list(model.tokenizer_.encode(prompt))
    out = []
    with torch.no_grad():
        for _ in range(n):
            hidden, _ = model.network_(torch.tensor([ids]))
            logp = model.network_.log_probs(hidden[0, -1])
            logp[0] = -torch.inf
            ids.append(int(logp.argmax()))
            out.append(model.tokenizer_.vocabulary_[ids[-1]])
    return out


def test_temperature_zero_is_greedy_and_streaming_equals_full_passes(model):
    prompt = "The king loves"
    greedy = model.generate_text(prompt, max_words=12, temperature=0)
    tokens = _greedy_by_full_passes(model, prompt, 12)
    streamer = lstmkit.text.StreamingDetokenizer(previous="loves")
    assert greedy == prompt + "".join(streamer.push(t) for t in tokens)
    # temperature -> 0, top_k = 1 and a tiny nucleus all reduce to the same argmax
    assert model.generate_text(prompt, 12, temperature=1e-4, seed=3) == greedy
    assert model.generate_text(prompt, 12, temperature=1.5, top_k=1, seed=3) == greedy
    assert model.generate_text(prompt, 12, temperature=1.0, top_p=1e-6, seed=3) == greedy


def test_sampling_with_a_seed_is_reproducible(model):
    a = list(model.generate("The queen", max_words=40, temperature=1.2, seed=7))
    b = list(model.generate("The queen", max_words=40, temperature=1.2, seed=7))
    c = list(model.generate("The queen", max_words=40, temperature=1.2, seed=8))
    assert a == b and a != c
    assert len(a) == 40 and "<unk>" not in "".join(a)


def test_top_k_samples_only_the_k_most_likely():
    logp = torch.log_softmax(torch.tensor([0.0, 3.0, 2.0, 1.0, 0.5]), dim=0)
    generator = torch.Generator().manual_seed(0)
    picks = {TextGenerator._choose(logp, 5.0, 2, None, generator) for _ in range(200)}
    assert picks == {1, 2}
    # top_p = 0.7 keeps tokens 1 and 2 (0.63 then 0.86 cumulative, <unk> masked first)
    picks = {TextGenerator._choose(logp, 1.0, None, 0.7, generator) for _ in range(200)}
    assert picks == {1, 2}


def test_save_and_load_round_trip(model, tmp_path):
    model.save(tmp_path / "lm")
    again = lstmkit.load(tmp_path / "lm")
    assert isinstance(again, TextGenerator) and isinstance(load(tmp_path / "lm"), TextGenerator)
    assert again.tokenizer_.vocabulary_ == model.tokenizer_.vocabulary_
    assert again.perplexity(VALID) == pytest.approx(model.perplexity(VALID), rel=1e-6)
    assert again.generate_text("A fool", 20, seed=1) == model.generate_text("A fool", 20, seed=1)
    assert again.get_params()["hidden_size"] == 32
    assert TextGenerator.load(tmp_path / "lm").tokenizer_.vocab_size == again.tokenizer_.vocab_size


def test_scikit_learn_contract_and_errors(model):
    fresh = clone(model)
    assert fresh.get_params()["embedding_size"] == 24 and not hasattr(fresh, "network_")
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        fresh.perplexity("the king")
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        model.generate("a", temperature=-1)
    with pytest.raises(ValueError, match=r"top_p must be a number in \(0, 1\]"):
        model.generate("a", top_p=0)
    with pytest.raises(ValueError, match="top_k must be an int >= 1"):
        model.generate("a", top_k=0)
    with pytest.raises(ValueError, match="output_layer must be one of"):
        TextGenerator(output_layer="sampled").fit(TRAIN)


def test_char_level_and_adaptive_softmax_and_tied_projection():
    options = TrainingOptions(max_epochs=1, batch_size=4, num_threads=1)
    char = TextGenerator(level="char", embedding_size=8, hidden_size=16, training_options=options)
    char.fit(TRAIN[:3000])
    assert set(char.tokenizer_.vocabulary_) >= set("the king\n")
    assert len(char.generate_text("Th", max_words=10, seed=0)) == 12  # 10 characters added
    net = LanguageModelNetwork(40, embedding_size=8, hidden_size=16, tie_weights=True)
    assert net.decoder.weight is net.embedding.weight and net.lstm.proj_size == 8
    adaptive = LanguageModelNetwork(40, embedding_size=8, hidden_size=16, output_layer="adaptive")
    hidden, _ = adaptive(torch.randint(0, 40, (2, 5)))
    assert torch.allclose(adaptive.log_probs(hidden).exp().sum(-1), torch.ones(2, 5), atol=1e-5)
    y = torch.randint(0, 40, (2, 5))
    manual = -adaptive.log_probs(hidden).gather(2, y[..., None]).mean()
    assert torch.allclose(adaptive.loss(hidden, y), manual, atol=1e-5)


def test_token_streams_carry_each_row_through_the_text():
    data = TokenStreams(np.arange(101), batch_size=4, bptt=10)
    rows = torch.cat([data[i][0] for i in range(len(data))], dim=1)
    assert rows.tolist() == np.arange(100).reshape(4, 25).tolist()  # row b reads part b in order
    targets = torch.cat([data[i][1] for i in range(len(data))], dim=1)
    assert torch.equal(targets, rows + 1)
    with pytest.raises(ValueError, match="too few for batch_size=200"):
        TokenStreams(np.arange(50), batch_size=200, bptt=10)


def test_score_weighs_tokens_and_fit_refuses_sample_weight(model):
    log_probs = model.log_probs(VALID)
    assert model.score(VALID, sample_weight=np.ones_like(log_probs)) == pytest.approx(
        model.score(VALID)
    )
    only_first = np.zeros_like(log_probs)
    only_first[0] = 1.0
    assert model.score(VALID, sample_weight=only_first) == pytest.approx(log_probs[0])
    with pytest.raises(ValueError, match="sample_weight must hold one weight per scored token"):
        model.score(VALID, sample_weight=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"sample_weight must be None: TextGenerator\.fit"):
        TextGenerator().fit(TRAIN, sample_weight=[1.0])
    assert model.training_options_.batch_size == 8
