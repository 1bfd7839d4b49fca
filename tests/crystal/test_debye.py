"""Debye engine: the three routes agree, occupancy statistics, invariances, bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cationx.crystal import debye as d
from cationx.errors import InputError

A = 5.85  # anti-fluorite Cu2Se lattice parameter of seed 001 (Tables 2-4), A
FCC = np.array([[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]])
C8 = np.array([[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)])
X32 = 0.34  # 32f x of the 6 nm model (seed 001 Table 2), off the a/4 grid
F32 = ((FCC[:, None, :] + np.array([[X32, X32, X32], [-X32, -X32, X32], [-X32, X32, -X32], [X32, -X32, -X32],
                                    [-X32, -X32, -X32], [X32, X32, -X32], [X32, -X32, X32], [-X32, X32, X32]])[None]) % 1).reshape(-1, 3)


def antifluorite_cluster(radius: float, *, with_32f: bool = True, cells: int = 2):
    """Se 4a (1.0), Cu 8c (0.37) and Cu 32f (0.1575) in a sphere: the 6 nm model of seed 001."""
    frac = [FCC, C8] + ([F32] if with_32f else [])
    sp = [np.zeros(4, int), np.ones(8, int)] + ([np.full(32, 2)] if with_32f else [])
    oc = [np.ones(4), np.full(8, 0.37)] + ([np.full(32, 0.1575)] if with_32f else [])
    fr, s, o = np.vstack(frac), np.concatenate(sp), np.concatenate(oc)
    shifts = np.array(list(itertools.product(range(-cells, cells), repeat=3)))
    pos = ((shifts[:, None, :] + fr[None]) * A).reshape(-1, 3)
    species = np.tile(s, len(shifts))
    occ = np.tile(o, len(shifts))
    keep = np.linalg.norm(pos - 0.3, axis=1) <= radius
    return pos[keep], species[keep], occ[keep]


Q = np.linspace(0.4, 9.0, 120)
FF = np.array([34.0 - 0.9 + 1.1j, 29.0 - 2.0 + 0.6j, 29.0 - 2.0 + 0.6j])  # Se, Cu(8c), Cu(32f)
B = np.array([1.1, 2.5, 3.0])


def total(sums):
    return d.debye_intensity(sums, FF[: sums.occupancy_sum.size], b_iso=B[: sums.occupancy_sum.size]).intensity


@pytest.fixture(scope="module")
def small():
    pos, sp, occ = antifluorite_cluster(6.0)
    exact = d.pair_sums(pos, sp, occ, Q, method="exact", n_species=3)
    return pos, sp, occ, exact


def test_small_cluster_has_all_three_families(small):
    pos, sp, _occ, _ = small
    assert 80 < len(pos) < 400
    assert set(sp.tolist()) == {0, 1, 2}


@pytest.mark.parametrize("grid", [None, (4, 4, 4), (2, 2, 2), (1, 1, 1)])
def test_fft_equals_exact_sum(small, grid):
    pos, sp, occ, exact = small
    fft = d.pair_sums(pos, sp, occ, Q, method="fft", n_species=3, lattice_matrix=np.eye(3) * A, grid=grid)
    assert fft.method == "fft"
    np.testing.assert_allclose(total(fft), total(exact), rtol=1e-9, atol=0)
    np.testing.assert_allclose(fft.sums, exact.sums, rtol=0, atol=1e-9 * np.abs(exact.sums).max())


def test_histogram_equals_exact_sum(small):
    pos, sp, occ, exact = small
    hist = d.pair_sums(pos, sp, occ, Q, method="histogram", n_species=3)
    np.testing.assert_allclose(total(hist), total(exact), rtol=1e-9, atol=0)


def test_histogram_variance_correction_on_scattered_positions():
    # off-lattice positions: bins hold several distances; mean + variance keeps 1e-9
    rng = np.random.default_rng(5)
    pos = rng.uniform(0, 12, size=(150, 3))
    sp = rng.integers(0, 2, size=150)
    occ = rng.uniform(0.2, 1.0, size=150)
    exact = d.pair_sums(pos, sp, occ, Q, method="exact", n_species=2)
    hist = d.pair_sums(pos, sp, occ, Q, method="histogram", n_species=2, bin_width_angstrom=1e-3)
    np.testing.assert_allclose(total(hist), total(exact), rtol=1e-9, atol=0)


def test_fft_on_hexagonal_lattice_equals_exact():
    # wurtzite-like: u = 0.375 is on an 8-grid along c; the metric is not integer (c/a irrational)
    a, c = 4.30, 7.01
    lat = np.array([[a, 0, 0], [-a / 2, a * np.sqrt(3) / 2, 0], [0, 0, c]])
    basis = np.array([[1 / 3, 2 / 3, 0], [2 / 3, 1 / 3, 0.5], [1 / 3, 2 / 3, 0.375], [2 / 3, 1 / 3, 0.875]])
    sp0 = np.array([0, 0, 1, 1])
    shifts = np.array(list(itertools.product(range(-2, 2), range(-2, 2), range(-1, 1))))
    frac = (shifts[:, None, :] + basis[None]).reshape(-1, 3)
    pos = frac @ lat
    sp = np.tile(sp0, len(shifts))
    occ = np.where(sp == 0, 1.0, 0.8)
    keep = np.linalg.norm(pos, axis=1) < 7.5
    pos, sp, occ = pos[keep], sp[keep], occ[keep]
    exact = d.pair_sums(pos, sp, occ, Q, method="exact", n_species=2)
    fft = d.pair_sums(pos, sp, occ, Q, method="fft", n_species=2, lattice_matrix=lat)
    np.testing.assert_allclose(total(fft), total(exact), rtol=1e-9, atol=0)


def test_auto_falls_back_to_histogram_off_grid():
    rng = np.random.default_rng(1)
    pos = rng.uniform(0, 10, size=(90, 3))
    sums = d.pair_sums(pos, np.zeros(90, int), np.ones(90), Q, lattice_matrix=np.eye(3) * A)
    assert sums.method == "histogram"
    with pytest.raises(InputError, match="not on a rational grid"):
        d.pair_sums(pos, np.zeros(90, int), np.ones(90), Q, method="fft", lattice_matrix=np.eye(3) * A)


def test_laue_term_equals_analytic_value(small):
    _pos, sp, occ, exact = small
    pat = d.debye_intensity(exact, FF, b_iso=B, thermal_diffuse=False)
    t = np.exp(-np.multiply.outer(B, Q**2) / (16 * np.pi**2))
    expected = sum(np.sum(occ[sp == s] * (1 - occ[sp == s])) * np.abs(FF[s] * t[s]) ** 2 for s in range(3))
    np.testing.assert_allclose(pat.laue, expected, rtol=1e-12)
    assert np.all(pat.thermal_diffuse == 0)
    # thermal diffuse: sum p |f|^2 (1 - T^2)
    pat2 = d.debye_intensity(exact, FF, b_iso=B)
    tds = sum(np.sum(occ[sp == s]) * np.abs(FF[s]) ** 2 * (1 - t[s] ** 2) for s in range(3))
    np.testing.assert_allclose(pat2.thermal_diffuse, tds, rtol=1e-12)


def _configuration_average(pos, sp, site, probs_by_atom, ff, q):
    """Expected Debye intensity by enumerating every configuration (independent sites,
    atoms sharing a site exclusive)."""
    sites = sorted(set(site.tolist()))
    choices = []
    for s in sites:
        members = np.flatnonzero(site == s)
        opts = [(None, 1.0 - probs_by_atom[members].sum())] + [(int(m), float(probs_by_atom[m])) for m in members]
        choices.append([o for o in opts if o[1] > 0])
    out = np.zeros(q.size)
    for combo in itertools.product(*choices):
        w = np.prod([c[1] for c in combo])
        idx = [c[0] for c in combo if c[0] is not None]
        if not idx:
            continue
        idx = np.array(idx)
        sums = d.pair_sums(pos[idx], sp[idx], np.ones(idx.size), q, method="exact", n_species=ff.shape[0])
        out += w * d.debye_intensity(sums, ff).intensity
    return out


def test_average_equals_enumerated_configurations_with_shared_site():
    # four positions; the last holds Cu (0.3) or Cd (0.5) or nothing: mixed occupancy
    pos = np.array([[0, 0, 0], [2.5, 0, 0], [0, 2.9, 0.4], [1.0, 1.0, 2.0], [1.0, 1.0, 2.0]])
    sp = np.array([0, 1, 1, 1, 2])
    occ = np.array([1.0, 0.6, 0.25, 0.3, 0.5])
    site = np.array([0, 1, 2, 3, 3])
    ff = np.array([34 + 0.5j, 27 + 0.6j, 46 - 1.2j])
    sums = d.pair_sums(pos, sp, occ, Q, method="exact", site=site, n_species=3)
    got = d.debye_intensity(sums, ff).intensity
    want = _configuration_average(pos, sp, site, occ, ff, Q)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert sums.shared_site[1, 2] == pytest.approx(0.15)


def test_complex_form_factors_enter_as_real_part_of_product():
    pos = np.array([[0, 0, 0], [3.0, 0, 0]])
    f = np.array([10 + 3j, 8 - 2j])
    sums = d.pair_sums(pos, np.array([0, 1]), np.ones(2), Q, method="exact")
    got = d.debye_intensity(sums, f).intensity
    x = Q * 3.0
    want = abs(f[0]) ** 2 + abs(f[1]) ** 2 + 2 * np.real(f[0] * np.conj(f[1])) * np.sin(x) / x
    np.testing.assert_allclose(got, want, rtol=1e-13)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_invariant_to_atom_order(small, seed):
    pos, sp, occ, exact = small
    perm = np.random.default_rng(seed).permutation(len(pos))
    ref = total(exact)
    for method, kw in (("histogram", {}), ("fft", {"lattice_matrix": np.eye(3) * A})):
        got = total(d.pair_sums(pos[perm], sp[perm], occ[perm], Q, method=method, n_species=3, **kw))
        np.testing.assert_allclose(got, ref, rtol=1e-9)


def test_polarisation_and_q_conversion():
    tt = np.array([20.0, 60.0, 90.0])
    np.testing.assert_allclose(d.polarisation_factor(tt), (1 + np.cos(np.radians(tt)) ** 2) / 2)
    # graphite monochromator at Cu Ka: 2theta_m = 26.6 deg
    c2m = np.cos(np.radians(26.6)) ** 2
    np.testing.assert_allclose(d.polarisation_factor(tt, 26.6), (1 + c2m * np.cos(np.radians(tt)) ** 2) / (1 + c2m))
    q = d.q_from_two_theta(tt, 1.54056)
    np.testing.assert_allclose(d.two_theta_from_q(q, 1.54056), tt, rtol=1e-12)
    # Bragg: Q = 2 pi / d for the (111) of a = 5.85 A
    d111 = A / np.sqrt(3)
    tt111 = 2 * np.degrees(np.arcsin(1.54056 / (2 * d111)))
    assert d.q_from_two_theta([tt111], 1.54056)[0] == pytest.approx(2 * np.pi / d111, rel=1e-12)


def test_pattern_in_two_theta_applies_polarisation(small):
    pos, sp, occ, _ = small
    tt = np.linspace(15, 80, 50)
    ff = lambda q: np.repeat(FF[:, None], q.size, axis=1)  # noqa: E731
    p = d.debye_pattern(pos, sp, occ, ff, two_theta_deg=tt, method="histogram")
    np.testing.assert_allclose(p.intensity, (p.coherent + p.laue + p.thermal_diffuse) * d.polarisation_factor(tt))
    frame = p.to_frame()
    assert list(frame.columns[:3]) == ["two_theta_deg", "q_inv_angstrom", "intensity"]
    assert set(p.to_dict()) >= {"two_theta_deg", "intensity", "n_atoms", "maxima"}


def test_reduced_pdf_peaks_at_nearest_neighbour_distance():
    pos, sp, _occ = antifluorite_cluster(9.0, with_32f=False)
    q = np.linspace(0.3, 25.0, 2500)
    ff = np.array([34.0, 29.0])
    p = d.debye_pattern(pos, sp, np.ones(len(pos)), ff, q_inv_angstrom=q, method="fft", lattice_matrix=np.eye(3) * A)
    r = np.linspace(1.5, 5.0, 701)
    g = p.reduced_pdf(r)
    first = r[np.argmax(g * (r < 3.0))]
    assert first == pytest.approx(np.sqrt(3) / 4 * A, abs=0.03)  # Cu-Se 2.533 A
    second = r[np.argmax(g * (r > 3.5) * (r < 4.5))]
    assert second == pytest.approx(A / np.sqrt(2), abs=0.03)  # Se-Se, Cu-Cu a/2 = 2.925 lies between


def test_average_patterns_is_weighted_mean(small):
    _pos, _sp, _occ, exact = small
    p1 = d.debye_intensity(exact, FF)
    p2 = d.debye_intensity(exact, FF * 1.1)
    m = d.average_patterns([p1, p2], [1, 3])
    np.testing.assert_allclose(m.intensity, 0.25 * p1.intensity + 0.75 * p2.intensity)


def test_find_maxima_refines_parabola():
    x = np.linspace(0, 10, 1001)
    y = np.exp(-((x - 4.2345) ** 2) / 0.5) + 0.5 * np.exp(-((x - 7.0) ** 2) / 0.3)
    m = d.find_maxima(x, y)
    assert len(m) == 2
    assert m[0]["two_theta_deg"] == pytest.approx(4.2345, abs=1e-3)
    assert m[1]["two_theta_deg"] == pytest.approx(7.0, abs=1e-3)
    assert m[0]["relative_intensity"] == pytest.approx(100.0)


def test_infer_grid():
    assert d.infer_grid(np.vstack([FCC, C8])) == (4, 4, 4)
    assert d.infer_grid(np.array([[1 / 3, 2 / 3, 0.375]])) == (3, 3, 8)
    assert d.infer_grid(F32) == (1, 1, 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"positions_angstrom": np.zeros((3, 2))}, "shape"),
        ({"occupancy": [1.0, 1.2, 0.5]}, "occupancy must lie in"),
        ({"species": np.array([0, 1, -1])}, "species indices"),
        ({"site": np.array([0, 1, 1])}, "same position"),
        ({"method": "magic"}, "method must be one of"),
        ({"q_inv_angstrom": [-1.0, 2.0]}, "q_inv_angstrom"),
    ],
)
def test_bad_input(kwargs, message):
    args = {
        "positions_angstrom": np.array([[0, 0, 0], [1.0, 0, 0], [0, 2.0, 0]]),
        "species": np.array([0, 1, 1]),
        "occupancy": [1.0, 0.5, 0.5],
        "q_inv_angstrom": Q,
    }
    args.update(kwargs)
    with pytest.raises(InputError, match=message):
        d.pair_sums(**args)


def test_overfilled_site_and_fft_without_lattice():
    pos = np.array([[0, 0, 0], [0, 0, 0.0]])
    with pytest.raises(InputError, match="filled beyond 1"):
        d.pair_sums(pos, np.array([0, 1]), [0.7, 0.6], Q, site=np.array([0, 0]))
    with pytest.raises(InputError, match="lattice_matrix"):
        d.pair_sums(pos, np.array([0, 1]), [0.3, 0.6], Q, method="fft")


def test_fft_memory_guard(small):
    pos, sp, occ, _ = small
    with pytest.raises(InputError, match="GiB"):
        d.pair_sums(pos, sp, occ, Q, method="fft", lattice_matrix=np.eye(3) * A, grid=(4, 4, 4), memory_limit_gib=1e-4)


def test_form_factor_shape_checked(small):
    *_, exact = small
    with pytest.raises(InputError, match="form_factors must have shape"):
        d.debye_intensity(exact, np.ones((2, 5)))


def direct_shell_sums(q, r, w):
    """The obvious reference: ``w_0 + sum_k w_k sin(q r_k) / (q r_k)`` (r_0 = 0) by direct sines."""
    x = np.multiply.outer(q, r[1:])
    return w[:, :1] + ((np.sin(x) / x) @ w[:, 1:].T).T


def test_uniform_q_block_route_equals_direct_sines():
    # the block angle-addition route on a uniform Q grid against the direct sines
    rng = np.random.default_rng(3)
    r = np.r_[0.0, np.sort(rng.uniform(1.0, 60.0, 700))]
    w = rng.uniform(0.1, 2.0, size=(3, r.size))
    shells = d.PairShells(r, w, np.zeros_like(w), ((0, 0), (0, 1), (1, 1)), "fft")
    q = 0.7 + 0.003 * np.arange(1500)
    fast = shells.sums(q)
    direct = direct_shell_sums(q, r, w)
    np.testing.assert_allclose(fast, direct, rtol=0, atol=1e-12 * np.abs(direct).max())
    assert d._uniform_positive(q) and not d._uniform_positive(np.r_[q[:-1], q[-1] + 1e-6])


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_fft_equals_histogram_for_any_occupancies(small, seed):
    assert_fft_equals_histogram(small, seed, n_species=3)


def assert_fft_equals_histogram(cluster, seed, *, n_species):
    """Random occupancies on a cluster's positions: the FFT and histogram routes agree."""
    pos, sp, _occ, _ = cluster
    occ = np.random.default_rng(seed).uniform(0.0, 1.0, size=len(pos))
    hist = d.pair_sums(pos, sp, occ, Q, method="histogram", n_species=n_species)
    fft = d.pair_sums(pos, sp, occ, Q, method="fft", n_species=n_species, lattice_matrix=np.eye(3) * A)
    np.testing.assert_allclose(total(fft), total(hist), rtol=1e-9)


