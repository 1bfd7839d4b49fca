"""CLI: cationx composition icp / eds / ratio / convert; readers for long, wide and TOML tables."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cationx.cli import app

runner = CliRunner()

LONG = """sample,element,line_nm,conc_mg_l
blank,Cd,228.802,0.0011
blank,Cd,228.802,0.0008
blank,Cd,228.802,0.0014
blank,Cu,324.754,0.0005
blank,Cu,324.754,0.0009
blank,Cu,324.754,0.0004
blank,Se,196.026,0.003
blank,Se,196.026,0.006
blank,Se,196.026,0.004
S1,Cd,228.802,0.5620
S1,Cd,228.802,0.5580
S1,Cu,324.754,0.6362
S1,Cu,324.754,0.6350
S1,Se,196.026,0.7900
S1,Se,196.026,0.7950
"""

# one row per solution, element lines as columns ("nm ppm" suffix), text metadata columns
WIDE = """Rack:Tube,Solution Label,Type,Timestamp,Cd 228.802 nm ppm,Cu 324.754 nm ppm,Se 196.026 nm ppm
1:1,Blank 1,Blank,2024-01-01 10:00,0.0011,0.0005,0.003
1:2,Blank 2,Blank,2024-01-01 10:02,0.0008,0.0009,0.006
1:3,Blank 3,Blank,2024-01-01 10:04,0.0014,0.0004,0.004
1:4,S1,Sample,2024-01-01 10:06,0.5600,0.6356,0.7925
"""


def _run(args):
    r = runner.invoke(app, ["composition", *args])
    return r


@pytest.fixture
def long_csv(tmp_path):
    p = tmp_path / "icp.csv"
    p.write_text(LONG)
    return p


def test_icp_json_and_out(long_csv, tmp_path):
    out = tmp_path / "res"
    r = _run(["icp", str(long_csv), "--digest-ml", "10", "--dilution", "2", "--dilution", "5", "--mass-mg", "1.0",
              "--ratio", "Cu/(Cu+Cd)", "--incoming", "Cu", "--host", "Cd", "--anion", "Se",
              "--diameter-nm", "4", "--diameter-u", "0.2", "--material", "CdSe", "--json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["amount_unit"] == "mol"
    el = {e["element"]: e for e in d["elements"]}
    # Cu: (0.6356 - 0.0006) mg/L x 10 x 10 mL / 63.546 g/mol
    assert el["Cu"]["mol"] == pytest.approx(0.6350 * 10 * 10e-3 / 1000 / 63.546, rel=1e-3)
    q = d["derived"]["S1"]["quantities"]
    assert set(q) >= {"Cu/(Cu+Cd)", "x in Cu(2-x)Se", "exchanged_fraction", "Cu_per_NC", "Cu_per_NC_substitution"}
    assert d["derived"]["S1"]["mass_balance_ok"] is True
    assert {p.name for p in out.iterdir()} == {"blanks.csv", "lines.csv", "elements.csv", "derived.csv", "icp.json"}


def test_icp_wide_export_matches_long(long_csv, tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(WIDE)
    a = json.loads(_run(["icp", str(long_csv), "--json"]).stdout)
    r = _run(["icp", str(wide), "--json"])
    assert r.exit_code == 0, r.output
    b = json.loads(r.stdout)
    ea = {e["element"]: e["net_mg_l"] for e in a["elements"]}
    eb = {e["element"]: e["net_mg_l"] for e in b["elements"]}
    assert eb == pytest.approx(ea, rel=1e-9)
    assert b["amount_unit"] == "mmol/L of the digest"


def test_icp_toml(tmp_path, long_csv):
    toml = tmp_path / "run.toml"
    toml.write_text(f'data = "{long_csv.name}"\n[defaults]\ndigest_ml = 10.0\ndilution = [2, 5]\n[samples.S1]\nmass_mg = 2.0\n')
    r = _run(["icp", str(toml), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["samples"]["S1"]["dilution"] == 10 and d["samples"]["S1"]["mass_mg"] == 2.0
    assert all("wt_pct" in e for e in d["elements"])


def test_icp_text_report(long_csv):
    r = _run(["icp", str(long_csv), "--incoming", "Cu", "--host", "Cd", "--formula", "Cd34S33"])
    assert r.exit_code == 0, r.output
    assert "Cu_per_cluster" in r.stdout and "mass balance: consistent" in r.stdout


def test_eds_cli(tmp_path):
    p = tmp_path / "eds.csv"
    p.write_text("Spectrum,In stats.,C,O,Cu,Se,Cd,Total\nS1,Yes,20,5,50,24.5,0.5,100\nS2,Yes,25,5,46,23.6,0.4,100\nS3,Yes,15,4,54,26.5,0.5,100\n")
    out = tmp_path / "o"
    r = _run(["eds", str(p), "--elements", "Cu,Se,Cd", "--reference", "Se", "--incoming", "Cu", "--anion", "Se", "--json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["n_spots"] == 3 and d["ignored_columns"] == ["In stats.", "Total"]
    s = {row["element"]: row for row in d["summary"]}
    assert sum(row["at_pct_mean"] for row in s.values()) == pytest.approx(100)
    assert s["Cu"]["per_Se_mean"] == pytest.approx((50 / 24.5 + 46 / 23.6 + 54 / 26.5) / 3)
    assert "x in Cu(2-x)Se" in d["derived"]["quantities"]
    assert (out / "spots_per_Se.csv").exists()


def test_ratio_and_convert():
    r = _run(["ratio", "Ag=3.2+-0.03", "Cd=100", "--incoming", "Ag", "--host", "Cd", "--formula", "Cd34S33",
              "--added-per-host", "0.5", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["quantities"]["Ag_per_cluster"]["value"] == pytest.approx(1.088)
    assert d["mass_balance_ok"]
    r = _run(["ratio", "Cu=61.676", "Se=38.324", "--unit", "mass", "--incoming", "Cu", "--anion", "Se", "--json"])
    assert json.loads(r.stdout)["quantities"]["x in Cu(2-x)Se"]["value"] == pytest.approx(0.0, abs=1e-3)
    r = _run(["convert", "Cu=2", "Se=1", "--from", "at", "--json"])
    assert json.loads(r.stdout)["wt_pct"]["Cu"] == pytest.approx(61.676, abs=0.01)


def test_ratio_mass_balance_violation_text():
    r = _run(["ratio", "Cu=2.6+-0.05", "Cd=0.1", "--incoming", "Cu", "--host", "Cd", "--host-original", "1"])
    assert r.exit_code == 0
    assert "VIOLATED" in r.stdout and "exceeds 1" in r.stdout


def _one_error(r, match):
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert match in lines[0]
    assert r.stdout == ""


def test_bad_input_exit_2(tmp_path, long_csv):
    miss = tmp_path / "miss.csv"
    miss.write_text("sample,element,line_nm\nS1,Cu,324.754\n")
    _one_error(_run(["icp", str(miss)]), "missing column 'conc_mg_l'")
    neg = tmp_path / "neg.csv"
    neg.write_text(LONG.replace("S1,Cu,324.754,0.6362", "S1,Cu,324.754,-0.6362"))
    _one_error(_run(["icp", str(neg)]), "negative concentration")
    unk = tmp_path / "unk.csv"
    unk.write_text(LONG.replace("S1,Se,196.026,0.7900", "S1,Xx,196.026,0.7900"))
    _one_error(_run(["icp", str(unk)]), "unknown element 'Xx'")
    _one_error(_run(["icp", str(long_csv), "--digest-ml", "0"]), "--digest-ml must be > 0")
    toml = tmp_path / "zero.toml"
    toml.write_text(f'data = "{long_csv.name}"\n[defaults]\ndigest_ml = 0\n')
    _one_error(_run(["icp", str(toml)]), "digest_ml must be > 0")
    _one_error(_run(["icp", str(tmp_path / "nope.csv")]), "not found")
    _one_error(_run(["icp", str(long_csv), "--out", str(long_csv)]), "refusing to write output over input")


def test_bad_input_exit_2_ratio_eds(tmp_path):
    _one_error(_run(["ratio", "Cu=1", "Qq=2"]), "unknown element 'Qq'")
    _one_error(_run(["ratio", "Cu=1", "Cd=1", "--incoming", "Cu", "--host", "Cd", "--diameter-nm", "4"]), "needs --material")
    _one_error(_run(["ratio", "Cu=1", "Cd=1", "--ratio", "Cu/Zn"]), "needs Zn")
    eds = tmp_path / "eds.csv"
    eds.write_text("Spectrum,Cu,Se\nA,60,-40\n")
    _one_error(_run(["eds", str(eds)]), "negative amount")


def test_help_texts():
    for cmd in ("icp", "eds", "ratio", "convert"):
        r = _run([cmd, "--help"])
        assert r.exit_code == 0 and "--json" in r.stdout


def test_long_reader_aliases(tmp_path):
    from cationx.io.composition import read_icp

    p = tmp_path / "alias.csv"
    p.write_text("Sample Name;Element;Conc (ug/L);%RSD\nblank;Cd 228.802;1.0;5\nblank;Cd 228.802;1.2;5\nA;Cd 228.802;500;1.5\n")
    tidy, infos, default = read_icp(p)
    assert list(tidy.columns) >= ["sample", "element", "line_nm", "conc_mg_l"]
    assert tidy["line_nm"].iloc[0] == 228.802 and tidy["conc_mg_l"].iloc[2] == pytest.approx(0.5)
    assert tidy["rsd_pct"].iloc[2] == 1.5 and infos == {} and default == {}
    assert isinstance(tidy, pd.DataFrame)


def test_per_row_preparation_merges_with_command_line(tmp_path):
    """A mass_mg column per sample plus --digest-ml on the command line: both apply."""
    p = tmp_path / "prep.csv"
    p.write_text(LONG.replace("sample,element,line_nm,conc_mg_l", "sample,element,line_nm,conc_mg_l,mass_mg")
                 .replace("\nS1,Cd,228.802,0.5620\n", "\nS1,Cd,228.802,0.5620,2.0\n"))
    r = _run(["icp", str(p), "--digest-ml", "10", "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["samples"]["S1"] == pytest.approx({"digest_ml": 10.0, "digest_ml_u": 0.0, "dilution": 1.0, "dilution_u": 0.0,
                                                "mass_mg": 2.0, "mass_mg_u": 0.0, "volume_ml": None, "volume_ml_u": 0.0})
    cu = next(e for e in d["elements"] if e["element"] == "Cu")
    assert cu["wt_pct"] == pytest.approx(cu["mass_ug"] / 2000 * 100)
    _one_error(_run(["icp", str(p)]), "mass_mg or volume_ml needs digest_ml")


# a long export with per-replicate statistics, as instrument software writes it (own numbers):
# internal-standard rows without a concentration, calibration blanks, negative blank readings,
# calibration standards among the samples
LONG_EXPORT = """Sample ID,Analyte Name,Date,Elem,Wavelength,Int (Corr),Conc (Calib),RSD (Conc)
Calib Blank 1,Sc 361.383,1/1/2024,Sc,361.378,2.1e7,,
Calib Blank 1,Cd 228.802,1/1/2024,Cd,228.800,410.0,0.0003,12.0
blk,Cd 228.802,1/1/2024,Cd,228.800,395.0,-0.0004,25.0
blk,Cd 228.802,1/1/2024,Cd,228.800,402.0,0.0001,40.0
blk,Cu 324.754,1/1/2024,Cu,324.752,120.0,0.0002,30.0
blk,Cu 324.754,1/1/2024,Cu,324.752,118.0,-0.0003,30.0
blk,Cu 324.754,1/1/2024,Cu,324.752,121.0,0.0001,30.0
1ppm,Cd 228.802,1/1/2024,Cd,228.800,54606.0,1.0,0.2
1ppm,Cu 324.754,1/1/2024,Cu,324.752,81234.0,1.0,0.2
NC-1,Sc 361.383,1/1/2024,Sc,361.378,1.9e7,,
NC-1,Cd 228.802,1/1/2024,Cd,228.800,30120.0,0.5520,0.8
NC-1,Cu 324.754,1/1/2024,Cu,324.752,51020.0,0.6280,0.6
"""


def test_instrument_long_export(tmp_path):
    p = tmp_path / "export.csv"
    p.write_text(LONG_EXPORT)
    r = _run(["icp", str(p), "--sample", "NC-1", "--ratio", "Cu/(Cu+Cd)", "--json"])
    assert r.exit_code == 0, r.output
    assert "2 row(s) without a concentration skipped (Sc" in r.stderr
    d = json.loads(r.stdout)
    assert [e["sample"] for e in d["elements"]] == ["NC-1", "NC-1"]
    b = {x["element"]: x for x in d["blanks"]}
    assert b["Cd"]["n_blank"] == 3 and b["Cu"]["n_blank"] == 3  # "Calib Blank 1" and "blk" are blanks
    line = next(x for x in d["lines"] if x["element"] == "Cu")
    assert line["u_reading_mg_l"] == pytest.approx(0.6280 * 0.006)  # from %RSD
    assert line["line_nm"] == 324.752  # the Wavelength column, not the label
    mol_cu, mol_cd = 0.6280 / 63.546, (0.5520 - 0.0) / 112.41
    assert d["derived"]["NC-1"]["quantities"]["Cu/(Cu+Cd)"]["value"] == pytest.approx(mol_cu / (mol_cu + mol_cd), rel=1e-3)
    r = _run(["icp", str(p), "--sample", "NC-2"])
    assert r.exit_code == 2 and r.stderr.splitlines()[-1] == "error: sample(s) not in the table (or blanks): NC-2"
