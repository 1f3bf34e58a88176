"""Policies: lstmkit's LSTM inside recurrent PPO, training, saving, acting step by step.

The one-call sequence path of :class:`LSTMActorCriticPolicy` is checked against a
reference that steps the same LSTM one time step at a time (and against sb3-contrib's own
loop); the trained agents are tiny (a few hundred to a thousand environment steps).
"""

from __future__ import annotations

import json

import gymnasium as gym
import numpy as np
import pytest
import torch
from sb3_contrib.common.recurrent.policies import RecurrentActorCriticPolicy
from sb3_contrib.common.recurrent.type_aliases import RNNStates

import lstmkit
from lstmkit.io import ModelFormatError, save_model
from lstmkit.nn import LSTM
from lstmkit.rl.policies import LSTMActorCriticPolicy, Policy, load_policy, scale_observation
from lstmkit.rl.training import ScaledObservation, train_agent
from lstmkit.rl.water_tank import WaterTankConfig, WaterTankEnv

RECURRENT_HP = {"n_steps": 48, "batch_size": 96, "n_epochs": 2}
SMALL_MLP = {"policy_kwargs": {"net_arch": [16]}}


def _policy(obs_size: int = 3, hidden: int = 8, layers: int = 2, **kwargs):
    space = gym.spaces.Box(-1.0, 1.0, (obs_size,), dtype=np.float32)
    return LSTMActorCriticPolicy(
        space,
        gym.spaces.Discrete(4),
        lambda _: 1e-3,
        lstm_hidden_size=hidden,
        n_lstm_layers=layers,
        net_arch=[8],
        **kwargs,
    )


# ------------------------------------------------------ the one-call sequence path
def _inputs(n_seq: int, steps: int, size: int, layers: int, hidden: int, starts: list):
    gen = torch.Generator().manual_seed(1)
    features = torch.randn(n_seq * steps, size, generator=gen)
    h = torch.randn(layers, n_seq, hidden, generator=gen)
    c = torch.randn(layers, n_seq, hidden, generator=gen)
    episode_starts = torch.zeros(n_seq * steps)
    for seq, t in starts:
        episode_starts[seq * steps + t] = 1.0
    return features, (h, c), episode_starts


def _step_by_step(features, states, episode_starts, lstm, steps):
    """Each sequence on its own, one step per call, the state zeroed at episode starts."""
    n_seq = states[0].shape[1]
    outputs, finals_h, finals_c = [], [], []
    for seq in range(n_seq):
        h = states[0][:, seq : seq + 1]
        c = states[1][:, seq : seq + 1]
        for t in range(steps):
            row = seq * steps + t
            if episode_starts[row] == 1.0:
                h, c = torch.zeros_like(h), torch.zeros_like(c)
            y, (h, c) = lstm(features[row].view(1, 1, -1), (h, c))
            outputs.append(y.view(1, -1))
        finals_h.append(h)
        finals_c.append(c)
    return torch.cat(outputs), (torch.cat(finals_h, dim=1), torch.cat(finals_c, dim=1))


def _assert_same(result, reference):
    (output, (h, c)), (ref_output, (ref_h, ref_c)) = result, reference
    assert output.shape == ref_output.shape and h.shape == ref_h.shape
    assert torch.allclose(output, ref_output, atol=1e-6)
    assert torch.allclose(h, ref_h, atol=1e-6) and torch.allclose(c, ref_c, atol=1e-6)


def _against_reference(starts, n_seq=5, steps=7):
    """Ours and the step-by-step reference on the same random minibatch (no grad)."""
    lstm = _policy().lstm_actor
    features, states, episode_starts = _inputs(n_seq, steps, 3, 2, 8, starts)
    with torch.no_grad():
        result = LSTMActorCriticPolicy._process_sequence(features, states, episode_starts, lstm)
        reference = _step_by_step(features, states, episode_starts, lstm, steps)
    return lstm, (features, states, episode_starts), result, reference


