"""The classical level-only rule: switch pumps on and off at fixed levels.

An operator without a clock or a demand forecast runs more pumps the emptier the tank:
with thresholds ``t1 >= t2 >= t3``, no pump above ``t1``, one between ``t2`` and ``t1``,
two between ``t3`` and ``t2``, three below ``t3``. It is what a memoryless policy that sees
only the level can express, so it is the baseline a recurrent policy (which can infer the
hour from the level's history) must beat; :func:`tune_threshold_rule` finds the best one
for a given tank by exhaustive search, simulating every candidate at once.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from lstmkit._checks import describe
from lstmkit.rl.evaluation import check_seeds
from lstmkit.rl.water_tank import WaterTankConfig, WaterTankEnv

__all__ = ["ThresholdRule", "tune_threshold_rule"]


class ThresholdRule:
    """Run as many pumps as there are thresholds strictly above the level.

    Args:
        thresholds: ``n_actions - 1`` levels in m, non-increasing (``t1 >= t2 >= ...``);
            below all of them every pump runs, at or above the first none does.

    Returns:
        A controller (``act(obs, state) -> (action, None)``; it keeps no state).

    Example:
        >>> rule = ThresholdRule((5.0, 4.0, 3.0))
        >>> [rule.act([level], None)[0] for level in (6.0, 5.0, 4.5, 3.5, 1.0)]
        [0, 0, 1, 2, 3]
    """

    def __init__(self, thresholds: Sequence[float]) -> None:
        try:
            values = np.asarray(thresholds, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                "thresholds must be a non-increasing sequence of levels (one per pump); "
                f"received {describe(thresholds)}"
            ) from None
        if values.ndim != 1 or values.size == 0 or not np.isfinite(values).all():
            raise ValueError(
                "thresholds must be a non-empty, flat sequence of finite levels (one per "
                f"pump); received {describe(thresholds)}"
            )
        if (np.diff(values) > 0).any() or (values < 0).any():
            raise ValueError(
                "thresholds must be levels >= 0 in non-increasing order (the first is where "
                f"the last pump stops); received {values.tolist()}"
            )
        self.thresholds = values

    @property
    def n_actions(self) -> int:
        """Actions the rule can take: 0 .. ``len(thresholds)`` pumps."""
        return self.thresholds.size + 1

    def act(self, obs: Any, state: Any = None) -> tuple[int, None]:
        """The number of pumps for the level ``obs[0]`` (controller protocol).

        Args:
            obs: the env's observation; ``obs[0]`` is the level (any other entries,
                such as the clock, are ignored).
            state: ignored (the rule has no memory).

        Returns:
            ``(pumps, None)``.

        Example:
            >>> ThresholdRule((5.0, 4.0, 3.0)).act([2.0], None)
            (3, None)
        """
        flat = np.asarray(obs, dtype=float).reshape(-1)
        if flat.size == 0:
            raise ValueError(f"obs must hold the level first; received {describe(obs)}")
        return int((self.thresholds > flat[0]).sum()), None

    def __repr__(self) -> str:
        return f"ThresholdRule({tuple(round(float(t), 6) for t in self.thresholds)})"


def _episodes(
    config: WaterTankConfig, seeds: list[int], initial_level: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each seed's demand (episodes, steps) and initial level, drawn by the env itself."""
    env = WaterTankEnv(config)
    options = None if initial_level is None else {"initial_level": initial_level}
    demand = np.empty((len(seeds), config.steps))
    start = np.empty(len(seeds))
    for i, seed in enumerate(seeds):
        _, info = env.reset(seed=seed, options=options)
        demand[i], start[i] = info["demand"], env.level
    return demand, start


