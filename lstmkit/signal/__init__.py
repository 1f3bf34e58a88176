"""Signal processing for sequence models: features computed from raw waveforms.

``time_frequency`` turns a long signal into a short sequence of spectral features per
window (instantaneous frequency and spectral entropy, as MATLAB's ``instfreq`` and
``pentropy``), which a recurrent network learns from far more easily than from
thousands of raw samples.
"""

from lstmkit.signal.time_frequency import (
    instantaneous_frequency,
    spectral_entropy,
    spectrogram_power,
    time_frequency_features,
)

__all__ = [
    "instantaneous_frequency",
    "spectral_entropy",
    "spectrogram_power",
    "time_frequency_features",
]
