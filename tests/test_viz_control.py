"""The control figures: a day of pump schedules and learning curves write PNGs; bad input
gets errors that name the argument."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.image import imread

from lstmkit.rl.water_tank import MEAN_DEMAND
from lstmkit.viz import plot_learning_curves, plot_pump_schedules

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _assert_png(path, expected):
    assert path == expected and path.is_file()
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE and len(data) > 5_000
    image = imread(path)
    assert image.ndim == 3 and min(image.shape[:2]) >= 300
    assert image[..., :3].std() > 0.05  # something is drawn
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temporaries


def _day():
    demand = np.asarray(MEAN_DEMAND, float)
    pumps = np.where(demand > 150, 3, 1)
    level = np.concatenate(
        [[3.0], 3.0 + np.cumsum((np.array([0, 164, 279, 344])[pumps] - demand) / 40)]
    )
    return demand, {"rule": {"level": np.clip(level, 0, 7), "pumps": pumps}}


# ------------------------------------------------------------------ pump schedules
def test_pump_schedules_writes_a_png(tmp_path):
    demand, schedules = _day()
    schedules["lstm"] = {"level": [3.0] * 25, "pumps": [2] * 24}  # plain lists too
    target = tmp_path / "figures" / "day.png"  # parent folders are created
    _assert_png(plot_pump_schedules(demand, schedules, target, max_level=7.0), target)
    # title None, and a str path
    other = tmp_path / "untitled.png"
    _assert_png(
        plot_pump_schedules(demand, schedules, str(other), max_level=7.0, title=None), other
    )


@pytest.mark.parametrize(
    ("level", "pumps", "match"),
    [
        ([3.0] * 24, [1] * 24, r"must hold 25 levels and 24 pump counts.*received 24 and 24"),
        ([3.0] * 25, [1] * 23, r"must hold 25 levels and 24 pump counts.*received 25 and 23"),
        ([3.0] * 26, [1] * 25, r"must hold 25 levels.*received 26 and 25"),
    ],
)
def test_pump_schedules_mismatched_lengths_fail_clearly(tmp_path, level, pumps, match):
    demand, schedules = _day()
    schedules["bad"] = {"level": level, "pumps": pumps}
    path = tmp_path / "day.png"
    with pytest.raises(ValueError, match=r"schedules\['bad'\] " + match):
        plot_pump_schedules(demand, schedules, path, max_level=7.0)
    assert not path.exists()


def test_pump_schedules_bad_mappings_fail_clearly(tmp_path):
    demand, schedules = _day()
    path = tmp_path / "day.png"
    with pytest.raises(TypeError, match=r"schedules must be a non-empty mapping.*\{\} \(dict\)"):
        plot_pump_schedules(demand, {}, path, max_level=7.0)
    with pytest.raises(TypeError, match=r"schedules must be a non-empty mapping.*\(list\)"):
        plot_pump_schedules(demand, [schedules["rule"]], path, max_level=7.0)
    with pytest.raises(ValueError, match=r"schedules\['rule'\] must map 'level' and 'pumps'"):
        plot_pump_schedules(demand, {"rule": {"level": [3.0] * 25}}, path, max_level=7.0)
    with pytest.raises(ValueError, match=r"schedules\['rule'\] must map .*received 3.0 \(float\)"):
        plot_pump_schedules(demand, {"rule": 3.0}, path, max_level=7.0)
    with pytest.raises(ValueError, match=r"demand must be 1-D; received shape \(2, 12\)"):
        plot_pump_schedules(demand.reshape(2, 12), schedules, path, max_level=7.0)
    with pytest.raises(TypeError, match=r"schedules\['rule'\]\['pumps'\] must be an array"):
        plot_pump_schedules(
            demand, {"rule": {"level": [3.0] * 25, "pumps": "many"}}, path, max_level=7.0
        )
    with pytest.raises(ValueError, match=r"path must end in .png; received '.*day.svg'"):
        plot_pump_schedules(demand, schedules, tmp_path / "day.svg", max_level=7.0)
    with pytest.raises(TypeError, match=r"title must be a str or None; received 3"):
        plot_pump_schedules(demand, schedules, path, max_level=7.0, title=3)
    assert not path.exists()


# ------------------------------------------------------------------ learning curves
def test_learning_curves_write_a_png(tmp_path):
    rng = np.random.default_rng(0)
    steps = np.arange(1, 201) * 96
    curves = {
        "recurrent PPO": [[s, -200 + 0.5 * k + rng.normal(0, 10)] for k, s in enumerate(steps)],
        "PPO": np.column_stack([steps, -150 + 0.2 * np.arange(200)]),
        "short": [[96, -80.0], [192, -40.0]],  # fewer points than the window
    }
    target = tmp_path / "curves.png"
    result = plot_learning_curves(
        curves, target, references={"optimum": -25.1, "rule": -30.0}, window=20
    )
    _assert_png(result, target)
    other = tmp_path / "plain.png"
    _assert_png(plot_learning_curves({"one": [[1, 2.0]]}, other, window=1, title=None), other)


@pytest.mark.parametrize("window", [0, -3, 2.5, True, "10", None])
def test_learning_curves_bad_window_fails_clearly(tmp_path, window):
    with pytest.raises(ValueError, match=r"window must be an int >= 1; received"):
        plot_learning_curves({"a": [[1, 2.0]]}, tmp_path / "c.png", window=window)
    assert not (tmp_path / "c.png").exists()


@pytest.mark.parametrize(
    ("curves", "error", "match"),
    [
        ({}, TypeError, r"curves must be a non-empty mapping.*\{\} \(dict\)"),
        ([[1, 2.0]], TypeError, r"curves must be a non-empty mapping.*\(list\)"),
        ({"a": []}, ValueError, r"curves\['a'\] must be a non-empty list of \[step, value\] pairs"),
        ({"a": [[1, 2.0, 3.0]]}, ValueError, r"curves\['a'\] must be a non-empty list of \[step"),
        ({"a": [1.0, 2.0]}, ValueError, r"curves\['a'\] must be a non-empty list of \[step"),
        ({"a": 5}, ValueError, r"curves\['a'\] must be 1-D or 2-D; received shape \(\)"),
        ({"a": [["x", "y"]]}, TypeError, r"curves\['a'\] must be an array of numbers"),
    ],
)
def test_learning_curves_bad_curves_fail_clearly(tmp_path, curves, error, match):
    with pytest.raises(error, match=match):
        plot_learning_curves(curves, tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()