def _simulate(
    config: WaterTankConfig,
    thresholds: np.ndarray,
    demand: np.ndarray,
    start: np.ndarray,
    *,
    per_step: bool = False,
) -> dict[str, np.ndarray]:
    """Run every rule (rows of ``thresholds``) on every episode at once.

    Returns totals of shape (rules, episodes): ``return``, ``pumps``, ``violations``;
    with ``per_step`` also ``rewards`` (rules, episodes, steps).
    """
    flows = np.asarray(config.pump_flows, float)
    tariff = np.asarray(config.tariff, float)
    n_rules, n_episodes = thresholds.shape[0], demand.shape[0]
    level = np.broadcast_to(start, (n_rules, n_episodes)).copy()
    total = np.zeros((n_rules, n_episodes))
    pump_hours = np.zeros((n_rules, n_episodes))
    violations = np.zeros((n_rules, n_episodes))
    rewards = np.zeros((n_rules, n_episodes, demand.shape[1])) if per_step else None
    for t in range(demand.shape[1]):
        hour = t % 24
        # a rule deployed on the env sees the float32 observation; a level within float32
        # rounding of a threshold would otherwise switch differently here
        seen = level.astype(np.float32).astype(float)
        pumps = (thresholds[:, :, None] > seen[:, None, :]).sum(axis=1)
        # the env's arithmetic, in its order, so that the rewards agree exactly
        level = np.clip(
            level + (flows[pumps] - demand[None, :, t]) / config.area, 0.0, config.max_level
        )
        bad = (level >= config.max_level - config.margin).astype(float) + (level <= config.margin)
        energy = pumps * tariff[hour] if config.reward == "cost" else pumps.astype(float)
        reward = -config.penalty * bad - energy
        total += reward
        pump_hours += pumps
        violations += bad
        if rewards is not None:
            rewards[:, :, t] = reward
    out = {"return": total, "pumps": pump_hours, "violations": violations}
    if rewards is not None:
        out["rewards"] = rewards
    return out


def tune_threshold_rule(
    config: WaterTankConfig,
    seeds: Iterable[int],
    *,
    grid: Sequence[float] | None = None,
    initial_level: float | None = None,
) -> tuple[ThresholdRule, dict[str, Any]]:
    """The threshold rule with the best mean return on the episodes of ``seeds``.

    Every non-increasing choice of ``n_actions - 1`` thresholds from ``grid`` is tried
    (3,276 rules for the default grid and three pumps), all simulated together on
    exactly the episodes that ``WaterTankEnv(config).reset(seed=s)`` would draw (its
    demand and its initial level).

    Args:
        config: the tank (:class:`~lstmkit.rl.water_tank.WaterTankConfig`).
        seeds: one episode per seed (ints >= 0): the tuning episodes.
        grid: candidate threshold levels, m, within ``[0, max_level]``; None for 0.5 to
            ``max_level - 0.2`` in steps of 0.25.
        initial_level: overrides the configured initial level (as ``reset``'s option).

    Returns:
        ``(rule, info)``: the best :class:`ThresholdRule` and a dict with ``grid_size``
        (rules tried), ``grid_levels`` (levels per threshold), ``episodes``,
        ``mean_return`` (per episode), ``return_per_day``, ``pump_hours_per_day``,
        ``violations_per_day`` (all of the best rule) and ``seconds``.

    Example:
        >>> from lstmkit.rl.water_tank import WaterTankConfig
        >>> rule, info = tune_threshold_rule(WaterTankConfig(days=1), range(3), grid=[2, 4, 6])
        >>> info["grid_size"], rule.n_actions
        (10, 4)
    """
    began = time.perf_counter()
    if not isinstance(config, WaterTankConfig):
        raise TypeError(f"config must be a WaterTankConfig; received {describe(config)}")
    seed_list = check_seeds(seeds)
    if grid is None:
        count = math.floor((config.max_level - 0.2 - 0.5) / 0.25 + 1e-9) + 1
        levels = 0.5 + 0.25 * np.arange(max(count, 1))
    else:
        try:
            levels = np.asarray(grid, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"grid must be a sequence of levels in m; received {describe(grid)}"
            ) from None
        if (
            levels.ndim != 1
            or levels.size == 0
            or not np.isfinite(levels).all()
            or (levels < 0).any()
            or (levels > config.max_level).any()
        ):
            raise ValueError(
                f"grid must be a non-empty sequence of levels within [0, max_level="
                f"{config.max_level}]; received {describe(grid)}"
            )
    levels = np.unique(levels)[::-1]  # descending, so each combination is non-increasing
    candidates = np.array(
        list(itertools.combinations_with_replacement(levels, config.n_actions - 1)), float
    )
    demand, start = _episodes(config, seed_list, initial_level)
    result = _simulate(config, candidates, demand, start)
    mean_return = result["return"].mean(axis=1)
    best = int(np.argmax(mean_return))
    days = config.days
    info = {
        "grid_size": int(candidates.shape[0]),
        "grid_levels": int(levels.size),
        "episodes": len(seed_list),
        "mean_return": float(mean_return[best]),
        "return_per_day": float(mean_return[best] / days),
        "pump_hours_per_day": float(result["pumps"][best].mean() / days),
        "violations_per_day": float(result["violations"][best].mean() / days),
        "seconds": time.perf_counter() - began,
    }
    return ThresholdRule(candidates[best]), info
