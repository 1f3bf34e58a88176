"""The ECG simulator (rhythm, waves, noise, ranges) and the PhysioNet 2017 loader."""

from __future__ import annotations

import dataclasses
import struct

import numpy as np
import pytest

from lstmkit.datasets import list_datasets, load_dataset
from lstmkit.datasets.ecg import (
    HELD_OUT_RANGES,
    TRAINING_RANGES,
    ECGRanges,
    ECGRecords,
    augment_ecg,
    load_ecg_af_simulated,
    load_physionet2017,
    segment_records,
    simulate_ecg,
)

FS = 300.0
# Everything but the heart: no wander, no muscle noise, no mains.
QUIET = dataclasses.replace(
    TRAINING_RANGES, baseline_wander=(0.0, 0.0), emg_noise=(0.0, 0.0), powerline=(0.0, 0.0)
)


@pytest.fixture(scope="module")
def ecg():
    return simulate_ecg(40, 40, seed=7)


def _rr(ecg, label):
    return [np.diff(r) for r, y in zip(ecg.r_times, ecg.labels, strict=True) if y == label]


def test_shapes_labels_and_seeding(ecg):
    assert ecg.signals.shape == (80, 9000) and ecg.signals.dtype == np.float32
    assert ecg.labels.tolist() == ["N"] * 40 + ["A"] * 40
    assert np.isfinite(ecg.signals).all()
    again = simulate_ecg(40, 40, seed=7)
    np.testing.assert_array_equal(again.signals, ecg.signals)
    assert not np.allclose(simulate_ecg(40, 40, seed=8).signals, ecg.signals)


def test_heart_rates_follow_the_ranges(ecg):
    for label, (low, high) in (("N", TRAINING_RANGES.normal_heart_rate),
                               ("A", TRAINING_RANGES.af_heart_rate)):  # fmt: skip
        drawn = ecg.patients["heart_rate"][ecg.labels == label]
        assert ((drawn >= low) & (drawn <= high)).all()
        measured = np.array([60 / rr.mean() for rr in _rr(ecg, label)])
        # the realised mean rate is the drawn one (AF's refractory clip raises it a little)
        assert np.median(np.abs(measured / drawn - 1)) < 0.05


def test_af_rr_is_irregularly_irregular_and_sinus_rr_is_not(ecg):
    def lag1(rr):
        c = rr - rr.mean()
        return (c[1:] * c[:-1]).mean() / c.var()

    cv = {y: np.array([rr.std() / rr.mean() for rr in _rr(ecg, y)]) for y in "NA"}
    ac = {y: np.array([lag1(rr) for rr in _rr(ecg, y)]) for y in "NA"}
    assert np.median(cv["A"]) > 0.12 and np.median(cv["N"]) < 0.08
    assert np.median(cv["A"]) > 3 * np.median(cv["N"])
    # AF: independent intervals, no memory; sinus rhythm: smooth, autocorrelated
    assert abs(ac["A"].mean()) < 0.1
    assert ac["N"].mean() > ac["A"].mean() + 0.2


def test_neurokit2_finds_the_simulated_r_peaks(ecg):
    import neurokit2 as nk

    # records without motion artifacts or ventricular beats (which fool R-peak
    # detectors, by design: that is what makes RR-based AF detection hard)
    clean = np.flatnonzero((ecg.patients["artifacts"] == 0) & (ecg.patients["pvc_beats"] == 0))
    for i in [*clean[clean < 40][:3], *clean[clean >= 40][:3]]:
        cleaned = nk.ecg_clean(ecg.signals[i], sampling_rate=FS)
        _, info = nk.ecg_peaks(cleaned, sampling_rate=FS)
        found = np.asarray(info["ECG_R_Peaks"]) / FS
        true = ecg.r_times[i]
        # neurokit2's detector waits 0.3 s after a peak, so AF's shortest intervals
        # (0.25-0.3 s, allowed by the refractory period) hide a beat; judge the others.
        gaps = np.diff(true)
        clear = np.r_[False, (gaps[:-1] > 0.33) & (gaps[1:] > 0.33), False]
        judged = true[clear & (true > 0.5) & (true < 29.5)]
        distance = np.abs(found[None, :] - judged[:, None]).min(axis=1)
        assert len(judged) > 20 and np.mean(distance < 0.02) > 0.95, (i, np.sort(distance)[-3:])
        assert abs(len(found) - len(true)) <= 2 + np.sum(gaps <= 0.33)


