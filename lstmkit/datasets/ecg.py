"""Single-lead ECG, normal sinus rhythm versus atrial fibrillation: a simulator and a loader.

The PhysioNet/CinC Challenge 2017 asks for the rhythm of 9-60 s single-lead ECG records
(300 Hz): Normal (``N``), AF (``A``), Other (``O``) or too noisy (``~``). MATLAB's
*Classify ECG Signals Using LSTM Networks* example keeps N and A, cuts records into
9000-sample (30 s) segments, and meets about 1 AF segment to 7 normal ones. The data is
not shipped with any package, so this module offers both:

* :func:`load_physionet2017` reads the challenge layout (``REFERENCE.csv`` plus WFDB
  ``.hea``/``.mat`` records, with the ``wfdb`` package) for those who have it, and
  :func:`segment_records` cuts records into fixed-length segments as MATLAB does.
* :func:`simulate_ecg` generates records from a seed, with a beat model in the spirit
  of ECGSYN (McSharry et al. 2003, IEEE Trans. Biomed. Eng. 50): every beat is a sum
  of five Gaussians, the P, Q, R, S and T waves, placed around the beat's R time:

  ==== ============== =============== ==================================
  wave offset (s)     width sigma (s) amplitude (mV, before gain)
  ==== ============== =============== ==================================
  P    -0.16..-0.20   0.020-0.030     0.08-0.25 (absent in AF)
  Q    -0.03          0.008-0.012     -(0.05-0.20)
  R    0              0.008-0.012     0.8-1.6
  S    +0.03          0.008-0.012     -(0.15-0.45)
  T    +0.28 sqrt(RR) 0.06 sqrt(RR)   0.15-0.45
  ==== ============== =============== ==================================

  The T wave moves and widens with the RR interval (Bazett's QT ~ sqrt(RR)). Beat
  amplitudes follow respiration (+-2-8 %) plus 3 % beat-to-beat noise; the whole
  record is scaled by a per-patient gain (electrode placement, body habitus).

  *Normal sinus rhythm* (50-150 bpm: bradycardia to sinus tachycardia, the same span
  as AF's ventricular rate, so that rate alone does not tell the rhythms apart; a
  first version drew 50-120 bpm, and networks learned "fast means AF"):
  RR_k = RR0 (1 + a_LF sin(2 pi f_LF t_k + phi) + a_HF
  sin(2 pi f_resp t_k + psi)) + e_k, with Mayer waves (f_LF 0.08-0.12 Hz, a_LF 1-4 %),
  respiratory sinus arrhythmia (f_resp 0.15-0.40 Hz, a_HF 1-8 %) and an AR(1) residual
  e_k (coefficient 0.7, innovation 4-15 ms): RR is smooth and strongly autocorrelated.
  A share of normal patients (``ectopic_probability``) has 1-3 premature atrial beats
  (coupling 60-80 % of the RR, then a compensatory pause), the usual source of false
  AF alarms for RR-irregularity detectors.

  *Premature ventricular beats* (either rhythm, ``pvc_probability`` of patients, 1-4
  each): a beat replaced by one at 50-70 % of its RR with no P wave, a wide QRS
  (sigma 25-40 ms, one shape and polarity per patient) and an opposite T wave; the
  next beat keeps its time (full compensatory pause).

  *Atrial fibrillation* (60-150 bpm): no P waves; RR intervals drawn independently
  from a log-normal with the patient's mean rate and coefficient of variation
  (0.12-0.30), never shorter
  than 0.25 s (the AV node's refractory period) -- irregularly irregular, with no
  autocorrelation; fibrillatory f-waves: a sawtooth-like wave (fundamental plus 30 %
  second harmonic) at 4-9 Hz whose frequency drifts by +-0.3-1 Hz and whose amplitude
  (0.02-0.2 mV) is modulated by 20-50 %.

  *Noise, per patient*: baseline wander (three sinusoids at 0.05-0.5 Hz, one at the
  breathing rate, 0.05-0.4 mV in all), muscle (EMG) noise (white, 5-50 uV rms, with a
  slowly varying envelope) and powerline interference (50 or 60 Hz, 0-50 uV). *Motion
  artifacts* (``artifact_probability`` of records, either rhythm, 1-3 each): bursts of
  1-15 Hz noise, 0.3-2 s long, up to 0.1-0.8 mV, which make R-peak detectors find
  beats that are not there and miss ones that are.

  The ranges above are :data:`TRAINING_RANGES`. Held-out test patients come from
  other seeds *and* :data:`HELD_OUT_RANGES`: wider heart rates (normal 45-160 bpm, AF
  55-170 bpm), less irregular AF (RR variation down to 10 %), f-waves from 0.01 to
  0.25 mV at 3.5-10 Hz, 50 % more noise of every kind, a wider gain (0.4-1.8 instead
  of 0.6-1.5), stronger sinus arrhythmia (up to 10 %), premature atrial beats in 30 %
  instead of 20 % of normal patients, ventricular ones in 15 % instead of 10 %, and
  motion artifacts in 30 % instead of 20 % of records, up to 1.2 mV -- patients the
  training never saw.

Example:
    >>> from lstmkit.datasets.ecg import simulate_ecg
    >>> ecg = simulate_ecg(2, 1, seed=0)
    >>> ecg.signals.shape, ecg.labels.tolist(), ecg.fs
    ((3, 9000), ['N', 'N', 'A'], 300.0)
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lstmkit._checks import check_bool, check_float, check_int, describe
from lstmkit.datasets.types import SequenceClassificationData

__all__ = [
    "CLASSES",
    "HELD_OUT_RANGES",
    "PHYSIONET_LABELS",
    "TRAINING_RANGES",
    "ECGRanges",
    "ECGRecords",
    "SimulatedECG",
    "augment_ecg",
    "load_ecg_af_simulated",
    "load_physionet2017",
    "segment_records",
    "simulate_ecg",
]

#: The two rhythms of the simulated data, as the challenge codes them, sorted.
CLASSES = ("A", "N")
#: The challenge's four labels and what they mean.
PHYSIONET_LABELS = {"N": "normal", "A": "AF", "O": "other rhythm", "~": "too noisy"}

# Beat window around each R time (s): wide enough for the P wave before it and the end
# of the T wave at 50 bpm (0.28 sqrt(1.2) + 3 * 0.066 = 0.5 s) after it.
_BEAT_WINDOW = (-0.32, 0.62)


@dataclass(frozen=True)
class ECGRanges:
    """The ranges patients are drawn from (uniformly, each value ``(low, high)``).

    Args:
        normal_heart_rate: mean heart rate in sinus rhythm, bpm.
        af_heart_rate: mean ventricular rate in AF, bpm.
        af_rr_cv: coefficient of variation of the AF RR intervals.
        ectopic_probability: the share of normal patients with 1-3 premature beats.
        gain: overall amplitude scale of the record.
        f_wave_amplitude: f-wave amplitude in AF, mV.
        f_wave_frequency: f-wave mean frequency in AF, Hz.
        baseline_wander: total baseline-wander amplitude, mV.
        emg_noise: muscle-noise rms, mV.
        powerline: powerline amplitude, mV.
        respiratory_arrhythmia: amplitude of respiratory sinus arrhythmia, as a share of
            the mean RR (strong in the young: up to 10 % and more).
        pvc_probability: the share of patients (either rhythm) with 1-4 premature
            ventricular beats.
        artifact_probability: the share of records (either rhythm) with 1-3 motion
            artifacts.
        artifact_amplitude: motion-artifact amplitude, mV.

    Returns:
        A frozen record; :data:`TRAINING_RANGES` and :data:`HELD_OUT_RANGES` are two.

    Example:
        >>> from lstmkit.datasets.ecg import HELD_OUT_RANGES, TRAINING_RANGES
        >>> TRAINING_RANGES.af_heart_rate, HELD_OUT_RANGES.af_heart_rate
        ((60.0, 150.0), (55.0, 170.0))
    """

    normal_heart_rate: tuple[float, float] = (50.0, 150.0)
    af_heart_rate: tuple[float, float] = (60.0, 150.0)
    af_rr_cv: tuple[float, float] = (0.12, 0.30)
    ectopic_probability: float = 0.2
    gain: tuple[float, float] = (0.6, 1.5)
    f_wave_amplitude: tuple[float, float] = (0.02, 0.2)
    f_wave_frequency: tuple[float, float] = (4.0, 9.0)
    baseline_wander: tuple[float, float] = (0.05, 0.4)
    emg_noise: tuple[float, float] = (0.005, 0.05)
    powerline: tuple[float, float] = (0.0, 0.05)
    respiratory_arrhythmia: tuple[float, float] = (0.01, 0.08)
    pvc_probability: float = 0.1
    artifact_probability: float = 0.2
    artifact_amplitude: tuple[float, float] = (0.1, 0.8)


#: The ranges of training (and validation) patients.
TRAINING_RANGES = ECGRanges()
#: Shifted and wider ranges for held-out test patients (see the module docstring).
HELD_OUT_RANGES = ECGRanges(
    normal_heart_rate=(45.0, 160.0),
    af_heart_rate=(55.0, 170.0),
    af_rr_cv=(0.10, 0.35),
    ectopic_probability=0.3,
    gain=(0.4, 1.8),
    f_wave_amplitude=(0.01, 0.25),
    f_wave_frequency=(3.5, 10.0),
    baseline_wander=(0.05, 0.6),
    emg_noise=(0.005, 0.075),
    powerline=(0.0, 0.075),
    respiratory_arrhythmia=(0.01, 0.10),
    pvc_probability=0.15,
    artifact_probability=0.3,
    artifact_amplitude=(0.1, 1.2),
)


@dataclass(eq=False)
class SimulatedECG:
    """Simulated single-lead ECG records with their rhythm, beats and patient parameters.

    Args:
        signals: ``(N, T)`` float32 array, mV.
        labels: ``(N,)`` array of ``"N"`` (normal sinus rhythm) or ``"A"`` (AF).
        r_times: per record, the R-wave times (s) of the beats inside the record.
        beat_types: per record, each of those beats' type as MIT-BIH annotates it:
            ``"N"`` (conducted: sinus or AF), ``"S"`` (premature atrial) or ``"V"``
            (premature ventricular).
        patients: parameter name -> ``(N,)`` array of each record's value (heart rate,
            gain, noise levels, f-wave amplitude and frequency (0 in sinus rhythm), ...).
        fs: sampling frequency, Hz.

    Returns:
        What :func:`simulate_ecg` returns.

    Example:
        >>> from lstmkit.datasets.ecg import simulate_ecg
        >>> ecg = simulate_ecg(1, 1, seed=3)
        >>> sorted(ecg.patients)[:4]
        ['af_rr_cv', 'artifact_amplitude', 'artifacts', 'baseline_wander']
    """

    signals: np.ndarray
    labels: np.ndarray
    r_times: list[np.ndarray]
    beat_types: list[np.ndarray]
    patients: dict[str, np.ndarray]
    fs: float


def _check_ranges(ranges: ECGRanges) -> None:
    if not isinstance(ranges, ECGRanges):
        raise TypeError(f"ranges must be an ECGRanges; received {describe(ranges)}")
    for field in dataclasses.fields(ranges):
        value = getattr(ranges, field.name)
        if field.name.endswith("_probability"):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not (0.0 <= value <= 1.0)
            ):
                raise ValueError(f"ranges.{field.name} must be in [0, 1]; received {value!r}")
            continue
        low, high = value
        if not (np.isfinite(low) and np.isfinite(high) and 0.0 <= low <= high):
            raise ValueError(
                f"ranges.{field.name} must be (low, high) with 0 <= low <= high; received {value!r}"
            )


def _uniform(rng: np.random.Generator, bounds: tuple[float, float], size=None):
    return rng.uniform(bounds[0], bounds[1], size=size)


# ---------------------------------------------------------------------------- RR series
def _sinus_rr(rng: np.random.Generator, heart_rate: float, a_hf: float, span: float) -> np.ndarray:
    """Beat times (s) of normal sinus rhythm over [0, span): LF + HF modulation + AR(1)."""
    rr0 = 60.0 / heart_rate
    a_lf = rng.uniform(0.01, 0.04)
    f_lf, f_hf = rng.uniform(0.08, 0.12), rng.uniform(0.15, 0.40)
    phi_lf, phi_hf = rng.uniform(0, 2 * np.pi, size=2)
    innovation = rng.uniform(0.004, 0.015)
    # One beat at a time: the modulation is a function of the beat's own time, which
    # is the sum of the RRs before it (the integral pulse frequency model).
    t, residual, times = rng.uniform(0.0, rr0), 0.0, []
    while t < span:
        times.append(t)
        residual = 0.7 * residual + rng.normal(0.0, innovation)
        modulation = a_lf * np.sin(2 * np.pi * f_lf * t + phi_lf) + a_hf * np.sin(
            2 * np.pi * f_hf * t + phi_hf
        )
        t += max(rr0 * (1.0 + modulation) + residual, 0.3)
    return np.asarray(times)


def _add_ectopics(
    rng: np.random.Generator, times: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Premature atrial beats: one beat moved early, the next RR lengthened to match.

    Returns the new times and the indices of the premature beats.
    """
    times = times.copy()
    if len(times) < 6:
        return times, np.zeros(0, dtype=np.int64)
    chosen = np.sort(rng.choice(np.arange(2, len(times) - 2), size=count, replace=False))
    for k in chosen:
        rr = times[k] - times[k - 1]
        times[k] = times[k - 1] + rng.uniform(0.6, 0.8) * rr
    return times, chosen