# ------------------------------------------------------------- folded (octant) FFT route


@pytest.fixture(scope="module")
def on_grid():
    """Se 4a and Cu 8c only: every offset difference is 0 or 1/2 on the (2, 2, 2) grid, so
    the folded DCT route runs (with 32f the offsets are irrational and it cannot)."""
    pos, sp, occ = antifluorite_cluster(7.5, with_32f=False)
    occ = np.where(sp == 1, 0.73, 1.0)
    exact = d.pair_sums(pos, sp, occ, Q, method="exact", n_species=2)
    return pos, sp, occ, exact


class _FoldSpy:
    """Counts calls of the octant fold, to show a test ran the folded route."""

    def __init__(self, monkeypatch):
        self.calls = 0
        real = d._fold_spectrum

        def spy(*args):
            self.calls += 1
            return real(*args)

        monkeypatch.setattr(d.fft, "_fold_spectrum", spy)


@pytest.mark.parametrize("grid", [None, (4, 4, 4), (2, 2, 2), (1, 1, 1)])
def test_folded_fft_route_equals_exact_sum(on_grid, grid, monkeypatch):
    # (1, 1, 1) mixes folded groups (offset differences 0, 1/2) with full ones (1/4, 3/4)
    pos, sp, occ, exact = on_grid
    spy = _FoldSpy(monkeypatch)
    fft = d.pair_sums(pos, sp, occ, Q, method="fft", n_species=2, lattice_matrix=np.eye(3) * A, grid=grid)
    assert spy.calls > 0
    np.testing.assert_allclose(total(fft), total(exact), rtol=1e-9, atol=0)
    np.testing.assert_allclose(fft.sums, exact.sums, rtol=0, atol=1e-9 * np.abs(exact.sums).max())


