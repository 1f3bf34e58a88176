"""The water tank environment: hand-computed steps, Gymnasium's checks, clear errors.

Every expected number below is worked out by hand from the module's facts (area 40 m²,
7 m tall, pumps 0/164/279/344 m³/h, the 28 m³/h demand at midnight), with the demand
noise off or the demand replayed, so a change in the dynamics or the reward shows here.
"""

from __future__ import annotations

import json
import math
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from lstmkit.rl.water_tank import (
    MEAN_DEMAND,
    PUMP_FLOWS,
    TIME_OF_USE_TARIFF,
    WaterTankConfig,
    WaterTankEnv,
)


def _env(**options) -> WaterTankEnv:
    return WaterTankEnv(**{"demand_noise": 0.0, "days": 1, **options})


# ------------------------------------------------------------------ dynamics, reward
def test_one_pump_at_midnight_follows_the_hand_computed_step():
    env = _env()
    obs, info = env.reset(seed=0)
    assert obs.dtype == np.float32 and obs.shape == (1,) and obs[0] == 3.0
    np.testing.assert_array_equal(info["demand"], np.asarray(MEAN_DEMAND, float))
    obs, reward, terminated, truncated, info = env.step(1)
    assert obs[0] == pytest.approx(3 + (164 - 28) / 40) == pytest.approx(6.4)
    assert env.level == pytest.approx(6.4) and env.t == 1
    assert reward == -1.0 and not terminated and not truncated
    assert info == {
        "hour": 0,
        "demand": 28.0,
        "supply": 164.0,
        "pumps": 1,
        "cost": pytest.approx(TIME_OF_USE_TARIFF[0]),
        "overflow": False,
        "empty": False,
    }
    # a second hour with three pumps: 6.4 + (344 - 28) / 40 = 14.3, clipped to 7 (full)
    obs, reward, *_, info = env.step(3)
    assert obs[0] == 7.0 and info["overflow"] and not info["empty"]
    assert reward == -10.0 - 3.0


@pytest.mark.parametrize(
    ("initial", "action", "level", "overflow", "empty"),
    [
        (3.49, 1, 3.49 + 3.4, False, False),  # 6.89: just below h_max - margin
        (3.5, 1, 6.9, True, False),  # exactly h_max - margin counts as full
        (6.0, 1, 7.0, True, False),  # 9.4 clipped at the top
        (0.75, 0, 0.05, False, True),  # 0.75 - 0.7: within the margin, empty
        (0.85, 0, 0.15, False, False),
        (0.5, 0, 0.0, False, True),  # -0.2 clipped at the bottom
    ],
)
def test_overflow_and_empty_penalties_on_the_level_after_the_step(
    initial, action, level, overflow, empty
):
    env = _env(initial_level=initial)
    env.reset(seed=0)
    obs, reward, _, _, info = env.step(action)
    assert obs[0] == pytest.approx(level, abs=1e-6)
    assert 0.0 <= env.level <= 7.0
    assert info["overflow"] is overflow and info["empty"] is empty
    assert reward == pytest.approx(-10.0 * (overflow + empty) - action)


def test_penalty_and_margin_are_configurable():
    env = _env(initial_level=6.0, penalty=2.5, margin=0.5)
    env.reset(seed=0)
    _, reward, *_ = env.step(0)  # 6.0 - 0.7 = 5.3: below 6.5, no penalty
    assert reward == 0.0
    env.reset(seed=0, options={"initial_level": 7.0})
    _, reward, *_, info = env.step(0)  # 6.3 < 6.5: not full with a 0.5 m margin
    assert reward == 0.0 and not info["overflow"]
    env.reset(seed=0, options={"initial_level": 7.0})
    _, reward, *_, info = env.step(1)  # 7 + 3.4, clipped to 7: full, penalty 2.5 + 1 pump
    assert info["overflow"] and reward == -3.5
    env.reset(seed=0, options={"initial_level": 1.0})
    _, reward, *_, info = env.step(0)  # 0.3 <= 0.5: empty, penalty 2.5
    assert info["empty"] and reward == -2.5


def test_cost_reward_uses_the_tariff_of_the_steps_hour():
    tariff = tuple(0.01 * (h + 1) for h in range(24))
    actions = [(h % 3) + 1 for h in range(48)]
    # the demand equals the supply every hour, so the level stays at 3 m: no penalties
    demand = [PUMP_FLOWS[a] for a in actions]
    for reward_kind in ("cost", "pumps"):
        env = _env(days=2, tariff=tariff, reward=reward_kind)
        env.reset(seed=0, options={"demand": demand})
        for t, a in enumerate(actions):
            obs, reward, *_, info = env.step(a)
            assert info["hour"] == t % 24 and info["pumps"] == a
            assert info["cost"] == pytest.approx(a * tariff[t % 24])
            expected = a * tariff[t % 24] if reward_kind == "cost" else a
            assert reward == pytest.approx(-expected)
            assert obs[0] == pytest.approx(3.0)


