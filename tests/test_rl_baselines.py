"""The water tank's baselines: the exact optimum (DP), the tuned level rule, the evaluation.

The DP is checked against brute-force expectimax on a tank small enough that every
reachable level lies on the grid (so interpolation is exact), the rule simulator against
the env step by step, and both on MATLAB's tank against the bounds physics allows: the
town draws 3,720 m³ a day and one pump moves at most 164 m³ per pump-hour, so no
controller that keeps the tank within its limits uses fewer than 22.7 pump-hours a day.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from lstmkit.rl.evaluation import evaluate_controller, gap_percent, rollout
from lstmkit.rl.optimum import TankOptimum, solve_tank_dp
from lstmkit.rl.rules import ThresholdRule, _episodes, _simulate, tune_threshold_rule
from lstmkit.rl.water_tank import WaterTankConfig

TEST_SEEDS = range(10000, 10020)


class NeverPump:
    """The do-nothing controller: the tank runs dry."""

    def act(self, obs, state):
        return 0, state


# --------------------------------------------------------------- DP vs brute force
def _tiny(reward: str) -> WaterTankConfig:
    # every flow, demand (mean ± 0.5) and level is a multiple of 0.5 m: with a 0.5 m
    # grid, interpolation is never needed and the DP must match expectimax exactly
    return WaterTankConfig(
        area=1.0,
        max_level=6.0,
        initial_level=3.0,
        days=1,
        demand_noise=1.0,
        pump_flows=(0.0, 1.0, 2.0),
        mean_demand=(1.0, 2.0, 1.0, 0.5, 1.5) + (1.0,) * 19,
        tariff=(0.1, 0.5, 0.2, 0.3, 0.1) + (0.2,) * 19,
        reward=reward,
        penalty=3.0,
        margin=0.5,
    )


def _expectimax(config: WaterTankConfig, noise: list[float], t: int, steps: int, level: float):
    if t == steps:
        return 0.0
    hour = t % 24
    best = -math.inf
    for a, flow in enumerate(config.pump_flows):
        total = 0.0
        for e in noise:
            demand = max(config.mean_demand[hour] * config.demand_scale + e, 0.0)
            after = min(max(level + (flow - demand) / config.area, 0.0), config.max_level)
            bad = (after >= config.max_level - config.margin) + (after <= config.margin)
            energy = a * config.tariff[hour] if config.reward == "cost" else a
            reward = -config.penalty * bad - energy
            total += reward + _expectimax(config, noise, t + 1, steps, after)
        best = max(best, total / len(noise))
    return best


@pytest.mark.parametrize("reward", ["pumps", "cost"])
def test_dp_equals_brute_force_expectimax(reward):
    config = _tiny(reward)
    steps = 5
    opt = solve_tank_dp(config, level_step=0.5, noise_points=2, steps=steps)
    assert opt.steps == steps and opt.values.shape == (steps + 1, 13)
    np.testing.assert_array_equal(opt.levels, np.arange(13) * 0.5)
    for i, level in enumerate(opt.levels):
        expected = _expectimax(config, [-0.5, 0.5], 0, steps, float(level))
        assert abs(opt.values[0, i] - expected) < 1e-9, (level, opt.values[0, i], expected)
        assert abs(opt.expected_return(float(level)) - expected) < 1e-9
    # Q at exact levels agrees with the grid's values at every step
    for t in range(steps):
        for i in (0, 3, 7, 12):
            q = opt.action_values(t, float(opt.levels[i]))
            assert abs(q.max() - opt.values[t, i]) < 1e-12


def test_dp_without_noise_uses_one_point_and_acts_through_the_horizon():
    config = WaterTankConfig(days=1, demand_noise=0.0)
    opt = solve_tank_dp(config, level_step=0.05, noise_points=7)
    assert opt.levels[-1] == config.max_level and opt.levels.size == 141
    state, level = None, 3.0
    for _ in range(config.steps):
        action, state = opt.act(np.array([level], np.float32), state)
        assert 0 <= action < config.n_actions
    assert state == config.steps
    with pytest.raises(ValueError, match=r"t must be a step in 0\.\.23"):
        opt.act([level], state)


def test_dp_ties_go_to_fewer_pumps():
    # with nothing to pay and no way to break the limits, every action is equally good
    free = WaterTankConfig(
        days=1,
        demand_noise=0.0,
        mean_demand=(0.0,) * 24,
        pump_flows=(0.0, 1.0, 2.0),
        tariff=(0.0,) * 24,
        reward="cost",
    )
    opt = solve_tank_dp(free, level_step=0.1, steps=2)
    q = opt.action_values(0, 3.0)
    assert np.ptp(q) == 0.0
    assert opt.act([3.0], None) == (0, 1)


# --------------------------------------------------------------- MATLAB's tank
@pytest.fixture(scope="module")
def matlab():
    config = WaterTankConfig()
    began = time.perf_counter()
    opt = solve_tank_dp(config)
    seconds = time.perf_counter() - began
    return config, opt, seconds


def test_dp_on_matlab_tank_is_near_the_physical_bound(matlab):
    config, opt, seconds = matlab
    # vectorised: well under 2 s on an idle core; the loose bound only catches a loop
    assert seconds < 10.0, seconds
    assert opt.values.shape == (97, 701)
    result = evaluate_controller(opt, config, TEST_SEEDS, initial_level=3.0)
    # observed on these seeds: 25.1 pump-hours and no violation a day (return -25.1)
    assert 22.7 <= result["pump_hours_per_day"] <= 28.0, result
    assert result["violations_per_day"] <= 0.05, result
    assert result["episodes"] == 20 and result["days"] == 4
    # the DP's expectation at the start agrees with what its policy gets
    assert abs(opt.expected_return(3.0) / 4 - result["return_per_day"]) < 1.0


# --------------------------------------------------------------- the threshold rule
def test_threshold_rule_counts_thresholds_above_the_level():
    rule = ThresholdRule((5.0, 4.0, 3.0))
    assert rule.n_actions == 4
    levels = (7.0, 5.0, 4.999, 4.0, 3.5, 3.0, 2.9, 0.0)
    assert [rule.act([x], None)[0] for x in levels] == [0, 0, 1, 1, 2, 2, 3, 3]
    # the clock in a "level+clock" observation is ignored
    assert rule.act(np.array([3.5, 0.0, 1.0], np.float32), "anything") == (2, None)
    assert ThresholdRule([4.0, 4.0]).act([3.9], None) == (2, None)


@pytest.mark.parametrize(
    "options",
    [{}, {"reward": "cost", "initial_level": (1.0, 6.0), "days": 2, "demand_noise": 60.0}],
)
def test_rule_simulator_equals_the_env(options):
    config = WaterTankConfig(**options)
    rule = ThresholdRule((4.0, 2.75, 1.5))
    seed = 3
    run = rollout(rule, config, seed)
    demand, start = _episodes(config, [seed], None)
    np.testing.assert_array_equal(demand[0], run["demand"])
    assert start[0] == run["levels"][0]
    sim = _simulate(config, rule.thresholds[None, :], demand, start, per_step=True)
    np.testing.assert_array_equal(sim["rewards"][0, 0], run["rewards"])
    assert sim["pumps"][0, 0] == run["pumps"].sum()
    assert sim["violations"][0, 0] == run["overflow"].sum() + run["empty"].sum()


def test_tuned_rule_is_between_never_pumping_and_the_optimum(matlab):
    config, opt, _ = matlab
    began = time.perf_counter()
    rule, info = tune_threshold_rule(config, range(20))
    assert time.perf_counter() - began < 10.0
    assert info["grid_size"] == math.comb(26 + 2, 3) and info["grid_levels"] == 26
    assert info["episodes"] == 20
    # the vectorised tuning saw exactly what the env gives the chosen rule
    again = evaluate_controller(rule, config, range(20))
    assert abs(again["return_per_day"] - info["return_per_day"]) < 1e-9
    assert abs(again["pump_hours_per_day"] - info["pump_hours_per_day"]) < 1e-9

    tuned = evaluate_controller(rule, config, TEST_SEEDS, initial_level=3.0)
    best = evaluate_controller(opt, config, TEST_SEEDS, initial_level=3.0)
    never = evaluate_controller(NeverPump(), config, TEST_SEEDS, initial_level=3.0)
    # observed: rule 28.15 pump-hours, 2.95 violations, -57.65 a day; never: -232 a day
    worse = (
        tuned["pump_hours_per_day"] > best["pump_hours_per_day"]
        or tuned["violations_per_day"] > best["violations_per_day"]
    )
    assert worse and tuned["return_per_day"] < best["return_per_day"]
    assert never["pump_hours_per_day"] == 0.0 and never["violations_per_day"] > 15
    assert tuned["return_per_day"] > never["return_per_day"] / 2
    assert tuned["violations_per_day"] < never["violations_per_day"] / 4


def test_tune_with_a_custom_grid_and_initial_level():
    config = WaterTankConfig(days=1, pump_flows=(0.0, 164.0, 279.0))
    rule, info = tune_threshold_rule(config, [0, 1], grid=[6.0, 2.0, 4.0, 4.0], initial_level=5)
    assert info["grid_size"] == 6 and rule.n_actions == 3  # pairs from 3 distinct levels
    assert rule.thresholds[0] >= rule.thresholds[1]
    again = evaluate_controller(rule, config, [0, 1], initial_level=5)
    assert abs(again["return_per_day"] - info["return_per_day"]) < 1e-9


# --------------------------------------------------------------- evaluation
def test_evaluation_totals_and_rollout():
    config = WaterTankConfig(days=1, reward="cost")
    rule = ThresholdRule((5.0, 4.0, 3.0))
    result = evaluate_controller(rule, config, [5, 6], initial_level=2.0)
    runs = [rollout(rule, config, s, initial_level=2.0) for s in (5, 6)]
    assert result["pump_hours_per_day"] == sum(r["pumps"].sum() for r in runs) / 2
    assert result["cost_per_day"] == pytest.approx(sum(r["cost"].sum() for r in runs) / 2)
    assert result["return_per_day"] == pytest.approx(sum(r["rewards"].sum() for r in runs) / 2)
    assert result["violations_per_day"] == (
        result["overflow_hours_per_day"] + result["empty_hours_per_day"]
    )
    assert [e["seed"] for e in result["per_episode"]] == [5, 6]
    run = runs[0]
    assert run["levels"][0] == 2.0 and run["levels"].shape == (25,)
    np.testing.assert_array_equal(run["hours"], np.arange(24))
    assert gap_percent(26.0, 25.0) == pytest.approx(4.0)
    assert gap_percent(25.0, 25.0) == 0.0


# --------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("thresholds", "error", "match"),
    [
        ((3.0, 4.0, 5.0), ValueError, r"thresholds.*non-increasing.*\[3\.0, 4\.0, 5\.0\]"),
        ((), ValueError, r"thresholds must be a non-empty"),
        ([[5.0, 4.0]], ValueError, r"thresholds must be a non-empty, flat"),
        ((5.0, float("nan")), ValueError, r"finite"),
        ((2.0, -1.0), ValueError, r"levels >= 0"),
        ("high", TypeError, r"thresholds must be .*received 'high' \(str\)"),
    ],
)
def test_bad_thresholds(thresholds, error, match):
    with pytest.raises(error, match=match):
        ThresholdRule(thresholds)


def test_bad_arguments():
    config = WaterTankConfig(days=1)
    with pytest.raises(TypeError, match="config must be a WaterTankConfig"):
        solve_tank_dp({"days": 1})
    with pytest.raises(ValueError, match=r"level_step must be in \(0, max_level=7\.0\]"):
        solve_tank_dp(config, level_step=0.0)
    with pytest.raises(ValueError, match="noise_points must be an int >= 1; received 0"):
        solve_tank_dp(config, noise_points=0)
    with pytest.raises(TypeError, match="steps must be an int >= 1 or None"):
        solve_tank_dp(config, steps=2.5)
    opt = solve_tank_dp(config, level_step=0.5, noise_points=3, steps=2)
    assert isinstance(opt, TankOptimum)
    with pytest.raises(ValueError, match=r"level must be within \[0, max_level=7\.0\]"):
        opt.action_values(0, 7.5)
    with pytest.raises(ValueError, match=r"t must be a step in 0\.\.1.*received 2"):
        opt.action_values(2, 3.0)
    with pytest.raises(TypeError, match="controller must have a method act"):
        evaluate_controller(object(), config, [0])
    with pytest.raises(ValueError, match="seeds must be a non-empty sequence"):
        evaluate_controller(opt, config, [])
    with pytest.raises(ValueError, match=r"seeds .*received \[0, -1\]"):
        evaluate_controller(opt, config, [0, -1])
    with pytest.raises(TypeError, match="config must be a WaterTankConfig"):
        rollout(opt, "tank", 0)
    with pytest.raises(ValueError, match="optimum_pump_hours must be > 0"):
        gap_percent(3.0, 0.0)
    with pytest.raises(ValueError, match=r"grid must be .*max_level=7\.0"):
        tune_threshold_rule(config, [0], grid=[1.0, 8.0])
    with pytest.raises(ValueError, match="seeds must be"):
        tune_threshold_rule(config, [True])