def test_p_waves_in_sinus_rhythm_only():
    # slow rhythms, so that no T wave of the beat before reaches where a P wave would be
    ranges = dataclasses.replace(
        QUIET, f_wave_amplitude=(0.0, 0.0), ectopic_probability=0.0,
        normal_heart_rate=(50.0, 60.0), af_heart_rate=(55.0, 65.0), af_rr_cv=(0.1, 0.12),
    )  # fmt: skip
    ecg = simulate_ecg(10, 10, ranges=ranges, seed=1)
    peak = []
    for signal, times, gain in zip(ecg.signals, ecg.r_times, ecg.patients["gain"], strict=True):
        after_long_rr = times[1:][(np.diff(times) > 0.8) & (times[1:] > 1) & (times[1:] < 29)]
        idx = np.round(after_long_rr * FS).astype(int) - int(0.18 * FS)  # P-wave peak
        peak.append(signal[idx].mean() / gain)
    peak = np.array(peak)
    assert (peak[:10] > 0.05).all()  # P amplitude 0.08-0.25 mV (before gain)
    assert (np.abs(peak[10:]) < 0.02).all()  # AF: nothing there


def test_f_waves_at_the_drawn_frequency():
    with_f = dataclasses.replace(QUIET, f_wave_amplitude=(0.2, 0.2), f_wave_frequency=(6.0, 6.0))
    without = dataclasses.replace(with_f, f_wave_amplitude=(0.0, 0.0))
    a = simulate_ecg(0, 3, ranges=with_f, seed=2)
    b = simulate_ecg(0, 3, ranges=without, seed=2)
    f_waves = (a.signals - b.signals) / a.patients["gain"][:, None]  # same beats, same seed
    spectrum = np.abs(np.fft.rfft(f_waves, axis=1))
    freqs = np.fft.rfftfreq(f_waves.shape[1], 1 / FS)
    peak = freqs[spectrum.argmax(axis=1)]
    assert ((peak > 5.0) & (peak < 7.0)).all()
    rms = f_waves.std(axis=1)
    assert ((rms > 0.05) & (rms < 0.2)).all()  # 0.2 mV amplitude, modulated


def test_powerline_at_50_or_60_hz():
    ranges = dataclasses.replace(QUIET, powerline=(0.05, 0.05))
    a = simulate_ecg(4, 0, ranges=ranges, seed=3)
    b = simulate_ecg(4, 0, ranges=QUIET, seed=3)
    mains = a.signals - b.signals
    freqs = np.fft.rfftfreq(mains.shape[1], 1 / FS)
    peak = freqs[np.abs(np.fft.rfft(mains, axis=1)).argmax(axis=1)]
    assert set(np.round(peak).tolist()) <= {50.0, 60.0}
    np.testing.assert_allclose(mains.std(axis=1), 0.05 / np.sqrt(2), rtol=0.01)


def test_premature_ventricular_beats_are_wide_early_and_followed_by_a_full_pause():
    ranges = dataclasses.replace(
        QUIET, ectopic_probability=0.0, pvc_probability=1.0, artifact_probability=0.0,
        respiratory_arrhythmia=(0.01, 0.02), normal_heart_rate=(55.0, 75.0),
    )  # fmt: skip
    ecg = simulate_ecg(12, 0, ranges=ranges, seed=4)
    assert ((ecg.patients["pvc_beats"] >= 1) & (ecg.patients["pvc_beats"] <= 4)).all()
    for signal, times, kinds, count in zip(ecg.signals, ecg.r_times, ecg.beat_types,
                                           ecg.patients["pvc_beats"], strict=True):  # fmt: skip
        assert set(kinds.tolist()) <= {"N", "V"} and np.sum(kinds == "V") <= count
        typical = np.median(np.diff(times))

        def half_width(t, signal=signal):  # QRS width at half its largest |deflection|, s
            i = round(t * FS)
            seg = np.abs(signal[max(i - 30, 0) : i + 30])
            return np.sum(seg > seg.max() / 2) / FS

        for k in np.flatnonzero(kinds == "V"):
            if k == 0 or k == len(times) - 1:
                continue
            before, after = times[k] - times[k - 1], times[k + 1] - times[k]
            assert before < 0.75 * typical  # premature
            assert abs(before + after - 2 * typical) < 0.15 * typical  # compensatory
            normal = [half_width(t) for t in times[kinds == "N"][2:6]]
            assert half_width(times[k]) > 2 * np.median(normal)  # wide QRS