def test_folded_route_on_tetragonal_cell_with_random_occupancies(monkeypatch):
    # c = 3 a: a diagonal metric with unequal (rational-ratio) axes; random occupancies
    # break every symmetry of the cluster, which the folding must not rely on
    a, c = 4.1, 12.3
    basis = np.array([[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0, 0.25], [0, 0.5, 0.75]])
    sp0 = np.array([0, 0, 1, 1])
    shifts = np.array(list(itertools.product(range(-2, 2), range(-2, 2), range(-2, 1))))
    frac = (shifts[:, None, :] + basis[None]).reshape(-1, 3)
    lat = np.diag([a, a, c])
    pos = frac @ lat
    sp = np.tile(sp0, len(shifts))
    keep = np.linalg.norm(pos - [0.2, 0.1, 0.3], axis=1) < 8.0
    pos, sp = pos[keep], sp[keep]
    occ = np.random.default_rng(11).uniform(0.1, 1.0, size=len(pos))
    spy = _FoldSpy(monkeypatch)
    exact = d.pair_sums(pos, sp, occ, Q, method="exact", n_species=2)
    fft = d.pair_sums(pos, sp, occ, Q, method="fft", n_species=2, lattice_matrix=lat)
    assert spy.calls > 0
    np.testing.assert_allclose(total(fft), total(exact), rtol=1e-9, atol=0)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_folded_route_equals_histogram_for_any_occupancies(on_grid, seed):
    assert_fft_equals_histogram(on_grid, seed, n_species=2)