@pytest.mark.parametrize(
    "starts",
    [
        [(0, 0), (2, 0), (3, 0)],  # resets on first steps only: the one-call path
        [],  # no reset at all
        [(s, 0) for s in range(5)],  # every sequence starts an episode
    ],
)
def test_one_call_path_equals_step_by_step(starts):
    n_seq, steps = 5, 7
    lstm, (features, states, episode_starts), result, reference = _against_reference(starts)
    with torch.no_grad():
        sb3 = RecurrentActorCriticPolicy._process_sequence(features, states, episode_starts, lstm)
    assert result[0].shape == (n_seq * steps, 8)
    _assert_same(result, reference)
    _assert_same(sb3, reference)  # sb3-contrib's own loop agrees with the reference
    if starts:
        # the comparison is sensitive: ignoring the resets gives other outputs
        with torch.no_grad():
            ignored = lstm(features.view(n_seq, steps, 3).swapaxes(0, 1), states)[0]
        ignored = ignored.transpose(0, 1).reshape(n_seq * steps, 8)
        assert not torch.allclose(ignored, reference[0], atol=1e-3)


def test_one_call_path_gradients_equal_step_by_step():
    policy = _policy()
    lstm = policy.lstm_actor
    steps = 6
    features, states, episode_starts = _inputs(4, steps, 3, 2, 8, [(1, 0), (2, 0)])
    weight = torch.linspace(-1.0, 1.0, 8)

    def grads(run):
        x = features.clone().requires_grad_(True)
        output, (h, c) = run(x)
        loss = (output * weight).square().sum() + h.sum() + (c**2).sum()
        return torch.autograd.grad(loss, [x, *lstm.parameters()])

    fast = grads(lambda x: LSTMActorCriticPolicy._process_sequence(x, states, episode_starts, lstm))
    slow = grads(lambda x: _step_by_step(x, states, episode_starts, lstm, steps))
    for a, b in zip(fast, slow, strict=True):
        assert torch.allclose(a, b, atol=1e-6)


@pytest.mark.parametrize(
    "starts",
    [
        [(1, 3)],  # a reset in the middle of a sequence
        [(0, 0), (1, 3), (4, 0), (4, 5), (2, 6)],
    ],
)
def test_fallback_path_with_mid_sequence_starts_equals_step_by_step(starts):
    _, _, result, reference = _against_reference(starts)
    _assert_same(result, reference)


def test_policy_outputs_match_when_rolled_out_one_step_at_a_time():
    """evaluate_actions on a padded minibatch (one call) equals predict step by step."""
    policy = _policy(obs_size=1, hidden=6, layers=1)
    policy.set_training_mode(False)
    steps = 5
    gen = torch.Generator().manual_seed(2)
    obs = torch.rand(2 * steps, 1, generator=gen) * 2 - 1
    starts = torch.zeros(2 * steps)
    starts[0] = starts[steps] = 1.0
    zero = torch.zeros(1, 2, 6)
    states = RNNStates(pi=(zero, zero), vf=(zero, zero))
    actions = torch.arange(2 * steps) % 4
    with torch.no_grad():
        values, log_prob, _ = policy.evaluate_actions(obs, actions, states, starts)
    for seq in range(2):
        pi = vf = (torch.zeros(1, 1, 6), torch.zeros(1, 1, 6))
        for t in range(steps):
            row = seq * steps + t
            with torch.no_grad():
                dist, pi = policy.get_distribution(obs[row : row + 1], pi, starts[row : row + 1])
                value = policy.predict_values(obs[row : row + 1], vf, starts[row : row + 1])
                vf = policy._process_sequence(
                    policy.extract_features(obs[row : row + 1], policy.vf_features_extractor),
                    vf,
                    starts[row : row + 1],
                    policy.lstm_critic,
                )[1]
            assert torch.allclose(dist.log_prob(actions[row : row + 1]), log_prob[row], atol=1e-6)
            assert torch.allclose(value.view(()), values.view(-1)[row], atol=1e-6)


# ------------------------------------------------------------------ cores, optimizer
def test_cores_are_lstmkit_lstms_and_the_optimizer_holds_exactly_the_policy_parameters():
    policy = _policy(obs_size=3, hidden=8, layers=2)
    for core in (policy.lstm_actor, policy.lstm_critic):
        assert isinstance(core, LSTM)
        assert (core.input_size, core.hidden_size, core.num_layers) == (3, 8, 2)
        assert core.batch_first is False
    assert not any(isinstance(m, torch.nn.LSTM) for m in policy.modules())
    in_optimizer = [p for group in policy.optimizer.param_groups for p in group["params"]]
    ids = {id(p) for p in in_optimizer}
    assert len(ids) == len(in_optimizer)  # no parameter twice
    assert ids == {id(p) for p in policy.parameters()}
    for core in (policy.lstm_actor, policy.lstm_critic):
        assert all(id(p) in ids for p in core.parameters())
    # and a step of that optimizer trains the LSTM
    before = [p.detach().clone() for p in policy.lstm_actor.parameters()]
    features, states, starts = _inputs(2, 4, 3, 2, 8, [(0, 0)])
    output, _ = policy._process_sequence(features, states, starts, policy.lstm_actor)
    output.square().sum().backward()
    policy.optimizer.step()
    after = list(policy.lstm_actor.parameters())
    assert all(not torch.equal(a, b) for a, b in zip(before, after, strict=True))


