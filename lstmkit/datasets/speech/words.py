"""Words and sentences for keyword-spotting corpora: negatives, carriers, confusables.

* :data:`NOUNS`, :data:`VERBS`, :data:`ADJECTIVES`, :data:`OTHER_WORDS` (adverbs,
  pronouns, numbers, function words) and their union :data:`WORDS`: nearly 600 common
  English words, written for this file (a list of common words is a fact, not a
  work; public domain).
* :data:`CARRIER_TEMPLATES`: sentences with a ``{kw}`` slot that a keyword is spoken
  in ("did you say {kw} just now"); ``"{kw}"`` alone is the bare keyword.
* :func:`negative_sentences`: sentences from :data:`SENTENCE_TEMPLATES` filled with
  random words, never containing an excluded word (the keyword).
* :data:`CONFUSABLES` and :func:`confusables_for`: words that sound like a keyword
  (negatives a detector must reject).

**How confusables are found.** :data:`CONFUSABLES` lists them by hand for common
commands (the Speech Commands words and a few wake words). For any other keyword,
:func:`confusables_for` transcribes the keyword and every word of :data:`WORDS` into
IPA phonemes with espeak-ng (``espeak_TextToPhonemes``, stress marks dropped) and
ranks the words by the phoneme edit distance to the keyword divided by the longer
length, minus 0.15 when the first phoneme is the same and 0.15 when the last is (words
that start or end alike are the usual false alarms). Homophones (the same phonemes as
the keyword, e.g. "know" for "no") are dropped: no detector can tell them apart, so
they are not negatives. For a keyword of several words ("hey computer") the candidates
are each word alone and the phrase with one word replaced by one of its closest
words. Without espeak-ng, letters stand in for phonemes (``difflib``'s similarity
ratio plus the same first/last bonus) and homophones cannot be detected.

Example:
    >>> from lstmkit.datasets.speech.words import CONFUSABLES, confusables_for
    >>> "yet" in CONFUSABLES["yes"]
    True
    >>> confusables_for("yes", n=3)
    ['yet', 'yeah', 'yesterday']
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from lstmkit._checks import check_int
from lstmkit.datasets.speech.base import as_generator, check_text

__all__ = [
    "ADJECTIVES",
    "CARRIER_TEMPLATES",
    "CONFUSABLES",
    "NOUNS",
    "OTHER_WORDS",
    "SENTENCE_TEMPLATES",
    "VERBS",
    "WORDS",
    "carrier_parts",
    "confusables_for",
    "negative_sentences",
]

#: Common concrete and abstract nouns.
NOUNS: tuple[str, ...] = tuple(
    """
    apple air animal answer arm baby back bag ball bank bed bird boat body book bottle
    box boy bread bridge brother building bus car card cat chair child city class clock
    cloud coat coffee color computer corner country cup day desk dinner doctor dog door
    dream dress ear earth egg end evening eye face family farm father field fire fish
    floor flower food foot forest friend fruit game garden girl glass gold grass ground
    group hair hand hat head heart hill home horse hospital hour house idea island job
    key kitchen lake language letter life light line lunch machine man map market meal
    meeting milk minute money month morning mother mountain mouth music name night nose
    number ocean office paper park party pen people phone picture piece place plan plant
    plate pocket problem question radio rain river road rock room school sea season seat
    shirt shoe shop side sister sky snow song sound space spring star station stone
    store story street student summer sun table teacher team tea thing time town train
    tree trip truck voice wall water weather week wind window winter woman word work
    world year
    """.split()
)

#: Common verbs (base form).
VERBS: tuple[str, ...] = tuple(
    """
    ask bake begin believe borrow break bring build buy call carry catch change choose
    clean climb close cook count cover cross cry cut dance decide draw drink drive eat
    enjoy explain fall feel fill find finish fly follow forget give grow happen hear
    help hide hold hope hurry jump keep kick know laugh learn leave lend lie listen live
    look lose love make mean meet miss move need open order paint pay pick plan play
    pull push put rain reach read remember rest return ride ring run save say see sell
    send show sing sit sleep smile speak spend stand start stay swim take talk teach
    tell think throw touch travel try turn understand use visit wait walk want wash
    watch wear win wish wonder work worry write
    """.split()
)

#: Common adjectives.
ADJECTIVES: tuple[str, ...] = tuple(
    """
    able angry bad beautiful big black blue bored brave bright brown busy calm careful
    cheap clean clear clever cold cool dark dear deep different dirty dry early easy
    empty expensive fair famous fast fine free fresh friendly full funny gentle glad
    good gray great green happy hard healthy heavy high hot huge hungry important kind
    large late lazy light little long loud lovely low lucky main modern narrow new nice
    noisy old orange pink polite poor pretty proud purple quick quiet rare ready real
    red rich round sad safe sharp short shy simple slow small smart soft sorry special
    strange strong sweet tall terrible thick thin tired tiny warm weak wet white whole
    wide wild wise wonderful wrong yellow young
    """.split()
)

#: Adverbs, pronouns, numbers, prepositions and other function words.
OTHER_WORDS: tuple[str, ...] = tuple(
    """
    about above across after again against almost alone along already also always
    among and another any anyone anything around as at away because before behind
    below beside between both but by certainly during each either else enough even
    ever every everyone everything except far few for from here how however if inside
    instead into just later least less many maybe more most much near nearly never
    next nobody none nothing now often once only or other outside over perhaps please
    quite rather really since so some someone something sometimes soon still such
    than that the then there these they this those though through today together
    tomorrow tonight too toward under until usually very what when where which while
    who why with within without would yesterday yet you your one two three four five
    six seven eight nine ten eleven twelve twenty hundred thousand first second third
    """.split()
)

#: All of the above, sorted, without duplicates.
WORDS: tuple[str, ...] = tuple(sorted(set(NOUNS + VERBS + ADJECTIVES + OTHER_WORDS)))

#: Sentences a keyword is spoken in; ``{kw}`` marks the keyword.
CARRIER_TEMPLATES: tuple[str, ...] = (
    "{kw}",
    "did you say {kw} just now",
    "I think {kw} is right",
    "{kw} please",
    "okay {kw}",
    "I said {kw}",
    "the answer is {kw}",
    "well {kw} I guess",
    "can you hear me {kw}",
    "{kw} is what I heard",
    "so {kw} then",
    "tell me {kw} again",
    "and then {kw}",
    "now {kw}",
    "my word was {kw} today",
)

#: Templates for negative sentences: ``{noun}``, ``{verb}``, ``{adjective}``, ``{other}``
#: slots are filled with random words of that kind.
SENTENCE_TEMPLATES: tuple[str, ...] = (
    "the {noun} is {adjective}",
    "I want to {verb} the {noun}",
    "can you {verb} it {other}",
    "we will {verb} the {adjective} {noun} {other}",
    "my {noun} was very {adjective}",
    "please {verb} the {noun}",
    "where is the {adjective} {noun}",
    "they {verb} a {noun} every {noun}",
    "it is {other} too {adjective} to {verb}",
    "a {adjective} {noun} and a {adjective} {noun}",
    "did the {noun} {verb} {other}",
    "{other} I {verb} my {noun}",
    "the {noun} near the {noun} looks {adjective}",
    "how do you {verb} a {noun}",
    "I saw {other} a {adjective} {noun}",
    "let us {verb} and {verb}",
    "this {noun} is not {adjective}",
    "she will {verb} the {noun} {other}",
    "{noun}",
    "{verb} the {noun}",
    "{adjective} {noun}",
)

#: Words that sound like common keywords (homophones left out: they are not negatives).
CONFUSABLES: dict[str, list[str]] = {
    "yes": "yet yeah yesterday guess less chess mess says yell jest test dress bless press yep "
    "yeast".split(),
    "no": "now go snow new nose note low oh toe nor known nobody slow show".split(),
    "up": "cup pup cop hop hub oops upper us out app uh shut pop".split(),
    "down": "town gown clown dawn done crown brown sound noun drown found round".split(),
    "left": "lift loft theft deft lest laughed let less leaf felt list chef".split(),
    "right": "bright night light white ride rate height bite ripe wait rice fight".split(),
    "on": "an in own gone con upon one odd off honk".split(),
    "off": "of cough often scoff oaf awful offer if on soft".split(),
    "stop": "shop top step stomp stock stab drop chop spot stopper stamp stoop".split(),
    "go": "no though toe goat so grow goal dough ago gold coat glow".split(),
    "hey": "they may hi he say way hate pay hail hazy hello".split(),
    "okay": [
        "oh hey",
        "hockey",
        "croquet",
        "away",
        "obey",
        "cocky",
        "oak tree",
        "okra",
        "oh say",
        "crochet",
    ],
}


def _template_slots(template: str) -> list[str]:
    return re.findall(r"\{(\w+)\}", template)


def carrier_parts(template: str) -> tuple[str, str]:
    """Split a carrier template at its ``{kw}`` slot.

    Args:
        template: a string with exactly one ``{kw}``, e.g. one of
            :data:`CARRIER_TEMPLATES`.

    Returns:
        ``(before, after)``: the words before and after the keyword (stripped; may be
        empty).

    Example:
        >>> carrier_parts("did you say {kw} just now")
        ('did you say', 'just now')
    """
    if not isinstance(template, str) or template.count("{kw}") != 1:
        raise ValueError(
            f"carrier must be a string with exactly one '{{kw}}' slot; received {template!r}"
        )
    before, _, after = template.partition("{kw}")
    return before.strip(), after.strip()


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def negative_sentences(
    n: int,
    *,
    exclude: Sequence[str] = (),
    seed: int | np.random.Generator = 0,
) -> list[str]:
    """Random sentences from :data:`SENTENCE_TEMPLATES` and the word lists.

    Args:
        n: how many sentences (int >= 0).
        exclude: words or phrases that must never occur (the keyword and anything else
            that should not be said); matched as whole words, case-insensitively.
        seed: int >= 0 or a ``numpy.random.Generator``.

    Returns:
        ``n`` sentences.

    Example:
        >>> from lstmkit.datasets.speech.words import negative_sentences
        >>> sentences = negative_sentences(50, exclude=["yes", "the"], seed=0)
        >>> len(sentences), any("the" in s.split() for s in sentences)
        (50, False)
    """
    check_int("n", n, 0)
    rng = as_generator("seed", seed)
    if isinstance(exclude, str):
        exclude = [exclude]
    banned = {token for phrase in exclude for token in _tokens(phrase)}
    pools = {
        kind: [w for w in words if w not in banned]
        for kind, words in (
            ("noun", NOUNS),
            ("verb", VERBS),
            ("adjective", ADJECTIVES),
            ("other", OTHER_WORDS),
        )
    }
    templates = [
        t for t in SENTENCE_TEMPLATES if not banned.intersection(_tokens(re.sub(r"\{\w+\}", "", t)))
    ]
    if not templates:
        raise ValueError(f"exclude removes every sentence template; received {list(exclude)!r}")
    sentences = []
    for _ in range(n):
        template = templates[int(rng.integers(len(templates)))]
        words: dict[str, Any] = {}
        text = template
        for slot in _template_slots(template):
            pool = pools[slot]
            words[slot] = pool[int(rng.integers(len(pool)))]
            text = text.replace("{" + slot + "}", words[slot], 1)
        sentences.append(text)
    return sentences


def _edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _score(key: Sequence[str], other: Sequence[str]) -> float:
    if not key or not other:
        return 1.0
    distance = _edit_distance(key, other) / max(len(key), len(other))
    bonus = 0.15 * (key[0] == other[0]) + 0.15 * (key[-1] == other[-1])
    return distance - bonus


def _letter_score(key: str, other: str) -> float:
    ratio = difflib.SequenceMatcher(None, key, other).ratio()
    bonus = 0.15 * (key[0] == other[0]) + 0.15 * (key[-1] == other[-1])
    return (1.0 - ratio) - bonus


@functools.lru_cache(maxsize=1)
def _word_phonemes() -> dict[str, tuple[str, ...]] | None:
    from lstmkit.datasets.speech.espeak import EspeakSynthesizer

    if not EspeakSynthesizer.available():
        return None
    lists = EspeakSynthesizer().phoneme_lists(list(WORDS))
    return {word: tuple(phones) for word, phones in zip(WORDS, lists, strict=True)}


def _ranked_words(word: str, exclude: set[str]) -> list[tuple[float, str]]:
    """(score, word) of every list word except ``exclude`` and homophones, best first."""
    table = _word_phonemes()
    if table is not None:
        from lstmkit.datasets.speech.espeak import EspeakSynthesizer

        key = tuple(EspeakSynthesizer().phonemes(word))
        scored = [
            (_score(key, phones), w)
            for w, phones in table.items()
            if w not in exclude and phones != key
        ]
    else:
        scored = [(_letter_score(word, w), w) for w in WORDS if w not in exclude]
    return sorted(scored)


def confusables_for(keyword: str, *, n: int = 12) -> list[str]:
    """Words or phrases that sound like ``keyword`` (see the module docstring).

    Args:
        keyword: the keyword, one or more words.
        n: at most this many (int >= 1).

    Returns:
        Up to ``n`` confusables, closest first; the hand-made :data:`CONFUSABLES` list
        when the keyword has one.

    Example:
        >>> from lstmkit.datasets.speech.words import confusables_for
        >>> confusables_for("stop", n=2)
        ['shop', 'top']
        >>> len(confusables_for("computer", n=5))
        5
    """
    keyword = check_text("keyword", keyword)
    check_int("n", n, 1)
    key = keyword.lower()
    if key in CONFUSABLES:
        return CONFUSABLES[key][:n]
    words = _tokens(key)
    if len(words) == 1:
        return [w for _, w in _ranked_words(words[0], {words[0]})[:n]]
    candidates: list[tuple[float, str]] = []
    for i, word in enumerate(words):
        # the word alone (a partial keyword) ranks first, then near-miss phrases
        candidates.append((-1.0 + i * 1e-3, word))
        for score, other in _ranked_words(word, set(words))[:4]:
            phrase = " ".join([*words[:i], other, *words[i + 1 :]])
            candidates.append((score, phrase))
    seen: dict[str, float] = {}
    for score, phrase in sorted(candidates):
        seen.setdefault(phrase, score)
    return list(seen)[:n]
