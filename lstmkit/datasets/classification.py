"""Sequence classification datasets read from files that installed packages ship."""

from __future__ import annotations

import functools

import numpy as np

from lstmkit.datasets.types import SequenceClassificationData

JAPANESE_VOWELS_DESCRIPTION = (
    "Japanese Vowels: nine male speakers each uttered the vowels /a/ and /e/ in "
    "succession; the task is to tell the speaker (classes '1'..'9'). Each utterance "
    "was cut into 25.6 ms frames (6.4 ms shift, 10 kHz sampling) and each frame "
    "described by 12 LPC cepstrum coefficients, giving sequences of 7-29 frames x 12 "
    "features. 270 training utterances (30 per speaker) and 370 test utterances "
    "(24-88 per speaker, recorded later). Kudo, Toyama & Shimbo (1999), "
    '"Multidimensional curve classification using passing-through regions", Pattern '
    "Recognition Letters 20(11-13); UCI Machine Learning Repository; read from the UEA "
    "archive copy that aeon ships."
)


@functools.lru_cache(maxsize=1)
def load_japanese_vowels() -> SequenceClassificationData:
    """Japanese Vowels (UEA/UCI) as (T_i, 12) float32 sequences; cached, do not mutate.

    aeon reads its own ``.ts`` files offline. The file says ``@equalLength false`` and
    aeon returns each case unpadded as a (channels, time) array, so transposing to
    (time, features) is all that is needed: no padding to strip. The registry hands
    out deep copies of this cached object.
    """
    from aeon.datasets import load_classification

    def split(part: str) -> tuple[list[np.ndarray], np.ndarray]:
        cases, labels = load_classification("JapaneseVowels", split=part)
        # ascontiguousarray: a transposed view would be slow to batch and to copy to torch
        X = [np.ascontiguousarray(case.T, dtype=np.float32) for case in cases]
        return X, np.asarray(labels).astype(str)

    X_train, y_train = split("train")
    X_test, y_test = split("test")
    class_names = sorted(set(y_train) | set(y_test), key=int)
    return SequenceClassificationData(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        feature_names=[f"lpc_cepstrum_{k}" for k in range(1, 13)],
        class_names=class_names,
        description=JAPANESE_VOWELS_DESCRIPTION,
        name="japanese-vowels",
    )