def test_shared_and_critic_free_variants_keep_lstmkit_cores():
    shared = _policy(shared_lstm=True, enable_critic_lstm=False)
    assert isinstance(shared.lstm_actor, LSTM) and shared.lstm_critic is None
    linear = _policy(enable_critic_lstm=False)
    assert isinstance(linear.lstm_actor, LSTM) and linear.lstm_critic is None
    assert isinstance(linear.critic, torch.nn.Linear)


def test_torch_compatible_lstm_kwargs_reach_the_cores():
    policy = _policy(lstm_kwargs={"bias": False})
    for core in (policy.lstm_actor, policy.lstm_critic):
        assert isinstance(core, LSTM)
        assert not any("bias" in name for name, _ in core.named_parameters())


@pytest.mark.parametrize(
    "lstm_kwargs", [{"layer_norm": True}, {"peephole": True, "coupled_gates": True}]
)
def test_lstmkit_only_lstm_kwargs_reach_the_cores(lstm_kwargs):
    policy = _policy(lstm_kwargs=lstm_kwargs)
    for core in (policy.lstm_actor, policy.lstm_critic):
        assert isinstance(core, LSTM)
        for key, value in lstm_kwargs.items():
            assert getattr(core, key) == value
    ids = {id(p) for group in policy.optimizer.param_groups for p in group["params"]}
    assert ids == {id(p) for p in policy.parameters()}


# ----------------------------------------------------------------------- training
@pytest.fixture(scope="module")
def recurrent() -> Policy:
    return train_agent(
        "recurrent-ppo",
        WaterTankConfig(days=1),
        total_steps=1000,
        n_envs=2,
        hyperparameters=RECURRENT_HP,
    )


@pytest.fixture(scope="module")
def ppo() -> Policy:
    return train_agent(
        "ppo",
        WaterTankConfig(days=1, observation="level+clock"),
        total_steps=300,
        n_envs=2,
        hyperparameters={"n_steps": 48, "batch_size": 96, "n_epochs": 2, **SMALL_MLP},
    )


@pytest.fixture(scope="module")
def dqn() -> Policy:
    return train_agent(
        "dqn",
        WaterTankConfig(days=1),
        total_steps=300,
        n_envs=2,
        hyperparameters={"learning_starts": 50, "buffer_size": 1000, **SMALL_MLP},
    )


def _check_curve(curve, total_steps):
    assert curve, "no finished training episode recorded"
    steps = [s for s, _ in curve]
    assert steps == sorted(steps) and 24 <= steps[0] and steps[-1] <= total_steps
    for _, value in curve:
        # a day of rewards in -(10 + 3) .. 0 per hour, whole numbers for reward="pumps"
        assert -13 * 24 <= value <= 0 and value == pytest.approx(round(value), abs=1e-6)


def test_recurrent_ppo_trains_and_reports(recurrent):
    assert isinstance(recurrent, Policy)
    assert recurrent.algorithm == "recurrent-ppo" and recurrent.recurrent
    assert isinstance(recurrent.network, LSTMActorCriticPolicy)
    assert isinstance(recurrent.network.lstm_actor, LSTM)
    assert not recurrent.network.training
    info = recurrent.info
    assert {"total_steps", "seconds", "learning_curve", "hyperparameters"} <= set(info)
    assert info["total_steps"] >= 1000 and info["total_steps"] % 96 == 0
    assert info["seconds"] > 0
    assert {k: info["hyperparameters"][k] for k in RECURRENT_HP} == RECURRENT_HP
    assert info["hyperparameters"]["policy_kwargs"] == recurrent.policy_kwargs
    # 2 envs x ~1000 / 24 steps: about 40 one-day episodes finished
    assert len(info["learning_curve"]) >= 40
    _check_curve(info["learning_curve"], info["total_steps"])
    json.dumps(info)  # JSON-ready


