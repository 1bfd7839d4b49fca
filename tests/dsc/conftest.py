"""A synthetic DSC heating/cooling run with known transitions, and writers for vendor layouts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from scipy.special import ndtr

DATA = Path(__file__).resolve().parents[1] / "data" / "dsc"


@dataclass(frozen=True)
class Truth:
    mu_heat_c: float = 10.0  # 001: cluster transition ~10 °C on heating
    mu_cool_c: float = -2.0  # ... and ~ -2 °C on cooling
    sigma_k: float = 1.5
    enthalpy_j_g: float = 20.0
    mass_mg: float = 5.0
    rate_k_min: float = 10.0
    step_mw: float = 0.3  # heat-capacity step across the transition

    @property
    def onset_heat_c(self) -> float:
        # tangent at the inflection (mu - sigma) of a Gaussian meets the baseline at mu - 2 sigma
        return self.mu_heat_c - 2 * self.sigma_k

    @property
    def onset_cool_c(self) -> float:
        return self.mu_cool_c + 2 * self.sigma_k


def make_run(truth: Truth = Truth(), *, noise_mw: float = 0.002, dt_s: float = 0.5, rng=None):
    """Heat -40 -> 60 °C, hold 1 min, cool 60 -> -40 °C at ``rate_k_min``; heat flow in mW, exo up.

    Endotherm on heating / exotherm on cooling: Gaussians in temperature (= in time at a
    constant rate) of area ``enthalpy x mass`` in mJ over time, with a sigmoidal heat-capacity
    step (the normal CDF: the step follows the transformed fraction), on a sloped baseline.
    """
    rng = np.random.default_rng(rng)
    r = truth.rate_k_min / 60.0  # K/s
    span = 100.0
    n_ramp = round(span / r / dt_s)
    t_heat = np.arange(n_ramp) * dt_s
    t_hold = t_heat[-1] + dt_s + np.arange(int(60 / dt_s)) * dt_s
    t_cool = t_hold[-1] + dt_s + np.arange(n_ramp) * dt_s
    temp = np.concatenate([-40 + r * t_heat, np.full(t_hold.size, -40 + r * t_heat[-1] + r * dt_s),
                           60 - r * (t_cool - t_cool[0])])
    time = np.concatenate([t_heat, t_hold, t_cool])
    area_mj = truth.enthalpy_j_g * truth.mass_mg
    sigma_t = truth.sigma_k / r
    height = area_mj / (sigma_t * np.sqrt(2 * np.pi))  # mW
    endo = np.zeros_like(temp)
    heat = slice(0, n_ramp)
    cool = slice(n_ramp + t_hold.size, None)
    zh = (temp[heat] - truth.mu_heat_c) / truth.sigma_k
    endo[heat] = height * np.exp(-0.5 * zh**2) + truth.step_mw * ndtr(zh)
    zc = (temp[cool] - truth.mu_cool_c) / truth.sigma_k
    endo[cool] = -height * np.exp(-0.5 * zc**2) + truth.step_mw * ndtr(zc)
    base = 0.5 + 0.002 * temp  # sloped instrument baseline, mW (endo up)
    endo = endo + base
    endo[cool] -= 1.0  # the cooling baseline sits lower, as in real runs
    heat_flow_exo_up = -endo + rng.normal(0, noise_mw, temp.size)
    return time, temp, heat_flow_exo_up


@pytest.fixture
def truth():
    return Truth()


@pytest.fixture
def run(truth):
    return make_run(truth, rng=1)


def write_ta(path: Path, time_s, temp_c, hf_mw, *, mass_mg=5.0, exo="Up") -> Path:
    head = [
        "CLOSED", "Instrument\tDSC Q20 V24.10 Build 122", "Sample\tCu2Se clusters", f"Size\t{mass_mg:.5f}\tmg",
        f"Exotherm\t{exo}", "Nsig\t3", "Sig1\tTime (min)", "Sig2\tTemperature (°C)", "Sig3\tHeat Flow (mW)",
        "StartOfData", "-1.000000\t60.0\t0.0000000",
    ]
    rows = [f"{t / 60:.6f}\t{T:.5f}\t{h:.7f}" for t, T, h in zip(time_s, temp_c, hf_mw, strict=True)]
    path.write_text("\n".join(head + rows) + "\n", encoding="latin-1")
    return path


def write_netzsch(path: Path, time_s, temp_c, hf_mw_mg) -> Path:
    head = ["#EXPORTTYPE:;DATA ALL", "#INSTRUMENT:;NETZSCH DSC 214 Polyma", "#SAMPLE MASS /mg:;5,000",
            "#DECIMAL:;COMMA", "#SEPARATOR:;SEMICOLON", "#EXO:1", "##Temp./°C;Time/min;DSC/(mW/mg)"]
    rows = [f"{T:.4f};{t / 60:.5f};{h:.6f}".replace(".", ",") for t, T, h in zip(time_s, temp_c, hf_mw_mg, strict=True)]
    path.write_text("\n".join(head + rows) + "\n", encoding="latin-1")
    return path


def write_mettler(path: Path, time_s, temp_c, hf_mw) -> Path:
    head = ["Sample: Cu2Se clusters, 5.0000 mg", "", "Curve Values:",
            "      Index             t            Ts            Tr         Value",
            "                      [s]          [°C]          [°C]          [mW]"]
    rows = [f"{k:10d} {t:13.3f} {T:13.4f} {T + 0.5:13.4f} {h:13.6f}" for k, (t, T, h) in
            enumerate(zip(time_s, temp_c, hf_mw, strict=True))]
    path.write_text("\n".join(head + rows) + "\n", encoding="utf-8")
    return path


def write_csv_kelvin(path: Path, time_s, temp_c, hf_w_g) -> Path:
    rows = [f"{t:.3f},{T + 273.15:.4f},{h:.8f}" for t, T, h in zip(time_s, temp_c, hf_w_g, strict=True)]
    path.write_text("time (s),temperature (K),heat flow (W/g)\n" + "\n".join(rows) + "\n")
    return path


def iso_onset(truth: Truth, heating: bool) -> float:
    """The ISO 11357-1 extrapolated onset of the noise-free model: tangent at the steepest point
    of the leading edge meets the true baseline under the peak (sloped line + heat-capacity step
    following the transformed fraction).  With the 0.3 mW step it is 7.018 / 0.982 °C, not
    mu -/+ 2 sigma (7.0 / 1.0): the step steepens the edge."""
    from scipy.special import ndtr

    mu = truth.mu_heat_c if heating else truth.mu_cool_c
    temp = np.linspace(mu - 12 * truth.sigma_k, mu + 12 * truth.sigma_k, 400001)
    height = truth.enthalpy_j_g * truth.mass_mg / (truth.sigma_k / (truth.rate_k_min / 60) * np.sqrt(2 * np.pi))
    z = (temp - mu) / truth.sigma_k
    base = truth.step_mw * ndtr(z) + 0.002 * temp
    f = (height if heating else -height) * np.exp(-0.5 * z * z) + base
    d = np.gradient(f, temp)
    idx = np.flatnonzero(temp < mu if heating else temp > mu)
    i = int(idx[np.argmax(d[idx])])
    g = f[i] + d[i] * (temp - temp[i]) - base
    if heating:
        j = int(np.flatnonzero(g[:i] * np.sign(g[i]) <= 0)[-1])
    else:
        j = i + int(np.flatnonzero(g[i:] * np.sign(g[i]) <= 0)[0])
    return float(temp[j])
