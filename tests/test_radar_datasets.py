"""lstmkit.datasets.radar: textbook RCS values, symmetries, and the seeded sweep generator."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from lstmkit.datasets import SequenceClassificationData, list_datasets, load_dataset
from lstmkit.datasets.radar import (
    FREQUENCY,
    WAVELENGTH,
    aspect_angle,
    frame_sweeps,
    rcs_cylinder,
    rcs_disc,
    rcs_frustum,
    simulate_rcs_sweeps,
)

K = 2 * np.pi / WAVELENGTH
SMALL = {"num_train": 20, "num_test": 20, "num_steps": 91}


# ------------------------------------------------------------------------- physics
def test_wavelength_at_850_mhz():
    assert WAVELENGTH == pytest.approx(299_792_458 / 850e6)
    assert WAVELENGTH == pytest.approx(0.3527, abs=1e-4)


def test_cylinder_broadside_and_end_on_are_the_textbook_values():
    a, h = 1.0, 10.0
    # Mahafza eq. 13.50 / MATLAB's helperCylinderRCSPattern at broadside: 2 pi a h^2 / lambda
    broadside = 2 * np.pi * a * h**2 / WAVELENGTH
    assert float(rcs_cylinder(a, h, 90.0)) == pytest.approx(broadside, rel=1e-12)
    assert broadside == pytest.approx(1781.4, abs=0.1)  # 32.5 dBsm
    # end on: a flat disc, 4 pi A^2 / lambda^2 = lambda^2 (k a)^4 / (4 pi) (the side is edge-on)
    disc = 4 * np.pi * (np.pi * a**2) ** 2 / WAVELENGTH**2
    assert disc == pytest.approx(WAVELENGTH**2 * (K * a) ** 4 / (4 * np.pi))
    assert float(rcs_cylinder(a, h, 0.0)) == pytest.approx(disc, rel=1e-12)
    assert float(rcs_cylinder(a, h, 180.0)) == pytest.approx(disc, rel=1e-12)


def test_cylinder_is_symmetric_about_broadside_and_its_lobes_follow_sinc():
    theta = np.linspace(0.0, 90.0, 901)
    assert np.allclose(rcs_cylinder(1.1, 9.0, theta), rcs_cylinder(1.1, 9.0, 180.0 - theta))
    # Side nulls where k h sin(psi) = n pi (psi from broadside): the first at
    # sin(psi) = lambda / (2 h); there only the (tiny) end-cap term is left.
    psi = np.degrees(np.arcsin(WAVELENGTH / (2 * 10.0)))
    at_null = float(rcs_cylinder(1.0, 10.0, 90.0 + psi))
    end_cap = float(rcs_disc(1.0, 90.0 + psi))
    assert at_null == pytest.approx(end_cap, rel=1e-6, abs=1e-9)


def test_cylinder_side_averaged_over_lobes_is_twice_mahafzas_edge_formula():
    # Off broadside Mahafza approximates the side by lambda a cos(psi) / (8 pi sin^2 psi);
    # the PO sinc^2 lobes average (sin^2 -> 1/2) to exactly twice that.
    psi = np.linspace(35.0, 55.0, 20001)
    a, h = 1.0, 10.0
    side = rcs_cylinder(a, h, 90.0 + psi) - rcs_disc(a, 90.0 + psi)
    p = np.radians(psi)
    mahafza = WAVELENGTH * a * np.cos(p) / (8 * np.pi * np.sin(p) ** 2)
    assert np.mean(side / mahafza) == pytest.approx(2.0, rel=0.02)


def test_disc_pattern_first_null_and_normal_incidence():
    a = 0.7
    assert float(rcs_disc(a, 0.0)) == pytest.approx(4 * np.pi**3 * a**4 / WAVELENGTH**2)
    # first zero of J1 at x = 3.8317: 2 k a sin(theta) = 3.8317
    theta = np.degrees(np.arcsin(3.831705970 / (2 * K * a)))
    assert float(rcs_disc(a, theta)) < 1e-12 * float(rcs_disc(a, 0.0))
    assert float(rcs_disc(a, theta / 2)) > 0.1 * float(rcs_disc(a, 0.0))
    # the pattern depends on the angle only through cos(theta)
    assert float(rcs_disc(a, -10.0)) == pytest.approx(float(rcs_disc(a, 10.0)))


def test_frustum_with_equal_radii_is_the_cylinder():
    theta = np.linspace(0.0, 180.0, 1441)
    assert np.allclose(rcs_frustum(0.9, 0.9, 11.0, theta), rcs_cylinder(0.9, 11.0, theta),
                       rtol=1e-9, atol=1e-12)  # fmt: skip


def test_frustum_specular_equals_mahafzas_closed_form():
    r1, r2, h = 0.5, 1.0, 10.0
    alpha = np.arctan((r2 - r1) / h)
    specular = 90.0 - np.degrees(alpha)  # line of sight normal to the side
    z1, z2 = r1 / np.tan(alpha), r2 / np.tan(alpha)  # ends' distances from the apex
    mahafza = (8 * np.pi * (z2**1.5 - z1**1.5) ** 2 * np.sin(alpha)
               / (9 * WAVELENGTH * np.cos(alpha) ** 4))  # fmt: skip
    side = float(rcs_frustum(r1, r2, h, specular)) - float(rcs_disc(r1, specular))
    assert side == pytest.approx(mahafza, rel=1e-3)


@pytest.mark.parametrize("theta", [60.0, 85.0, 87.4, 89.0, 120.0])
def test_frustum_side_matches_direct_quadrature_of_the_po_integral(theta):
    r1, r2, h = 0.4, 1.1, 9.0
    alpha = np.arctan((r2 - r1) / h)
    slant = np.hypot(h, r2 - r1)
    psi = np.radians(theta) - (np.pi / 2 - alpha)
    omega = 2 * K * np.sin(psi)

    def amplitude(s):
        return np.sqrt(r1 + (r2 - r1) * s / slant)

    # scipy's QAWO rule for oscillatory integrands, independent of lstmkit's Filon rule
    re = integrate.quad(amplitude, 0, slant, weight="cos", wvar=omega, limit=200)[0]
    im = integrate.quad(amplitude, 0, slant, weight="sin", wvar=omega, limit=200)[0]
    expected = K / np.cos(alpha) * max(np.cos(psi), 0.0) * (re**2 + im**2)
    side = float(rcs_frustum(r1, r2, h, theta))
    side -= float(rcs_disc(r1, theta)) if theta < 90 else float(rcs_disc(r2, theta))
    assert side == pytest.approx(expected, rel=2e-3)


def test_frustum_base_on_outshines_nose_on_by_the_fourth_power_of_the_radii():
    r1, r2 = 0.5, 1.0
    nose_on, base_on = rcs_frustum(r1, r2, 10.0, [0.0, 180.0])
    # flat ends dominate end on; the conical side adds only a little nose on
    assert base_on == pytest.approx(4 * np.pi**3 * r2**4 / WAVELENGTH**2, rel=1e-9)
    assert base_on / nose_on == pytest.approx((r2 / r1) ** 4, rel=0.05)


def test_rcs_scales_with_frequency_like_physical_optics():
    # broadside side ~ f, end-on disc ~ f^2
    ratio_side = rcs_cylinder(1.0, 10.0, 90.0, frequency=2 * FREQUENCY) / rcs_cylinder(
        1.0, 10.0, 90.0
    )
    ratio_disc = rcs_disc(1.0, 0.0, frequency=2 * FREQUENCY) / rcs_disc(1.0, 0.0)
    assert float(ratio_side) == pytest.approx(2.0)
    assert float(ratio_disc) == pytest.approx(4.0)


def test_aspect_angle_geometry():
    assert np.allclose(aspect_angle([0, 45, 90, 180], 0.0), [0, 45, 90, 180])
    tilted = aspect_angle(np.linspace(0, 180, 181), 12.0)
    assert tilted.min() == pytest.approx(12.0) and tilted.max() == pytest.approx(168.0)
    assert float(aspect_angle(90.0, 12.0)) == pytest.approx(90.0)


def test_bad_physical_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="radius must be > 0"):
        rcs_cylinder(0.0, 10.0, 90.0)
    with pytest.raises(TypeError, match="height must be a float"):
        rcs_cylinder(1.0, "10", 90.0)
    with pytest.raises(ValueError, match=r"nose_radius must be <= base_radius \(1.0\)"):
        rcs_frustum(2.0, 1.0, 10.0, 0.0)
    with pytest.raises(ValueError, match="aspect_deg must hold finite"):
        rcs_disc(1.0, [np.nan])


# ----------------------------------------------------------------------- generator
def test_sweeps_are_seeded_balanced_and_extend_with_more_targets():
    a = simulate_rcs_sweeps(3, seed=5, num_steps=61)
    b = simulate_rcs_sweeps(3, seed=5, num_steps=61)
    c = simulate_rcs_sweeps(4, seed=5, num_steps=61)
    d = simulate_rcs_sweeps(3, seed=6, num_steps=61)
    assert a.X.shape == (6, 61) and a.X.dtype == np.float32
    assert np.array_equal(a.X, b.X)
    assert np.array_equal(c.X[:6], a.X)  # target i depends only on (seed, i)
    assert not np.allclose(a.X, d.X)
    assert (a.y == "cone").sum() == (a.y == "cylinder").sum() == 3
    assert np.isfinite(a.X).all()


def test_sweep_parameters_stay_in_their_ranges():
    s = simulate_rcs_sweeps(40, seed=0, num_steps=31, pulses_per_step=2)
    p = s.params
    assert ((p["radius"] >= 0.8) & (p["radius"] <= 1.2)).all()
    assert ((p["height"] >= 8) & (p["height"] <= 12)).all()
    cone = s.y == "cone"
    ratio = p["nose_radius"] / p["radius"]
    assert ((ratio[cone] >= 0.3) & (ratio[cone] <= 0.7)).all()
    assert (ratio[~cone] == 1).all()
    assert (np.abs(p["elevation_deg"]) <= 10).all() and (np.abs(p["offset_deg"]) <= 5).all()
    assert 0 < p["reversed"].sum() < len(s.y)
    assert ((p["noise_dbsm"] >= -30) & (p["noise_dbsm"] <= -10)).all()


def test_noise_free_sweep_follows_the_physics():
    # no randomness but the size: a cylinder's sweep is symmetric and peaks at broadside
    s = simulate_rcs_sweeps(
        2, seed=0, num_steps=181, pulses_per_step=1, size_spread=0.0, max_elevation=0.0,
        max_offset=0.0, jitter=0.0, noise_dbsm=-300.0, noise_spread_db=0.0, calibration_db=0.0,
    )  # fmt: skip
    cylinder = s.X[s.y == "cylinder"][0]
    expected = 10 * np.log10(rcs_cylinder(1.0, 10.0, s.turn_deg))
    assert np.allclose(cylinder, expected, atol=1e-3)
    assert np.allclose(cylinder, cylinder[::-1], atol=1e-3)
    assert int(np.argmax(cylinder)) == 90


def test_noise_floor_shows_where_the_target_is_weak():
    quiet = simulate_rcs_sweeps(20, seed=1, noise_dbsm=-60.0, noise_spread_db=0.0)
    loud = simulate_rcs_sweeps(20, seed=1, noise_dbsm=10.0, noise_spread_db=0.0)
    # with noise at +10 dBsm the weak off-specular returns (~ -15 dBsm) are buried
    assert np.median(loud.X) > np.median(quiet.X) + 15
    assert np.median(loud.X) == pytest.approx(10.0, abs=2.5)


def test_frame_sweeps():
    framed = frame_sweeps([np.arange(9.0)[:, None], np.arange(9.0)], 4)
    assert [f.shape for f in framed] == [(2, 4), (2, 4)]
    assert framed[0].dtype == np.float32 and framed[0][1].tolist() == [4, 5, 6, 7]
    with pytest.raises(ValueError, match=r"X\[0\] must be a sweep"):
        frame_sweeps([np.zeros((3, 2))], 2)


def test_generator_refuses_bad_options_by_name():
    with pytest.raises(ValueError, match="num_per_class must be an int >= 1"):
        simulate_rcs_sweeps(0)
    with pytest.raises(ValueError, match="size_spread must be in"):
        simulate_rcs_sweeps(1, size_spread=1.5)
    with pytest.raises(ValueError, match="nose_fraction must satisfy"):
        simulate_rcs_sweeps(1, nose_fraction=(0.8, 0.2))
    with pytest.raises(ValueError, match="max_elevation must be < 90"):
        simulate_rcs_sweeps(1, max_elevation=95.0)


# ------------------------------------------------------------------------ registry
def test_registered_as_a_classification_dataset_with_options():
    info = {i.name: i for i in list_datasets("classification")}["radar-rcs"]
    assert info.real is False
    assert info.options == {"num_train": 1000, "num_test": 1000, "num_steps": 181,
                            "max_elevation": 10.0, "jitter": 0.5, "noise_dbsm": -20.0,
                            "seed": 0}  # fmt: skip


def test_load_dataset_gives_balanced_disjoint_train_and_test():
    data = load_dataset("radar-rcs", **SMALL)
    assert isinstance(data, SequenceClassificationData)
    assert len(data.X_train) == len(data.X_test) == 20
    assert data.X_train[0].shape == (91, 1) and data.X_train[0].dtype == np.float32
    assert data.class_names == ["cone", "cylinder"] and data.num_features == 1
    for y in (data.y_train, data.y_test):
        assert (np.asarray(y) == "cone").sum() == 10
    train = np.stack(data.X_train)
    test = np.stack(data.X_test)
    # the test targets come from another seed: no test sweep repeats a training sweep
    assert not any(np.isclose(train, t, atol=1e-3).all(axis=(1, 2)).any() for t in test)
    again = load_dataset("radar-rcs", **SMALL)
    assert np.array_equal(np.stack(again.X_train), train)
    other = load_dataset("radar-rcs", **{**SMALL, "seed": 1})
    assert not np.allclose(np.stack(other.X_train), train)
    with pytest.raises(ValueError, match="num_train must be even"):
        load_dataset("radar-rcs", num_train=21)
