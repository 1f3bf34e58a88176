"""Radar cross section (RCS) of a cylinder and of a cone frustum, and sweeps to classify.

MATLAB's *Radar Target Classification Using Machine Learning and Deep Learning* example
tells a cylinder (radius 1 m, height 10 m) from a cone at 850 MHz by their radar returns
as the aspect angle changes. This module simulates that problem from physics:

* **Scattering** (:func:`rcs_cylinder`, :func:`rcs_frustum`, :func:`rcs_disc`):
  monostatic RCS by physical optics (PO), in the optical region (``k a >> 1``; at
  850 MHz a 1 m radius gives ``k a`` = 17.8). A body of revolution returns, per
  aspect angle ``theta`` (between the line of sight and the symmetry axis, measured
  from the nose / top end), the incoherent sum of its parts:

  - each flat end (a circular disc of radius ``a``, area ``A``):
    ``4 pi A^2 / lambda^2 * cos^2(theta) * (2 J1(x) / x)^2`` with
    ``x = 2 k a sin(theta)``; the textbook end-on value ``4 pi^3 a^4 / lambda^2``
    (Mahafza's ``lambda^2 (k a)^4 / (4 pi)``) at ``theta = 0``;
  - the curved side, by the PO line integral along the generator that faces the radar
    (stationary phase around the circumference):
    ``sigma(psi) = (k / cos(alpha)) * max(cos psi, 0) * |I(psi)|^2``,
    ``I(psi) = int_0^L sqrt(rho(s)) exp(2j k s sin psi) ds``,
    where ``psi`` is the angle from the side's normal, ``alpha`` the half-cone angle,
    ``L`` the slant length and ``rho(s)`` the radius at slant distance ``s``. For a
    cylinder (``alpha = 0``) this is Knott's closed form
    ``k a h^2 cos(psi) sinc^2(k h sin psi)``, which at broadside is the textbook
    ``2 pi a h^2 / lambda`` (Mahafza eq. 13.50, used by MATLAB's
    ``helperCylinderRCSPattern``); for a frustum at normal incidence to its side it is
    Mahafza's ``8 pi (z2^1.5 - z1^1.5)^2 sin(alpha) / (9 lambda cos^4(alpha))``
    (``z = r / tan(alpha)``, the distances of the two ends from the virtual apex).

  Away from the specular directions the PO lobes, averaged, fall off like the
  edge-diffraction approximations that Mahafza gives (``lambda a cos(psi) /
  (8 pi sin^2 psi)`` for the cylinder's side) but are 2x (3 dB) higher, the usual
  PO-versus-GTD difference. Not modelled: polarisation, creeping waves, multiple
  interactions, and the exact nose-on return of a frustum's conical side (where the
  single-generator stationary phase degenerates); the parts are summed in power
  (incoherently), i.e. their relative phases are treated as random, which the
  per-target size jitter makes them.

* **Sweeps** (:func:`simulate_rcs_sweeps`, and ``load_dataset("radar-rcs")``): each
  target turns through 180 degrees of aspect in front of the radar, with random size,
  an axis tilted out of the turning plane by a random elevation ``e`` (so the aspect
  is ``theta = arccos(cos e cos phi)`` for turn angle ``phi`` and never reaches the
  end-on flash exactly), a random start offset and turning direction, small random
  aspect jitter on every pulse (vibration), a random noise-equivalent RCS (range)
  with complex Gaussian receiver noise, and a random calibration error. Each
  sequence step is the power average of several pulses within one step of aspect
  (non-coherent integration), in dBsm.

Example:
    >>> from lstmkit.datasets.radar import WAVELENGTH, rcs_cylinder
    >>> round(WAVELENGTH, 4)
    0.3527
    >>> round(float(rcs_cylinder(1.0, 10.0, 90.0)), 1)  # 2 pi a h^2 / lambda
    1781.5
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.special import j1

from lstmkit._checks import check_float, check_int
from lstmkit.datasets.types import SequenceClassificationData

__all__ = [
    "CLASSES",
    "FREQUENCY",
    "SPEED_OF_LIGHT",
    "WAVELENGTH",
    "RCSSweeps",
    "aspect_angle",
    "frame_sweeps",
    "load_radar_rcs",
    "rcs_cylinder",
    "rcs_disc",
    "rcs_frustum",
    "simulate_rcs_sweeps",
]

SPEED_OF_LIGHT = 299_792_458.0  # m/s
FREQUENCY = 850e6  # Hz, as in MATLAB's example
WAVELENGTH = SPEED_OF_LIGHT / FREQUENCY  # 0.3527 m
CLASSES = ("cone", "cylinder")


def _wavenumber(frequency: float) -> float:
    check_float("frequency", frequency, 1.0)
    return 2.0 * np.pi * float(frequency) / SPEED_OF_LIGHT


def _positive(name: str, value: float) -> float:
    check_float(name, value, 0.0)
    if value <= 0:
        raise ValueError(f"{name} must be > 0 (metres); received {value}")
    return float(value)


def _angles(aspect_deg: float | np.ndarray) -> np.ndarray:
    theta = np.asarray(aspect_deg, dtype=np.float64)
    if not np.isfinite(theta).all():
        raise ValueError("aspect_deg must hold finite angles in degrees; received NaN or inf")
    # RCS of a body of revolution depends on the aspect only through cos(theta), so any
    # angle folds into [0, 180] (e.g. -5 degrees is 5 degrees off the nose).
    return np.arccos(np.cos(np.deg2rad(theta)))


def aspect_angle(turn_deg: float | np.ndarray, elevation_deg: float | np.ndarray) -> np.ndarray:
    """The aspect angle seen by the radar when a tilted target turns about a vertical axis.

    The target's symmetry axis is tilted ``elevation_deg`` out of the horizontal plane in
    which it turns by ``turn_deg`` (0 = nose towards the radar); the radar looks along
    the horizontal. Then ``cos(aspect) = cos(elevation) * cos(turn)``: the aspect
    sweeps from ``|elevation|`` to ``180 - |elevation|`` and passes 90 (broadside) at
    ``turn = 90`` whatever the tilt.

    Args:
        turn_deg: turn angle(s) in degrees.
        elevation_deg: tilt of the axis in degrees (broadcasts against ``turn_deg``).

    Returns:
        The aspect angle(s) in degrees, in [0, 180].

    Example:
        >>> from lstmkit.datasets.radar import aspect_angle
        >>> aspect_angle([0.0, 90.0, 180.0], 10.0).round(6).tolist()
        [10.0, 90.0, 170.0]
    """
    turn = np.deg2rad(np.asarray(turn_deg, dtype=np.float64))
    elevation = np.deg2rad(np.asarray(elevation_deg, dtype=np.float64))
    return np.rad2deg(np.arccos(np.clip(np.cos(elevation) * np.cos(turn), -1.0, 1.0)))


def rcs_disc(
    radius: float, aspect_deg: float | np.ndarray, *, frequency: float = FREQUENCY
) -> np.ndarray:
    """Physical-optics monostatic RCS of a flat circular disc (a flat end of a body).

    ``sigma = 4 pi A^2 / lambda^2 * cos^2(theta) * (2 J1(x) / x)^2``, ``A = pi a^2``,
    ``x = 2 k a sin(theta)``, ``theta`` from the disc's normal. Valid for ``k a >> 1``
    and best near normal incidence (PO ignores polarisation, which matters near
    grazing). The disc is treated as seen from the side the angle is measured on.

    Args:
        radius: the disc radius ``a`` in metres (> 0).
        aspect_deg: angle(s) between the line of sight and the disc normal, degrees.
        frequency: radar frequency in Hz (default 850 MHz).

    Returns:
        The RCS in m^2, an array shaped like ``aspect_deg``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.radar import WAVELENGTH, rcs_disc
        >>> float(rcs_disc(1.0, 0.0)) / (4 * np.pi**3 / WAVELENGTH**2)  # normal incidence
        1.0
    """
    a = _positive("radius", radius)
    k = _wavenumber(frequency)
    theta = _angles(aspect_deg)
    x = 2.0 * k * a * np.sin(theta)
    small = np.abs(x) < 1e-8
    pattern = np.where(small, 1.0, 2.0 * j1(x) / np.where(small, 1.0, x)) ** 2
    area = np.pi * a**2
    wavelength = 2.0 * np.pi / k
    return 4.0 * np.pi * area**2 / wavelength**2 * np.cos(theta) ** 2 * pattern


def _cylinder_side(a: float, h: float, k: float, psi: np.ndarray) -> np.ndarray:
    """Knott's PO finite cylinder: k a h^2 cos(psi) sinc^2(k h sin psi)."""
    # np.sinc(u) = sin(pi u) / (pi u), so sinc(k h sin psi) = np.sinc(k h sin psi / pi)
    return k * a * h**2 * np.maximum(np.cos(psi), 0.0) * np.sinc(k * h * np.sin(psi) / np.pi) ** 2


