"""KeywordSpotter: wake on a chosen word -- a frame tagger over MFCC features of audio.

MATLAB's "Keyword Spotting in Noise Using MFCC and LSTM Networks" labels every feature
frame of an utterance keyword / not keyword (a mask) with a BiLSTM, from 13 MFCCs plus
their deltas and delta-deltas (16 kHz, a periodic Hann window of 512 samples, hop 128),
z-normalised with statistics stored with the model. This estimator is that tagger
(:class:`~lstmkit.tasks.SequenceTagger` over :func:`lstmkit.audio.mfcc` frames), plus
what a wake-word engine needs on top:

* audio in any form -- arrays at any sample rate, WAV/FLAC/OGG files;
* detections, not masks: the keyword posterior per frame is smoothed, thresholded and
  followed by a refractory period (:mod:`lstmkit.audio.detection`), giving
  ``(start_s, end_s, score)``;
* streaming: with a unidirectional layer (the default, ``layer="lstm"``), :meth:`stream`
  takes audio in blocks as it arrives, carries the LSTM state across blocks and never
  re-reads past audio; it gives the same detections as :meth:`detect` on the whole
  recording (a BiLSTM, MATLAB's choice, needs the whole utterance and is offline only).

Labels for ``fit`` are, per clip, the keyword's time spans in seconds (exact, as
synthesised data gives them), or a bool: True means the clip's voiced part (frames
within 30 dB of its loudest) is the keyword, False that no frame is. What the network
learns to mark is ``target_window`` around each keyword's end (default 0.12 s before
to 0.08 s after: a causal detector can know a word at its end, not at its start), or
the whole keyword with ``target_window=None`` (MATLAB's mask).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from lstmkit._checks import check_float, check_positive, describe
from lstmkit.audio import (
    Detection,
    DetectorConfig,
    MFCCConfig,
    PosteriorDetector,
    StreamingMFCC,
    end_windows,
    frame_labels,
    intervals_from_mask,
    load_audio,
    mfcc,
    num_frames,
    resample,
)
from lstmkit.audio.labels import check_window
from lstmkit.tasks.persistence import register
from lstmkit.tasks.tagger import SequenceTagger

__all__ = ["KeywordSpotter"]

#: for_keyword's corpus, background negatives, network and training: the recipe of
#: the keyword-spotting app's product (``lstmkit run keyword-spotting``), chosen there
#: on validation; quick: a smoke test
FULL_CORPUS: dict[str, Any] = {"n_positive": 1500, "n_negative": 2500}
QUICK_CORPUS: dict[str, Any] = {"n_positive": 60, "n_negative": 60, "reverb_probability": 0.0}
FULL_BACKGROUND_HOURS = 1.0
QUICK_BACKGROUND_HOURS = 0.0
BACKGROUND_SEGMENT_SECONDS = 4.0
FULL_HIDDEN_SIZE = 128
FULL_TRAINING: dict[str, Any] = {
    "max_epochs": 6,
    "optimizer": "adam",
    "learning_rate": 3e-3,
    "lr_schedule": "none",
    "batch_size": 32,
    "gradient_threshold": 1.0,
    "output_model": "best-validation",
}
QUICK_TRAINING: dict[str, Any] = {"max_epochs": 5, "learning_rate": 5e-3, "adapt_to_data": True}

#: frames within this many dB of a clip's loudest frame count as voiced (bool labels)
VOICED_DB = 30.0


@register
@dataclass(eq=False, repr=False, kw_only=True)
class KeywordSpotter(SequenceTagger):
    """Detect a keyword in audio, offline or streaming.

    Args:
        keyword: the keyword's text (for the record and the CLI; the model learns it
            from the examples).
        features: :class:`~lstmkit.audio.MFCCConfig` fields as a dict (None: MATLAB's
            16 kHz, window 512, hop 128, 13 MFCCs + deltas + delta-deltas = 39).
        layer: ``"lstm"`` (causal: streams) or ``"bilstm"`` (MATLAB's; offline only),
            or another registered kind.
        target_window: what the network learns to mark: ``(before, after)`` -- the
            frames from ``before`` seconds before the end of each keyword to ``after``
            seconds after it (a causal model cannot tell the start of "yes" from "yet"
            or "yesterday", but can know its end; validated in the keyword-spotting
            app); None: the whole keyword (MATLAB's mask, right for a BiLSTM).
        hidden_size, num_layers, dropout, layer_options, normalization, class_weight,
            training_options, validation_fraction, random_state, run_dir: as for
            :class:`~lstmkit.tasks.SequenceTagger`.
        threshold: fire when the smoothed keyword posterior reaches this.
        smoothing: seconds of the causal moving average over the posterior.
        min_duration: a detection must stay above the threshold this many seconds.
        refractory: seconds after a detection during which no new one may start.

    Returns:
        An unfitted estimator; ``fit`` sets the attributes below.

    Attributes:
        classes_: ``[False, True]`` (not keyword, keyword).
        corpus_summary_: after :meth:`for_keyword`, the corpus it synthesised (its
            configuration, clip and label counts, synthesis and training seconds);
            None after ``fit`` on clips of one's own.
        label_encoding_, normalizer_, network_, n_features_in_, pooling_factor_,
            training_options_, fit_result_, history_: as for
            :class:`~lstmkit.tasks.SequenceTagger` (over feature frames).

    Example:
        >>> import numpy as np
        >>> from lstmkit.tasks import KeywordSpotter
        >>> rng = np.random.default_rng(0)
        >>> t = np.arange(16000) / 16000
        >>> clips = [0.01 * rng.normal(size=16000) + (k % 2) * np.sin(2 * np.pi * 700 * t)
        ...          * (t > 0.4) * (t < 0.7) for k in range(20)]
        >>> spans = [[(0.4, 0.7)] if k % 2 else [] for k in range(20)]
        >>> kws = KeywordSpotter(hidden_size=8).fit(clips, spans)  # doctest: +SKIP
        >>> kws.detect(clips[1])  # doctest: +SKIP
        [Detection(start=0.41, end=0.69, score=0.97, decided_at=0.76)]
    """

    keyword: str | None = None
    features: dict[str, Any] | None = None
    layer: str = "lstm"
    target_window: tuple[float, float] | None = (0.12, 0.08)
    class_weight: str | None = None
    threshold: float = 0.5
    smoothing: float = 0.04
    min_duration: float = 0.024
    refractory: float = 1.0

    _fit_call: ClassVar[str] = "fit(clips, labels)"

    # ------------------------------------------------------------ configuration
    def feature_config(self) -> MFCCConfig:
        """The feature front-end these parameters describe."""
        if self.features is not None and not isinstance(self.features, dict):
            raise TypeError(
                f"features must be a dict of MFCCConfig fields or None; "
                f"received {describe(self.features)}"
            )
        return MFCCConfig.from_dict(self.features or {})

    def detector_config(self) -> DetectorConfig:
        """How posteriors become detections, from ``threshold``, ``smoothing``,
        ``min_duration`` and ``refractory`` (read at every call: change them with
        ``set_params`` after fitting to trade false alarms for misses)."""
        check_float("smoothing", self.smoothing, 0.0)
        check_float("min_duration", self.min_duration, 0.0)
        check_float("refractory", self.refractory, 0.0)
        cfg = self.feature_config()
        hop = cfg.hop_length / cfg.sample_rate
        return DetectorConfig(
            frame_seconds=hop,
            first_frame_seconds=cfg.n_fft / 2 / cfg.sample_rate,
            threshold=self.threshold,
            smoothing_frames=max(1, round(self.smoothing / hop)),
            min_frames=max(1, round(self.min_duration / hop)),
            refractory_seconds=self.refractory,
            latency_seconds=StreamingMFCC(cfg).latency_seconds,
        )

    def _check_params(self):
        self.feature_config()
        self.detector_config()
        if self.target_window is not None:
            check_window("target_window", self.target_window)
        return super()._check_params()

    # --------------------------------------------------------------------- data
    def _audio(self, clip: Any, sample_rate: int | None, name: str) -> np.ndarray:
        cfg = self.feature_config()
        if isinstance(clip, str | os.PathLike):
            source_rate = None  # a file says its own rate
        else:
            source_rate = cfg.sample_rate if sample_rate is None else sample_rate
        return load_audio(
            clip,
            sample_rate=cfg.sample_rate,
            source_rate=source_rate,
            min_seconds=cfg.n_fft / cfg.sample_rate,
            name=name,
        )

    def _clips(self, clips: Any, sample_rate: int | None, name: str) -> list[np.ndarray]:
        if isinstance(clips, np.ndarray) and clips.ndim == 1:
            raise ValueError(
                f"{name} must be a list of clips (arrays or file paths); received one 1-D "
                f"array -- wrap it in a list"
            )
        if isinstance(clips, str) or not isinstance(clips, Iterable):
            raise TypeError(
                f"{name} must be a list of clips (arrays or file paths); received {describe(clips)}"
            )
        audio = [self._audio(c, sample_rate, f"{name}[{i}]") for i, c in enumerate(clips)]
        if not audio:
            raise ValueError(f"{name} is empty; expected at least one clip")
        return audio

    def _masks(self, audio: list[np.ndarray], labels: Any, name: str) -> list[np.ndarray]:
        cfg = self.feature_config()
        if labels is None or isinstance(labels, str) or len(labels) != len(audio):
            raise ValueError(
                f"{name} must give one label per clip ({len(audio)}): a list of "
                f"(start_s, end_s) spans or a bool; received {describe(labels)}"
            )
        masks = []
        for i, (clip, label) in enumerate(zip(audio, labels, strict=True)):
            seconds = len(clip) / cfg.sample_rate
            if isinstance(label, bool | np.bool_) or (
                isinstance(label, int | np.integer) and label in (0, 1)
            ):
                if not label:
                    masks.append(_no_frames(clip, cfg))
                    continue
                voiced = _voiced_frames(clip, cfg)
                if self.target_window is None:
                    masks.append(voiced)
                    continue
                runs = intervals_from_mask(voiced, cfg)  # the word: first to last voiced
                spans = [(runs[0][0], min(seconds, runs[-1][1]))]
            else:
                spans = _spans(label, seconds, f"{name}[{i}]")
            if self.target_window is not None:
                spans = end_windows(spans, self.target_window, seconds)
            samples = [(round(a * cfg.sample_rate), round(b * cfg.sample_rate)) for a, b in spans]
            masks.append(frame_labels(samples, len(clip), cfg))
        return masks

    # ---------------------------------------------------------------------- fit
    def fit(  # type: ignore[override]
        self,
        clips: Any,
        labels: Any,
        *,
        sample_rate: int | None = None,
        validation_data: tuple[Any, Any] | None = None,
        resume_from: str | None = None,
    ) -> KeywordSpotter:
        """Learn the keyword from clips and where it is spoken in them.

        Args:
            clips: audio clips: 1-D arrays (at ``sample_rate``) or file paths.
            labels: per clip, a list of ``(start_s, end_s)`` keyword spans (``[]``: no
                keyword), or a bool (True: the clip's voiced part is the keyword).
            sample_rate: the rate of array clips (default: the features' 16 kHz).
            validation_data: ``(clips, labels)`` to validate on; None holds out
                ``validation_fraction`` of the clips.
            resume_from: a checkpoint of an earlier fit (as for every estimator).

        Returns:
            self.
        """
        self._check_params()
        cfg = self.feature_config()
        audio = self._clips(clips, sample_rate, "clips")
        masks = self._masks(audio, labels, "labels")
        X = [mfcc(a, cfg) for a in audio]
        val = None
        if validation_data is not None:
            val_audio = self._clips(validation_data[0], sample_rate, "validation_data[0]")
            val_masks = self._masks(val_audio, validation_data[1], "validation_data[1]")
            val = ([mfcc(a, cfg) for a in val_audio], val_masks)
        super().fit(X, masks, validation_data=val, resume_from=resume_from)
        self.corpus_summary_ = None  # for_keyword says what it synthesised
        return self

    # ------------------------------------------------------ a keyword of one's own
    @classmethod
    def for_keyword(
        cls,
        keyword: str,
        *,
        families: tuple[str, ...] = ("espeak",),
        corpus: dict[str, Any] | None = None,
        quick: bool = False,
        background_hours: float | None = None,
        n_jobs: int = 1,
        **params: Any,
    ) -> KeywordSpotter:
        """Train a spotter for ``keyword`` from speech synthesised offline.

        Builds a corpus (:func:`lstmkit.datasets.speech.build_keyword_corpus`): the
        keyword alone and in carrier sentences, confusable words, other sentences and
        noise, in many voices, rates and pitches, clean and in noise at 20-0 dB SNR,
        some reverberated -- then fits on it with the keyword's exact spans.

        Args:
            keyword: the word or phrase.
            families: synthesizer families to speak it (``"espeak"``, ``"piper"``,
                ``"flite"``, ``"festival"``); keep some out to test on voices never
                heard.
            corpus: further :class:`~lstmkit.datasets.speech.KeywordCorpusConfig` fields
                (``n_positive``, ``n_negative``, ``voices``, ``snr_db``, ...).
            quick: a small corpus and 5 epochs (a smoke test, not a usable model).
            background_hours: hours of keyword-free background speech (cached, see
                :func:`~lstmkit.datasets.speech.background_stream`) cut into
                4-second negatives; None: 1 hour (0 with ``quick``).
            n_jobs: processes that synthesise the corpus and the background.
            **params: the spotter's own parameters (``hidden_size``, ``threshold``,
                ``random_state``, ``training_options``, ...).

        Returns:
            The fitted spotter; ``corpus_summary_`` says what was synthesised.

        Example:
            >>> from lstmkit.tasks import KeywordSpotter
            >>> kws = KeywordSpotter.for_keyword("hey lstm", quick=True)  # doctest: +SKIP
            >>> kws.corpus_summary_["clips"]  # doctest: +SKIP
            120
        """
        import time

        from lstmkit.datasets.speech import (
            SAMPLE_RATE,
            KeywordCorpusConfig,
            background_stream,
            build_keyword_corpus,
        )
        from lstmkit.training import TrainingOptions

        if "training_options" not in params:
            params["training_options"] = TrainingOptions(
                **(QUICK_TRAINING if quick else FULL_TRAINING),
                seed=params.get("random_state"),
            )
        if not quick:
            params.setdefault("hidden_size", FULL_HIDDEN_SIZE)
        spotter = cls(keyword=keyword, **params)
        spotter._check_params()
        sizes = QUICK_CORPUS if quick else FULL_CORPUS
        hours = (QUICK_BACKGROUND_HOURS if quick else FULL_BACKGROUND_HOURS) if (
            background_hours is None) else background_hours  # fmt: skip
        check_float("background_hours", hours, 0.0)
        seed = 0 if spotter.random_state is None else int(spotter.random_state)
        config = KeywordCorpusConfig(
            keyword, families=tuple(families), seed=seed, **{**sizes, **(corpus or {})}
        )
        started = time.perf_counter()
        clips = build_keyword_corpus(config, n_jobs=n_jobs)
        audio = [c.audio for c in clips]
        spans = [[(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in c.intervals] for c in clips]
        n_background = 0
        if hours > 0:
            # what a wake-word engine hears all day: sentences, words, the keyword's
            # confusables, babble and noise, never the keyword -- cut into negatives
            # (in the keyword-spotting app they cut validation false rejects at
            # 0.5 false alarms per hour from 72% to 25%)
            stream = background_stream(
                config.families, hours, seed=seed + 3000, keyword=keyword, voices=config.voices
            ).build(n_jobs)
            pieces = list(stream.segments(BACKGROUND_SEGMENT_SECONDS))
            audio += pieces
            spans += [[] for _ in pieces]
            n_background = len(pieces)
        synthesis = time.perf_counter() - started
        spotter.fit(audio, spans, sample_rate=SAMPLE_RATE)
        labels = [c.label for c in clips] + ["background"] * n_background
        spotter.corpus_summary_ = {
            "corpus": config.to_dict(),
            "background_hours": hours,
            "clips": len(labels),
            "labels": {k: labels.count(k) for k in sorted(set(labels))},
            "audio_seconds": round(sum(a.size for a in audio) / SAMPLE_RATE, 1),
            "synthesis_seconds": round(synthesis, 1),
            "training_seconds": round(spotter.fit_result_.seconds, 1),
        }
        return spotter

    # ---------------------------------------------------------------- inference
    def frame_posteriors(self, audio: Any, *, sample_rate: int | None = None) -> np.ndarray:
        """The keyword probability of every feature frame of one clip (offline).

        Args:
            audio: a 1-D array (at ``sample_rate``) or a file path.
            sample_rate: the array's rate (default: the features' rate).

        Returns:
            ``(frames,)`` probabilities.
        """
        self._check_fitted()
        clip = self._audio(audio, sample_rate, "audio")
        return self._posteriors(mfcc(clip, self.feature_config()))

    def _posteriors(self, features: np.ndarray) -> np.ndarray:
        proba = self.predict_proba_features([features])[0]
        return proba[:, list(self.classes_).index(True)]

    def predict_proba_features(self, X: Any) -> list[np.ndarray]:
        """:meth:`SequenceTagger.predict_proba` on feature frames (``(T_i, 39)`` arrays)."""
        return super().predict_proba(X)

    def detect(self, audio: Any, *, sample_rate: int | None = None) -> list[Detection]:
        """Where the keyword is spoken in one recording.

        Args:
            audio: a 1-D array (at ``sample_rate``) or a file path.
            sample_rate: the array's rate (default: the features' rate).

        Returns:
            :class:`~lstmkit.audio.detection.Detection` s (unpack as
            ``(start_s, end_s, score)``), in time order.
        """
        detector = PosteriorDetector(self.detector_config())
        posteriors = self.frame_posteriors(audio, sample_rate=sample_rate)
        return detector.push(posteriors) + detector.flush()

    def stream(
        self, chunks: Iterable[Any], *, sample_rate: int | None = None
    ) -> Iterator[Detection]:
        """Detect as audio arrives: feed blocks of samples, get detections when decided.

        The features, the LSTM state and the smoothing carry across blocks, so the
        result equals :meth:`detect` on the whole audio, at any block size, while
        each block costs time in proportion to its length only.

        Args:
            chunks: an iterable of 1-D sample arrays (e.g. from a microphone callback).
            sample_rate: their rate (default: the features' rate; other rates are
                resampled block by block).

        Yields:
            :class:`~lstmkit.audio.detection.Detection` s.
        """
        detector = PosteriorDetector(self.detector_config())
        for posteriors in self.stream_posteriors(chunks, sample_rate=sample_rate):
            yield from detector.push(posteriors)
        yield from detector.flush()

    def stream_posteriors(
        self, chunks: Iterable[Any], *, sample_rate: int | None = None
    ) -> Iterator[np.ndarray]:
        """The keyword posterior of every frame as audio arrives (what :meth:`stream`
        thresholds): for sweeping thresholds over one pass of a long stream.

        Args:
            chunks: an iterable of 1-D float sample arrays.
            sample_rate: their rate (default: the features' rate).

        Yields:
            ``(frames,)`` float64 posteriors of the frames each block completes (maybe
            none); after the last block, those of the final frames. Concatenated, they
            equal :meth:`frame_posteriors` of the whole audio.
        """
        self._check_fitted()
        if self.network_.recurrent.bidirectional:
            raise ValueError(
                f"stream() needs a causal network; layer={self.layer!r} is bidirectional "
                f"and reads the whole utterance (use detect(), or train layer='lstm')"
            )
        cfg = self.feature_config()
        rate = cfg.sample_rate if sample_rate is None else sample_rate
        check_positive("sample_rate", rate)
        features = StreamingMFCC(cfg)
        # what every block needs, read once per stream rather than once per block
        keyword = list(self.classes_).index(True)
        center, scale = self.normalizer_.center_, self.normalizer_.scale_
        scaling = None if center is None else (center, scale)
        network, state = self.network_.eval(), None
        # A layer that torch's native kernel runs (the default LSTM, on the CPU, in
        # float32 like the frames) is fed to that kernel directly, as its native backend
        # would, and its output to the linear head: on a 0.1 s block (12 frames) the
        # layer's per-call input and state checks and backend choice cost a good part of
        # the kernel's own time, and nothing they decide changes within a stream. Any
        # other network streams through step_block.
        kernel, recurrent, head = None, network.recurrent, network.head
        like = next(recurrent.parameters())
        if (
            network.step_encoder is None
            and type(head) is torch.nn.Linear
            and like.device.type == "cpu"
            and like.dtype == torch.float32
            and recurrent.active_backend == "native"
        ):
            import functools

            from lstmkit.nn.backends.native import flat_weights, run_native

            layer = functools.partial(
                run_native, recurrent.cell.torch_counterpart.kernel,
                flat_weights=flat_weights(recurrent), has_biases=recurrent.bias,
                num_layers=recurrent.num_layers, dropout=recurrent.dropout, training=False,
                bidirectional=False, lengths=None, padding_side=recurrent.padding_side,
                batch_first=recurrent.batch_first,
            )  # fmt: skip
            linear = functools.partial(
                torch.nn.functional.linear, weight=head.weight, bias=head.bias
            )
            kernel = (layer, linear)
            # the zero state the layer starts from: one (layers, 1, size) tensor per part
            parts = [
                like.new_zeros(recurrent.num_layers, 1, *part.shape)
                for part in recurrent.state_parts
            ]
            state = tuple(parts) if len(parts) > 1 else parts[0]
        for i, chunk in enumerate(chunks):
            block = np.asarray(chunk)
            if block.dtype.kind != "f":  # np.issubdtype(dtype, np.floating), but cheaper
                raise TypeError(
                    f"chunks[{i}] must hold float samples in [-1, 1]; received dtype "
                    f"{block.dtype} (integer PCM: divide by its full scale, e.g. 32768)"
                )
            # float32, as load_audio gives detect(): the same samples, the same features
            block = block.astype(np.float32, copy=False).reshape(-1)
            if not np.isfinite(block).all():
                raise ValueError(f"chunks[{i}] holds NaN or inf samples")
            if rate != cfg.sample_rate:
                # per block: exact equality with detect() holds at the model's own rate
                block = resample(block, rate, cfg.sample_rate)
            frames = features.push(block)
            if len(frames):
                posteriors, state = self._stream_frames(
                    network, kernel, frames, state, keyword, scaling
                )
                yield posteriors
        frames = features.flush()
        if len(frames):
            posteriors, state = self._stream_frames(
                network, kernel, frames, state, keyword, scaling
            )
            yield posteriors

    def _stream_frames(
        self,
        network: Any,
        kernel: Any,
        frames: np.ndarray,
        state: Any,
        keyword: int,
        scaling: Any,
    ) -> tuple[np.ndarray, Any]:
        """The keyword posteriors of one block of feature frames, and the recurrent
        state after them. ``kernel`` is ``(layer, head)``: the recurrent layer on
        ``(x, state)`` and the linear head (None: ``network.step_block``); ``scaling``
        is the normaliser's ``(center, scale)``, read once per stream (None: no
        normalisation)."""
        # transform()'s arithmetic (float32 frames - float64 centre, / scale, to float32:
        # the same bits) without its per-call validation of frames we computed ourselves
        x = frames if scaling is None else ((frames - scaling[0]) / scaling[1]).astype(np.float32)
        # inference_mode: no autograd bookkeeping at all (cheaper than no_grad per op);
        # without autograd, as under predict's no_grad, torch runs its oneDNN LSTM kernel
        # (with autograd on it takes another, which rounds differently). The state it
        # returns only ever goes back into this method.
        with torch.inference_mode():
            x_t = torch.from_numpy(x[None])
            if kernel is None:
                logits, state = network.step_block(x_t, state)
            else:
                layer, head = kernel
                y, state = layer(x_t, state)
                if y.shape[1] > 1:
                    logits = head(y)
                else:  # one frame alone takes a matrix-vector product, which rounds
                    # differently from the offline pass's matrix product (~1e-9): give
                    # the head the frame twice and keep one
                    logits = head(y.repeat(1, 2, 1))[:, :1]
            # softmax over the classes in float64, as predict_proba: the same bits
            probabilities = torch.softmax(logits, dim=-1, dtype=torch.float64).numpy()
        return probabilities[0, :, keyword], state

    # ---------------------------------------------------- scikit-learn surface
    def predict(self, clips: Any, *, sample_rate: int | None = None) -> np.ndarray:  # type: ignore[override]
        """Whether each clip holds at least one detection: a ``(n_clips,)`` bool array."""
        self._check_fitted()
        audio = self._clips(clips, sample_rate, "clips")
        return np.array([bool(self.detect(a)) for a in audio])

    def predict_proba(self, clips: Any, *, sample_rate: int | None = None) -> list[np.ndarray]:  # type: ignore[override]
        """Per-frame keyword posteriors of each clip: a list of ``(frames,)`` arrays."""
        self._check_fitted()
        audio = self._clips(clips, sample_rate, "clips")
        cfg = self.feature_config()
        return [self._posteriors(mfcc(a, cfg)) for a in audio]

    def score(self, clips: Any, labels: Any, sample_weight: Any = None) -> float:  # type: ignore[override]
        """Frame accuracy of the keyword mask against ``labels`` (as for ``fit``)."""
        self._check_fitted()
        audio = self._clips(clips, None, "clips")
        masks = self._masks(audio, labels, "labels")
        cfg = self.feature_config()
        features = [mfcc(a, cfg) for a in audio]
        return super().score(features, masks, sample_weight=sample_weight)


def _spans(label: Any, seconds: float, name: str) -> list[tuple[float, float]]:
    try:
        spans = [(float(a), float(b)) for a, b in label]
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be a list of (start_s, end_s) spans or a bool; received {describe(label)}"
        ) from None
    for a, b in spans:
        if not (np.isfinite(a) and np.isfinite(b) and 0.0 <= a < b <= seconds + 1e-6):
            raise ValueError(
                f"{name}: span ({a}, {b}) must satisfy 0 <= start < end <= the clip's "
                f"{seconds:.3f} s"
            )
    return spans


def _frame_energy_db(clip: np.ndarray, cfg: MFCCConfig) -> np.ndarray:
    n = num_frames(len(clip), cfg)
    frames = np.lib.stride_tricks.sliding_window_view(clip, cfg.n_fft)[:: cfg.hop_length][:n]
    return 10.0 * np.log10(np.mean(frames.astype(np.float64) ** 2, axis=1) + 1e-12)


def _voiced_frames(clip: np.ndarray, cfg: MFCCConfig) -> np.ndarray:
    energy = _frame_energy_db(clip, cfg)
    return energy >= energy.max() - VOICED_DB


def _no_frames(clip: np.ndarray, cfg: MFCCConfig) -> np.ndarray:
    return np.zeros(num_frames(len(clip), cfg), dtype=bool)