def test_motion_artifacts_are_band_limited_bursts_on_top_of_the_record():
    on = dataclasses.replace(QUIET, artifact_probability=1.0, artifact_amplitude=(0.5, 0.5))
    off = dataclasses.replace(on, artifact_probability=0.0)
    a, b = simulate_ecg(3, 3, ranges=on, seed=6), simulate_ecg(3, 3, ranges=off, seed=6)
    burst = a.signals - b.signals  # the same patients and beats; only the artifacts differ
    assert (a.patients["artifacts"] >= 1).all() and (b.patients["artifacts"] == 0).all()
    assert np.abs(burst).max() <= 0.5 * 3 + 1e-5  # at most 3 overlapping bursts
    touched = (np.abs(burst) > 1e-6).mean(axis=1)
    assert ((touched > 0.005) & (touched < 0.25)).all()  # 0.3-2 s bursts of 30 s
    power = np.abs(np.fft.rfft(burst, axis=1)) ** 2
    freqs = np.fft.rfftfreq(burst.shape[1], 1 / FS)
    in_band = power[:, (freqs >= 0.5) & (freqs <= 17.0)].sum(1) / power.sum(1)
    assert (in_band > 0.95).all()


def test_augment_ecg_scales_and_adds_noise_but_keeps_the_rhythm():
    base = simulate_ecg(3, 2, ranges=QUIET, seed=9).signals
    out = augment_ecg(base, copies=2, gain=(0.5, 2.0), noise=(0.02, 0.05), seed=1)
    assert out.shape == (10, 9000) and out.dtype == np.float32
    np.testing.assert_array_equal(out, augment_ecg(base, copies=2, gain=(0.5, 2.0),
                                                   noise=(0.02, 0.05), seed=1))  # fmt: skip
    tiled = np.tile(base, (2, 1))
    # least squares recovers each copy's gain; what is left is the added white noise
    g = (out * tiled).sum(1) / (tiled * tiled).sum(1)
    rest = out - g[:, None] * tiled
    assert ((g > 0.49) & (g < 2.01)).all() and np.ptp(g) > 0.1
    assert ((rest.std(1) > 0.019) & (rest.std(1) < 0.051)).all()
    lag1 = (rest[:, 1:] * rest[:, :-1]).mean(1) / rest.var(1)
    assert (np.abs(lag1) < 0.05).all()  # white
    same = augment_ecg(base, gain=(1.0, 1.0), noise=(0.0, 0.0))
    np.testing.assert_allclose(same, base, atol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"signals": np.zeros(9)}, "signals must be a finite"),
        ({"signals": np.full((2, 9), np.nan)}, "signals must be a finite"),
        ({"signals": [["a", "b"]]}, "signals must be a finite"),
        ({"copies": 0}, "copies"),
        ({"gain": (0.0, 1.0)}, "gain must be"),
        ({"noise": (0.2, 0.1)}, "noise must be"),
        ({"noise": "loud"}, "noise must be"),
    ],
)
def test_augment_ecg_rejects_bad_arguments(kwargs, match):
    arguments = {"signals": np.zeros((2, 9)), **kwargs}
    with pytest.raises((ValueError, TypeError), match=match):
        augment_ecg(**arguments)


def test_held_out_patients_come_from_wider_ranges():
    held = simulate_ecg(300, 100, ranges=HELD_OUT_RANGES, seed=5)
    hr_n = held.patients["heart_rate"][held.labels == "N"]
    assert hr_n.max() > TRAINING_RANGES.normal_heart_rate[1]
    assert hr_n.min() < TRAINING_RANGES.normal_heart_rate[0]
    assert held.patients["emg_noise"].max() > TRAINING_RANGES.emg_noise[1]
    for name in ("gain", "emg_noise", "baseline_wander", "powerline"):
        low, high = getattr(HELD_OUT_RANGES, name)
        assert ((held.patients[name] >= low) & (held.patients[name] <= high)).all()