def _add_pvcs(
    rng: np.random.Generator, times: np.ndarray, count: int, taken: np.ndarray
) -> np.ndarray:
    """Premature ventricular beats: a beat replaced by one at 50-70 % of its RR.

    The sinus (or AF) beat it replaces is not conducted, so the next beat keeps its
    time: a full compensatory pause. Returns the indices of the ventricular beats;
    ``times`` is changed in place. Beats in ``taken`` (premature atrial ones) are left.
    """
    # Isolated beats only: no couplets, and none next to a premature atrial beat, so
    # every premature beat is followed by one that keeps the underlying rhythm's time.
    blocked = {int(j) + d for j in taken for d in (-1, 0, 1)}
    chosen = []
    for k in rng.permutation(np.arange(2, len(times) - 2)):
        if len(chosen) == count:
            break
        if int(k) not in blocked:
            chosen.append(int(k))
            blocked.update((int(k) - 1, int(k), int(k) + 1))
    chosen = np.sort(np.asarray(chosen, dtype=np.int64))
    for k in chosen:
        rr = times[k] - times[k - 1]
        # never closer than 0.3 s to the beat before (ventricular refractoriness)
        times[k] = times[k - 1] + max(rng.uniform(0.5, 0.7) * rr, min(0.3, 0.9 * rr))
    return chosen


