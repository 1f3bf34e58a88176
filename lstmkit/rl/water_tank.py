"""A water tank fed by three pumps: MATLAB's pump-scheduling task as a Gymnasium env.

MATLAB's *Water Distribution System Scheduling Using Reinforcement Learning* has one
storage tank that a town draws from; each hour an operator runs 0, 1, 2 or 3 pumps.
The tank must neither overflow nor run dry, and pumping costs. The facts:

* tank area A = 40 m², maximum level 7 m, initial level 3 m;
* the pumps supply Q = 0, 164, 279, 344 m³/h for 0-3 pumps running (each extra pump
  adds less: one pump moves 164 m³ per pump-hour, three move 115);
* the demand is a daily mean profile (:data:`MEAN_DEMAND`, 3,720 m³ a day) plus
  uniform noise U(-20, 20) m³/h; the 07-08 h peak (450 m³/h) exceeds full pumping, so
  the tank must be filled beforehand;
* one step is one hour: ``level += (Q[action] - demand) / A``, kept in [0, h_max];
* reward ``-10·[level >= h_max - 0.1] - 10·[level <= 0.1] - action`` on the level
  after the step (an overflow or an empty tank costs 10 pump-hours).

What the agent sees (``observation``): ``"level"`` is the level alone (metres, shape
(1,)): the hour is not shown, so a policy must keep track of the time of day from what
it has seen, which is where memory matters (episodes start at midnight).
``"level+pumps"`` adds the pumps that ran in the last hour (0 at reset; shape (2,)): an
operator knows what it switched on, and with it the hour's demand follows from the
level's change, while a policy that samples its actions cannot otherwise tell what it
did. ``"level+clock"`` adds sin and cos of the hour (shape (3,)).

Beyond MATLAB: ``demand_scale`` and ``demand_noise`` change the town; ``tariff`` (24
prices per pump-hour, :data:`TIME_OF_USE_TARIFF` by default) gives every step a cost,
and ``reward="cost"`` makes the agent minimise that cost instead of pump-hours.

Every step's ``info`` has ``hour`` (of the step just taken), ``demand``, ``supply``,
``pumps``, ``cost``, ``overflow`` and ``empty`` (bools). The environment is registered
with Gymnasium as ``lstmkit/WaterTank-v0``.

Example:
    >>> from lstmkit.rl import WaterTankEnv
    >>> env = WaterTankEnv(demand_noise=0.0)
    >>> obs, info = env.reset(seed=0)
    >>> obs, reward, terminated, truncated, info = env.step(1)  # 3 + (164 - 28) / 40
    >>> round(float(obs[0]), 3), reward, info["pumps"], terminated
    (6.4, -1.0, 1, False)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np

try:
    import gymnasium as gym
except ImportError as error:  # the [rl] extra
    raise ImportError(
        "lstmkit.rl needs gymnasium, stable-baselines3 and sb3-contrib: pip install 'lstmkit[rl]'"
    ) from error

from lstmkit._checks import check_choice, check_float, check_int, describe

__all__ = [
    "MEAN_DEMAND",
    "PUMP_FLOWS",
    "TIME_OF_USE_TARIFF",
    "WaterTankConfig",
    "WaterTankEnv",
    "demand_days",
]

#: MATLAB's hourly mean demand (m³/h), hour 0 = 00-01 h.
MEAN_DEMAND: tuple[float, ...] = (
    28, 28, 28, 45, 55, 110, 280, 450, 310, 170, 160, 145,
    130, 150, 165, 155, 170, 265, 360, 240, 120, 83, 45, 28,
)  # fmt: skip
#: m³/h supplied with 0, 1, 2, 3 pumps running.
PUMP_FLOWS: tuple[float, ...] = (0.0, 164.0, 279.0, 344.0)
#: A time-of-use price per pump-hour (ours, not MATLAB's): 0.10 at night (22-06 h),
#: 0.20 by day, 0.35 in the evening peak (17-21 h).
TIME_OF_USE_TARIFF: tuple[float, ...] = tuple(
    0.10 if (h < 6 or h >= 22) else 0.35 if 17 <= h < 21 else 0.20 for h in range(24)
)
OBSERVATIONS = ("level", "level+pumps", "level+clock")
REWARDS = ("pumps", "cost")


@dataclass(frozen=True)
class WaterTankConfig:
    """The tank, the pumps, the town and what the agent sees and is paid.

    Args:
        area: tank cross-section in m² (> 0).
        max_level: tank height in m (> 0).
        initial_level: level at reset, in m: a number, or ``(low, high)`` for a uniform
            draw per episode (training uses a range so that a policy meets every level).
        days: episode length in days (24 steps each).
        demand_scale: factor on :data:`MEAN_DEMAND` (> 0).
        demand_noise: half-width of the uniform noise on each hour's demand, m³/h (>= 0).
        pump_flows: m³/h for 0, 1, ... pumps (starting at 0, increasing); the action
            space has one action per entry.
        mean_demand: 24 hourly means, m³/h (>= 0).
        tariff: 24 prices per pump-hour (>= 0).
        observation: ``"level"``, ``"level+pumps"`` or ``"level+clock"``.
        reward: ``"pumps"`` (MATLAB's: -pumps running) or ``"cost"`` (-pumps x the
            hour's tariff); the violation penalties are the same in both.
        penalty: reward lost per hour that ends full or empty (MATLAB: 10).
        margin: how close to full or empty counts as a violation, m (MATLAB: 0.1).

    Returns:
        The frozen configuration (checked: a bad value raises at once, naming it).

    Example:
        >>> config = WaterTankConfig(days=1, initial_level=(1.0, 6.0))
        >>> config.steps, config.n_actions, config.observation_size
        (24, 4, 1)
    """

    area: float = 40.0
    max_level: float = 7.0
    initial_level: float | tuple[float, float] = 3.0
    days: int = 4
    demand_scale: float = 1.0
    demand_noise: float = 20.0
    pump_flows: tuple[float, ...] = PUMP_FLOWS
    mean_demand: tuple[float, ...] = MEAN_DEMAND
    tariff: tuple[float, ...] = TIME_OF_USE_TARIFF
    observation: str = "level"
    reward: str = "pumps"
    penalty: float = 10.0
    margin: float = 0.1

    def __post_init__(self) -> None:
        check_float("area", self.area, 0.0)
        check_float("max_level", self.max_level, 0.0)
        if self.area <= 0 or self.max_level <= 0:
            raise ValueError(
                f"area and max_level must be > 0; received area={self.area!r}, "
                f"max_level={self.max_level!r}"
            )
        low, high = _level_range(self.initial_level)
        if not 0.0 <= low <= high <= self.max_level:
            raise ValueError(
                f"initial_level must be a level (or a (low, high) range) within "
                f"[0, max_level={self.max_level}]; received {describe(self.initial_level)}"
            )
        check_int("days", self.days, 1)
        check_float("demand_scale", self.demand_scale, 0.0)
        if self.demand_scale <= 0:
            raise ValueError(f"demand_scale must be > 0; received {self.demand_scale!r}")
        check_float("demand_noise", self.demand_noise, 0.0)
        flows = _floats("pump_flows", self.pump_flows, None)
        if len(flows) < 2 or flows[0] != 0.0 or any(np.diff(flows) <= 0):
            raise ValueError(
                "pump_flows must start at 0 (no pump) and increase, with at least two "
                f"entries; received {describe(self.pump_flows)}"
            )
        _floats("mean_demand", self.mean_demand, 24)
        _floats("tariff", self.tariff, 24)
        check_choice("observation", self.observation, OBSERVATIONS)
        check_choice("reward", self.reward, REWARDS)
        check_float("penalty", self.penalty, 0.0)
        check_float("margin", self.margin, 0.0)
        if 2 * self.margin >= self.max_level:
            raise ValueError(
                f"margin must be below max_level / 2 = {self.max_level / 2}; "
                f"received {self.margin!r}"
            )

    @property
    def steps(self) -> int:
        """Steps per episode (24 per day)."""
        return 24 * self.days

    @property
    def observation_size(self) -> int:
        """Values per observation: 1 (level), 2 (level+pumps) or 3 (level+clock)."""
        return OBSERVATIONS.index(self.observation) + 1

    @property
    def n_actions(self) -> int:
        """How many actions: 0 .. ``len(pump_flows) - 1`` pumps."""
        return len(self.pump_flows)

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready values (tuples as lists)."""
        out = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> WaterTankConfig:
        """The config of :meth:`to_dict`'s output."""
        tuples = {"pump_flows", "mean_demand", "tariff"}
        fixed = {
            k: tuple(v) if k in tuples or isinstance(v, list) else v for k, v in values.items()
        }
        return cls(**fixed)


def _level_range(value: Any) -> tuple[float, float]:
    if isinstance(value, tuple | list) and len(value) == 2:
        low, high = value
    else:
        low = high = value
    for v in (low, high):
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise TypeError(
                "initial_level must be a finite number or a (low, high) pair of them; "
                f"received {describe(value)}"
            )
    return float(low), float(high)


def _floats(name: str, values: Any, length: int | None) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a sequence of numbers; received {describe(values)}"
        ) from None
    if array.ndim != 1 or (length is not None and array.size != length):
        wanted = f"{length} numbers" if length else "a flat sequence of numbers"
        raise ValueError(f"{name} must be {wanted}; received {describe(values)}")
    if not np.isfinite(array).all() or (array < 0).any():
        raise ValueError(f"{name} must be finite and >= 0; received {describe(values)}")
    return array


