"""Figures written as PNG files: training progress, confusion matrix, forecast, gates,
keyword spotting (DET curves, masks), control (pump schedules, learning curves).

Each function validates its inputs, creates parent folders, writes the PNG atomically
(a temporary file in the same folder, then ``os.replace``) and returns its path.
Figures are drawn with matplotlib's Agg renderer directly; pyplot is never imported, so
importing or using lstmkit leaves the global matplotlib backend alone. The shared look
(:mod:`lstmkit.viz.style`: MATLAB's line colours, :func:`new_figure`, :func:`save_figure`)
is public, so that apps drawing their own figures match them.
"""

from lstmkit.viz import style  # the colours: lstmkit.viz.style.BLUE, ...
from lstmkit.viz.confusion import plot_confusion_matrix
from lstmkit.viz.control import plot_learning_curves, plot_pump_schedules
from lstmkit.viz.forecast import plot_forecast
from lstmkit.viz.gates import plot_gate_heatmaps
from lstmkit.viz.keyword import plot_det_curves, plot_keyword_masks
from lstmkit.viz.long_memory import (
    plot_gradient_flow,
    plot_memory_heatmaps,
    plot_solved_vs_lag,
)
from lstmkit.viz.style import new_figure, save_figure
from lstmkit.viz.training_progress import plot_training_progress

__all__ = [
    "new_figure",
    "plot_confusion_matrix",
    "plot_det_curves",
    "plot_forecast",
    "plot_gate_heatmaps",
    "plot_gradient_flow",
    "plot_keyword_masks",
    "plot_learning_curves",
    "plot_memory_heatmaps",
    "plot_pump_schedules",
    "plot_solved_vs_lag",
    "plot_training_progress",
    "save_figure",
    "style",
]
