"""Reinforcement learning: environments (Gymnasium), recurrent policies, exact baselines.

The algorithms come from Stable-Baselines3 and sb3-contrib (``pip install
lstmkit[rl]``); lstmkit adds the recurrent core (:mod:`lstmkit.nn`'s LSTM and its
variants inside sb3-contrib's recurrent PPO), policies that save as lstmkit model
folders and act step by step, the environment, and the baselines to measure them by.

* :mod:`~lstmkit.rl.water_tank`: :class:`WaterTankEnv`, MATLAB's pump-scheduling tank
  (registered as ``lstmkit/WaterTank-v0``);
* :mod:`~lstmkit.rl.optimum`: :func:`solve_tank_dp`, the exact optimum by stochastic
  dynamic programming over (hour, level);
* :mod:`~lstmkit.rl.rules`: :class:`ThresholdRule` and :func:`tune_threshold_rule`;
* :mod:`~lstmkit.rl.evaluation`: :func:`evaluate_controller` and :func:`rollout`, the
  same test days for every controller (the ``act(obs, state)`` protocol);
* :mod:`~lstmkit.rl.policies`: :class:`Policy` (``act``, ``save``, :func:`load_policy`)
  and :class:`LSTMActorCriticPolicy`;
* :mod:`~lstmkit.rl.training`: :func:`train_agent` (recurrent PPO, PPO, DQN).

The policy and training modules load torch and Stable-Baselines3 when first used.
"""

from __future__ import annotations

from lstmkit._lazy import lazy_exports
from lstmkit.rl.evaluation import evaluate_controller, gap_percent, rollout
from lstmkit.rl.optimum import TankOptimum, solve_tank_dp
from lstmkit.rl.rules import ThresholdRule, tune_threshold_rule
from lstmkit.rl.water_tank import (
    MEAN_DEMAND,
    PUMP_FLOWS,
    TIME_OF_USE_TARIFF,
    WaterTankConfig,
    WaterTankEnv,
    demand_days,
)

__all__ = [
    "MEAN_DEMAND",
    "PUMP_FLOWS",
    "TIME_OF_USE_TARIFF",
    "LSTMActorCriticPolicy",
    "Policy",
    "TankOptimum",
    "ThresholdRule",
    "WaterTankConfig",
    "WaterTankEnv",
    "demand_days",
    "evaluate_controller",
    "gap_percent",
    "load_policy",
    "rollout",
    "solve_tank_dp",
    "train_agent",
    "tune_threshold_rule",
]

# torch and Stable-Baselines3 load only when a policy is asked for
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "LSTMActorCriticPolicy": "lstmkit.rl.policies",
        "Policy": "lstmkit.rl.policies",
        "load_policy": "lstmkit.rl.policies",
        "train_agent": "lstmkit.rl.training",
    },
    globals(),
)