def _af_rr(rng: np.random.Generator, heart_rate: float, cv: float, span: float) -> np.ndarray:
    """Beat times (s) of AF: independent log-normal RR intervals, >= 0.25 s."""
    mean = 60.0 / heart_rate
    sigma2 = np.log1p(cv**2)
    n = int(span / 0.25) + 2
    rr = rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), size=n)
    rr = np.maximum(rr, 0.25)
    times = rng.uniform(0.0, mean) + np.concatenate([[0.0], np.cumsum(rr[:-1])])
    return times[times < span]


# -------------------------------------------------------------------------------- beats
def _render_beats(
    rng: np.random.Generator,
    times: np.ndarray,
    n: int,
    fs: float,
    af: bool,
    t0: float,
    ventricular: np.ndarray,
) -> np.ndarray:
    """Sum-of-Gaussians beats at R times ``times`` (s, record time + t0) on n samples.

    Beats at the indices ``ventricular`` are premature ventricular beats: no P wave, a
    wide QRS (one patient-specific shape and polarity: unifocal), and a T wave of the
    opposite polarity.
    """
    rr = np.diff(times, prepend=times[0] - np.median(np.diff(times)))
    rr = np.clip(rr, 0.25, 2.0)
    k = len(times)
    # Per patient: morphology; per beat: respiration-linked and random amplitude changes.
    p_amp = 0.0 if af else rng.uniform(0.08, 0.25)
    amps = np.array([
        p_amp, -rng.uniform(0.05, 0.20), rng.uniform(0.8, 1.6),
        -rng.uniform(0.15, 0.45), rng.uniform(0.15, 0.45),
    ])  # fmt: skip
    qrs_width = rng.uniform(0.008, 0.012)
    p_offset, p_width = -rng.uniform(0.16, 0.20), rng.uniform(0.020, 0.030)
    breathing = rng.uniform(0.02, 0.08) * np.sin(
        2 * np.pi * rng.uniform(0.15, 0.4) * times + rng.uniform(0, 2 * np.pi)
    )
    beat_scale = (1.0 + breathing + rng.normal(0.0, 0.03, size=k))[:, None]  # (k, 1)
    root = np.sqrt(rr)[:, None]
    offsets = np.concatenate(
        [np.full((k, 1), p_offset), np.full((k, 1), -0.03), np.zeros((k, 1)),
         np.full((k, 1), 0.03), 0.28 * root],
        axis=1,
    )  # fmt: skip
    widths = np.concatenate(
        [np.full((k, 1), p_width), np.full((k, 3), qrs_width), 0.06 * root], axis=1
    )
    amps = np.repeat(amps[None, :], k, axis=0)
    if len(ventricular):
        polarity = rng.choice([-1.0, 1.0])
        r_amp, t_amp = rng.uniform(0.8, 1.8), rng.uniform(0.2, 0.5)
        amps[ventricular] = [0.0, 0.0, polarity * r_amp, -0.2 * polarity * r_amp,
                             -polarity * t_amp]  # fmt: skip
        widths[ventricular, 1:4] = rng.uniform(0.025, 0.04)
        widths[ventricular, 4] *= 1.3
        offsets[ventricular, 3] = 0.07
        offsets[ventricular, 4] += 0.04
    # Each beat only touches the samples of its own window: O(beats x window), not
    # O(beats x record), which is what makes thousands of records take seconds.
    window = np.arange(int(np.floor(_BEAT_WINDOW[0] * fs)), int(np.ceil(_BEAT_WINDOW[1] * fs)))
    centre = np.round((times - t0) * fs).astype(np.int64)
    index = centre[:, None] + window[None, :]  # (k, W)
    tau = index / fs - (times - t0)[:, None]  # time from each beat's R, s
    waves = amps[:, None, :] * np.exp(
        -0.5 * ((tau[:, :, None] - offsets[:, None, :]) / widths[:, None, :]) ** 2
    )
    values = (waves.sum(axis=2) * beat_scale).ravel()
    index = index.ravel()
    inside = (index >= 0) & (index < n)
    return np.bincount(index[inside], weights=values[inside], minlength=n)