#: panels of the generator on which sqrt(rho) is taken as linear (relative error of the
#: amplitude < 1e-3 for nose radii >= 0.1 of the base; exact for a cylinder)
PANELS = 16


def _linear_times_exp(u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E0 = int_0^1 exp(i u t) dt and E1 = int_0^1 t exp(i u t) dt, stable for small u."""
    small = np.abs(u) < 1e-2
    v = np.where(small, 1.0, u)  # placeholder where the series is used instead
    e = np.exp(1j * v)
    e0 = (e - 1.0) / (1j * v)
    e1 = e / (1j * v) - (e - 1.0) / (1j * v) ** 2
    # Taylor series to u^3 (error ~ u^4 / 120 < 1e-10 below the threshold)
    e0_series = 1.0 + 1j * u / 2 - u**2 / 6 - 1j * u**3 / 24
    e1_series = 0.5 + 1j * u / 3 - u**2 / 8 - 1j * u**3 / 30
    return np.where(small, e0_series, e0), np.where(small, e1_series, e1)


def _frustum_side(r1: float, r2: float, h: float, k: float, psi: np.ndarray) -> np.ndarray:
    """PO conical side: (k / cos a) cos(psi) |int_0^L sqrt(rho(s)) exp(2j k s sin psi) ds|^2."""
    alpha = np.arctan2(r2 - r1, h)
    slant = np.hypot(h, r2 - r1)
    # The phase is linear in s and oscillates fast (up to 2 k L ~ 360 rad over 10 m), the
    # amplitude sqrt(rho(s)) slowly; so sqrt(rho) is taken as piecewise linear on PANELS
    # panels and each panel's integral of (linear x exponential) is done exactly
    # (a Filon-type rule): accurate at any angle with a few operations per angle.
    edges = np.linspace(0.0, slant, PANELS + 1)
    amplitude = np.sqrt(r1 + (r2 - r1) * edges / slant)
    width = slant / PANELS
    omega = 2.0 * k * np.sin(psi.reshape(-1))[:, None]  # (angles, 1)
    e0, e1 = _linear_times_exp(omega * width)
    start_phase = np.exp(1j * omega * edges[None, :-1])  # (angles, panels)
    panels = width * start_phase * (amplitude[:-1] * e0 + (amplitude[1:] - amplitude[:-1]) * e1)
    integral = panels.sum(axis=1)
    flat = psi.reshape(-1)
    sigma = k / np.cos(alpha) * np.maximum(np.cos(flat), 0.0) * np.abs(integral) ** 2
    return sigma.reshape(psi.shape)


def rcs_cylinder(
    radius: float,
    height: float,
    aspect_deg: float | np.ndarray,
    *,
    frequency: float = FREQUENCY,
) -> np.ndarray:
    """Physical-optics monostatic RCS of a closed right circular cylinder.

    The side (Knott's PO form ``k a h^2 cos(psi) sinc^2(k h sin psi)``, ``psi`` the
    angle from broadside; ``2 pi a h^2 / lambda`` at broadside, Mahafza eq. 13.50) plus
    the flat end facing the radar (:func:`rcs_disc`; ``4 pi^3 a^4 / lambda^2`` end on),
    summed in power. Symmetric about broadside: ``sigma(theta) = sigma(180 - theta)``.
    Valid for ``k a >> 1`` (optical region); see the module docstring for what PO
    leaves out.

    Args:
        radius: radius ``a`` in metres (> 0).
        height: length ``h`` in metres (> 0).
        aspect_deg: angle(s) between the line of sight and the axis, in degrees
            (0 = end on, 90 = broadside).
        frequency: radar frequency in Hz (default 850 MHz).

    Returns:
        The RCS in m^2, an array shaped like ``aspect_deg``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.radar import rcs_cylinder
        >>> sigma = rcs_cylinder(1.0, 10.0, [0.0, 45.0, 90.0, 135.0, 180.0])
        >>> np.round(10 * np.log10(sigma), 1).tolist()  # dBsm
        [30.0, -13.9, 32.5, -13.9, 30.0]
    """
    a = _positive("radius", radius)
    h = _positive("height", height)
    k = _wavenumber(frequency)
    theta = _angles(aspect_deg)
    side = _cylinder_side(a, h, k, theta - np.pi / 2)
    return side + rcs_disc(a, np.rad2deg(theta), frequency=frequency)


def rcs_frustum(
    nose_radius: float,
    base_radius: float,
    height: float,
    aspect_deg: float | np.ndarray,
    *,
    frequency: float = FREQUENCY,
) -> np.ndarray:
    """Physical-optics monostatic RCS of a closed cone frustum (truncated cone).

    Three parts, summed in power: the conical side by the PO line integral along the
    generator facing the radar (specular at ``theta = 90 - alpha``, where it equals
    Mahafza's ``8 pi (z2^1.5 - z1^1.5)^2 sin(alpha) / (9 lambda cos^4(alpha))``), the
    flat nose (radius ``r1``, seen for ``theta < 90``) and the flat base (radius
    ``r2``, seen for ``theta > 90``), each by :func:`rcs_disc`. With
    ``nose_radius == base_radius`` it is :func:`rcs_cylinder`. Valid for ``k r >> 1``;
    the nose-on return of the side is only approximate (see the module docstring).

    Args:
        nose_radius: radius ``r1`` of the small (nose) end in metres (> 0).
        base_radius: radius ``r2`` of the base in metres (>= ``nose_radius``).
        height: axial length in metres (> 0).
        aspect_deg: angle(s) between the line of sight and the axis, in degrees,
            measured from the nose (0 = nose on, 180 = base on).
        frequency: radar frequency in Hz (default 850 MHz).

    Returns:
        The RCS in m^2, an array shaped like ``aspect_deg``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.radar import rcs_frustum
        >>> sigma = rcs_frustum(0.5, 1.0, 10.0, [0.0, 87.1, 180.0])
        >>> np.round(10 * np.log10(sigma), 1).tolist()  # nose on, side specular, base on
        [17.9, 31.2, 30.0]
    """
    r1 = _positive("nose_radius", nose_radius)
    r2 = _positive("base_radius", base_radius)
    h = _positive("height", height)
    if r1 > r2:
        raise ValueError(f"nose_radius must be <= base_radius ({r2}); received nose_radius={r1}")
    k = _wavenumber(frequency)
    theta = _angles(aspect_deg)
    alpha = np.arctan2(r2 - r1, h)
    # psi: angle from the normal of the generator facing the radar, whose normal makes
    # 90 - alpha with the nose direction.
    side = _frustum_side(r1, r2, h, k, theta - (np.pi / 2 - alpha))
    degrees = np.rad2deg(theta)
    nose = np.where(theta < np.pi / 2, rcs_disc(r1, degrees, frequency=frequency), 0.0)
    base = np.where(theta > np.pi / 2, rcs_disc(r2, degrees, frequency=frequency), 0.0)
    return side + nose + base


@dataclass(eq=False)
class RCSSweeps:
    """Simulated RCS sweeps and the random parameters that made each one.

    Args:
        X: RCS in dBsm, float32 array ``(N, num_steps)``; row i is target i's sweep.
        y: class of each target (``"cone"`` or ``"cylinder"``), a string array ``(N,)``.
        turn_deg: the nominal turn angle of each step (before offset and jitter),
            ``(num_steps,)``.
        params: per-target parameters, name -> array ``(N,)``: ``radius`` (base
            radius, m), ``nose_radius`` (m; equal to ``radius`` for cylinders),
            ``height`` (m), ``elevation_deg``, ``offset_deg`` (start of the turn),
            ``reversed`` (turned base/bottom first), ``noise_dbsm`` (noise-equivalent
            RCS) and ``calibration_db``.

    Returns:
        What :func:`simulate_rcs_sweeps` returns.

    Example:
        >>> from lstmkit.datasets.radar import simulate_rcs_sweeps
        >>> sweeps = simulate_rcs_sweeps(2, seed=0, num_steps=91)
        >>> sweeps.X.shape, sorted(set(sweeps.y.tolist()))
        ((4, 91), ['cone', 'cylinder'])
    """

    X: np.ndarray
    y: np.ndarray
    turn_deg: np.ndarray
    params: dict[str, np.ndarray]


def simulate_rcs_sweeps(
    num_per_class: int,
    *,
    seed: int = 0,
    num_steps: int = 181,
    pulses_per_step: int = 8,
    radius: float = 1.0,
    height: float = 10.0,
    size_spread: float = 0.2,
    nose_fraction: tuple[float, float] = (0.3, 0.7),
    max_elevation: float = 10.0,
    max_offset: float = 5.0,
    jitter: float = 0.5,
    noise_dbsm: float = -20.0,
    noise_spread_db: float = 10.0,
    calibration_db: float = 1.0,
    frequency: float = FREQUENCY,
) -> RCSSweeps:
    """Simulate aspect sweeps of cylinders and cone frustums, ``num_per_class`` of each.

    Per target (all drawn from ``seed``): radius and height uniform within
    ``+-size_spread`` of ``radius`` / ``height``; for a cone the nose radius is a
    uniform ``nose_fraction`` of the base radius; the axis tilt (elevation) uniform in
    ``+-max_elevation`` degrees; the turn starts at a uniform ``+-max_offset`` degrees
    and runs through 180 degrees, nose (top) first or base first with equal odds;
    every pulse's aspect gets Gaussian jitter of ``jitter`` degrees (vibration);
    complex Gaussian receiver noise of a noise-equivalent RCS uniform in
    ``noise_dbsm +- noise_spread_db`` (the target's range); a Gaussian calibration
    error of ``calibration_db`` dB. Each of the ``num_steps`` steps power-averages
    ``pulses_per_step`` pulses spread over its share of the turn. Target i depends only
    on ``(seed, i)``, so a larger set extends a smaller one.

    Args:
        num_per_class: targets per class (>= 1); classes alternate, cone first.
        seed: the random seed (>= 0).
        num_steps: sequence length (>= 2); 181 gives one step per degree.
        pulses_per_step: pulses averaged into each step (>= 1).
        radius, height: nominal base radius and length in metres (MATLAB's example:
            1 m and 10 m).
        size_spread: relative half-width of the uniform size distribution (< 1).
        nose_fraction: (low, high) of the cone's nose-to-base radius ratio, in (0, 1].
        max_elevation, max_offset, jitter: degrees, see above.
        noise_dbsm, noise_spread_db: noise-equivalent RCS centre and half-width, dBsm.
        calibration_db: standard deviation of the per-target calibration error, dB.
        frequency: radar frequency in Hz (default 850 MHz).

    Returns:
        An :class:`RCSSweeps` with ``X`` in dBsm (float32, ``(2 * num_per_class,
        num_steps)``), the labels and every target's parameters.

    Example:
        >>> from lstmkit.datasets.radar import simulate_rcs_sweeps
        >>> a = simulate_rcs_sweeps(3, seed=1, num_steps=46)
        >>> b = simulate_rcs_sweeps(3, seed=1, num_steps=46)
        >>> bool((a.X == b.X).all()), a.y.tolist()
        (True, ['cone', 'cylinder', 'cone', 'cylinder', 'cone', 'cylinder'])
    """
    check_int("num_per_class", num_per_class, 1)
    check_int("seed", seed, 0)
    check_int("num_steps", num_steps, 2)
    check_int("pulses_per_step", pulses_per_step, 1)
    radius = _positive("radius", radius)
    height = _positive("height", height)
    check_float("size_spread", size_spread, 0.0)
    if size_spread >= 1:
        raise ValueError(f"size_spread must be in [0, 1); received {size_spread}")
    low, high = _fraction_range(nose_fraction)
    for name, value in (
        ("max_elevation", max_elevation),
        ("max_offset", max_offset),
        ("jitter", jitter),
        ("noise_spread_db", noise_spread_db),
        ("calibration_db", calibration_db),
    ):
        check_float(name, value, 0.0)
    if max_elevation >= 90:
        raise ValueError(f"max_elevation must be < 90 degrees; received {max_elevation}")
    check_float("noise_dbsm", noise_dbsm, -np.inf)
    _wavenumber(frequency)

    num = 2 * int(num_per_class)
    turn = np.linspace(0.0, 180.0, int(num_steps))
    step = 180.0 / (num_steps - 1)
    # pulse positions within a step, centred on it
    sub = (np.arange(pulses_per_step) + 0.5) / pulses_per_step - 0.5
    X = np.empty((num, num_steps), dtype=np.float32)
    keys = ("radius", "nose_radius", "height", "elevation_deg", "offset_deg", "reversed",
            "noise_dbsm", "calibration_db")  # fmt: skip
    params = {key: np.empty(num) for key in keys}
    labels = np.array([CLASSES[i % 2] for i in range(num)])
    for i, child in enumerate(np.random.SeedSequence(int(seed)).spawn(num)):
        rng = np.random.default_rng(child)
        a = radius * rng.uniform(1 - size_spread, 1 + size_spread)
        h = height * rng.uniform(1 - size_spread, 1 + size_spread)
        nose = a * rng.uniform(low, high) if labels[i] == "cone" else a
        elevation = rng.uniform(-max_elevation, max_elevation)
        offset = rng.uniform(-max_offset, max_offset)
        reverse = bool(rng.integers(2))
        noise = noise_dbsm + rng.uniform(-noise_spread_db, noise_spread_db)
        calibration = calibration_db * rng.standard_normal()

        nominal = (turn[:, None] + sub[None, :] * step).reshape(-1)
        if reverse:
            nominal = 180.0 - nominal
        phi = nominal + offset + jitter * rng.standard_normal(nominal.shape)
        aspect = aspect_angle(phi, elevation)
        if labels[i] == "cone":
            sigma = rcs_frustum(nose, a, h, aspect, frequency=frequency)
        else:
            sigma = rcs_cylinder(a, h, aspect, frequency=frequency)
        # Receiver noise: circular complex Gaussian of power 10^(noise/10) added to the
        # echo's amplitude; the echo's phase does not matter against circular noise.
        noise_power = 10.0 ** (noise / 10.0)
        n = rng.standard_normal((2, sigma.size)) * np.sqrt(noise_power / 2)
        power = (np.sqrt(sigma) + n[0]) ** 2 + n[1] ** 2
        averaged = power.reshape(num_steps, pulses_per_step).mean(axis=1)
        X[i] = 10.0 * np.log10(averaged) + calibration
        values = (a, nose, h, elevation, offset, reverse, noise, calibration)
        for key, value in zip(keys, values, strict=True):
            params[key][i] = value
    params["reversed"] = params["reversed"].astype(bool)
    return RCSSweeps(X=X, y=labels, turn_deg=turn, params=params)


def frame_sweeps(X: list[np.ndarray] | np.ndarray, frame: int) -> list[np.ndarray]:
    """Cut each sweep into frames of ``frame`` steps: ``(T,)`` -> ``(T // frame, frame)``.

    A recurrent network then takes ``frame`` aspect samples per step, so it runs
    ``frame`` times fewer steps (faster, and shorter paths for gradients) while seeing
    every sample; the last ``T % frame`` steps are dropped.

    Args:
        X: sweeps, ``(N, T)`` or a list of ``(T,)`` / ``(T, 1)`` arrays.
        frame: steps per frame (>= 1, <= T).

    Returns:
        A list of float32 arrays ``(T // frame, frame)``.

    Example:
        >>> import numpy as np
        >>> from lstmkit.datasets.radar import frame_sweeps
        >>> frame_sweeps(np.arange(10.0)[None], 4)[0].tolist()
        [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]
    """
    check_int("frame", frame, 1)
    framed = []
    for i, sweep in enumerate(X):
        values = np.asarray(sweep, dtype=np.float32)
        if values.ndim == 2 and values.shape[1] == 1:
            values = values[:, 0]
        if values.ndim != 1 or len(values) < frame:
            raise ValueError(
                f"X[{i}] must be a sweep of shape (T,) or (T, 1) with T >= frame ({frame}); "
                f"received shape {values.shape}"
            )
        usable = len(values) // frame * frame
        framed.append(values[:usable].reshape(-1, frame).copy())
    return framed


def _fraction_range(nose_fraction: tuple[float, float]) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in nose_fraction)
    except (TypeError, ValueError):
        raise TypeError(
            f"nose_fraction must be a (low, high) pair of floats; received {nose_fraction!r}"
        ) from None
    if not 0 < low <= high <= 1:
        raise ValueError(
            f"nose_fraction must satisfy 0 < low <= high <= 1; received ({low}, {high})"
        )
    return low, high


def load_radar_rcs(
    *,
    num_train: int = 1000,
    num_test: int = 1000,
    num_steps: int = 181,
    max_elevation: float = 10.0,
    jitter: float = 0.5,
    noise_dbsm: float = -20.0,
    seed: int = 0,
) -> SequenceClassificationData:
    """The ``radar-rcs`` dataset: cylinder and cone sweeps, test targets from another seed.

    What ``load_dataset("radar-rcs", ...)`` returns (it hands out copies of this cached
    object). Training targets are simulated with seed ``2 * seed``, test targets with
    ``2 * seed + 1`` (:func:`simulate_rcs_sweeps`, other options at their defaults);
    both sets are balanced.

    Args:
        num_train, num_test: even numbers of training and test sweeps.
        num_steps: steps per sweep (181: one per degree of the 180-degree turn).
        max_elevation: largest axis tilt, degrees.
        jitter: per-pulse aspect jitter, degrees.
        noise_dbsm: centre of the noise-equivalent RCS (+-10 dB), dBsm.
        seed: the dataset seed (>= 0).

    Returns:
        A :class:`~lstmkit.datasets.SequenceClassificationData` of ``(num_steps, 1)``
        float32 sweeps in dBsm, classes ``["cone", "cylinder"]``.

    Example:
        >>> from lstmkit.datasets.radar import load_radar_rcs
        >>> data = load_radar_rcs(num_train=4, num_test=2, num_steps=31)
        >>> data.X_train[0].shape, data.y_train.tolist(), data.class_names
        ((31, 1), ['cone', 'cylinder', 'cone', 'cylinder'], ['cone', 'cylinder'])
    """
    for name, value in (("num_train", num_train), ("num_test", num_test)):
        check_int(name, value, 2)
        if value % 2:
            raise ValueError(f"{name} must be even (two balanced classes); received {value}")
    check_int("num_steps", num_steps, 2)
    check_float("max_elevation", max_elevation, 0.0)
    check_float("jitter", jitter, 0.0)
    check_float("noise_dbsm", noise_dbsm, -np.inf)
    check_int("seed", seed, 0)
    return _radar_rcs(
        int(num_train), int(num_test), int(num_steps), float(max_elevation),
        float(jitter), float(noise_dbsm), int(seed),
    )  # fmt: skip


@functools.lru_cache(maxsize=4)
def _radar_rcs(
    num_train: int,
    num_test: int,
    num_steps: int,
    max_elevation: float,
    jitter: float,
    noise_dbsm: float,
    seed: int,
) -> SequenceClassificationData:
    options = {
        "num_steps": num_steps,
        "max_elevation": max_elevation,
        "jitter": jitter,
        "noise_dbsm": noise_dbsm,
    }
    # The test targets come from a different seed stream than the training targets
    # (seed 2s+1 vs 2s), so no test target is a copy of a training target.
    train = simulate_rcs_sweeps(num_train // 2, seed=2 * seed, **options)
    test = simulate_rcs_sweeps(num_test // 2, seed=2 * seed + 1, **options)
    return SequenceClassificationData(
        X_train=[row[:, None].copy() for row in train.X],
        y_train=train.y,
        X_test=[row[:, None].copy() for row in test.X],
        y_test=test.y,
        feature_names=["rcs_dbsm"],
        class_names=list(CLASSES),
        description=(
            f"Simulated radar returns (RCS in dBsm, 850 MHz) of cylinders and cone "
            f"frustums (radius ~1 m, length ~10 m, +-20%; cone nose 0.3-0.7 of the base) "
            f"turning through 180 degrees of aspect in {num_steps} steps, with axis tilt "
            f"up to {max_elevation} degrees, a start offset up to 5 degrees, either turning "
            f"direction, {jitter} degrees of aspect jitter per pulse, receiver noise "
            f"(noise-equivalent RCS {noise_dbsm} +- 10 dBsm) and 1 dB calibration error; "
            f"physical-optics scattering (lstmkit.datasets.radar). Training targets from "
            f"seed {2 * seed}, test targets from seed {2 * seed + 1}."
        ),
        name="radar-rcs",
    )
