"""Word- and character-level tokenisation for language models, and its inverse.

Word level splits text into words, punctuation marks and line breaks, each a token:
``"Good night, sweet prince!\\n"`` -> ``["Good", "night", ",", "sweet", "prince", "!",
"\\n"]``. Words keep their inner apostrophes and a leading one (``"turn'd"``,
``"'Tis"``), so Shakespeare's elisions stay single words. Hyphens and dashes are
tokens of their own, so compounds do not swell the vocabulary. Detokenising puts the
spaces back by the usual rules of English typography (none before ``,.;:?!``, none
around hyphens or line breaks), so ``detokenize(tokenize(text)) == text`` for text
that follows them.

The vocabulary keeps the most frequent tokens (``max_vocab`` including ``<unk>``,
and only tokens seen at least ``min_count`` times); every other token reads as
``<unk>``. It is plain JSON data (:meth:`Tokenizer.to_dict`), saved with the model.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from lstmkit._checks import describe

__all__ = ["LEVELS", "NEWLINE", "UNK", "StreamingDetokenizer", "Tokenizer", "detokenize", "split"]

#: Token of every out-of-vocabulary word; always id 0.
UNK = "<unk>"
#: The line-break token.
NEWLINE = "\n"
LEVELS = ("word", "char")

# One token per match, in order of preference: a line break; a word (letters and
# digits with inner apostrophes, and a leading apostrophe if it starts the word, as in
# "'Tis"); a run of dashes or hyphens; any other single visible character.
_WORD_TOKEN = re.compile(
    r"\n"
    r"|(?<![\w'])'?[^\W_]+(?:'[^\W_]+)*"
    r"|[^\W_]+(?:'[^\W_]+)*"
    r"|-+"
    r"|[^\s\w]|_"
)
# No space before these (they lean on the previous token) ...
_ATTACH_LEFT = frozenset(",.;:?!')]}%")
# ... and none after these (they lean on the next one).
_ATTACH_RIGHT = frozenset("([{$")


def split(text: str, level: str = "word") -> list[str]:
    """Split text into token strings (no vocabulary involved).

    Args:
        text: the text. Windows line ends (``\\r\\n``) count as ``\\n``.
        level: ``"word"`` (words, punctuation marks, line breaks) or ``"char"``
            (every character, spaces included).

    Returns:
        The list of tokens.

    Example:
        >>> from lstmkit.text import split
        >>> split("O, 'tis turn'd well-nigh!\\nAy.")
        ['O', ',', "'tis", "turn'd", 'well', '-', 'nigh', '!', '\\n', 'Ay', '.']
        >>> split("Ay.", level="char")
        ['A', 'y', '.']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; received {describe(text)}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}; received {level!r}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if level == "char":
        return list(text)
    return _WORD_TOKEN.findall(text)


def _is_dash(token: str) -> bool:
    return bool(token) and set(token) == {"-"}


class StreamingDetokenizer:
    """Turn word tokens into text one token at a time, as a generator streams them.

    Each :meth:`push` returns the text to append for that token (its leading space,
    if any, included), so the pieces joined equal :func:`detokenize` of all tokens.

    Args:
        level: ``"word"`` (typographic spacing) or ``"char"`` (tokens are joined as
            they are).
        previous: the token before the first one pushed (e.g. a prompt's last token),
            or None at the start of a text.

    Returns:
        An object whose ``push(token) -> str`` gives each token's text.

    Example:
        >>> from lstmkit.text import StreamingDetokenizer
        >>> d = StreamingDetokenizer()
        >>> [d.push(t) for t in ["Fair", "is", "foul", ",", "\\n", "and"]]
        ['Fair', ' is', ' foul', ',', '\\n', 'and']
    """

    def __init__(self, level: str = "word", previous: str | None = None) -> None:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}; received {level!r}")
        self.level = level
        self.previous = previous
        self._open_quote = False  # inside a "double-quoted" passage

    def push(self, token: str) -> str:
        """The text for ``token``, with the space before it if one belongs there."""
        if self.level == "char":
            self.previous = token
            return token
        prev = self.previous
        space = prev is not None and prev != NEWLINE and token != NEWLINE
        if space and (token in _ATTACH_LEFT or _is_dash(token)):
            space = False
        if space and (prev in _ATTACH_RIGHT or _is_dash(prev)):
            space = False
        if token == '"':  # an opening quote takes a space before, a closing one after
            if self._open_quote:
                space = False
            self._open_quote = not self._open_quote
        elif prev == '"' and self._open_quote:
            space = False
        self.previous = token
        return " " + token if space else token