def _f_waves(rng: np.random.Generator, t: np.ndarray, amplitude: float, frequency: float):
    drift = rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * rng.uniform(0.05, 0.2) * t
                                           + rng.uniform(0, 2 * np.pi))  # fmt: skip
    phase = 2 * np.pi * np.cumsum(frequency + drift) * (t[1] - t[0]) + rng.uniform(0, 2 * np.pi)
    envelope = 1.0 + rng.uniform(0.2, 0.5) * np.sin(
        2 * np.pi * rng.uniform(0.1, 0.3) * t + rng.uniform(0, 2 * np.pi)
    )
    second = 0.3 * np.sin(2 * phase + rng.uniform(0, 2 * np.pi))
    return amplitude * envelope * (np.sin(phase) + second) / 1.3


def _artifacts(rng: np.random.Generator, t: np.ndarray, count: int, amplitude: float):
    """Motion artifacts: ``count`` bursts of 1-15 Hz noise, 0.3-2 s long, Hann-shaped.

    Electrode motion puts energy in the QRS band, so R-peak detectors find beats that
    are not there and lose ones that are -- the usual failure of RR-based AF detection
    on handheld single-lead recordings like the challenge's.
    """
    out = np.zeros_like(t)
    fs = 1.0 / (t[1] - t[0])
    for _ in range(count):
        m = max(int(rng.uniform(0.3, 2.0) * fs), 8)
        start = int(rng.integers(0, max(len(t) - m, 1)))
        spectrum = np.fft.rfft(rng.normal(size=m))
        freqs = np.fft.rfftfreq(m, 1.0 / fs)
        spectrum[(freqs < 1.0) | (freqs > 15.0)] = 0.0
        burst = np.fft.irfft(spectrum, n=m)
        burst /= max(np.abs(burst).max(), 1e-12)
        segment = out[start : start + m]
        segment += amplitude * np.hanning(m)[: len(segment)] * burst[: len(segment)]
    return out