@pytest.mark.parametrize("offsets", [(0, 0, 0), (0.5, 0.5, 0.5), (0.5, 0, -0.5), (0, -0.5, 0.5)])
def test_octant_inverse_equals_sign_averaged_correlation(offsets):
    # a random real "correlation" c(d) on |d_j| <= e_j - 1, transformed with period p >= 2e;
    # the folded DCT inverse must give the mean of c over the 8 sign flips of u = d + o
    rng = np.random.default_rng(8)
    extent = np.array([5, 4, 6])
    shape = (10, 8, 12)
    o = np.array(offsets, dtype=float)
    c = np.zeros(shape)
    span = [np.arange(-(e - 1), e) for e in extent]
    vals = rng.random([s.size for s in span])
    c[np.ix_(*[s % p for s, p in zip(span, shape, strict=True)])] = vals
    g = d._octant_inverse(d._fold_spectrum(np.fft.rfftn(c), shape, o)[None], shape, o, extent)[0]
    for idx in itertools.product(*[range(int(e)) for e in extent]):
        u = np.array(idx) + np.abs(o)
        flips = [np.array(sg) * u for sg in itertools.product((1, -1), repeat=3)]
        # displacement index d = u' - o for each sign-flipped u'
        vals_u = [c[tuple(round(x) % p for x, p in zip(uf - o, shape, strict=True))]
                  if all(abs(x) <= e - 1 for x, e in zip(uf - o, extent, strict=True)) else 0.0 for uf in flips]
        assert g[idx] == pytest.approx(np.mean(vals_u), abs=1e-12)