def test_default_tariff_in_the_evening_peak():
    env = _env(reward="cost", initial_level=3.0)
    env.reset(seed=0, options={"demand": [279.0] * 24})
    for _ in range(17):
        env.step(2)
    _, reward, *_, info = env.step(2)  # hour 17: 0.35 per pump-hour
    assert info["hour"] == 17 and reward == pytest.approx(-0.7)
    assert TIME_OF_USE_TARIFF[17] == 0.35 and TIME_OF_USE_TARIFF[3] == 0.10


# ---------------------------------------------------------------- Gymnasium contract
@pytest.mark.parametrize("observation", ["level", "level+clock"])
def test_gymnasium_env_checker_passes(observation):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message=".*alternative render modes")
        check_env(WaterTankEnv(days=1, observation=observation))


def test_registered_with_gymnasium_make():
    env = gym.make("lstmkit/WaterTank-v0", days=1, observation="level+clock", demand_noise=0.0)
    assert isinstance(env.unwrapped, WaterTankEnv)
    assert env.unwrapped.config.days == 1 and env.observation_space.shape == (3,)
    obs, _ = env.reset(seed=3)
    np.testing.assert_allclose(obs, [3.0, 0.0, 1.0], atol=1e-7)
    obs, reward, *_ = env.step(1)
    assert obs[0] == pytest.approx(6.4) and reward == -1.0
    env.close()


def test_truncated_after_24_steps_per_day_and_stepping_after_the_end_fails():
    env = WaterTankEnv(days=2)
    env.reset(seed=1)
    flags = [env.step(1 if env.level < 3 else 0)[2:4] for _ in range(48)]
    assert all(not terminated for terminated, _ in flags)
    assert [truncated for _, truncated in flags] == [False] * 47 + [True]
    with pytest.raises(RuntimeError, match=r"episode is over.*reset\(\)"):
        env.step(0)
    env.reset(seed=2)  # reset makes the env usable again
    assert env.t == 0
    env.step(0)
    assert env.t == 1


def test_clock_observation_shows_the_hour_of_the_next_step():
    env = WaterTankEnv(days=2, observation="level+clock")
    obs, _ = env.reset(seed=0)
    for _ in range(48):
        assert obs[1] ** 2 + obs[2] ** 2 == pytest.approx(1.0, abs=1e-6)
        hour = round(math.atan2(obs[1], obs[2]) * 24 / (2 * math.pi)) % 24
        level = obs[0]
        obs, _, _, truncated, info = env.step(1 if level < 3 else 0)
        assert info["hour"] == hour
    assert truncated
    # hour 6 shows sin = 1, cos = 0
    env.reset(seed=0)
    for _ in range(6):
        obs, *_ = env.step(1)
    np.testing.assert_allclose(obs[1:], [1.0, 0.0], atol=1e-6)


def test_level_observation_is_the_level_alone():
    env = WaterTankEnv(observation="level")
    obs, _ = env.reset(seed=0)
    assert obs.shape == (1,) and env.observation_space.shape == (1,)
    assert env.observation_space.contains(obs)


# ---------------------------------------------------------------------- seeds, reset
def test_same_seed_same_demand_different_seeds_differ():
    env = WaterTankEnv(days=1)
    first = env.reset(seed=7)[1]["demand"]
    again = env.reset(seed=7)[1]["demand"]
    other = env.reset(seed=8)[1]["demand"]
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    # the noise is U(-20, 20) around the mean profile
    mean = np.asarray(MEAN_DEMAND, float)
    assert np.all(np.abs(first - mean) <= 20.0) and np.abs(first - mean).max() > 1.0
    # a fresh env with the same seed draws the same demand
    np.testing.assert_array_equal(WaterTankEnv(days=1).reset(seed=7)[1]["demand"], first)
    # without a new seed, the next episode continues the generator: another demand
    env.reset(seed=7)
    assert not np.allclose(env.reset()[1]["demand"], first)


def test_initial_level_range_is_drawn_per_episode_and_seeded():
    env = WaterTankEnv(initial_level=(2.0, 5.0))
    levels = [float(env.reset(seed=s)[0][0]) for s in range(20)]
    assert all(2.0 <= x <= 5.0 for x in levels) and len(set(levels)) == 20
    assert float(env.reset(seed=3)[0][0]) == levels[3]