def _noise(rng: np.random.Generator, t: np.ndarray, wander: float, emg: float, line: float):
    """Baseline wander + EMG (white, slowly modulated) + powerline (50 or 60 Hz)."""
    freqs = np.concatenate([[rng.uniform(0.15, 0.4)], rng.uniform(0.05, 0.5, size=2)])
    weights = rng.dirichlet(np.ones(3))
    phases = rng.uniform(0, 2 * np.pi, size=3)
    baseline = (
        wander * weights[:, None] * np.sin(2 * np.pi * freqs[:, None] * t + phases[:, None])
    ).sum(0)
    envelope = 1.0 + 0.5 * np.sin(2 * np.pi * rng.uniform(0.02, 0.2) * t + rng.uniform(0, 6.3))
    muscle = emg * envelope * rng.normal(size=t.shape)
    mains = line * np.sin(2 * np.pi * rng.choice([50.0, 60.0]) * t + rng.uniform(0, 2 * np.pi))
    return baseline + muscle + mains


def simulate_ecg(
    num_normal: int,
    num_af: int,
    *,
    fs: float = 300.0,
    duration: float = 30.0,
    ranges: ECGRanges = TRAINING_RANGES,
    seed: int = 0,
) -> SimulatedECG:
    """Simulate single-lead ECG records of normal sinus rhythm and of atrial fibrillation.

    The beat, rhythm and noise models are in the module docstring. Every record is a
    new patient: its heart rate, RR variability, morphology, gain and noise levels are
    drawn from ``ranges``. The same seed gives the same records.

    Args:
        num_normal: records of normal sinus rhythm (label ``"N"``), >= 0.
        num_af: records of atrial fibrillation (label ``"A"``), >= 0.
        fs: sampling frequency, Hz (300 in the challenge; >= 130 so 60 Hz mains fits).
        duration: record length, s (30 s at 300 Hz = 9000 samples, MATLAB's segments).
        ranges: the patient parameter ranges, :data:`TRAINING_RANGES` (default) or
            :data:`HELD_OUT_RANGES` or your own :class:`ECGRanges`.
        seed: the random seed (>= 0).

    Returns:
        A :class:`SimulatedECG`: normal records first, then AF records.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.ecg import simulate_ecg
        >>> ecg = simulate_ecg(1, 1, duration=10.0, seed=0)
        >>> ecg.signals.shape, ecg.signals.dtype
        ((2, 3000), dtype('float32'))
        >>> bpm = 60 / np.array([np.diff(r).mean() for r in ecg.r_times])
        >>> bool(np.all((bpm > 40) & (bpm < 200)))
        True
    """
    check_int("num_normal", num_normal, 0)
    check_int("num_af", num_af, 0)
    if num_normal + num_af < 1:
        raise ValueError("num_normal + num_af must be >= 1; received 0 records")
    check_float("fs", fs, 130.0)
    check_float("duration", duration, 2.0)
    _check_ranges(ranges)
    check_int("seed", seed, 0)

    fs = float(fs)
    n = round(duration * fs)
    t = np.arange(n) / fs
    rng = np.random.default_rng(seed)
    total = num_normal + num_af
    is_af = np.arange(total) >= num_normal
    # Draw every patient's parameters up front: record i's values then do not depend
    # on how many beats earlier records happened to have.
    p = {
        "heart_rate": np.where(
            is_af, _uniform(rng, ranges.af_heart_rate, total),
            _uniform(rng, ranges.normal_heart_rate, total),
        ),
        "af_rr_cv": np.where(is_af, _uniform(rng, ranges.af_rr_cv, total), 0.0),
        "ectopic_beats": np.where(
            ~is_af & (rng.random(total) < ranges.ectopic_probability),
            rng.integers(1, 4, size=total), 0,
        ),
        "gain": _uniform(rng, ranges.gain, total),
        "f_wave_amplitude": np.where(is_af, _uniform(rng, ranges.f_wave_amplitude, total), 0.0),
        "f_wave_frequency": np.where(is_af, _uniform(rng, ranges.f_wave_frequency, total), 0.0),
        "baseline_wander": _uniform(rng, ranges.baseline_wander, total),
        "emg_noise": _uniform(rng, ranges.emg_noise, total),
        "powerline": _uniform(rng, ranges.powerline, total),
        "respiratory_arrhythmia": np.where(
            is_af, 0.0, _uniform(rng, ranges.respiratory_arrhythmia, total)
        ),
        "pvc_beats": np.where(
            rng.random(total) < ranges.pvc_probability, rng.integers(1, 5, size=total), 0
        ),
        "artifacts": np.where(
            rng.random(total) < ranges.artifact_probability, rng.integers(1, 4, size=total), 0
        ),
        "artifact_amplitude": _uniform(rng, ranges.artifact_amplitude, total),
    }  # fmt: skip
    record_seeds = rng.integers(0, 2**63 - 1, size=total)

    signals = np.empty((total, n), dtype=np.float32)
    r_times, beat_types = [], []
    margin = 1.0  # beats start before and end after the record, so its edges look alike
    for i in range(total):
        r = np.random.default_rng(record_seeds[i])
        span = duration + 2 * margin
        atrial = np.zeros(0, dtype=np.int64)
        if is_af[i]:
            times = _af_rr(r, p["heart_rate"][i], p["af_rr_cv"][i], span)
        else:
            times = _sinus_rr(r, p["heart_rate"][i], p["respiratory_arrhythmia"][i], span)
            if p["ectopic_beats"][i]:
                times, atrial = _add_ectopics(r, times, int(p["ectopic_beats"][i]))
        ventricular = _add_pvcs(r, times, int(p["pvc_beats"][i]), atrial)
        ecg = _render_beats(r, times, n, fs, bool(is_af[i]), margin, ventricular)
        if is_af[i]:
            ecg += _f_waves(r, t, p["f_wave_amplitude"][i], p["f_wave_frequency"][i])
        ecg *= p["gain"][i]
        ecg += _noise(r, t, p["baseline_wander"][i], p["emg_noise"][i], p["powerline"][i])
        if p["artifacts"][i]:
            ecg += _artifacts(r, t, int(p["artifacts"][i]), p["artifact_amplitude"][i])
        signals[i] = ecg
        inside = times - margin
        kept = (inside >= 0) & (inside < duration)
        kinds = np.full(len(times), "N", dtype="<U1")
        kinds[atrial], kinds[ventricular] = "S", "V"
        r_times.append(inside[kept])
        beat_types.append(kinds[kept])
    labels = np.where(is_af, "A", "N")
    return SimulatedECG(
        signals=signals, labels=labels, r_times=r_times, beat_types=beat_types, patients=p, fs=fs
    )