def demand_days(config: WaterTankConfig, days: int, rng: np.random.Generator) -> np.ndarray:
    """Hourly demand for ``days`` days: the scaled mean profile plus uniform noise.

    Args:
        config: the town (``mean_demand``, ``demand_scale``, ``demand_noise``).
        days: how many days (int >= 1).
        rng: the random generator.

    Returns:
        float64 array (24 · days,) in m³/h, never below 0.

    Example:
        >>> import numpy as np
        >>> d = demand_days(WaterTankConfig(demand_noise=0.0), 1, np.random.default_rng(0))
        >>> float(d.sum()), float(d[7])
        (3720.0, 450.0)
    """
    check_int("days", days, 1)
    mean = np.tile(np.asarray(config.mean_demand, float) * config.demand_scale, days)
    noise = rng.uniform(-config.demand_noise, config.demand_noise, size=mean.size)
    return np.maximum(mean + noise, 0.0)


class WaterTankEnv(gym.Env):
    """The one-tank pump-scheduling environment (see the module docstring).

    Args:
        config: a :class:`WaterTankConfig`; None for MATLAB's settings.
        **options: fields of :class:`WaterTankConfig` (instead of ``config``).

    Returns:
        The environment (Gymnasium's API: ``reset`` and ``step``).

    Attributes:
        config: the :class:`WaterTankConfig`.
        demand: this episode's hourly demand (m³/h), drawn at reset.
        level: the current level (m).
        t: steps taken in this episode.

    Example:
        >>> env = WaterTankEnv(observation="level+clock", days=1)
        >>> env.observation_space.shape, int(env.action_space.n)
        ((3,), 4)
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    def __init__(self, config: WaterTankConfig | None = None, **options: Any) -> None:
        if config is not None and options:
            raise TypeError(
                f"give either config or options, not both; received config and {sorted(options)}"
            )
        if config is not None and not isinstance(config, WaterTankConfig):
            raise TypeError(
                f"config must be a WaterTankConfig or None; received {describe(config)}"
            )
        self.config = config if config is not None else WaterTankConfig(**options)
        cfg = self.config
        self.action_space = gym.spaces.Discrete(cfg.n_actions)
        if cfg.observation == "level":
            low, high = np.array([0.0], np.float32), np.array([cfg.max_level], np.float32)
        elif cfg.observation == "level+pumps":
            low = np.array([0.0, 0.0], np.float32)
            high = np.array([cfg.max_level, cfg.n_actions - 1], np.float32)
        else:
            low = np.array([0.0, -1.0, -1.0], np.float32)
            high = np.array([cfg.max_level, 1.0, 1.0], np.float32)
        self.observation_space = gym.spaces.Box(low, high, dtype=np.float32)
        self._flows = np.asarray(cfg.pump_flows, float)
        self._tariff = np.asarray(cfg.tariff, float)
        self.demand = np.zeros(cfg.steps)
        self.level = 0.0
        self.t = 0
        self.last_pumps = 0

    def _observation(self) -> np.ndarray:
        if self.config.observation == "level":
            return np.array([self.level], np.float32)
        if self.config.observation == "level+pumps":
            return np.array([self.level, self.last_pumps], np.float32)
        angle = 2.0 * math.pi * (self.t % 24) / 24.0
        return np.array([self.level, math.sin(angle), math.cos(angle)], np.float32)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode at midnight: draw its demand and its initial level.

        Args:
            seed: seeds the episode generator (Gymnasium's convention: once, then
                episodes continue from it).
            options: ``{"initial_level": float}`` overrides the configured level for
                this episode; ``{"demand": array}`` replays a given demand (24 · days
                values, m³/h).

        Returns:
            ``(observation, info)``; info has ``demand`` (the whole episode's).
        """
        super().reset(seed=seed)
        cfg = self.config
        options = dict(options or {})
        unknown = set(options) - {"initial_level", "demand"}
        if unknown:
            raise ValueError(
                f"options may hold 'initial_level' and 'demand'; received {sorted(unknown)}"
            )
        if "demand" in options:
            demand = _floats("options['demand']", options["demand"], cfg.steps)
        else:
            demand = demand_days(cfg, cfg.days, self.np_random)
        low, high = _level_range(options.get("initial_level", cfg.initial_level))
        if not 0.0 <= low <= high <= cfg.max_level:
            raise ValueError(
                f"options['initial_level'] must be within [0, {cfg.max_level}]; "
                f"received {describe(options['initial_level'])}"
            )
        self.level = float(self.np_random.uniform(low, high)) if high > low else low
        self.demand = demand
        self.t = 0
        self.last_pumps = 0
        return self._observation(), {"demand": demand.copy()}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Run ``action`` pumps for one hour.

        Args:
            action: an int in ``0 .. n_actions - 1`` (a numpy integer or 0-d array too).

        Returns:
            ``(observation, reward, terminated, truncated, info)``; never terminated,
            truncated after ``24 · days`` steps.
        """
        cfg = self.config
        if self.t >= cfg.steps:
            raise RuntimeError("the episode is over (truncated): call reset() first")
        pumps = _action(action, cfg.n_actions)
        hour = self.t % 24
        demand = float(self.demand[self.t])
        supply = float(self._flows[pumps])
        self.level = float(np.clip(self.level + (supply - demand) / cfg.area, 0.0, cfg.max_level))
        overflow = self.level >= cfg.max_level - cfg.margin
        empty = self.level <= cfg.margin
        cost = pumps * float(self._tariff[hour])
        energy = cost if cfg.reward == "cost" else float(pumps)
        reward = -cfg.penalty * (float(overflow) + float(empty)) - energy
        self.t += 1
        self.last_pumps = pumps
        info = {
            "hour": hour,
            "demand": demand,
            "supply": supply,
            "pumps": pumps,
            "cost": cost,
            "overflow": bool(overflow),
            "empty": bool(empty),
        }
        return self._observation(), float(reward), False, self.t >= cfg.steps, info


def _action(action: Any, n_actions: int) -> int:
    value = np.asarray(action)
    # one integer (a Python int, a numpy integer or a 1-element integer array); bools and
    # floats are refused rather than rounded, so a policy's mistake is seen at once
    if value.size != 1 or value.dtype == bool or not np.issubdtype(value.dtype, np.integer):
        raise ValueError(
            f"action must be an int in 0..{n_actions - 1} (pumps running); "
            f"received {describe(action)}"
        )
    pumps = int(value.reshape(-1)[0])
    if not 0 <= pumps < n_actions:
        raise ValueError(
            f"action must be an int in 0..{n_actions - 1} (pumps running); received {pumps}"
        )
    return pumps


def _register() -> None:
    if "lstmkit/WaterTank-v0" not in gym.registry:
        gym.register(id="lstmkit/WaterTank-v0", entry_point=WaterTankEnv)


_register()
