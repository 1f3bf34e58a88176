"""Audio front-end for keyword spotting: reading, resampling, MFCC features, labels.

The pipeline of MATLAB's "Keyword Spotting in Noise Using MFCC and LSTM Networks":

* :func:`load_audio` reads a WAV/FLAC/OGG file (or takes an array) and returns float32
  mono audio at 16 kHz, refusing empty, non-finite, too short or silent clips with a
  message that names them; :func:`save_audio` writes 16-bit PCM atomically;
  :func:`resample` uses soxr.
* :func:`mfcc` computes 39 values per frame (13 MFCCs, their deltas and delta-deltas)
  from periodic Hann windows of 512 samples every 128 (overlap 384), as set in
  :class:`MFCCConfig`; :class:`FeatureNormalizer` z-scores them with training
  statistics.
* :class:`StreamingMFCC` computes the same frames from audio pushed in chunks, 8 frames
  (64 ms) behind the input, for live detection.
* :func:`frame_labels` turns where a keyword was placed into the per-frame training
  mask; :func:`intervals_from_mask` turns per-frame decisions back into detections.
* :class:`PosteriorDetector` turns per-frame keyword posteriors into
  :class:`Detection` s (smoothing, threshold, refractory period), offline or in blocks.
* :mod:`~lstmkit.audio.evaluation`: the wake-word metrics -- the detector at many
  thresholds at once (:func:`detections_at_thresholds`), hits, misses and false alarms
  (:func:`match_detections`), the DET curve (:func:`det_curve`: false rejects against
  false alarms per hour), :func:`frr_at_far` and :func:`operating_point`.

Torch-free. soundfile, soxr and librosa (``pip install "lstmkit[audio]"``) are imported
when first needed, so ``import lstmkit.audio`` is cheap.

Example:
    >>> import numpy as np
    >>> from lstmkit.audio import MFCCConfig, frame_labels, load_audio, mfcc
    >>> clip = load_audio(np.zeros(22050, np.int16) + 300, source_rate=22050)
    >>> features = mfcc(clip, MFCCConfig())
    >>> labels = frame_labels([(4000, 8000)], clip.size)
    >>> features.shape, labels.shape, int(labels.sum())
    ((122, 39), (122,), 31)
"""

from lstmkit.audio.detection import (
    Detection,
    DetectorConfig,
    PosteriorDetector,
    detect_in_posteriors,
)
from lstmkit.audio.evaluation import (
    DETCurve,
    MatchResult,
    det_curve,
    detections_at_thresholds,
    false_alarm_counts,
    frr_at_far,
    match_detections,
    merge_detections,
    operating_point,
    smoothed_posteriors,
)
from lstmkit.audio.features import FeatureNormalizer, MFCCConfig, delta, mfcc
from lstmkit.audio.io import load_audio, resample, save_audio
from lstmkit.audio.labels import (
    end_windows,
    frame_labels,
    frame_times,
    intervals_from_mask,
    num_frames,
)
from lstmkit.audio.streaming import StreamingMFCC

__all__ = [
    "DETCurve",
    "Detection",
    "DetectorConfig",
    "FeatureNormalizer",
    "MFCCConfig",
    "MatchResult",
    "PosteriorDetector",
    "StreamingMFCC",
    "delta",
    "det_curve",
    "detect_in_posteriors",
    "detections_at_thresholds",
    "end_windows",
    "false_alarm_counts",
    "frame_labels",
    "frame_times",
    "frr_at_far",
    "intervals_from_mask",
    "load_audio",
    "match_detections",
    "merge_detections",
    "mfcc",
    "num_frames",
    "operating_point",
    "resample",
    "save_audio",
    "smoothed_posteriors",
]