def augment_ecg(
    signals: np.ndarray,
    *,
    copies: int = 1,
    gain: tuple[float, float] = (0.5, 1.5),
    noise: tuple[float, float] = (0.0, 0.1),
    seed: int = 0,
) -> np.ndarray:
    """New training records from old ones: a random gain and extra white (muscle) noise.

    Each copy of record ``x`` is ``g * x + s * e`` with ``g`` drawn uniformly from
    ``gain``, ``s`` (mV rms) from ``noise`` and ``e`` standard normal noise. The
    rhythm -- what decides the label -- is untouched, so a network trained on both
    learns that amplitude and noise level say nothing about AF. (Without it, a
    network trained on the simulator's noise ranges called noisy normal patients AF.)

    Args:
        signals: ``(N, T)`` records (mV).
        copies: augmented copies per record (>= 1).
        gain: ``(low, high)`` range of the amplitude scale, > 0.
        noise: ``(low, high)`` range of the added noise's rms, mV, >= 0.
        seed: the random seed (>= 0).

    Returns:
        ``(N * copies, T)`` float32: copy ``c`` of record ``i`` is row ``c * N + i``
        (repeat the labels ``copies`` times to match).

    Example:
        >>> from lstmkit.datasets.ecg import augment_ecg, simulate_ecg
        >>> ecg = simulate_ecg(2, 1, duration=5.0, seed=0)
        >>> augment_ecg(ecg.signals, copies=2, seed=1).shape
        (6, 1500)
    """
    try:
        x = None if isinstance(signals, str | bytes) else np.asarray(signals, dtype=np.float32)
    except (TypeError, ValueError):
        x = None
    if x is None or x.ndim != 2 or x.shape[0] < 1 or not np.isfinite(x).all():
        raise ValueError(
            f"signals must be a finite (N, T) array of records; received {describe(signals)}"
        )
    check_int("copies", copies, 1)
    for name, bounds, floor in (("gain", gain, 1e-12), ("noise", noise, 0.0)):
        if (
            not isinstance(bounds, tuple | list)
            or len(bounds) != 2
            or not all(isinstance(v, int | float) and np.isfinite(v) for v in bounds)
            or not floor <= bounds[0] <= bounds[1]
        ):
            raise ValueError(
                f"{name} must be (low, high) with {'0 <' if floor else '0 <='} low <= high; "
                f"received {bounds!r}"
            )
    check_int("seed", seed, 0)
    rng = np.random.default_rng(seed)
    total = copies * len(x)
    scale = rng.uniform(gain[0], gain[1], size=(total, 1))
    rms = rng.uniform(noise[0], noise[1], size=(total, 1))
    tiled = np.tile(x, (copies, 1))
    return (scale * tiled + rms * rng.standard_normal(tiled.shape)).astype(np.float32)


