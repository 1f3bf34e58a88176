"""The water-distribution app in quick mode (one run for the module): the optimum, the
rule and the LSTM policy are scored on the same test days, the policy learned (beats
never pumping and random pumps), and the saved policy acts as the trained one."""

from __future__ import annotations

import json

import numpy as np
import pytest

import lstmkit
from lstmkit.apps import app_options, get_app, run_app
from lstmkit.apps import water_distribution as app
from lstmkit.rl import WaterTankConfig, WaterTankEnv

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("water-distribution")
    return out, run_app("water-distribution", out, quick=True, seed=0)


def test_registered_as_an_app():
    spec = get_app("water-distribution")
    assert spec.run is app.run and spec.options is app.Options
    assert [o.name for o in app_options(app.Options)] == ["quick", "seed", "steps", "jobs"]


def test_test_days_are_not_validation_rule_or_training_days():
    test, validation = set(app.TEST_SEEDS), set(app.VALIDATION_SEEDS)
    # train_agent seeds its environments seed * 1000 + i (i < n_envs = 8)
    training = {seed * 1000 + i for seed in range(800) for i in range(8)} | set(app.RULE_SEEDS)
    assert test.isdisjoint(validation) and test.isdisjoint(training)
    assert validation.isdisjoint(training)


def test_every_controller_is_scored_on_the_same_days(quick_run):
    out, metrics = quick_run
    written = json.loads((out / "metrics.json").read_text())
    assert written == json.loads(json.dumps(metrics))
    assert written["app"] == "water-distribution" and written["quick"] is True
    results = written["results"]
    assert {"optimum", "optimum_tariff", "rule", "never_pump", "random", "lstm_pumps"} <= set(
        results
    )
    episodes = {(r["episodes"], r["days"]) for r in results.values()}
    assert episodes == {(len(app.QUICK_TEST_SEEDS), 4)}
    # the optimum is the optimum: no controller has a better expected return by much
    best = results["optimum"]["return_per_day"]
    for name, result in results.items():
        assert result["return_per_day"] <= best + 1.0, name
    # the tariff's optimum is at least as cheap (up to the luck of 32 days)
    tariff, pumps = results["optimum_tariff"], results["optimum"]
    assert tariff["cost_per_day"] <= pumps["cost_per_day"] * 1.01
    assert 22.7 < results["optimum"]["pump_hours_per_day"] < 28.0


def test_the_lstm_policy_learned(quick_run):
    _, metrics = quick_run
    results = metrics["results"]
    lstm = results["lstm_pumps"]["return_per_day"]
    assert lstm > results["never_pump"]["return_per_day"] + 50
    assert lstm > results["random"]["return_per_day"] + 10
    assert results["lstm_pumps"]["train_steps"] >= app.QUICK_STEPS
    assert all(t["met"] is None for t in metrics["targets"].values())  # quick: no verdict


def test_files_and_the_saved_policy_acts_like_the_trained_one(quick_run):
    out, _ = quick_run
    for name in ("test-day.png", "learning-curves.png"):
        assert (out / name).read_bytes()[:8] == PNG_MAGIC, name
    policy = lstmkit.load(out / "model")
    same = lstmkit.load(out / "policies" / "lstm_pumps")
    assert policy.algorithm == "recurrent-ppo" and policy.recurrent
    assert policy.env_config.observation == "level+pumps"
    env = WaterTankEnv(WaterTankConfig(days=1, observation="level+pumps"))
    obs, _ = env.reset(seed=123)
    state = other = None
    actions = []
    for _ in range(24):
        action, state = policy.act(obs, state)
        twin, other = same.act(obs, other)
        assert action == twin
        actions.append(action)
        obs, *_ = env.step(action)
    assert len(set(actions)) > 1  # it schedules, not one constant action
    assert np.isfinite(obs).all()


@pytest.mark.parametrize(
    ("option", "value", "pattern"),
    [("jobs", 0, r"jobs must be an int >= 1; received 0"), ("steps", 0, r"steps must be")],
)
def test_bad_options_are_refused_before_any_work(tmp_path, option, value, pattern):
    # steps=0 once meant "the default" (1M steps): it must be an error instead
    with pytest.raises(ValueError, match=pattern):
        run_app("water-distribution", tmp_path / "run", quick=True, **{option: value})
