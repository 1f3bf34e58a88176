"""The training progress bar: on stderr, showing the loss and the validation metric.

Lightning's default bar writes to stdout (where a command's results go) and shows the
logger's version number (``v_num``); this one writes to stderr and shows what a user
watches: the training loss of the last iteration, and the validation loss and metric
of the last validation.
"""

from __future__ import annotations

import contextlib
import math
import sys
from typing import Any

import lightning as L
from lightning.pytorch.callbacks import TQDMProgressBar

__all__ = ["progress_bar"]


def _metrics(trainer: L.Trainer, pl_module: L.LightningModule) -> dict[str, str]:
    metric = getattr(pl_module, "metric_name", None)
    names = [("train_loss", "loss"), ("val_loss", "val_loss")]
    if metric:
        names.append((f"val_{metric}", f"val_{metric}"))
    shown = {}
    for key, label in names:
        value = trainer.callback_metrics.get(key)
        if value is not None and value.numel() == 1:
            number = float(value)
            shown[label] = f"{number:.4g}" if math.isfinite(number) else str(number)
    return shown


class _StderrTQDMBar(TQDMProgressBar):
    """Lightning's tqdm bar, on stderr, with lstmkit's metrics."""

    def get_metrics(self, trainer: L.Trainer, pl_module: L.LightningModule) -> dict[str, Any]:
        return _metrics(trainer, pl_module)

    def _on_stderr(self, make: Any) -> Any:
        with contextlib.redirect_stdout(sys.stderr):  # tqdm takes sys.stdout at creation
            return make()

    def init_sanity_tqdm(self):
        return self._on_stderr(super().init_sanity_tqdm)

    def init_train_tqdm(self):
        return self._on_stderr(super().init_train_tqdm)

    def init_validation_tqdm(self):
        return self._on_stderr(super().init_validation_tqdm)

    def init_predict_tqdm(self):
        return self._on_stderr(super().init_predict_tqdm)

    def init_test_tqdm(self):
        return self._on_stderr(super().init_test_tqdm)


def progress_bar() -> L.Callback:
    """A progress bar callback on stderr showing the training loss and validation metric.

    Rich's bar where ``rich`` is installed (as Lightning would pick), else tqdm's.

    Args:
        (none)

    Returns:
        A Lightning progress-bar callback.

    Example:
        >>> from lstmkit.training.progress import progress_bar
        >>> bar = progress_bar()
        >>> type(bar).__name__ in ("_StderrRichBar", "_StderrTQDMBar")
        True
    """
    try:
        return _StderrRichBar(console_kwargs={"stderr": True})
    except (ImportError, NameError):  # rich is not installed
        return _StderrTQDMBar()


try:
    from lightning.pytorch.callbacks import RichProgressBar

    class _StderrRichBar(RichProgressBar):
        """Lightning's rich bar, on stderr, with lstmkit's metrics."""

        def get_metrics(self, trainer: L.Trainer, pl_module: L.LightningModule) -> dict[str, Any]:
            return _metrics(trainer, pl_module)

        def _get_train_description(self, current_epoch: int) -> str:
            # epochs counted from 1, as in lstmkit's messages ("Epoch 3/30", not "2/29")
            total = self.trainer.max_epochs
            text = f"Epoch {current_epoch + 1}" + (f"/{total}" if total and total > 0 else "")
            return f"{text:{len(self.validation_description)}}"

except ImportError:  # pragma: no cover - Lightning without rich support
    pass