# ----------------------------------------------------------------------------- dataset
def load_ecg_af_simulated(
    *,
    num_train: int = 2000,
    num_test: int = 1000,
    af_fraction: float = 0.125,
    duration: float = 30.0,
    held_out_ranges: bool = True,
    seed: int = 0,
) -> SequenceClassificationData:
    """The ``ecg-af-simulated`` dataset: 30 s, 300 Hz records, normal vs AF, about 7:1.

    What ``load_dataset("ecg-af-simulated", ...)`` returns (copies of a cached object).
    Training patients: :func:`simulate_ecg` with :data:`TRAINING_RANGES` and seed
    ``2 * seed``; test patients: seed ``2 * seed + 1`` and :data:`HELD_OUT_RANGES`
    (or the training ranges when ``held_out_ranges=False``). Normal records come first
    in each set, then AF records.

    Args:
        num_train, num_test: records in each set (>= 2).
        af_fraction: share of AF records, 0 < f < 1 (0.125: the challenge's ~1:7).
        duration: record length, s (30 s = 9000 samples).
        held_out_ranges: draw test patients from the shifted, wider ranges.
        seed: the dataset seed (>= 0).

    Returns:
        A :class:`~lstmkit.datasets.SequenceClassificationData` of ``(T, 1)`` float32
        signals in mV, classes ``["A", "N"]``.

    Example:
        >>> from lstmkit.datasets.ecg import load_ecg_af_simulated
        >>> data = load_ecg_af_simulated(num_train=8, num_test=8, duration=5.0)
        >>> data.X_train[0].shape, data.y_train.tolist().count("A"), data.class_names
        ((1500, 1), 1, ['A', 'N'])
    """
    check_int("num_train", num_train, 2)
    check_int("num_test", num_test, 2)
    check_float("af_fraction", af_fraction, 0.0)
    if not 0.0 < af_fraction < 1.0:
        raise ValueError(f"af_fraction must be strictly between 0 and 1; received {af_fraction}")
    check_float("duration", duration, 2.0)
    check_bool("held_out_ranges", held_out_ranges)
    check_int("seed", seed, 0)
    return _ecg_af_simulated(
        int(num_train), int(num_test), float(af_fraction), float(duration),
        held_out_ranges, int(seed),
    )  # fmt: skip


def _split(total: int, af_fraction: float) -> tuple[int, int]:
    num_af = min(max(round(total * af_fraction), 1), total - 1)
    return total - num_af, num_af


@functools.lru_cache(maxsize=2)
def _ecg_af_simulated(
    num_train: int, num_test: int, af_fraction: float, duration: float, held_out: bool, seed: int
) -> SequenceClassificationData:
    test_ranges = HELD_OUT_RANGES if held_out else TRAINING_RANGES
    # Different seed streams (2s, 2s+1): no test patient is a copy of a training one.
    train = simulate_ecg(*_split(num_train, af_fraction), duration=duration, seed=2 * seed)
    test = simulate_ecg(
        *_split(num_test, af_fraction), duration=duration, ranges=test_ranges, seed=2 * seed + 1
    )
    which = "held-out (shifted, wider)" if held_out else "training"
    return SequenceClassificationData(
        X_train=[row[:, None].copy() for row in train.signals],
        y_train=train.labels,
        X_test=[row[:, None].copy() for row in test.signals],
        y_test=test.labels,
        feature_names=["ecg_mv"],
        class_names=list(CLASSES),
        description=(
            f"Simulated single-lead ECG, {duration:g} s at 300 Hz, normal sinus rhythm (N) "
            f"vs atrial fibrillation (A), AF share {af_fraction:g}: sum-of-Gaussian PQRST "
            f"beats (ECGSYN-like) on an HRV (LF + RSA + AR) or irregularly irregular RR "
            f"series, f-waves in AF, baseline wander, EMG and powerline noise "
            f"(lstmkit.datasets.ecg). Training patients: seed {2 * seed}, training ranges; "
            f"test patients: seed {2 * seed + 1}, {which} ranges."
        ),
        name="ecg-af-simulated",
    )


# -------------------------------------------------------------------- PhysioNet 2017
@dataclass(eq=False)
class ECGRecords:
    """ECG records of varying length with their labels, e.g. the PhysioNet 2017 data.

    Args:
        signals: list of 1-D float32 arrays (mV), one per record.
        labels: ``(N,)`` array of labels (``"N"``, ``"A"``, ``"O"``, ``"~"``).
        names: ``(N,)`` array of record names (``"A00001"``, ...).
        fs: sampling frequency, Hz.

    Returns:
        What :func:`load_physionet2017` and :func:`segment_records` return.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.ecg import ECGRecords
        >>> r = ECGRecords([np.zeros(5, np.float32)], np.array(["N"]), np.array(["x"]), 300.0)
        >>> len(r.signals), r.fs
        (1, 300.0)
    """

    signals: list[np.ndarray]
    labels: np.ndarray
    names: np.ndarray
    fs: float


