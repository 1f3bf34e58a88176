"""Simulated rooms: impulse responses from pyroomacoustics, and delay-free reverberation.

:func:`random_rir` draws a shoebox room (4-10 x 3-8 x 2.4-3.5 m), a reverberation
time RT60 in 0.2-0.8 s, and a talker and a microphone at least 0.5 m from the walls
and 0.7-4 m apart, then computes the impulse response with the image source method
(``pyroomacoustics.ShoeBox``, wall absorption from Sabine's formula
``pyroomacoustics.inverse_sabine``). The reflection order is capped at 40 (a room with
RT60 0.8 s would otherwise take ~2 s to simulate; reflections beyond order 40 arrive
after ~0.5 s, 35-45 dB down).

:func:`reverberate` convolves audio with an impulse response and **removes the
direct-path delay**: the output is shifted by the index of the response's direct-path
peak (the largest tap: the direct path is the shortest and is not attenuated by any
wall) and cut to the input's length. A keyword spoken at samples ``[a, b)`` of the dry
audio is therefore heard from sample ``a`` in the reverberant one (its reverberant
tail rings on past ``b``, as it would in a room), and the frame labels stay exact.

Example:
    >>> from lstmkit.datasets.speech.rooms import random_rir, reverberate
    >>> rir = random_rir(seed=0, rt60=(0.2, 0.3))
    >>> x = np.zeros(1000, np.float32); x[100] = 1.0
    >>> y = reverberate(x, rir)
    >>> y.shape, int(np.argmax(abs(y)))
    ((1000,), 100)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstmkit._checks import describe
from lstmkit.datasets.speech.base import SAMPLE_RATE, as_generator, require

__all__ = ["RoomImpulseResponse", "random_rir", "reverberate"]

_MAX_ORDER = 40


@dataclass(frozen=True, eq=False)
class RoomImpulseResponse:
    """A simulated room impulse response and the room that made it.

    Args:
        rir: the impulse response (float32, scaled so the direct-path peak is 1).
        sample_rate: Hz.
        rt60: the target reverberation time (s).
        room: room size ``(x, y, z)`` in metres.
        source: talker position (m).
        microphone: microphone position (m).
        direct_index: the index of the direct-path peak in ``rir`` (the delay
            :func:`reverberate` removes).

    Returns:
        What :func:`random_rir` returns.

    Example:
        >>> from lstmkit.datasets.speech.rooms import random_rir
        >>> r = random_rir(seed=1, rt60=(0.2, 0.2))
        >>> float(r.rir[r.direct_index]), r.rt60
        (1.0, 0.2)
    """

    rir: np.ndarray
    sample_rate: int
    rt60: float
    room: tuple[float, float, float]
    source: tuple[float, float, float]
    microphone: tuple[float, float, float]
    direct_index: int


def _check_span(name: str, value: object, low: float, high: float) -> tuple[float, float]:
    ok = (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and low <= value[0] <= value[1] <= high
    )
    if not ok:
        raise ValueError(
            f"{name} must be a (low, high) pair with {low} <= low <= high <= {high}; "
            f"received {describe(value)}"
        )
    return float(value[0]), float(value[1])


def random_rir(
    *,
    seed: int | np.random.Generator = 0,
    rt60: tuple[float, float] = (0.2, 0.8),
    sample_rate: int = SAMPLE_RATE,
) -> RoomImpulseResponse:
    """A random shoebox room's impulse response (see the module docstring).

    Args:
        seed: int >= 0 or a ``numpy.random.Generator``.
        rt60: the range RT60 is drawn from (s), within [0.1, 2.0].
        sample_rate: Hz.

    Returns:
        A :class:`RoomImpulseResponse`.

    Example:
        >>> from lstmkit.datasets.speech.rooms import random_rir
        >>> r = random_rir(seed=0)
        >>> 0.2 <= r.rt60 <= 0.8, r.rir.dtype
        (True, dtype('float32'))
    """
    pra = require("pyroomacoustics", "simulated rooms")
    low, high = _check_span("rt60", rt60, 0.1, 2.0)
    rng = as_generator("seed", seed)
    for _ in range(100):
        size = np.array([rng.uniform(4, 10), rng.uniform(3, 8), rng.uniform(2.4, 3.5)])
        target = float(rng.uniform(low, high))
        try:
            absorption, order = pra.inverse_sabine(target, size)
        except ValueError:
            continue  # this room is too large for so short an RT60: draw another
        for _ in range(100):
            source = rng.uniform([0.5, 0.5, 1.2], size - [0.5, 0.5, size[2] - 1.9])
            microphone = rng.uniform([0.5, 0.5, 0.7], size - [0.5, 0.5, 1.0])
            if 0.7 <= np.linalg.norm(source - microphone) <= 4.0:
                break
        else:
            continue
        room = pra.ShoeBox(
            size,
            fs=sample_rate,
            materials=pra.Material(float(absorption)),
            max_order=int(min(order, _MAX_ORDER)),
        )
        room.add_source(source)
        room.add_microphone(microphone)
        room.compute_rir()
        rir = np.asarray(room.rir[0][0], dtype=np.float64)
        direct = int(np.argmax(np.abs(rir)))
        rir = (rir / rir[direct]).astype(np.float32)
        return RoomImpulseResponse(
            rir=rir,
            sample_rate=sample_rate,
            rt60=target,
            room=tuple(float(v) for v in size),
            source=tuple(float(v) for v in source),
            microphone=tuple(float(v) for v in microphone),
            direct_index=direct,
        )
    raise RuntimeError(f"could not draw a room for rt60 in [{low}, {high}] s")


def reverberate(
    audio: np.ndarray, rir: RoomImpulseResponse | np.ndarray, *, keep_peak: bool = True
) -> np.ndarray:
    """Convolve with a room impulse response, the direct-path delay removed.

    Args:
        audio: 1-D dry audio.
        rir: a :class:`RoomImpulseResponse`, or a 1-D impulse response array (its
            direct-path peak is then taken as its largest absolute tap).
        keep_peak: scale the result to the input's peak level (True), or keep the
            response's own gain (direct path at unit gain, reflections on top).

    Returns:
        float32 array of ``audio``'s length, aligned with ``audio`` (the direct sound
        of sample ``i`` is at sample ``i``).

    Example:
        >>> from lstmkit.datasets.speech.rooms import reverberate
        >>> h = np.array([0.0, 0.0, 1.0, 0.5], np.float32)  # delay 2, one echo
        >>> reverberate(np.array([1.0, 0.0, 0.0], np.float32), h, keep_peak=False).tolist()
        [1.0, 0.5, 0.0]
    """
    from scipy.signal import fftconvolve

    array = np.asarray(audio)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"audio must be a non-empty 1-D array; received {describe(audio)}")
    if isinstance(rir, RoomImpulseResponse):
        response, direct = rir.rir, rir.direct_index
    else:
        response = np.asarray(rir, dtype=np.float32)
        if response.ndim != 1 or response.size == 0 or not np.abs(response).max() > 0:
            raise ValueError(
                f"rir must be a RoomImpulseResponse or a non-zero 1-D array; "
                f"received {describe(rir)}"
            )
        direct = int(np.argmax(np.abs(response)))
    dry = array.astype(np.float32)
    wet = fftconvolve(dry, response)[direct : direct + dry.size]
    if keep_peak:
        peak_in, peak_out = float(np.abs(dry).max()), float(np.abs(wet).max())
        if peak_out > 0:
            wet = wet * (peak_in / peak_out)
    return wet.astype(np.float32)