def detokenize(tokens: Iterable[str], level: str = "word") -> str:
    """Join tokens into readable text: the inverse of :func:`split` for tidy text.

    Args:
        tokens: token strings.
        level: ``"word"`` (spaces between words, none before punctuation, none around
            hyphens and line breaks) or ``"char"`` (plain concatenation).

    Returns:
        The text.

    Example:
        >>> from lstmkit.text import detokenize
        >>> detokenize(["What", ",", "ho", "!", "\\n", "Who", "is", "there", "?"])
        'What, ho!\\nWho is there?'
    """
    streamer = StreamingDetokenizer(level)
    return "".join(streamer.push(token) for token in tokens)


class Tokenizer:
    """Text <-> token ids, with a frequency-capped vocabulary and an unknown token.

    Args:
        level: ``"word"`` (words, punctuation marks and line breaks are tokens) or
            ``"char"``.
        max_vocab: the vocabulary's size cap, ``<unk>`` included; None = no cap.
        min_count: keep only tokens seen at least this often in the fitted text.
        lowercase: lower-case all text first (a smaller vocabulary; generated text
            then comes out in lower case).

    Returns:
        After :meth:`fit`: ``vocabulary_`` (list of tokens, id = position, ``<unk>``
        = 0) and ``counts_`` (count of each vocabulary token in the fitted text).

    Example:
        >>> from lstmkit.text import Tokenizer
        >>> tok = Tokenizer(max_vocab=5).fit("the cat, the dog, the end.")
        >>> tok.vocabulary_
        ['<unk>', 'the', ',', '.', 'cat']
        >>> tok.encode("the dog.").tolist()
        [1, 0, 3]
        >>> tok.decode([1, 4, 3])
        'the cat.'
    """

    def __init__(
        self,
        level: str = "word",
        max_vocab: int | None = 10000,
        min_count: int = 1,
        lowercase: bool = False,
    ) -> None:
        if level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}; received {level!r}")
        if max_vocab is not None and (
            isinstance(max_vocab, bool) or not isinstance(max_vocab, int) or max_vocab < 2
        ):
            raise ValueError(
                f"max_vocab must be an int >= 2 or None; received {describe(max_vocab)}"
            )
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be an int >= 1; received {describe(min_count)}")
        if not isinstance(lowercase, bool):
            raise TypeError(f"lowercase must be True or False; received {describe(lowercase)}")
        self.level = level
        self.max_vocab = max_vocab
        self.min_count = min_count
        self.lowercase = lowercase

    # ----------------------------------------------------------------- fitting
    def tokenize(self, text: str) -> list[str]:
        """Split ``text`` into token strings (before the vocabulary is applied).

        Args:
            text: the text.

        Returns:
            The tokens, lower-cased if ``lowercase``.

        Example:
            >>> Tokenizer(lowercase=True).tokenize("To be, or")
            ['to', 'be', ',', 'or']
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str; received {describe(text)}")
        return split(text.lower() if self.lowercase else text, self.level)

    def fit(self, text: str | Sequence[str]) -> Tokenizer:
        """Build the vocabulary from a text or an already tokenised list.

        Tokens are ranked by count (ties by the token itself, so the result never
        depends on the order of a hash); ``<unk>`` comes first.

        Args:
            text: a str, or a list of token strings.

        Returns:
            self.

        Example:
            >>> Tokenizer(level="char").fit("abba").vocabulary_
            ['<unk>', 'a', 'b']
        """
        tokens = self._as_tokens(text, "text")
        counts = Counter(tokens)
        counts.pop(UNK, None)
        ranked = sorted(
            (item for item in counts.items() if item[1] >= self.min_count),
            key=lambda item: (-item[1], item[0]),
        )
        if self.max_vocab is not None:
            ranked = ranked[: self.max_vocab - 1]
        self.vocabulary_ = [UNK] + [token for token, _ in ranked]
        self.counts_ = [len(tokens) - sum(c for _, c in ranked)] + [c for _, c in ranked]
        self._index = {token: i for i, token in enumerate(self.vocabulary_)}
        return self

    def _as_tokens(self, text: str | Sequence[str], name: str) -> list[str]:
        if isinstance(text, str):
            return self.tokenize(text)
        if isinstance(text, Sequence) and all(isinstance(t, str) for t in text):
            return [t.lower() for t in text] if self.lowercase else list(text)
        raise TypeError(
            f"{name} must be a str or a list of token strings; received {describe(text)}"
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "vocabulary_"):
            raise ValueError("this Tokenizer has no vocabulary yet; call fit(text) first")

    # -------------------------------------------------------------- conversion
    @property
    def vocab_size(self) -> int:
        """Number of tokens in the vocabulary, ``<unk>`` included."""
        self._check_fitted()
        return len(self.vocabulary_)

    def token_id(self, token: str) -> int:
        """The id of one token string (0, ``<unk>``, if it is not in the vocabulary)."""
        self._check_fitted()
        return self._index.get(token, 0)

    def encode(self, text: str | Sequence[str]) -> np.ndarray:
        """Token ids of a text (or of a list of token strings).

        Args:
            text: a str, or a list of token strings.

        Returns:
            An int64 array of ids; unknown tokens are 0 (``<unk>``).

        Example:
            >>> Tokenizer().fit("a b a").encode("a c").tolist()
            [1, 0]
        """
        self._check_fitted()
        tokens = self._as_tokens(text, "text")
        index = self._index
        return np.fromiter((index.get(t, 0) for t in tokens), dtype=np.int64, count=len(tokens))

    def tokens(self, ids: Iterable[int]) -> list[str]:
        """The token strings of ids."""
        self._check_fitted()
        vocabulary = self.vocabulary_
        return [vocabulary[int(i)] for i in ids]

    def decode(self, ids: Iterable[int]) -> str:
        """Readable text from token ids (see :func:`detokenize`).

        Args:
            ids: token ids.

        Returns:
            The text; unknown words show as ``<unk>``.

        Example:
            >>> tok = Tokenizer().fit("Hark , who goes there ?")
            >>> tok.decode(tok.encode("Hark, who goes there?"))
            'Hark, who goes there?'
        """
        return detokenize(self.tokens(ids), self.level)

    # ------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        """Everything needed to rebuild this tokenizer, as JSON-able values.

        Returns:
            A dict with the options, the vocabulary and its counts.

        Example:
            >>> Tokenizer(level="char").fit("ab").to_dict()["vocabulary"]
            ['<unk>', 'a', 'b']
        """
        self._check_fitted()
        return {
            "level": self.level,
            "max_vocab": self.max_vocab,
            "min_count": self.min_count,
            "lowercase": self.lowercase,
            "vocabulary": list(self.vocabulary_),
            "counts": [int(c) for c in self.counts_],
        }

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Tokenizer:
        """Rebuild a tokenizer saved with :meth:`to_dict`.

        Args:
            values: the dict :meth:`to_dict` returned.

        Returns:
            A fitted Tokenizer equal to the saved one.

        Example:
            >>> tok = Tokenizer().fit("to be or not")
            >>> Tokenizer.from_dict(tok.to_dict()).vocabulary_ == tok.vocabulary_
            True
        """
        if not isinstance(values, dict):
            raise TypeError(
                f"values must be a dict from Tokenizer.to_dict; received {describe(values)}"
            )
        missing = {"level", "max_vocab", "min_count", "lowercase", "vocabulary", "counts"} - set(
            values
        )
        if missing:
            raise ValueError(f"values lacks the tokenizer field(s) {sorted(missing)}")
        vocabulary = values["vocabulary"]
        if not vocabulary or vocabulary[0] != UNK or len(set(vocabulary)) != len(vocabulary):
            raise ValueError(
                f"values['vocabulary'] must be unique tokens starting with {UNK!r}; "
                f"received {describe(vocabulary)}"
            )
        tokenizer = cls(
            values["level"], values["max_vocab"], values["min_count"], values["lowercase"]
        )
        tokenizer.vocabulary_ = list(vocabulary)
        tokenizer.counts_ = [int(c) for c in values["counts"]]
        tokenizer._index = {token: i for i, token in enumerate(vocabulary)}
        return tokenizer

    def __repr__(self) -> str:
        size = f", vocab_size={len(self.vocabulary_)}" if hasattr(self, "vocabulary_") else ""
        return f"Tokenizer(level={self.level!r}{size})"