def test_dataset_registered_with_the_challenge_imbalance():
    assert "ecg-af-simulated" in [d.name for d in list_datasets("classification")]
    data = load_dataset("ecg-af-simulated", num_train=40, num_test=16, duration=4.0, seed=3)
    assert len(data.X_train) == 40 and len(data.X_test) == 16
    assert data.X_train[0].shape == (1200, 1) and data.X_train[0].dtype == np.float32
    assert data.y_train.tolist().count("A") == 5 and data.y_test.tolist().count("A") == 2
    assert data.class_names == ["A", "N"]
    data.X_train[0][:] = 0  # a copy: the next load is unchanged
    again = load_dataset("ecg-af-simulated", num_train=40, num_test=16, duration=4.0, seed=3)
    assert np.abs(again.X_train[0]).sum() > 0
    # training patients use seed 2s, test patients seed 2s+1 with the held-out ranges
    direct = simulate_ecg(14, 2, duration=4.0, ranges=HELD_OUT_RANGES, seed=7)
    np.testing.assert_array_equal(np.stack(again.X_test)[:, :, 0], direct.signals)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: simulate_ecg(-1, 2), ValueError, "num_normal"),
        (lambda: simulate_ecg(0, 0), ValueError, "num_normal \\+ num_af"),
        (lambda: simulate_ecg(1, 1, ranges={"gain": 1}), TypeError, "ranges must be"),
        (lambda: simulate_ecg(1, 1, ranges=ECGRanges(gain=(2.0, 1.0))), ValueError, "gain"),
        (lambda: simulate_ecg(1, 1, fs=100.0), ValueError, "fs"),
        (lambda: load_ecg_af_simulated(af_fraction=1.0), ValueError, "af_fraction"),
        (lambda: load_ecg_af_simulated(num_train=1.5), TypeError, "num_train"),
    ],
)
def test_bad_arguments_are_named(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ PhysioNet 2017 layout
def _write_challenge_record(folder, name, mv):
    """A record as the challenge ships it: a MATLAB v4 'val' int16 matrix + WFDB header."""
    digital = np.round(np.asarray(mv) * 1000).astype("<i2")  # 1000 adu / mV
    header = struct.pack("<5i", 30, 1, len(digital), 0, 4) + b"val\x00"  # 24 bytes
    (folder / f"{name}.mat").write_bytes(header + digital.tobytes())
    (folder / f"{name}.hea").write_text(
        f"{name} 1 300 {len(digital)}\n{name}.mat 16+24 1000/mV 16 0 {digital[0]} 0 0 ECG\n"
    )
    return digital / 1000.0


@pytest.fixture
def challenge_folder(tmp_path):
    rng = np.random.default_rng(0)
    written = {}
    for name, n in (("A00001", 9000), ("A00002", 19500), ("A00003", 4000), ("A00004", 9100)):
        written[name] = _write_challenge_record(tmp_path, name, rng.normal(0, 0.5, n))
    (tmp_path / "REFERENCE.csv").write_text("A00001,N\nA00002,A\nA00003,~\nA00004,O\n")
    return tmp_path, written


def test_load_physionet2017_reads_the_challenge_layout(challenge_folder):
    folder, written = challenge_folder
    data = load_physionet2017(folder)
    assert data.names.tolist() == ["A00001", "A00002", "A00003", "A00004"]
    assert data.labels.tolist() == ["N", "A", "~", "O"] and data.fs == 300.0
    for signal, name in zip(data.signals, data.names, strict=True):
        assert signal.dtype == np.float32
        np.testing.assert_allclose(signal, written[name], atol=1e-6)
    only = load_physionet2017(str(folder), classes=("N", "A"))
    assert only.names.tolist() == ["A00001", "A00002"]
    segments = segment_records(only, length=9000)
    assert segments.names.tolist() == ["A00001_0", "A00002_0", "A00002_1"]
    assert segments.labels.tolist() == ["N", "A", "A"]
    np.testing.assert_allclose(segments.signals[2], written["A00002"][9000:18000], atol=1e-6)


def test_load_physionet2017_errors(challenge_folder, tmp_path_factory):
    folder, _ = challenge_folder
    with pytest.raises(ValueError, match=r"REFERENCE\.csv"):
        load_physionet2017(tmp_path_factory.mktemp("empty"))
    with pytest.raises(ValueError, match="classes"):
        load_physionet2017(folder, classes=("N", "X"))
    with pytest.raises(TypeError, match="directory"):
        load_physionet2017(3)
    (folder / "REFERENCE.csv").write_text("A00001,N\nA00009,A\n")
    with pytest.raises(ValueError, match="A00009"):
        load_physionet2017(folder)
    (folder / "REFERENCE.csv").write_text("A00001,Q\n")
    with pytest.raises(ValueError, match="line 1"):
        load_physionet2017(folder)
    with pytest.raises(TypeError, match="records"):
        segment_records([np.zeros(10)])
    empty = ECGRecords([np.zeros(5, np.float32)], np.array(["N"]), np.array(["x"]), 300.0)
    assert segment_records(empty, length=9000).signals == []
