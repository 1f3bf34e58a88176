"""Policies: lstmkit's LSTM inside sb3-contrib's recurrent PPO, and a saved policy that acts.

The algorithms are Stable-Baselines3's (PPO, DQN) and sb3-contrib's (RecurrentPPO);
this module adds two things.

* :class:`LSTMActorCriticPolicy`: sb3-contrib's recurrent actor-critic with its
  ``torch.nn.LSTM`` cores replaced by :class:`lstmkit.nn.LSTM` (so ``lstm_kwargs`` can
  ask for any variant: ``layer_norm``, ``peephole``, ``coupled_gates``, ``backend``...).
  It also runs a training minibatch's sequences through the LSTM in one call: sb3-contrib
  steps through a minibatch one time step at a time whenever any sequence starts an
  episode (to reset its state there), but its rollout buffer cuts sequences at episode
  starts, so a reset only ever falls on a sequence's first step, where zeroing the
  initial state does the same. That made an update ~Nx faster for N-step sequences
  (see :func:`~lstmkit.rl.training.train_agent`).
* :class:`Policy`: a trained agent as an lstmkit model folder (``model.safetensors`` +
  ``config.json``; nothing pickled), read back by :func:`lstmkit.load`, with
  ``act(obs, state) -> (action, state)`` for step-by-step control.

Observations reach the networks scaled (:func:`scale_observation`: the level to
[-1, 1]); :meth:`Policy.act` takes the environment's own observation and scales it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from sb3_contrib.common.recurrent.policies import RecurrentActorCriticPolicy

from lstmkit._checks import check_bool, check_choice, describe
from lstmkit.nn import LSTM
from lstmkit.rl.water_tank import WaterTankConfig

__all__ = ["ALGORITHMS", "LSTMActorCriticPolicy", "Policy", "load_policy", "scale_observation"]

#: The algorithms a :class:`Policy` can hold: name -> (library, class, memory).
ALGORITHMS = {
    "recurrent-ppo": ("sb3_contrib", "RecurrentPPO", True),
    "ppo": ("stable_baselines3", "PPO", False),
    "dqn": ("stable_baselines3", "DQN", False),
}
POLICY_KIND = "lstmkit-rl-policy"


def scale_observation(obs: np.ndarray, config: WaterTankConfig) -> np.ndarray:
    """The environment's observation as the networks see it: the level mapped to [-1, 1].

    Args:
        obs: an observation of a :class:`~lstmkit.rl.WaterTankEnv` with ``config``
            (shape (``config.observation_size``,)), or a batch of them.
        config: the environment's configuration.

    Returns:
        float32 array of the same shape: the level and the pumps run mapped to [-1, 1],
        the clock features (sin, cos) unchanged.

    Example:
        >>> import numpy as np
        >>> scale_observation(np.array([3.5], np.float32), WaterTankConfig())
        array([0.], dtype=float32)
    """
    out = np.array(obs, dtype=np.float32, copy=True)
    out[..., 0] = 2.0 * out[..., 0] / config.max_level - 1.0
    if config.observation == "level+pumps":
        out[..., 1] = 2.0 * out[..., 1] / (config.n_actions - 1) - 1.0
    return out


class LSTMActorCriticPolicy(RecurrentActorCriticPolicy):
    """sb3-contrib's recurrent actor-critic on :class:`lstmkit.nn.LSTM` cores.

    Takes the arguments of ``sb3_contrib.common.recurrent.policies.
    RecurrentActorCriticPolicy`` (``lstm_hidden_size``, ``n_lstm_layers``,
    ``enable_critic_lstm``, ``shared_lstm``, ``net_arch``, ...); ``lstm_kwargs`` go to
    :class:`lstmkit.nn.LSTM` (its variants and ``backend``). Pass it as the ``policy`` of
    ``sb3_contrib.RecurrentPPO``.

    Args:
        *args: RecurrentActorCriticPolicy's positional arguments.
        **kwargs: its keyword arguments.

    Returns:
        The policy module.

    Example:
        >>> import gymnasium as gym
        >>> space = gym.spaces.Box(-1, 1, (1,))
        >>> policy = LSTMActorCriticPolicy(space, gym.spaces.Discrete(4), lambda _: 1e-3,
        ...                                lstm_hidden_size=8, lstm_kwargs={"layer_norm": True})
        >>> type(policy.lstm_actor).__name__, policy.lstm_actor.layer_norm
        ('LSTM', True)
    """

    def __init__(
        self, *args: Any, lstm_kwargs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        # the parent builds a throwaway torch.nn.LSTM first: it must not see lstmkit's
        # own options (layer_norm, peephole, ...), which torch.nn.LSTM refuses
        super().__init__(*args, **kwargs)
        self.lstm_kwargs = dict(lstm_kwargs or {})
        hidden = self.lstm_actor.hidden_size
        layers = self.lstm_actor.num_layers

        def core() -> LSTM:
            # time-major like torch.nn.LSTM: sb3-contrib hands (steps, sequences, features)
            return LSTM(
                self.features_dim, hidden, num_layers=layers, batch_first=False,
                **self.lstm_kwargs,
            )  # fmt: skip

        self.lstm_actor = core()
        if self.lstm_critic is not None:
            self.lstm_critic = core()
        self.to(self.device)
        # the parent built its optimizer over the torch.nn.LSTM it made: rebuild it
        self.optimizer = self.optimizer_class(
            self.parameters(), lr=self._initial_learning_rate, **self.optimizer_kwargs
        )

    def _build(self, lr_schedule: Any) -> None:
        self._initial_learning_rate = lr_schedule(1)
        super()._build(lr_schedule)

    @staticmethod
    def _process_sequence(
        features: torch.Tensor,
        lstm_states: tuple[torch.Tensor, torch.Tensor],
        episode_starts: torch.Tensor,
        lstm: Any,
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        n_seq = lstm_states[0].shape[1]
        # (n_seq * T, F) -> (T, n_seq, F): sb3-contrib's padded minibatch layout
        sequence = features.reshape((n_seq, -1, lstm.input_size)).swapaxes(0, 1)
        starts = episode_starts.reshape((n_seq, -1)).swapaxes(0, 1)  # (T, n_seq)
        if not bool((starts[1:] != 0).any()):
            # resets only on first steps: zero those sequences' initial state, one call
            keep = (1.0 - starts[0]).view(1, n_seq, 1)
            output, states = lstm(sequence, (keep * lstm_states[0], keep * lstm_states[1]))
            return torch.flatten(output.transpose(0, 1), start_dim=0, end_dim=1), states
        # a reset inside a sequence: sb3-contrib's own step-by-step loop
        return RecurrentActorCriticPolicy._process_sequence(
            features, lstm_states, episode_starts, lstm
        )


def algorithm_class(algorithm: str) -> type:
    """The sb3 algorithm class of a key of :data:`ALGORITHMS` (imported on demand)."""
    import importlib

    module, name, _ = ALGORITHMS[algorithm]
    return getattr(importlib.import_module(module), name)


def policy_class(algorithm: str) -> type:
    """The policy module class an algorithm of :data:`ALGORITHMS` trains and loads."""
    if algorithm == "recurrent-ppo":
        return LSTMActorCriticPolicy
    if algorithm == "ppo":
        from stable_baselines3.common.policies import ActorCriticPolicy

        return ActorCriticPolicy
    from stable_baselines3.dqn.policies import DQNPolicy

    return DQNPolicy


def _spaces(config: WaterTankConfig) -> tuple[Any, Any]:
    """The scaled observation space and the action space the networks were built for."""
    import gymnasium as gym

    observation = gym.spaces.Box(-1.0, 1.0, (config.observation_size,), dtype=np.float32)
    return observation, gym.spaces.Discrete(config.n_actions)


class Policy:
    """A trained agent: acts step by step, saves as an lstmkit model folder.

    Args:
        algorithm: a key of :data:`ALGORITHMS` (``"recurrent-ppo"``, ``"ppo"``, ``"dqn"``).
        network: the trained policy module (``model.policy`` of the sb3 algorithm).
        env_config: the :class:`~lstmkit.rl.WaterTankConfig` it was trained for (its
            observation kind and scaling).
        policy_kwargs: the ``policy_kwargs`` the network was built with (to rebuild it).
        info: JSON-ready facts about training (steps, seconds, hyperparameters).

    Returns:
        The policy (usually made by :func:`~lstmkit.rl.train_agent` or
        :func:`load_policy`).

    Attributes:
        recurrent: whether the policy carries a state between steps.

    Example:
        >>> import gymnasium as gym, numpy as np
        >>> from stable_baselines3.common.policies import ActorCriticPolicy
        >>> cfg = WaterTankConfig(observation="level+clock")
        >>> net = ActorCriticPolicy(*_spaces(cfg), lambda _: 1e-3, net_arch=[8])
        >>> policy = Policy("ppo", net, cfg, {"net_arch": [8]})
        >>> action, state = policy.act(np.array([3.0, 0.0, 1.0], np.float32))
        >>> 0 <= action < 4, state
        (True, None)
    """

    kind: ClassVar[str] = POLICY_KIND

    def __init__(
        self,
        algorithm: str,
        network: torch.nn.Module,
        env_config: WaterTankConfig,
        policy_kwargs: dict[str, Any] | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        check_choice("algorithm", algorithm, list(ALGORITHMS))
        if not isinstance(env_config, WaterTankConfig):
            raise TypeError(
                f"env_config must be a WaterTankConfig; received {describe(env_config)}"
            )
        self.algorithm = algorithm
        self.network = network
        self.env_config = env_config
        self.policy_kwargs = dict(policy_kwargs or {})
        self.info = dict(info or {})
        self.recurrent = ALGORITHMS[algorithm][2]

    def act(self, obs: Any, state: Any = None, *, deterministic: bool = True) -> tuple[int, Any]:
        """The action for one observation, and the state to pass with the next one.

        Args:
            obs: the environment's observation (its own units: the level in metres).
            state: None at an episode's start; afterwards what the previous call returned.
            deterministic: the most likely action (True) or a sample from the policy.

        Returns:
            ``(action, state)``: an int (pumps to run) and the recurrent state (a tuple
            of arrays; None for memoryless policies).
        """
        check_bool("deterministic", deterministic)
        size = self.env_config.observation_size
        array = np.asarray(obs, dtype=np.float32)
        if array.shape != (size,) or not np.isfinite(array).all():
            raise ValueError(
                f"obs must be one finite observation of shape ({size},) "
                f"({self.env_config.observation!r}); received {describe(obs)}"
            )
        scaled = scale_observation(array, self.env_config)[None]
        with torch.no_grad():
            if self.recurrent:
                start = np.array([state is None])
                action, state = self.network.predict(
                    scaled, state, episode_start=start, deterministic=deterministic
                )
            else:
                action, _ = self.network.predict(scaled, deterministic=deterministic)
        return int(np.asarray(action).reshape(-1)[0]), state

    def save(self, directory: str | Path) -> Path:
        """Write the policy as an lstmkit model folder (atomic; see :func:`lstmkit.io.save_model`).

        Args:
            directory: the folder.

        Returns:
            The folder as a Path.
        """
        from lstmkit.io import save_model

        config = {
            "estimator": type(self).__name__,
            "kind": self.kind,
            "algorithm": self.algorithm,
            "env_config": self.env_config.to_dict(),
            "policy_kwargs": self.policy_kwargs,
            "info": self.info,
        }
        return save_model(directory, self.network.state_dict(), config)


def load_policy(directory: str | Path) -> Policy:
    """Read a policy saved with :meth:`Policy.save` (:func:`lstmkit.load` comes here too).

    Args:
        directory: the model folder.

    Returns:
        The :class:`Policy`, ready to act.

    Example:
        >>> load_policy("no/such/folder")  # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        lstmkit.io.model.ModelFormatError: cannot load a model from no/such/folder ...
    """
    from lstmkit.io import load_model

    state, config = load_model(directory)
    if config.get("kind") != POLICY_KIND or config.get("algorithm") not in ALGORITHMS:
        raise ValueError(
            f"{directory} holds no lstmkit RL policy (config.json 'kind' is "
            f"{config.get('kind')!r}, 'algorithm' {config.get('algorithm')!r})"
        )
    algorithm = config["algorithm"]
    env_config = WaterTankConfig.from_dict(config["env_config"])
    kwargs = dict(config.get("policy_kwargs") or {})
    network = policy_class(algorithm)(*_spaces(env_config), lambda _: 0.0, **kwargs)
    network.load_state_dict(state)
    network.set_training_mode(False)
    return Policy(algorithm, network, env_config, kwargs, config.get("info"))