@pytest.mark.parametrize("grid", ["two_theta", "random_sorted", "unsorted"])
def test_taylor_block_route_equals_direct_sines(grid):
    # any grid of positive Q (uniform in 2-theta by default in the CLI): Taylor blocks
    # around block centres against the direct sines
    rng = np.random.default_rng(6)
    r = np.r_[0.0, np.sort(rng.uniform(1.0, 60.0, 700))]
    w = rng.uniform(-0.5, 2.0, size=(3, r.size))
    q = {
        "two_theta": d.q_from_two_theta(np.arange(10.0, 90.0, 0.02), 1.5406),
        "random_sorted": np.sort(rng.uniform(0.3, 6.0, 2000)),
        "unsorted": rng.uniform(0.3, 6.0, 2000),
    }[grid]
    assert not d._uniform_positive(q) and 4 * d._taylor_blocks(q, r.max()).count <= q.size
    fast = d.PairShells(r, w, np.zeros_like(w), ((0, 0), (0, 1), (1, 1)), "fft").sums(q)
    direct = direct_shell_sums(q, r, w)
    np.testing.assert_allclose(fast, direct, rtol=0, atol=1e-12 * np.abs(direct).max())


@pytest.mark.parametrize("q0", [1e-9, 1e-5, 1e-2])
def test_q_sums_near_zero_on_a_non_uniform_grid(q0):
    # near Q = 0 the Taylor blocks would rebuild a tiny sine from O(1) terms: those points go
    # to the direct sines, so the relative accuracy holds down to Q -> 0
    rng = np.random.default_rng(2)
    r = np.r_[0.0, np.sort(rng.uniform(1.0, 60.0, 500))]
    w = rng.uniform(0.1, 2.0, size=(3, r.size))
    q = np.r_[q0, q0 * 3, np.sort(rng.uniform(q0 * 10, 6.0, 3000))]
    fast = d.PairShells(r, w, np.zeros_like(w), ((0, 0), (0, 1), (1, 1)), "fft").sums(q)
    direct = direct_shell_sums(q, r, w)
    # near Q = 0 the sums are close to sum(w): relative accuracy there; elsewhere the sums
    # oscillate through zero, so accuracy relative to their scale
    np.testing.assert_allclose(fast[:, :2], direct[:, :2], rtol=1e-13, atol=0)
    np.testing.assert_allclose(fast, direct, rtol=0, atol=1e-13 * np.abs(direct).max())


def test_overlapping_thread_maps_restore_blas_threads():
    # two callers overlap in _map_threads (each limits BLAS to one thread while it runs);
    # when both are done the process must have its original BLAS threads back
    import threading
    import time

    from threadpoolctl import threadpool_info

    def blas_threads():
        return sorted(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")

    before = blas_threads()
    first_in = threading.Event()

    def slow(i):
        first_in.set()
        time.sleep(0.05 * (1 + i))
        return i

    def caller(delay):
        time.sleep(delay)
        assert d._map_threads(slow, range(2)) == [0, 1]

    threads = [threading.Thread(target=caller, args=(0.0,)), threading.Thread(target=caller, args=(0.02,))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert first_in.is_set()
    assert blas_threads() == before
