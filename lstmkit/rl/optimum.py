"""The exact optimum of the water tank, by stochastic dynamic programming.

The tank's state is the level and the step; the hour is ``t % 24`` because episodes start
at midnight. Demand noise is independent from hour to hour, so backward induction over a
level grid gives the best any controller can do in expectation, one that sees the clock
and knows the demand profile. A learned policy is measured by how close it comes.

With ``V_T = 0`` and for ``t = T-1 .. 0``::

    Q_t(h, a) = E_d[ r(h', a, t % 24) + V_{t+1}(h') ],  h' = clip(h + (Q[a] - d) / A, 0, h_max)
    V_t(h)    = max_a Q_t(h, a)

The expectation over ``d = max(mean[t % 24] · scale + U(-w, w), 0)`` is a quadrature on
``noise_points`` equal bins of the noise (each weighted equally, at its midpoint), and
``V_{t+1}`` between grid levels is linearly interpolated. The grid's step (1 cm by
default) is far below the noise's effect on one hour (±0.5 m with MATLAB's settings), so
the policy's loss from the grid is small; :class:`TankOptimum` evaluates ``Q`` at the exact
level that the controller sees rather than at the nearest grid point.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstmkit._checks import check_float, check_int, check_optional_int, describe
from lstmkit.rl.water_tank import WaterTankConfig

__all__ = ["TankOptimum", "solve_tank_dp"]

# Actions whose values differ by less than this count as tied; floating-point sums of the
# same terms in another order must not decide between two equally good actions.
_TIE = 1e-9


def _noise_offsets(width: float, points: int) -> np.ndarray:
    """Midpoints of ``points`` equal bins of U(-width, width); equal weights."""
    if width == 0.0:
        return np.zeros(1)
    return -width + (2.0 * np.arange(points) + 1.0) * width / points


def _q_values(
    config: WaterTankConfig,
    hour: int,
    level: np.ndarray,
    next_values: np.ndarray,
    grid: np.ndarray,
    noise: np.ndarray,
) -> np.ndarray:
    """Q(level, a) for one hour: (levels,) -> (levels, actions), vectorised over noise."""
    flows = np.asarray(config.pump_flows, float)
    mean = config.mean_demand[hour] * config.demand_scale
    demand = np.maximum(mean + noise, 0.0)  # the env floors each draw at 0 the same way
    # (levels, actions, noise points); the same arithmetic as WaterTankEnv.step, so a
    # level that the env reaches exactly is reached exactly here too
    after = np.clip(
        level[:, None, None] + (flows[None, :, None] - demand[None, None, :]) / config.area,
        0.0,
        config.max_level,
    )
    violations = (after >= config.max_level - config.margin).astype(float) + (
        after <= config.margin
    )
    pumps = np.arange(flows.size, dtype=float)
    energy = pumps * config.tariff[hour] if config.reward == "cost" else pumps
    future = np.interp(after, grid, next_values)
    total = -config.penalty * violations - energy[None, :, None] + future
    return total.mean(axis=2)


class TankOptimum:
    """The solved tank: optimal values on a level grid and the optimal controller.

    Built by :func:`solve_tank_dp`. As a controller (see :mod:`lstmkit.rl.evaluation`) it
    counts the steps in its state and reads the level from ``obs[0]``, so it works with
    either observation; it acts greedily on ``Q`` computed at that exact level.

    Args:
        config: the solved :class:`~lstmkit.rl.water_tank.WaterTankConfig`.
        levels: the level grid, ascending from 0 to ``max_level``.
        values: ``V_t`` on the grid, shape ``(steps + 1, len(levels))``; the last row 0.
        noise: the quadrature's demand-noise offsets (equally weighted), m³/h.

    Returns:
        The controller; ``config``, ``levels``, ``values`` and ``steps`` as attributes.

    Example:
        >>> from lstmkit.rl.optimum import solve_tank_dp
        >>> from lstmkit.rl.water_tank import WaterTankConfig
        >>> opt = solve_tank_dp(WaterTankConfig(days=1), level_step=0.05, noise_points=5)
        >>> opt.values.shape, opt.steps
        ((25, 141), 24)
        >>> action, state = opt.act(np.array([3.0], np.float32), None)
        >>> int(action), state
        (0, 1)
    """

    def __init__(
        self,
        config: WaterTankConfig,
        levels: np.ndarray,
        values: np.ndarray,
        noise: np.ndarray,
    ) -> None:
        if not isinstance(config, WaterTankConfig):
            raise TypeError(f"config must be a WaterTankConfig; received {describe(config)}")
        self.config = config
        self.levels = np.asarray(levels, float)
        self.values = np.asarray(values, float)
        self._noise = np.asarray(noise, float)
        if self.values.ndim != 2 or self.values.shape[1] != self.levels.size:
            raise ValueError(
                f"values must have shape (steps + 1, {self.levels.size}); "
                f"received {describe(self.values)}"
            )

    @property
    def steps(self) -> int:
        """How many steps were solved (``config.steps`` unless a shorter horizon)."""
        return self.values.shape[0] - 1

    def action_values(self, t: int, level: float) -> np.ndarray:
        """``Q_t(level, a)`` for every action, at the exact level.

        Args:
            t: the step, ``0 .. steps - 1`` (the hour is ``t % 24``).
            level: the tank level before the step, m.

        Returns:
            float64 array (n_actions,): expected reward to the horizon for each action.

        Example:
            >>> from lstmkit.rl.optimum import solve_tank_dp
            >>> from lstmkit.rl.water_tank import WaterTankConfig
            >>> opt = solve_tank_dp(WaterTankConfig(days=1), level_step=0.05, noise_points=5)
            >>> q = opt.action_values(0, 0.2)  # nearly empty at midnight: pump
            >>> int(q.argmax()) > 0, q.shape
            (True, (4,))
        """
        check_int("t", t, 0)
        if t >= self.steps:
            raise ValueError(
                f"t must be a step in 0..{self.steps - 1} (the solved horizon); received {t}"
            )
        check_float("level", level, 0.0)
        if level > self.config.max_level:
            raise ValueError(
                f"level must be within [0, max_level={self.config.max_level}]; received {level}"
            )
        q = _q_values(
            self.config,
            t % 24,
            np.array([float(level)]),
            self.values[t + 1],
            self.levels,
            self._noise,
        )
        return q[0]

    def act(self, obs: Any, state: int | None) -> tuple[int, int]:
        """The optimal number of pumps for this step (controller protocol).

        Args:
            obs: the env's observation; ``obs[0]`` is the level.
            state: steps taken so far in this episode; None at its start.

        Returns:
            ``(action, state)``: the pumps to run (ties go to fewer pumps) and ``t + 1``.

        Example:
            >>> from lstmkit.rl.optimum import solve_tank_dp
            >>> from lstmkit.rl.water_tank import WaterTankConfig
            >>> opt = solve_tank_dp(WaterTankConfig(days=1), level_step=0.05, noise_points=5)
            >>> opt.act([2.0], 6)  # 06 h, 2 m: fill up before the 07 h peak
            (3, 7)
        """
        t = 0 if state is None else state
        check_int("state", t, 0)
        flat = np.asarray(obs, dtype=float).reshape(-1)
        if flat.size == 0:
            raise ValueError(f"obs must hold the level first; received {describe(obs)}")
        # the observation is float32; keep its rounding from stepping outside the grid
        level = float(np.clip(flat[0], 0.0, self.config.max_level))
        q = self.action_values(t, level)
        action = int(np.flatnonzero(q >= q.max() - _TIE)[0])
        return action, t + 1

    def expected_return(self, level: float | np.ndarray) -> float | np.ndarray:
        """The optimal expected return over the solved horizon from ``level`` at step 0.

        Args:
            level: initial level(s), m (linearly interpolated on the grid).

        Returns:
            A float for a number, an array for an array.

        Example:
            >>> from lstmkit.rl.optimum import solve_tank_dp
            >>> from lstmkit.rl.water_tank import WaterTankConfig
            >>> opt = solve_tank_dp(WaterTankConfig(days=1), level_step=0.05, noise_points=5)
            >>> -30 < opt.expected_return(3.0) < -22  # about 23 pump-hours a day at best
            True
        """
        out = np.interp(level, self.levels, self.values[0])
        return float(out) if np.ndim(out) == 0 else out


def solve_tank_dp(
    config: WaterTankConfig,
    *,
    level_step: float = 0.01,
    noise_points: int = 41,
    steps: int | None = None,
) -> TankOptimum:
    """Solve the tank exactly (up to the grid and quadrature) by backward induction.

    Args:
        config: the tank, pumps, demand, tariff and reward
            (:class:`~lstmkit.rl.water_tank.WaterTankConfig`).
        level_step: the level grid's step, m; the grid has ``round(max_level /
            level_step) + 1`` points from 0 to ``max_level`` (both included exactly).
        noise_points: quadrature points for the demand noise (equal bins, midpoints;
            one point when ``demand_noise`` is 0).
        steps: the horizon in steps; None for ``config.steps`` (a shorter one for
            checks against brute force).

    Returns:
        A :class:`TankOptimum` (values, controller).

    Example:
        >>> from lstmkit.rl.water_tank import WaterTankConfig
        >>> opt = solve_tank_dp(WaterTankConfig(days=1), level_step=0.05, noise_points=5)
        >>> opt.levels[[0, -1]].tolist(), float(opt.values[-1].max())
        ([0.0, 7.0], 0.0)
    """
    if not isinstance(config, WaterTankConfig):
        raise TypeError(f"config must be a WaterTankConfig; received {describe(config)}")
    check_float("level_step", level_step, 0.0)
    if not 0.0 < level_step <= config.max_level:
        raise ValueError(
            f"level_step must be in (0, max_level={config.max_level}]; received {level_step}"
        )
    check_int("noise_points", noise_points, 1)
    check_optional_int("steps", steps, 1)
    horizon = config.steps if steps is None else steps
    n_levels = round(config.max_level / level_step) + 1
    levels = np.linspace(0.0, config.max_level, n_levels)
    noise = _noise_offsets(float(config.demand_noise), noise_points)
    values = np.zeros((horizon + 1, n_levels))
    for t in range(horizon - 1, -1, -1):
        values[t] = _q_values(config, t % 24, levels, values[t + 1], levels, noise).max(axis=1)
    return TankOptimum(config, levels, values, noise)
