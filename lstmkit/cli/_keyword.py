"""``lstmkit keyword``: train a keyword spotter for a word of your own, find it in audio.

* ``lstmkit keyword train --keyword "hey lstm" --out DIR``: synthesises training speech
  offline (:meth:`~lstmkit.tasks.KeywordSpotter.for_keyword`), trains, saves DIR/model.
* ``lstmkit keyword detect MODEL FILE.wav``: the keyword's time spans in a recording, as
  JSON (``--stream`` feeds the file in blocks, as a live stream would).

Paths are checked before torch loads; unreadable or silent audio is one error line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from lstmkit.cli._base import TYPER_SETTINGS, app, describe_error, fail, fail_runtime
from lstmkit.cli._models import load_model
from lstmkit.cli._paths import check_model_folder, check_model_target, check_run_folder

__all__ = ["detect", "keyword_app", "train"]

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg")

keyword_app = typer.Typer(
    no_args_is_help=True,
    **TYPER_SETTINGS,
    help="Keyword spotting: train a spotter for your own word offline, find it in audio.",
)
app.add_typer(keyword_app, name="keyword", short_help="Train a keyword spotter; detect a word.")


def check_audio_file(path: Path, label: str = "audio file") -> None:
    """``path`` must be an existing WAV, FLAC or OGG file."""
    if not path.exists():
        fail(f"{label} {str(path)!r}: no such file")
    if path.is_dir():
        fail(f"{label} {str(path)!r} is a folder; expected a .wav, .flac or .ogg file")
    if path.suffix.lower() not in AUDIO_SUFFIXES:
        fail(f"{label} {str(path)!r} must be a {', '.join(AUDIO_SUFFIXES)} file")


@keyword_app.command()
def detect(
    model: Path = typer.Argument(..., help="A keyword spotter's model folder."),
    audio: Path = typer.Argument(..., help="A .wav, .flac or .ogg recording (any rate)."),
    threshold: float = typer.Option(None, min=0.0, max=1.0,
                                    help="Detection threshold (0-1); default: the model's."),
    stream: bool = typer.Option(False, help="Feed the file in 0.1 s blocks, as a live "
                                "stream would (same detections, causal models only)."),
) -> None:  # fmt: skip
    """Print where the keyword is spoken in a recording (JSON: start, end, score)."""
    check_model_folder(model)
    check_audio_file(audio)
    spotter = load_model(model)
    from lstmkit.tasks import KeywordSpotter

    if not isinstance(spotter, KeywordSpotter):
        fail(f"{str(model)!r} holds a {type(spotter).__name__}, not a KeywordSpotter")
    if threshold is not None:
        if not 0.0 < threshold < 1.0:
            fail(f"--threshold must be between 0 and 1 (exclusive); received {threshold}")
        spotter.set_params(threshold=threshold)
    detections = _detections(spotter, audio, stream)
    report: dict[str, Any] = {
        "audio": str(audio),
        "keyword": spotter.keyword,
        "threshold": spotter.threshold,
        "detections": [d.to_dict() for d in detections],
    }
    typer.echo(json.dumps(report, indent=2))


def _detections(spotter: Any, audio: Path, stream: bool) -> list[Any]:
    from lstmkit.audio import load_audio

    rate = spotter.feature_config().sample_rate
    try:
        samples = load_audio(audio, sample_rate=rate, name=str(audio))
        if not stream:
            return spotter.detect(samples)
        block = rate // 10
        return list(spotter.stream(samples[k : k + block] for k in range(0, samples.size, block)))
    except (ValueError, TypeError) as error:
        fail(describe_error(error), error)
    except ImportError as error:
        fail_runtime(describe_error(error), error)


@keyword_app.command()
def train(
    keyword: str = typer.Option(..., help="The word or phrase to spot, e.g. \"hey lstm\"."),
    out: Path = typer.Option(..., help="Run folder; the model goes to OUT/model."),
    quick: bool = typer.Option(False, help="A small corpus and short training (a smoke test)."),
    seed: int = typer.Option(0, min=0, help="Seeds the synthesis and the training."),
    num_threads: int = typer.Option(None, min=1, help="CPU threads; default: torch's."),
) -> None:  # fmt: skip
    """Synthesise speech for KEYWORD offline, train a streaming spotter, save it."""
    if not keyword.strip():
        fail("--keyword is empty; give the word or phrase to spot")
    check_run_folder(out)
    check_model_target(out / "model")
    from lstmkit.apps import limit_threads
    from lstmkit.io import save_json
    from lstmkit.tasks import KeywordSpotter

    with limit_threads(num_threads):
        try:
            spotter = KeywordSpotter.for_keyword(keyword, quick=quick, random_state=seed,
                                                 run_dir=str(out))  # fmt: skip
        except ImportError as error:  # the [speech] extra is missing
            fail_runtime(describe_error(error), error)
        except (ValueError, TypeError) as error:
            fail(describe_error(error), error)
        spotter.save(out / "model")
    metrics = {"keyword": keyword, **spotter.corpus_summary_}
    save_json(out / "metrics.json", metrics)
    typer.echo(json.dumps(metrics, indent=2))
    typer.echo(f"model saved to {(out / 'model').resolve()}")