def test_training_is_reproducible_with_the_same_seed(recurrent):
    def weights(policy):
        return policy.network.state_dict()

    again = train_agent(
        "recurrent-ppo",
        WaterTankConfig(days=1),
        total_steps=1000,
        n_envs=2,
        hyperparameters=RECURRENT_HP,
    )
    first, second = weights(recurrent), weights(again)
    assert first.keys() == second.keys()
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert again.info["learning_curve"] == recurrent.info["learning_curve"]
    other = train_agent(
        "recurrent-ppo",
        WaterTankConfig(days=1),
        total_steps=96,
        n_envs=2,
        seed=1,
        hyperparameters=RECURRENT_HP,
    )
    assert not all(torch.equal(first[k], weights(other)[k]) for k in first)


def test_ppo_and_dqn_train_a_few_hundred_steps(ppo, dqn):
    for policy, algorithm in ((ppo, "ppo"), (dqn, "dqn")):
        assert policy.algorithm == algorithm and not policy.recurrent
        assert policy.info["total_steps"] >= 300
        _check_curve(policy.info["learning_curve"], policy.info["total_steps"])
    assert ppo.env_config.observation == "level+clock"
    assert dqn.info["hyperparameters"]["learning_starts"] == 50


def test_batch_size_is_kept_within_a_rollout_and_reward_scale_is_undone():
    policy = train_agent(
        "ppo",
        WaterTankConfig(days=1),
        total_steps=96,
        n_envs=2,
        hyperparameters={"n_steps": 48, "batch_size": 4096, "reward_scale": 0.1, **SMALL_MLP},
    )
    assert policy.info["hyperparameters"]["batch_size"] == 96
    assert policy.info["hyperparameters"]["reward_scale"] == 0.1
    curve = policy.info["learning_curve"]
    assert len(curve) == 4
    for _, value in curve:  # back in pump-hours a day: whole numbers, not tenths
        assert value == pytest.approx(round(value), abs=1e-4) and -13 * 24 <= value <= 0
    assert min(v for _, v in curve) < -40  # scaled by 0.1, a day would stay above -31.2


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (("a2c", WaterTankConfig()), {"total_steps": 10}, ValueError, r"algorithm must be one of"),
        (("ppo", {"days": 1}), {"total_steps": 10}, TypeError, r"env_config must be a WaterTank"),
        (("ppo", WaterTankConfig()), {"total_steps": 0}, ValueError, r"total_steps .*received 0"),
        (("ppo", WaterTankConfig()), {"total_steps": 9, "n_envs": 0}, ValueError, r"n_envs"),
        (("ppo", WaterTankConfig()), {"total_steps": 9, "seed": -1}, ValueError, r"seed"),
        (
            ("ppo", WaterTankConfig()),
            {"total_steps": 9, "hyperparameters": [("n_steps", 8)]},
            TypeError,
            r"hyperparameters must be a dict",
        ),
    ],
)
def test_train_agent_bad_arguments_fail_clearly(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        train_agent(*args, **kwargs)


def test_scaled_observation_maps_the_level_to_minus_one_one():
    env = ScaledObservation(WaterTankEnv(observation="level+clock", demand_noise=0.0))
    obs, _ = env.reset(seed=0, options={"initial_level": 7.0})
    np.testing.assert_allclose(obs, [1.0, 0.0, 1.0], atol=1e-7)
    assert env.observation_space.contains(obs)
    config = WaterTankConfig()
    np.testing.assert_allclose(
        scale_observation(np.array([[0.0], [3.5], [7.0]], np.float32), config), [[-1], [0], [1]]
    )


# ---------------------------------------------------------------- save, load, act
def _episode(policies, config: WaterTankConfig, seed: int = 123):
    """Run one episode with policies[0] acting; every policy sees the same observations.
    Returns the actions of each."""
    env = WaterTankEnv(config)
    obs, _ = env.reset(seed=seed)
    states = [None] * len(policies)
    actions = [[] for _ in policies]
    truncated = False
    while not truncated:
        results = [p.act(obs, s) for p, s in zip(policies, states, strict=True)]
        for k, (action, state) in enumerate(results):
            actions[k].append(action)
            if state is None:
                assert results[0][1] is None
            else:
                assert len(state) == 2
                for got, want in zip(state, results[0][1], strict=True):
                    np.testing.assert_array_equal(got, want)
        states = [state for _, state in results]
        obs, _, _, truncated, _ = env.step(results[0][0])
    return actions


@pytest.mark.parametrize("name", ["recurrent", "ppo", "dqn"])
def test_save_then_load_acts_the_same_over_an_episode(name, request, tmp_path):
    policy = request.getfixturevalue(name)
    folder = policy.save(tmp_path / "policy")
    assert {p.name for p in folder.iterdir()} == {"model.safetensors", "config.json"}
    config = json.loads((folder / "config.json").read_text())
    assert config["kind"] == "lstmkit-rl-policy" and config["algorithm"] == policy.algorithm
    by_load = lstmkit.load(folder)
    by_load_policy = load_policy(folder)
    for loaded in (by_load, by_load_policy):
        assert isinstance(loaded, Policy)
        assert loaded.algorithm == policy.algorithm and loaded.recurrent == policy.recurrent
        assert loaded.env_config == policy.env_config
        assert loaded.policy_kwargs == policy.policy_kwargs
        assert loaded.info["total_steps"] == policy.info["total_steps"]
        assert loaded.info["learning_curve"] == policy.info["learning_curve"]
        assert type(loaded.network) is type(policy.network)
        assert not loaded.network.training
    actions = _episode([policy, by_load, by_load_policy], policy.env_config)
    assert len(actions[0]) == 24
    assert actions[0] == actions[1] == actions[2]
    assert all(0 <= a < 4 for a in actions[0])


def test_recurrent_state_has_the_lstm_shape(recurrent):
    action, state = recurrent.act(np.array([3.0], np.float32))
    hidden = recurrent.policy_kwargs.get("lstm_hidden_size", 64)
    assert isinstance(action, int) and 0 <= action < 4
    assert isinstance(state, tuple) and len(state) == 2
    assert all(s.shape == (1, 1, hidden) for s in state)


def test_loading_a_folder_that_holds_no_policy_fails_clearly(tmp_path):
    lstm = LSTM(3, 4)
    folder = save_model(tmp_path / "lstm", lstm.state_dict(), {"input_size": 3})
    with pytest.raises(ValueError, match=r"holds no lstmkit RL policy.*'kind' is None"):
        load_policy(folder)
    foreign = save_model(
        tmp_path / "a2c", lstm.state_dict(), {"kind": "lstmkit-rl-policy", "algorithm": "a2c"}
    )
    with pytest.raises(ValueError, match=r"holds no lstmkit RL policy.*'algorithm' 'a2c'"):
        load_policy(foreign)
    with pytest.raises(ValueError, match=r"holds no lstmkit RL policy"):
        lstmkit.load(foreign)
    with pytest.raises(ModelFormatError, match=r"does not exist"):
        load_policy(tmp_path / "missing")


@pytest.mark.parametrize(
    ("obs", "match"),
    [
        (np.zeros(3, np.float32), r"received a float32 array of shape \(3,\)"),
        (np.zeros((1, 1), np.float32), r"received a float32 array of shape \(1, 1\)"),
        (3.0, r"received 3.0 \(float\)"),
        (np.array([np.nan], np.float32), r"received a float32 array of shape \(1,\)"),
        ([np.inf], r"received \[inf\] \(list\)"),
    ],
)
def test_act_with_a_bad_observation_fails_clearly(recurrent, dqn, obs, match):
    for policy in (recurrent, dqn):
        with pytest.raises(ValueError, match=r"obs must be one finite observation of shape \(1,\)"):
            policy.act(obs)
        with pytest.raises(ValueError, match=r"obs .*\('level'\); " + match):
            policy.act(obs)


def test_act_deterministic_must_be_a_bool_and_sampling_works(ppo):
    obs = np.array([3.0, 0.0, 1.0], np.float32)
    with pytest.raises(TypeError, match=r"deterministic must be True or False; received 1"):
        ppo.act(obs, deterministic=1)
    with pytest.raises(ValueError, match=r"shape \(3,\) \('level\+clock'\)"):
        ppo.act(np.array([3.0], np.float32))
    sampled = {ppo.act(obs, deterministic=False)[0] for _ in range(50)}
    assert sampled <= {0, 1, 2, 3} and len(sampled) > 1  # a barely trained policy explores
    assert len({ppo.act(obs)[0] for _ in range(5)}) == 1


def test_policy_constructor_checks_its_arguments(ppo):
    with pytest.raises(ValueError, match=r"algorithm must be one of .*'a2c'"):
        Policy("a2c", ppo.network, ppo.env_config)
    with pytest.raises(TypeError, match=r"env_config must be a WaterTankConfig"):
        Policy("ppo", ppo.network, {"days": 1})


# ------------------------------------------------------------------ memory matters
def test_recurrent_action_depends_on_the_state(recurrent):
    config = recurrent.env_config
    env = WaterTankEnv(config)
    obs, _ = env.reset(seed=5)
    history = []  # (obs, state given, action, state returned)
    state = None
    for _ in range(12):
        action, new_state = recurrent.act(obs, state)
        history.append((obs, state, action, new_state))
        state = new_state
        obs, *_ = env.step(action)
    # states returned earlier are accepted again and give exactly the same answer
    for past_obs, past_state, past_action, past_new in reversed(history):
        action, new_state = recurrent.act(past_obs, past_state)
        assert action == past_action
        for got, want in zip(new_state, past_new, strict=True):
            np.testing.assert_array_equal(got, want)
    # None (an episode's start) is the zero state
    hidden = history[0][3][0].shape
    zeros = (np.zeros(hidden, np.float32), np.zeros(hidden, np.float32))
    assert recurrent.act(obs, None)[0] == recurrent.act(obs, zeros)[0]
    np.testing.assert_array_equal(recurrent.act(obs, None)[1][0], recurrent.act(obs, zeros)[1][0])
    # the same observation with two different states: other next states, other logits
    late_state = history[-1][3]
    _, from_zero = recurrent.act(obs, zeros)
    _, from_late = recurrent.act(obs, late_state)
    assert not np.allclose(from_zero[0], from_late[0], atol=1e-4)
    network = recurrent.network
    scaled = torch.as_tensor(scale_observation(obs, config)[None])
    start = torch.zeros(1)

    def logits(state):
        pair = tuple(torch.as_tensor(s) for s in state)
        with torch.no_grad():
            return network.get_distribution(scaled, pair, start)[0].distribution.logits

    assert not torch.allclose(logits(zeros), logits(late_state), atol=1e-4)
    # and over many states, the action itself changes: the policy reads its memory
    gen = np.random.default_rng(0)
    actions = {
        recurrent.act(obs, tuple(gen.normal(0, 2, hidden).astype(np.float32) for _ in "hc"))[0]
        for _ in range(64)
    }
    assert len(actions) > 1


def test_memoryless_policies_return_no_state(ppo, dqn):
    for policy in (ppo, dqn):
        size = 3 if policy.env_config.observation == "level+clock" else 1
        obs = np.full(size, 0.5, np.float32)
        obs[0] = 3.0
        first = policy.act(obs)
        assert first[1] is None
        assert policy.act(obs, None) == first


def test_validation_keeps_the_best_scoring_weights():
    from lstmkit.rl import evaluate_controller

    config = WaterTankConfig(days=1, initial_level=(1.0, 6.0))
    policy = train_agent(
        "ppo",
        config,
        total_steps=960,
        n_envs=2,
        seed=3,
        hyperparameters={"n_steps": 48, "batch_size": 96, "n_epochs": 2},
        validation_seeds=[800_000, 800_001],
        eval_every=240,
    )
    curve = policy.info["validation_curve"]
    assert [row[0] for row in curve] == sorted({row[0] for row in curve}) and len(curve) >= 4
    best = max(curve, key=lambda row: row[1])
    assert policy.info["best_step"] == best[0]
    # the weights returned are the best-scoring ones: scoring them again gives that score
    again = evaluate_controller(
        policy, WaterTankConfig(days=1, initial_level=3.0), [800_000, 800_001]
    )
    assert again["return_per_day"] == pytest.approx(best[1])


def test_validation_config_must_see_what_training_sees():
    with pytest.raises(ValueError, match=r"validation_config.observation must be"):
        train_agent(
            "ppo",
            WaterTankConfig(days=1),
            total_steps=10,
            validation_seeds=[1],
            validation_config=WaterTankConfig(days=1, observation="level+clock"),
        )
