"""XPS readers: VAMAS (.vms/.npl, REGULAR/IRREGULAR, several blocks), Scienta text, block choice.

Real files: tests/data/real (PROVENANCE.md). Constructed files: a small ISO 14976 writer below
that can write blank lines before the identifier, IRREGULAR scans, several corresponding
variables and a parameter inclusion list, so the reader is tested on the layout, not one file.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cationx.cli import app
from cationx.errors import DataFileError, InputError
from cationx.io.vamas import read_vamas
from cationx.io.xps import list_blocks, read_spectrum
from cationx.xps import peak

runner = CliRunner()
HV = 1486.6


def _block_lines(name: str, species: str, transition: str, x0: float, dx: float, ys: list[np.ndarray],
                 var_names: list[str], *, irregular: bool, kinetic: bool, work_function: float,
                 full: bool) -> list[str]:
    """One block; ``full=False`` writes only the parameters of the inclusion list used below."""
    n = ys[0].size
    lines = [name, "sample"]
    if full:
        lines += ["2024", "1", "1", "0", "0", "0", "0", "1", "comment", "XPS", "Al", f"{HV}", "0", "0", "0",
                  "0", "0", "FAT", "20", "1", f"{work_function}", "0", "0", "0", "0", "0"]
    lines += [species, transition, "-1"]  # parameters 29 and 30 are always written
    label = "kinetic energy" if kinetic else "binding energy"
    if not irregular:
        lines += [label, "eV", f"{x0}", f"{dx}"]
    cols = list(ys)
    names = list(var_names)
    if irregular:
        cols = [x0 + dx * np.arange(n), *cols]
        names = [label, *names]
    if full or irregular:
        lines += [str(len(names))]
        for v in names:
            lines += [v, "d"]
    if full:
        lines += ["pulse counting", "0.1", "1", "0", "0", "0", "0", "0"]
    lines += [str(n * len(cols))]
    for c in cols:
        lines += [f"{c.min()}", f"{c.max()}"]
    for i in range(n):
        lines += [repr(float(c[i])) for c in cols]
    return lines


def write_vamas_file(path: Path, blocks: list[dict], *, irregular: bool = False, blank_lines: int = 0,
                     inclusion: bool = False) -> Path:
    """An ISO 14976 NORM file; ``inclusion=True`` lists only parameters 29-30 (and 31-32 if
    IRREGULAR would need them) for blocks after the first, the others are inherited."""
    incl = ["29", "30", "32"] if irregular else ["29", "30", "31"]
    head = ["" for _ in range(blank_lines)] + [
        "VAMAS Surface Chemical Analysis Standard Data Transfer Format 1988 May 4",
        "inst", "model", "operator", "experiment", "0", "NORM", "IRREGULAR" if irregular else "REGULAR",
        str(len(blocks)), "0",
    ]
    head += ([str(len(incl)), *incl] if inclusion else ["0"])
    head += ["0", "0", "0", str(len(blocks))]
    body: list[str] = []
    for k, b in enumerate(blocks):
        full = (k == 0) or not inclusion
        body += _block_lines(b["name"], b["species"], b["transition"], b["x0"], b["dx"], b["ys"], b["vars"],
                             irregular=irregular, kinetic=b.get("kinetic", True),
                             work_function=b.get("phi", 4.5), full=full)
    path.write_text("\r\n".join(head + body + ["end of experiment"]) + "\r\n")
    return path


def _c1s_o1s():
    be_c = np.arange(296.0, 278.0, -0.1)  # descending binding energy, ascending kinetic
    be_o = np.arange(540.0, 524.0, -0.1)
    yc = 100 + peak(be_c, 284.8, 1000.0, 1.2, "gl", 0.3)
    yo = 200 + peak(be_o, 530.2, 2000.0, 1.4, "gl", 0.3)
    blocks = [
        {"name": "C1", "species": "C", "transition": "1s", "x0": HV - be_c[0], "dx": 0.1,
         "ys": [yc, np.full_like(yc, 30.0)], "vars": ["counts", "transmission"]},
        {"name": "O1", "species": "O", "transition": "1s", "x0": HV - be_o[0], "dx": 0.1,
         "ys": [yo, np.full_like(yo, 40.0)], "vars": ["counts", "transmission"]},
    ]
    return blocks, (be_c, yc), (be_o, yo)


# --- constructed files: the class of layouts ----------------------------------------------------


@pytest.mark.parametrize("irregular", [False, True])
@pytest.mark.parametrize("inclusion", [False, True])
@pytest.mark.parametrize("suffix", [".vms", ".npl"])
def test_constructed_vamas_layouts_read_the_same(tmp_path, irregular, inclusion, suffix):
    blocks, (be_c, yc), (be_o, yo) = _c1s_o1s()
    p = write_vamas_file(tmp_path / f"f{suffix}", blocks, irregular=irregular, blank_lines=2, inclusion=inclusion)
    c = read_spectrum(p, block="C 1s")
    o = read_spectrum(p, block=1)
    assert np.allclose(c.binding_energy_ev, be_c, atol=1e-9) and np.array_equal(c.intensity, yc)
    assert np.allclose(o.binding_energy_ev, be_o, atol=1e-9) and np.array_equal(o.intensity, yo)
    assert c.meta["variables"] == ["counts", "transmission"] and c.meta["intensity_variable"] == "counts"
    # the second block inherits hv and phi from the first when the inclusion list leaves them out
    assert read_vamas(p).blocks[1].work_function_ev == 4.5
    assert c.meta["work_function_applied_ev"] == 0.0


def test_several_blocks_need_a_choice_and_the_error_names_them(tmp_path):
    blocks, *_ = _c1s_o1s()
    p = write_vamas_file(tmp_path / "two.vms", blocks)
    with pytest.raises(DataFileError, match=r"holds 2 blocks.*0 'C 1s'.*1 'O 1s'"):
        read_spectrum(p)
    with pytest.raises(InputError, match="block 'N 1s' not found"):
        read_spectrum(p, block="N 1s")
    with pytest.raises(InputError, match="block 5 does not exist"):
        read_spectrum(p, block=5)
    assert [b["name"] for b in list_blocks(p)] == ["C 1s", "O 1s"]


def test_ambiguous_block_name_is_refused(tmp_path):
    blocks, *_ = _c1s_o1s()
    blocks[1] = {**blocks[0], "name": "C1b"}
    p = write_vamas_file(tmp_path / "dup.vms", blocks)
    with pytest.raises(InputError, match="ambiguous"):
        read_spectrum(p, block="C 1s")
    assert read_spectrum(p, block="C1b").label == "C 1s"  # the block identifier also selects


def test_work_function_sign_convention(tmp_path):
    # BE = hv - KE - phi: phi = 0 by default, the stored value with "file", a number as given
    blocks, (be_c, _), _ = _c1s_o1s()
    p = write_vamas_file(tmp_path / "c.vms", blocks[:1])
    assert np.allclose(read_spectrum(p).binding_energy_ev, be_c)
    assert np.allclose(read_spectrum(p, work_function="file").binding_energy_ev, be_c - 4.5)
    assert np.allclose(read_spectrum(p, work_function=-1.0).binding_energy_ev, be_c + 1.0)
    with pytest.raises(InputError, match="work_function must be"):
        read_spectrum(p, work_function="vacuum")


def test_truncated_and_wrong_vamas_files_name_the_problem(tmp_path):
    blocks, *_ = _c1s_o1s()
    p = write_vamas_file(tmp_path / "c.vms", blocks[:1])
    text = p.read_text().splitlines()
    (tmp_path / "short.vms").write_text("\n".join(text[:60]))
    with pytest.raises(DataFileError, match="ends early"):
        read_spectrum(tmp_path / "short.vms")
    bad = list(text)
    bad[bad.index("0.1") - 1] = "abc"  # the abscissa start
    (tmp_path / "bad.vms").write_text("\n".join(bad))
    with pytest.raises(DataFileError, match=r":\d+: VAMAS .*abscissa start must be a number, got 'abc'"):
        read_spectrum(tmp_path / "bad.vms")


# --- real files ------------------------------------------------------------------------------------


def test_kratos_leading_blank_lines_and_kinetic_scale(real_dir):
    p = real_dir / "LG4X_0-150W_Kratos_NiW.vms"
    names = [b["name"] for b in list_blocks(p)]
    assert names == ["wide", "Ni 2p", "O 1s", "C 1s", "W 4f"]
    r = runner.invoke(app, ["xps", "blocks", str(p)])
    assert r.exit_code == 0 and "BE 270 to 300 eV" in r.stdout and "intensity = 'Intensity'" in r.stdout
    wide = read_spectrum(p, block="wide")
    # Kratos' standard survey window, 1200 to -5 eV binding, lands exactly with BE = hv - KE
    assert wide.binding_energy_ev.max() == pytest.approx(1200.0, abs=1e-6)
    assert wide.binding_energy_ev.min() == pytest.approx(-5.0, abs=1e-6)
    c1s = read_spectrum(p, block="C 1s")
    assert (c1s.binding_energy_ev.min(), c1s.binding_energy_ev.max()) == pytest.approx((270.0, 300.0))
    assert c1s.meta["stored_work_function_ev"] == -4.5 and c1s.meta["intensity_variable"] == "Intensity"
    # this film is charged: its C 1s maximum sits at 282.3 eV, its W 4f7/2 at 33.5 eV (WO3: 35.8)
    # and its O 1s at 528.5 eV (WO3: 530.6), all about 2.3 eV low; the C 1s - O 1s separation
    # (246.2 eV) does not depend on the energy reference
    be_c = c1s.binding_energy_ev[np.argmax(c1s.intensity)]
    o1s = read_spectrum(p, block="O 1s")
    be_o = o1s.binding_energy_ev[np.argmax(o1s.intensity)]
    assert be_c == pytest.approx(282.4, abs=0.3)
    assert be_o - be_c == pytest.approx(246.1, abs=0.4)
    # referenced to the WO3 O 1s line (530.6 eV) the main C 1s line lands at 284-286 eV
    assert 284.0 <= be_c + (530.6 - be_o) <= 286.0
    # the stored analyser work function (-4.5 eV) would shift everything by +4.5 eV
    assert read_spectrum(p, block="C 1s", work_function="file").binding_energy_ev.max() == pytest.approx(304.5)


def test_specs_regular_and_irregular_twins_hold_the_same_data(real_dir):
    reg = read_spectrum(real_dir / "pynxtools_regular_SPECS.vms")
    irr = read_spectrum(real_dir / "pynxtools_irregular_SPECS.vms")
    assert np.allclose(reg.binding_energy_ev, irr.binding_energy_ev, atol=1e-9)
    # REGULAR stores counts per 0.1 s channel, IRREGULAR counts per second
    assert read_vamas(real_dir / "pynxtools_regular_SPECS.vms").blocks[0].collection_time_s == 0.1
    assert np.allclose(reg.intensity / 0.1, irr.intensity, rtol=1e-5)
    assert reg.binding_energy_ev[0] == pytest.approx(1350.0)  # Prodigy's 1350-0 eV survey window
    # MgFe2O4 catalyst: O 1s of the oxide at 531 eV; applying the stored 4.1 eV work function
    # would put it at 526.9 eV, below any oxide
    be, y = reg.binding_energy_ev, reg.intensity
    win = (be > 520) & (be < 540)
    assert be[win][np.argmax(y[win])] == pytest.approx(531.0, abs=1.0)


def test_specs_regular_agrees_with_the_vamas_package(real_dir):
    vamas = pytest.importorskip("vamas")
    ref = vamas.Vamas(str(real_dir / "pynxtools_regular_SPECS.vms")).blocks[0]
    ours = read_vamas(real_dir / "pynxtools_regular_SPECS.vms").blocks[0]
    assert ours.abscissa[0] == ref.x_start and ours.abscissa[1] - ours.abscissa[0] == pytest.approx(ref.x_step)
    assert np.array_equal(ours.ordinates[:, 0], np.asarray(ref.corresponding_variables[0].y_values))
    assert np.array_equal(ours.ordinates[:, 1], np.asarray(ref.corresponding_variables[1].y_values))


def test_phi_multipak_npl(real_dir):
    p = real_dir / "LG4X_Mutlipak_PHI.npl"
    assert [b["name"] for b in list_blocks(p)] == ["C 1s", "O 1s", "S 2p", "N 1s", "Mo 3d"]
    c = read_spectrum(p, block="C 1s")
    assert c.meta["abscissa"] == "binding" and c.label == "C 1s"
    assert c.binding_energy_ev[np.argmax(c.intensity)] == pytest.approx(284.8, abs=0.3)
    mo = read_spectrum(p, block="Mo 3d")
    assert mo.binding_energy_ev[np.argmax(mo.intensity)] == pytest.approx(228.5, abs=0.6)  # MoS2 Mo 3d5/2


def test_scienta_ag3d(real_dir):
    p = real_dir / "pynxtools_Scienta_Ag3d_0001.txt"
    s = read_spectrum(p)
    assert s.meta["format"] == "scienta" and s.meta["abscissa"] == "binding" and s.label == "Ag3d"
    be, y = s.binding_energy_ev, s.intensity
    # the file's axis is binding energy (Dimension 1 name), consistent with its kinetic window:
    # hv - Low Energy = 520 - 138 = 382 eV = the first binding energy
    assert be.max() == pytest.approx(520.0 - 138.0) and be.min() == pytest.approx(520.0 - 156.0)
    hi = be > 372.5
    d52, d32 = be[~hi][np.argmax(y[~hi])], be[hi][np.argmax(y[hi])]
    assert d32 - d52 == pytest.approx(6.0, abs=0.1)  # Ag 3d spin-orbit splitting
    # 3d5/2 at 369.9 eV: 1.7 eV above metallic Ag (368.2 eV) on this nominal-hv (520 eV) scale
    assert d52 == pytest.approx(369.9, abs=0.1)


def _scienta_text(regions: list[tuple[str, str, np.ndarray, np.ndarray]]) -> str:
    out = ["[Info]", f"Number of Regions={len(regions)}", "Version=1.3.1", ""]
    for k, (name, dim, x, y) in enumerate(regions, start=1):
        out += [f"[Region {k}]", f"Region Name={name}", f"Dimension 1 name={dim}", f"Dimension 1 size={x.size}",
                "", f"[Info {k}]", f"Region Name={name}", "Excitation Energy=520", "", f"[Data {k}]"]
        out += [f" {a:.5f}  {b:.5f}" for a, b in zip(x, y, strict=True)] + [""]
    return "\r\n".join(out)


def test_scienta_kinetic_variant_and_several_regions(tmp_path):
    be = np.arange(380.0, 364.0, -0.05)
    y = 10 + peak(be, 368.2, 50.0, 0.8, "gl", 0.3)
    p = tmp_path / "two.txt"
    p.write_text(_scienta_text([("Ag3d", "Kinetic Energy [eV]", 520.0 - be, y),
                                ("Ag3d_b", "Binding Energy [eV]", be, y)]))
    with pytest.raises(DataFileError, match=r"holds 2 blocks.*'Ag3d'.*'Ag3d_b'"):
        read_spectrum(p)
    k, b = read_spectrum(p, block="Ag3d"), read_spectrum(p, block="Ag3d_b")
    assert np.allclose(k.binding_energy_ev, be) and np.allclose(b.binding_energy_ev, be)
    assert k.meta["abscissa"] == "kinetic" and k.binding_energy_ev[np.argmax(k.intensity)] == pytest.approx(368.2)


def test_scienta_ragged_data_row_is_named(tmp_path):
    be = np.arange(370.0, 365.0, -0.5)
    text = _scienta_text([("Ag3d", "Binding Energy [eV]", be, np.ones_like(be))]).replace(" 368.00000  1.00000", " 368.0 x")
    (tmp_path / "r.txt").write_text(text)
    with pytest.raises(DataFileError, match=r"\[Data 1\] row 5 is not numeric"):
        read_spectrum(tmp_path / "r.txt")


# --- CLI -------------------------------------------------------------------------------------------


def test_cli_blocks_and_block_choice(real_dir):
    p = str(real_dir / "LG4X_Mutlipak_PHI.npl")
    r = runner.invoke(app, ["xps", "blocks", p, "--json"])
    assert r.exit_code == 0, r.output
    assert [b["name"] for b in json.loads(r.stdout)["blocks"]][:2] == ["C 1s", "O 1s"]
    r = runner.invoke(app, ["xps", "fit", p, "--components", "c:s@284.8"])
    assert r.exit_code == 2 and "holds 5 blocks" in r.output and "'Mo 3d'" in r.output
    r = runner.invoke(app, ["xps", "fit", p, "--block", "C 1s", "--components", "c:s@284.8", "--range", "280:292",
                            "--ci", "none", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["params"]["c_center"]["value"] == pytest.approx(284.8, abs=0.5)