def load_physionet2017(
    directory: str | os.PathLike[str], *, classes: tuple[str, ...] | None = None
) -> ECGRecords:
    """Read the PhysioNet/CinC Challenge 2017 training set from a local folder.

    The folder holds ``REFERENCE.csv`` (lines ``A00001,N``: record name, label) and,
    for each record, a WFDB header ``A00001.hea`` and its signal file (``A00001.mat``
    in the challenge: a MATLAB v4 file read through the header, or any WFDB signal
    format). Records are read with ``wfdb.rdrecord``, in physical units (mV).

    Args:
        directory: the folder (e.g. ``training2017/``).
        classes: keep only records with these labels, e.g. ``("N", "A")`` as MATLAB's
            example does; None keeps all four (``N``, ``A``, ``O``, ``~``).

    Returns:
        An :class:`ECGRecords` in ``REFERENCE.csv`` order.

    Example:
        >>> from lstmkit.datasets.ecg import load_physionet2017
        >>> data = load_physionet2017("training2017", classes=("N", "A"))  # doctest: +SKIP
        >>> len(data.signals), data.fs  # doctest: +SKIP
        (5654, 300.0)
    """
    import wfdb

    if not isinstance(directory, str | os.PathLike):
        raise TypeError(f"directory must be a str or Path; received {describe(directory)}")
    folder = Path(directory)
    reference = folder / "REFERENCE.csv"
    if not reference.is_file():
        raise ValueError(
            f"directory must hold the challenge's REFERENCE.csv; received {str(folder)!r}, "
            "which has none"
        )
    if classes is not None:
        if isinstance(classes, str) or not all(c in PHYSIONET_LABELS for c in classes):
            raise ValueError(
                f"classes must be a tuple of labels from {sorted(PHYSIONET_LABELS)} or None; "
                f"received {classes!r}"
            )
    with reference.open(newline="") as handle:
        rows = [row for row in csv.reader(handle) if row and row[0].strip()]
    entries = []
    for line, row in enumerate(rows, start=1):
        if len(row) < 2 or row[1].strip() not in PHYSIONET_LABELS:
            raise ValueError(
                f"REFERENCE.csv line {line} must be 'record,label' with a label in "
                f"{sorted(PHYSIONET_LABELS)}; received {row!r}"
            )
        entries.append((row[0].strip(), row[1].strip()))
    if classes is not None:
        entries = [(name, label) for name, label in entries if label in classes]
    signals, fs = [], None
    for name, _ in entries:
        if not (folder / f"{name}.hea").is_file():
            raise ValueError(f"record {name!r} of REFERENCE.csv has no header {name}.hea")
        record = wfdb.rdrecord(str(folder / name), channels=[0])
        if fs is not None and record.fs != fs:
            raise ValueError(f"records must share one sampling rate; {name} has {record.fs} Hz")
        fs = float(record.fs)
        signals.append(np.asarray(record.p_signal[:, 0], dtype=np.float32))
    return ECGRecords(
        signals=signals,
        labels=np.array([label for _, label in entries], dtype="<U1"),
        names=np.array([name for name, _ in entries]),
        fs=300.0 if fs is None else fs,
    )


def segment_records(records: ECGRecords, length: int = 9000) -> ECGRecords:
    """Cut each record into consecutive segments of ``length`` samples (MATLAB's way).

    A record shorter than ``length`` is dropped, and the remainder after the last full
    segment is discarded, as in MATLAB's ``segmentSignals``. Segment names get a
    ``_<k>`` suffix.

    Args:
        records: an :class:`ECGRecords` (e.g. from :func:`load_physionet2017`).
        length: samples per segment (9000 = 30 s at 300 Hz).

    Returns:
        An :class:`ECGRecords` of equal-length segments with their records' labels.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.ecg import ECGRecords, segment_records
        >>> r = ECGRecords([np.arange(25, dtype=np.float32), np.arange(5, dtype=np.float32)],
        ...                np.array(["A", "N"]), np.array(["r1", "r2"]), 300.0)
        >>> s = segment_records(r, length=10)
        >>> s.names.tolist(), s.labels.tolist(), s.signals[1][:3].tolist()
        (['r1_0', 'r1_1'], ['A', 'A'], [10.0, 11.0, 12.0])
    """
    if not isinstance(records, ECGRecords):
        raise TypeError(f"records must be an ECGRecords; received {describe(records)}")
    check_int("length", length, 1)
    signals, labels, names = [], [], []
    for signal, label, name in zip(records.signals, records.labels, records.names, strict=True):
        for k in range(len(signal) // length):
            signals.append(np.asarray(signal[k * length : (k + 1) * length]).copy())
            labels.append(label)
            names.append(f"{name}_{k}")
    return ECGRecords(
        signals=signals,
        labels=np.array(labels, dtype=records.labels.dtype),
        names=np.array(names),
        fs=records.fs,
    )