def test_reset_options_initial_level_and_demand_replay():
    env = _env()
    obs, _ = env.reset(seed=0, options={"initial_level": 5.25})
    assert obs[0] == 5.25
    obs, _ = env.reset(seed=0, options={"initial_level": (1.0, 2.0)})
    assert 1.0 <= obs[0] <= 2.0
    demand = np.linspace(0.0, 230.0, 24)
    obs, info = env.reset(seed=0, options={"demand": demand})
    np.testing.assert_array_equal(info["demand"], demand)
    info["demand"][:] = -1.0  # a copy: the env keeps its own
    level = 3.0
    for t in range(24):
        obs, *_, step_info = env.step(2)
        level = min(max(level + (279.0 - demand[t]) / 40.0, 0.0), 7.0)
        assert step_info["demand"] == demand[t]
        assert obs[0] == pytest.approx(level, abs=1e-5)
    # the options hold for one episode only
    obs, info = env.reset(seed=0)
    assert obs[0] == 3.0
    np.testing.assert_array_equal(info["demand"], np.asarray(MEAN_DEMAND, float))


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"level": 3.0}, ValueError, r"options may hold.*\['level'\]"),
        ({"initial_level": 7.5}, ValueError, r"options\['initial_level'\].*\[0, 7.0\].*7.5"),
        ({"initial_level": -0.1}, ValueError, r"options\['initial_level'\].*-0.1"),
        ({"initial_level": (4.0, 2.0)}, ValueError, r"options\['initial_level'\].*\(4.0, 2.0\)"),
        ({"initial_level": "3"}, TypeError, r"initial_level must be a finite number.*'3'"),
        ({"initial_level": math.nan}, TypeError, r"initial_level must be a finite number.*nan"),
        ({"demand": [28.0] * 23}, ValueError, r"options\['demand'\] must be 24 numbers"),
        ({"demand": [-1.0] * 24}, ValueError, r"options\['demand'\] must be finite and >= 0"),
        ({"demand": [math.nan] * 24}, ValueError, r"options\['demand'\] must be finite"),
        ({"demand": "high"}, TypeError, r"options\['demand'\] must be a sequence of numbers"),
    ],
)
def test_bad_reset_options_fail_clearly(options, error, match):
    env = _env()
    with pytest.raises(error, match=match):
        env.reset(seed=0, options=options)


# ------------------------------------------------------------------- bad configs
@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"area": 0.0}, ValueError, r"area and max_level must be > 0; received area=0.0"),
        ({"area": -40.0}, ValueError, r"area must be a finite float >= 0.0; received -40.0"),
        ({"area": "40"}, TypeError, r"area must be a float.*'40' \(str\)"),
        ({"max_level": 0.0}, ValueError, r"max_level=0.0"),
        ({"initial_level": 8.0}, ValueError, r"initial_level must be .*\[0, max_level=7.0\].*8.0"),
        ({"initial_level": -1.0}, ValueError, r"initial_level must be .*-1.0"),
        ({"initial_level": (5.0, 2.0)}, ValueError, r"initial_level .*\(5.0, 2.0\)"),
        ({"initial_level": True}, TypeError, r"initial_level must be a finite number.*True"),
        ({"days": 0}, ValueError, r"days must be an int >= 1; received 0"),
        ({"days": 1.5}, TypeError, r"days must be an int >= 1; received 1.5"),
        ({"demand_scale": 0.0}, ValueError, r"demand_scale must be > 0; received 0.0"),
        ({"demand_noise": -1.0}, ValueError, r"demand_noise must be .*>= 0.0; received -1.0"),
        ({"pump_flows": (10.0, 164.0)}, ValueError, r"pump_flows must start at 0.*\(10.0, 164.0\)"),
        ({"pump_flows": (0.0, 164.0, 100.0)}, ValueError, r"pump_flows must .*increase.*100.0"),
        ({"pump_flows": (0.0, 164.0, 164.0)}, ValueError, r"pump_flows must .*increase"),
        ({"pump_flows": (0.0,)}, ValueError, r"pump_flows .*at least two.*\(0.0,\)"),
        ({"mean_demand": (28.0,) * 23}, ValueError, r"mean_demand must be 24 numbers; received"),
        ({"mean_demand": (28.0,) * 25}, ValueError, r"mean_demand must be 24 numbers"),
        ({"mean_demand": (-1.0,) * 24}, ValueError, r"mean_demand must be finite and >= 0"),
        ({"tariff": (-0.1,) + (0.1,) * 23}, ValueError, r"tariff must be finite and >= 0.*-0.1"),
        ({"tariff": (0.1,) * 12}, ValueError, r"tariff must be 24 numbers"),
        ({"observation": "pixels"}, ValueError, r"observation must be one of 'level', .*'pixels'"),
        ({"reward": "profit"}, ValueError, r"reward must be one of 'pumps', 'cost'.*'profit'"),
        ({"penalty": -1.0}, ValueError, r"penalty must be .*>= 0.0; received -1.0"),
        ({"margin": 3.5}, ValueError, r"margin must be below max_level / 2 = 3.5; received 3.5"),
        ({"margin": -0.1}, ValueError, r"margin must be .*received -0.1"),
    ],
)
def test_bad_config_values_fail_clearly(options, error, match):
    with pytest.raises(error, match=match):
        WaterTankConfig(**options)
    with pytest.raises(error, match=match):
        WaterTankEnv(**options)


