"""Train an agent on the water tank with Stable-Baselines3 / sb3-contrib.

:func:`train_agent` builds ``n_envs`` seeded copies of the environment (observations
scaled by :func:`~lstmkit.rl.policies.scale_observation`), trains one algorithm of
:data:`~lstmkit.rl.policies.ALGORITHMS` for a number of environment steps, records the
learning curve (each finished training episode's return per day) and returns a
:class:`~lstmkit.rl.policies.Policy`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np

from lstmkit._checks import check_choice, check_int, describe
from lstmkit.rl.policies import (
    ALGORITHMS,
    Policy,
    algorithm_class,
    policy_class,
    scale_observation,
)
from lstmkit.rl.water_tank import WaterTankConfig, WaterTankEnv

__all__ = ["DEFAULT_HYPERPARAMETERS", "ScaledObservation", "train_agent"]

#: Per algorithm: the sb3 constructor arguments (``policy_kwargs`` included) used unless
#: overridden. The recurrent PPO's reward scale and learning-rate schedule were chosen on
#: validation days (``SELECTION_RESULTS`` in ``lstmkit/apps/water_distribution.py``);
#: PPO shares them untested, DQN keeps common defaults.
_PPO: dict[str, Any] = {
    "n_steps": 192,  # two 4-day episodes per environment and rollout
    "batch_size": 768,
    "n_epochs": 10,
    "learning_rate": 1e-3,
    "gamma": 0.99,
    "gae_lambda": 0.95,
    "ent_coef": 0.01,
    "clip_range": 0.2,
    "reward_scale": 0.1,
    "learning_rate_schedule": "linear",
}
DEFAULT_HYPERPARAMETERS: dict[str, dict[str, Any]] = {
    "recurrent-ppo": {**_PPO, "policy_kwargs": {"lstm_hidden_size": 64, "net_arch": [64]}},
    "ppo": {**_PPO, "policy_kwargs": {"net_arch": [64, 64]}},
    "dqn": {
        "learning_rate": 5e-4,
        "buffer_size": 100_000,
        "learning_starts": 2_000,
        "batch_size": 64,
        "gamma": 0.99,
        "train_freq": 4,
        "target_update_interval": 2_000,
        "exploration_fraction": 0.2,
        "exploration_final_eps": 0.02,
        "reward_scale": 0.1,
        "policy_kwargs": {"net_arch": [64, 64]},
    },
}


class ScaledObservation(gym.ObservationWrapper):
    """The tank's observation scaled for the networks (:func:`scale_observation`).

    Args:
        env: a :class:`~lstmkit.rl.WaterTankEnv`.

    Returns:
        The wrapped environment.

    Example:
        >>> env = ScaledObservation(WaterTankEnv())
        >>> env.reset(seed=0)[0]
        array([-0.14285715], dtype=float32)
    """

    def __init__(self, env: WaterTankEnv) -> None:
        super().__init__(env)
        self.config = env.config
        size = env.config.observation_size
        self.observation_space = gym.spaces.Box(-1.0, 1.0, (size,), dtype=np.float32)

    def observation(self, observation: np.ndarray) -> np.ndarray:
        return scale_observation(observation, self.config)


class _Monitor:
    """sb3 callback: the learning curve, and every ``every`` steps a validation score
    of the current policy, keeping the weights of the best one so far."""

    def __init__(
        self,
        days: int,
        reward_scale: float,
        make_policy: Any,
        validation: tuple[WaterTankConfig, list[int]] | None,
        every: int,
    ) -> None:
        from stable_baselines3.common.callbacks import BaseCallback

        monitor = self
        self.points: list[tuple[int, float]] = []
        self.validation_curve: list[list[float]] = []
        self.best: tuple[float, int, dict[str, Any]] | None = None

        class Callback(BaseCallback):
            def _on_step(self) -> bool:
                for info in self.locals.get("infos", []):
                    episode = info.get("episode")
                    if episode is not None:
                        value = float(episode["r"]) / reward_scale / days
                        monitor.points.append((int(self.num_timesteps), value))
                if validation is not None and self.num_timesteps >= monitor.next_check:
                    monitor.check(int(self.num_timesteps))
                return True

            def _on_training_end(self) -> None:
                if validation is not None and (
                    not monitor.validation_curve
                    or monitor.validation_curve[-1][0] != self.num_timesteps
                ):
                    monitor.check(int(self.num_timesteps))

        self.make_policy, self.validation, self.every = make_policy, validation, every
        self.next_check = every
        self.callback = Callback()

    def check(self, step: int) -> None:
        import copy

        from lstmkit.rl.evaluation import evaluate_controller

        assert self.validation is not None
        config, seeds = self.validation
        policy = self.make_policy()
        mode = policy.network.training  # predict() switches to eval mode: restore it
        result = evaluate_controller(policy, config, seeds)
        policy.network.set_training_mode(mode)
        score = result["return_per_day"]
        self.validation_curve.append(
            [step, score, result["pump_hours_per_day"], result["violations_per_day"]]
        )
        if self.best is None or score > self.best[0]:
            self.best = (score, step, copy.deepcopy(policy.network.state_dict()))
        self.next_check = step + self.every


def train_agent(
    algorithm: str,
    env_config: WaterTankConfig,
    *,
    total_steps: int,
    seed: int = 0,
    n_envs: int = 8,
    hyperparameters: dict[str, Any] | None = None,
    validation_seeds: Sequence[int] | None = None,
    validation_config: WaterTankConfig | None = None,
    eval_every: int = 50_000,
) -> Policy:
    """Train one agent on the water tank.

    Args:
        algorithm: ``"recurrent-ppo"`` (sb3-contrib's RecurrentPPO on
            :class:`~lstmkit.rl.policies.LSTMActorCriticPolicy`), ``"ppo"`` or ``"dqn"``
            (Stable-Baselines3, MLP policies).
        env_config: the training environment (its ``initial_level`` may be a range).
        total_steps: environment steps to train for (int >= 1).
        seed: seeds the networks, the algorithm and the environments (env ``i`` of
            ``n_envs`` gets ``seed * 1000 + i``).
        n_envs: environments stepped together (int >= 1).
        hyperparameters: overrides of :data:`DEFAULT_HYPERPARAMETERS` for ``algorithm``
            (sb3 constructor arguments; ``policy_kwargs`` replaced whole), and
            ``reward_scale``: the factor on the rewards while training (0.1 by default:
            returns of order one suit the value function; the learning curve is
            reported unscaled); ``learning_rate_schedule``: ``"constant"`` or
            ``"linear"`` (from ``learning_rate`` down to 0 at ``total_steps``).
        validation_seeds: episodes (seeds, disjoint from the test's) on which the policy
            is scored every ``eval_every`` steps and at the end; the best-scoring weights
            (return per day, deterministic actions) are the ones returned. None: the
            final weights.
        validation_config: the validation environment; None for ``env_config`` with
            ``initial_level=3.0`` when its initial level is a range.
        eval_every: environment steps between validation scores (int >= 1).

    Returns:
        The trained :class:`~lstmkit.rl.policies.Policy`; its ``info`` holds
        ``total_steps``, ``seconds`` (validation included), ``steps_per_second``,
        ``hyperparameters``, ``learning_curve`` (``[step, return per day]`` for each
        training episode) and, with validation, ``validation_curve`` (``[step, return,
        pump-hours, violations]`` per day) and ``best_step``.

    Example:
        >>> policy = train_agent("ppo", WaterTankConfig(days=1), total_steps=384, n_envs=2)
        >>> policy.algorithm, policy.info["total_steps"] >= 384
        ('ppo', True)
    """
    import torch
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.utils import set_random_seed

    check_choice("algorithm", algorithm, list(ALGORITHMS))
    if not isinstance(env_config, WaterTankConfig):
        raise TypeError(f"env_config must be a WaterTankConfig; received {describe(env_config)}")
    check_int("total_steps", total_steps, 1)
    check_int("seed", seed, 0)
    check_int("n_envs", n_envs, 1)
    check_int("eval_every", eval_every, 1)
    validation = None
    if validation_seeds is not None:
        from lstmkit.rl.evaluation import check_seeds

        if validation_config is None:
            fixed = isinstance(env_config.initial_level, tuple | list)
            validation_config = (
                dataclasses.replace(env_config, initial_level=3.0) if fixed else env_config
            )
        if not isinstance(validation_config, WaterTankConfig):
            raise TypeError(
                f"validation_config must be a WaterTankConfig or None; "
                f"received {describe(validation_config)}"
            )
        if validation_config.observation != env_config.observation:
            raise ValueError(
                f"validation_config.observation must be env_config's "
                f"({env_config.observation!r}); received {validation_config.observation!r}"
            )
        validation = (validation_config, check_seeds(validation_seeds))
    if hyperparameters is not None and not isinstance(hyperparameters, dict):
        raise TypeError(
            f"hyperparameters must be a dict of sb3 arguments or None; "
            f"received {describe(hyperparameters)}"
        )
    settings = {**DEFAULT_HYPERPARAMETERS[algorithm], **(hyperparameters or {})}
    policy_kwargs = dict(settings.pop("policy_kwargs", {}))
    reward_scale = float(settings.pop("reward_scale", 1.0))
    schedule = settings.pop("learning_rate_schedule", "constant")
    check_choice("learning_rate_schedule", schedule, ["constant", "linear"])
    sb3_settings = dict(settings)
    if schedule == "linear":
        # sb3 calls it with the share of training left (1 -> 0): the last updates are
        # small, so the policy stops moving instead of oscillating at the end
        start_rate = float(settings["learning_rate"])
        sb3_settings["learning_rate"] = lambda remaining: start_rate * remaining
    if algorithm in ("recurrent-ppo", "ppo"):
        # sb3 asserts batch_size <= n_steps * n_envs only by warning; keep it valid
        settings["batch_size"] = min(settings["batch_size"], settings["n_steps"] * n_envs)

    set_random_seed(seed)

    def make() -> gym.Env:
        env = ScaledObservation(WaterTankEnv(env_config))
        # returns of order 1 per step help the value function; the learning curve
        # (from the Monitor make_vec_env adds outside) is scaled back
        return gym.wrappers.TransformReward(env, lambda r: r * reward_scale)

    env = make_vec_env(make, n_envs=n_envs, seed=seed * 1000)
    model = algorithm_class(algorithm)(
        policy_class(algorithm), env, seed=seed, policy_kwargs=policy_kwargs, verbose=0,
        device="cpu", **sb3_settings,
    )  # fmt: skip
    monitor = _Monitor(
        env_config.days,
        reward_scale,
        lambda: Policy(algorithm, model.policy, env_config, policy_kwargs),
        validation,
        eval_every,
    )
    started = time.perf_counter()
    model.learn(total_timesteps=total_steps, callback=monitor.callback)
    seconds = time.perf_counter() - started
    env.close()
    if monitor.best is not None:
        model.policy.load_state_dict(monitor.best[2])
    model.policy.set_training_mode(False)
    info = {
        "total_steps": int(model.num_timesteps),
        "seconds": seconds,
        "steps_per_second": model.num_timesteps / max(seconds, 1e-9),
        "n_envs": n_envs,
        "seed": seed,
        "torch_threads": torch.get_num_threads(),
        "hyperparameters": {
            **settings,
            "reward_scale": reward_scale,
            "learning_rate_schedule": schedule,
            "policy_kwargs": policy_kwargs,
        },
        "learning_curve": [list(p) for p in monitor.points],
    }
    if validation is not None:
        assert monitor.best is not None
        info["validation_curve"] = monitor.validation_curve
        info["best_step"] = monitor.best[1]
    return Policy(algorithm, model.policy, env_config, policy_kwargs, info)
