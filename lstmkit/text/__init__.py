"""Text for language models: tokenising, vocabularies and turning tokens back into text.

* :class:`Tokenizer`: word level (words, punctuation marks and line breaks are tokens)
  or character level; a frequency-capped vocabulary with ``<unk>``; JSON-able.
* :func:`split` / :func:`detokenize`: text -> token strings -> readable text.
* :class:`StreamingDetokenizer`: the same spacing rules, one token at a time, for
  streamed generation.
"""

from lstmkit.text.tokenizer import (
    LEVELS,
    NEWLINE,
    UNK,
    StreamingDetokenizer,
    Tokenizer,
    detokenize,
    split,
)

__all__ = ["LEVELS", "NEWLINE", "UNK", "StreamingDetokenizer", "Tokenizer", "detokenize", "split"]