def test_env_takes_config_or_options_not_both():
    with pytest.raises(TypeError, match=r"either config or options.*\['days'\]"):
        WaterTankEnv(WaterTankConfig(), days=1)
    with pytest.raises(TypeError, match=r"config must be a WaterTankConfig.*\{'days': 1\}"):
        WaterTankEnv({"days": 1})
    assert WaterTankEnv(WaterTankConfig(days=3)).config.steps == 72


def test_custom_pump_flows_set_the_action_space():
    env = WaterTankEnv(pump_flows=(0.0, 100.0), demand_noise=0.0, days=1)
    assert int(env.action_space.n) == 2 and env.config.n_actions == 2
    env.reset(seed=0)
    obs, *_ = env.step(1)
    assert obs[0] == pytest.approx(3.0 + (100.0 - 28.0) / 40.0)
    with pytest.raises(ValueError, match=r"action must be an int in 0..1.*received 2"):
        env.step(2)


# ---------------------------------------------------------------------- bad actions
@pytest.mark.parametrize(
    ("action", "match"),
    [
        (4, r"received 4$"),
        (-1, r"received -1$"),
        (1.0, r"received 1.0 \(float\)"),
        (True, r"received True \(bool\)"),
        ("1", r"received '1' \(str\)"),
        (np.float32(1.0), r"received .*1.0.* \(float32\)$"),
        (np.array([1, 2]), r"received a int64 array of shape \(2,\)"),
        (None, r"received None"),
    ],
)
def test_bad_actions_fail_clearly(action, match):
    env = _env()
    env.reset(seed=0)
    with pytest.raises(
        ValueError, match=r"action must be an int in 0..3 \(pumps running\); " + match
    ):
        env.step(action)
    assert env.t == 0 and env.level == 3.0  # nothing happened


@pytest.mark.parametrize("action", [2, np.int64(2), np.array(2), np.array([2]), np.uint8(2)])
def test_integer_actions_of_every_kind_are_accepted(action):
    env = _env()
    env.reset(seed=0)
    *_, info = env.step(action)
    assert info["pumps"] == 2 and isinstance(info["pumps"], int)


# ----------------------------------------------------------------------- to/from dict
@pytest.mark.parametrize(
    "config",
    [
        WaterTankConfig(),
        WaterTankConfig(
            area=12.5,
            initial_level=(1.0, 4.5),
            days=2,
            demand_scale=0.8,
            demand_noise=5.0,
            pump_flows=(0.0, 50.0, 90.0),
            tariff=tuple(0.05 * (h % 5) for h in range(24)),
            observation="level+clock",
            reward="cost",
            penalty=4.0,
            margin=0.25,
        ),
    ],
)
def test_config_round_trips_through_dict_and_json(config):
    values = config.to_dict()
    assert isinstance(values["pump_flows"], list) and isinstance(values["tariff"], list)
    assert json.loads(json.dumps(values)) == values  # JSON-ready
    back = WaterTankConfig.from_dict(json.loads(json.dumps(values)))
    assert back == config
    assert isinstance(back.pump_flows, tuple) and isinstance(back.initial_level, float | tuple)
    assert back.to_dict() == values
    assert WaterTankConfig.from_dict(values).steps == config.steps


def test_from_dict_validates_like_the_constructor():
    values = WaterTankConfig().to_dict()
    values["days"] = 0
    with pytest.raises(ValueError, match=r"days must be an int >= 1; received 0"):
        WaterTankConfig.from_dict(values)


def test_level_plus_pumps_shows_the_pumps_of_the_last_hour():
    env = WaterTankEnv(observation="level+pumps", demand_noise=0.0)
    obs, _ = env.reset(seed=0)
    assert obs.tolist() == [3.0, 0.0] and env.observation_space.shape == (2,)
    for pumps in (2, 0, 1, 3):
        obs, *_ = env.step(pumps)
        assert obs[1] == pumps and env.observation_space.contains(obs)
    obs, _ = env.reset(seed=1)
    assert obs[1] == 0.0  # a new episode starts with no pumps on
