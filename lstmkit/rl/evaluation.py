"""One evaluation for every water-tank controller: the optimum, rules and learned policies.

**The controller protocol.** A controller is any object with a method::

    act(obs, state) -> (action, state)

``obs`` is the environment's observation, ``state`` whatever the controller returned at
the previous step (None at the start of an episode), and ``action`` the number of pumps
to run. The state is the controller's memory: the step count for
:class:`~lstmkit.rl.optimum.TankOptimum`, None for a
:class:`~lstmkit.rl.rules.ThresholdRule`, an LSTM's hidden state for a recurrent policy.
Passing it in and out (rather than keeping it on the object) lets one controller run
several episodes without a reset method.

:func:`evaluate_controller` runs one episode per seed on
:class:`~lstmkit.rl.water_tank.WaterTankEnv` and reports per-day means, so that
controllers evaluated on the same seeds see exactly the same demand; :func:`rollout`
keeps one episode's trajectory for plotting.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from lstmkit._checks import check_float, describe
from lstmkit.rl.water_tank import WaterTankConfig, WaterTankEnv

__all__ = ["evaluate_controller", "gap_percent", "rollout"]


def _check_controller(controller: Any) -> None:
    if not callable(getattr(controller, "act", None)):
        raise TypeError(
            "controller must have a method act(obs, state) -> (action, state); "
            f"received {describe(controller)}"
        )


def _check_config(config: Any) -> None:
    if not isinstance(config, WaterTankConfig):
        raise TypeError(f"config must be a WaterTankConfig; received {describe(config)}")


def check_seeds(seeds: Any) -> list[int]:
    """``seeds`` as a list of ints >= 0 (non-empty), or an error naming ``seeds``."""
    try:
        values = list(seeds)
    except TypeError:
        raise TypeError(
            f"seeds must be a non-empty sequence of ints >= 0; received {describe(seeds)}"
        ) from None
    ok = all(
        not isinstance(s, bool | np.bool_) and isinstance(s, int | np.integer) and s >= 0
        for s in values
    )
    if not values or not ok:
        raise ValueError(
            f"seeds must be a non-empty sequence of ints >= 0; received {describe(seeds)}"
        )
    return [int(s) for s in values]


def rollout(
    controller: Any,
    config: WaterTankConfig,
    seed: int,
    *,
    initial_level: float | None = None,
) -> dict[str, np.ndarray]:
    """Run one episode and keep its trajectory.

    Args:
        controller: an object with ``act(obs, state) -> (action, state)`` (module
            docstring).
        config: the tank (:class:`~lstmkit.rl.water_tank.WaterTankConfig`).
        seed: the episode's seed (int >= 0).
        initial_level: overrides the configured initial level, m.

    Returns:
        A dict of arrays: ``levels`` (steps + 1, the initial level first), ``pumps``,
        ``demand``, ``rewards``, ``cost``, ``overflow``, ``empty`` and ``hours`` (steps
        each; ``hours`` is the hour of each step).

    Example:
        >>> from lstmkit.rl.rules import ThresholdRule
        >>> from lstmkit.rl.water_tank import WaterTankConfig
        >>> run = rollout(ThresholdRule((5, 4, 3)), WaterTankConfig(days=1), seed=0)
        >>> run["levels"].shape, run["pumps"].shape, float(run["levels"][0])
        ((25,), (24,), 3.0)
    """
    _check_controller(controller)
    _check_config(config)
    (seed,) = check_seeds([seed])
    env = WaterTankEnv(config)
    options = None if initial_level is None else {"initial_level": initial_level}
    obs, _ = env.reset(seed=seed, options=options)
    levels = [env.level]
    rows: dict[str, list[Any]] = {
        k: [] for k in ("pumps", "demand", "rewards", "cost", "overflow", "empty", "hours")
    }
    state = None
    for _ in range(config.steps):
        action, state = controller.act(obs, state)
        obs, reward, _, _, info = env.step(action)
        levels.append(env.level)
        rows["pumps"].append(info["pumps"])
        rows["demand"].append(info["demand"])
        rows["rewards"].append(reward)
        rows["cost"].append(info["cost"])
        rows["overflow"].append(info["overflow"])
        rows["empty"].append(info["empty"])
        rows["hours"].append(info["hour"])
    out = {k: np.asarray(v) for k, v in rows.items()}
    out["levels"] = np.asarray(levels)
    return out


def evaluate_controller(
    controller: Any,
    config: WaterTankConfig,
    seeds: Iterable[int],
    *,
    initial_level: float | None = None,
) -> dict[str, Any]:
    """Run one episode per seed and report per-day means.

    Args:
        controller: an object with ``act(obs, state) -> (action, state)`` (module
            docstring).
        config: the tank (:class:`~lstmkit.rl.water_tank.WaterTankConfig`).
        seeds: one episode per seed (ints >= 0); the same seeds give every controller
            the same demand.
        initial_level: overrides the configured initial level, m (e.g. 3.0 when the
            config draws it from a range for training).

    Returns:
        A dict: ``pump_hours_per_day``, ``violations_per_day`` (hours ending full or
        empty), ``overflow_hours_per_day``, ``empty_hours_per_day``, ``return_per_day``,
        ``cost_per_day`` (at the tariff, whatever the reward), ``mean_level_by_hour``
        (24 mean levels at the start of each hour, m), ``days``, ``episodes``,
        ``per_episode`` (a dict of totals per episode: ``seed``, ``pump_hours``,
        ``violations``, ``overflow_hours``, ``empty_hours``, ``return``, ``cost``) and
        ``seconds``.

    Example:
        >>> from lstmkit.rl.rules import ThresholdRule
        >>> from lstmkit.rl.water_tank import WaterTankConfig
        >>> result = evaluate_controller(ThresholdRule((5, 4, 3)), WaterTankConfig(days=1), [0, 1])
        >>> result["episodes"], result["days"], len(result["per_episode"])
        (2, 1, 2)
    """
    began = time.perf_counter()
    _check_controller(controller)
    _check_config(config)
    seed_list = check_seeds(seeds)
    episodes = []
    level_sums, level_counts = np.zeros(24), np.zeros(24)
    for seed in seed_list:
        run = rollout(controller, config, seed, initial_level=initial_level)
        # the level each step starts from, by the hour of that step
        np.add.at(level_sums, run["hours"], run["levels"][:-1])
        np.add.at(level_counts, run["hours"], 1)
        episodes.append(
            {
                "seed": seed,
                "pump_hours": int(run["pumps"].sum()),
                "violations": int(run["overflow"].sum() + run["empty"].sum()),
                "overflow_hours": int(run["overflow"].sum()),
                "empty_hours": int(run["empty"].sum()),
                "return": float(run["rewards"].sum()),
                "cost": float(run["cost"].sum()),
            }
        )
    day_count = len(seed_list) * config.days

    def per_day(key: str) -> float:
        return float(sum(e[key] for e in episodes) / day_count)

    return {
        "pump_hours_per_day": per_day("pump_hours"),
        "violations_per_day": per_day("violations"),
        "overflow_hours_per_day": per_day("overflow_hours"),
        "empty_hours_per_day": per_day("empty_hours"),
        "return_per_day": per_day("return"),
        "cost_per_day": per_day("cost"),
        "mean_level_by_hour": (level_sums / level_counts).tolist(),
        "days": config.days,
        "episodes": len(seed_list),
        "per_episode": episodes,
        "seconds": time.perf_counter() - began,
    }


def gap_percent(pump_hours: float, optimum_pump_hours: float) -> float:
    """How many percent more pump-hours than the optimum a controller uses.

    Args:
        pump_hours: the controller's pump-hours (per day, or any same unit).
        optimum_pump_hours: the optimum's, in the same unit (> 0).

    Returns:
        ``100 · (pump_hours - optimum) / optimum``; negative if below the optimum (which
        an evaluation can show only by breaking the tank's limits more often).

    Example:
        >>> gap_percent(26.0, 25.0)
        4.0
    """
    check_float("pump_hours", pump_hours, 0.0)
    check_float("optimum_pump_hours", optimum_pump_hours, 0.0)
    if optimum_pump_hours <= 0:
        raise ValueError(f"optimum_pump_hours must be > 0; received {optimum_pump_hours}")
    return 100.0 * (pump_hours - optimum_pump_hours) / optimum_pump_hours
