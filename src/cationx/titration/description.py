"""The titration description file (TOML), validated by a pydantic model.

Example (every key is documented in ``docs/titration.md``; the JSON schema is
:func:`json_schema`)::

    title = "CdSe + Cu+, run 3"

    [sample]
    material = "CdSe"              # CdSe, CdTe or CdS (Yu et al. 2003 sizing)
    phase = "zincblende"           # or "wurtzite"
    # exciton_nm = 585.0           # default: found in the first absorbance spectrum
    # diameter_nm = 4.0            # alternative to exciton_nm
    exciton_uncertainty_nm = 1.0
    path_length_cm = 1.0
    start_volume_ml = 3.0
    # nc_conc_molar = 1.2e-6       # default: Beer-Lambert from the first spectrum

    [titrant]
    ion = "Cu+"
    concentration_molar = 0.0016   # default for every addition

    [additions]                    # one entry per spectrum after the first
    volumes_ul = [10, 10, 10]
    # concentration_molar = [...]  # per addition, overrides [titrant]

    [absorbance]
    file = "uvvis.csv"             # relative to this file; or files = ["0uL.csv", ...]
    # format = "generic"           # jcamp, jasco, cary, shimadzu, generic (default: detected)
    # spectra = ["0 uL", ...]      # labels to use, in titration order (default: all)
    # product = "last"             # "last", a label, or product_file = "cu2se.csv"

    [pl]                           # optional
    file = "pl.csv"

    [processing]
    dilution_correction = false
    reference_ev = 1.82
    reference_half_width_nm = 3.0  # window averaged at 1.82 eV (wider = less noise; host must not absorb)
    exciton = "fixed"              # or "tracked"
    pl_reference_nm = 650.0
    pl_band_nm = [650.0, 900.0]
    baseline = "none"              # none, offset, asls, arpls, airpls, modpoly, imodpoly, snip
    reliable_max_absorbance = 3.0

    [fit]
    model = "nucleation"           # white2013, ladder, nucleation, mwc, lattice, independent
    # sites = 678                  # default: host cations (sizing) / host_per_site
    host_per_site = 1              # host cations per step
    ions_per_host = 2              # incoming ions per host cation released (m)
    units = "molar"                # real NC concentration; "per_nc": the paper's toy units (sites = 20)
    observable = "product"         # the 1.82 eV fraction is product material ("exchanged": whole NCs)
    exciton_observable = "host"    # fit the exciton fraction too: pristine NCs ("unexchanged", "none")
    nc_conc_rel_sd = 0.1           # NC concentration uncertainty, fitted as a nuisance factor
    # fraction_scale_sd = 0.01     # uncertainty of the 100 % reference spectra (default: from the noise)
    ci = "profile"                 # profile, bootstrap, stderr, none
"""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from cationx._validation import check_existing_file
from cationx.errors import DataFileError, InputError, ParseError
from cationx.io.formats import SPECTRA_FORMATS
from cationx.materials import MATERIALS, PHASES
from cationx.spectra.baseline import BASELINE_METHODS

# the choices below are the vocabularies of the modules that implement them
# (Literal[tuple] is the Literal of the tuple's members)


def _choice_of(module: str, name: str) -> Any:
    """A text field restricted to the vocabulary ``module.name``, looked up when a value is
    validated or the JSON schema is built: the model presets and the interval methods live in
    modules that import SciPy, pandas and lmfit, which reading a description must not pay for."""

    def allowed() -> tuple[str, ...]:
        return tuple(getattr(importlib.import_module(module), name))

    def check(value: str) -> str:
        choices = allowed()
        if value not in choices:
            listed = ", ".join(repr(c) for c in choices[:-1])
            raise ValueError(f"Input should be {listed} or {choices[-1]!r}")
        return value

    def schema(js: dict[str, Any]) -> None:
        js["enum"] = list(allowed())

    return Annotated[str, AfterValidator(check), Field(json_schema_extra=schema)]


_Material = Literal[MATERIALS]  # type: ignore[valid-type]
_Phase = Literal[PHASES]  # type: ignore[valid-type]
_Format = Literal[SPECTRA_FORMATS]  # type: ignore[valid-type]
_Baseline = Literal[BASELINE_METHODS]  # type: ignore[valid-type]
_Model = _choice_of("cationx.cooperative.models", "PRESETS")
_Ci = _choice_of("cationx.fitting", "CI_METHODS")

__all__ = ["TitrationDescription", "json_schema", "load_description"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# Plausibility bounds of a bench titration: far outside them a value is a typing or unit error
# (uL for mL, M for mM), and the linear algebra downstream would fail without saying why.
MIN_START_VOLUME_ML = 0.001  # 1 uL
MAX_START_VOLUME_ML = 10_000.0  # 10 L
MAX_DILUTION = 100.0  # (start + added volume) / start volume
MAX_ADDITION_UL = 1_000_000.0  # 1 L per addition
MAX_CONCENTRATION_MOLAR = 20.0  # no titrant salt is more concentrated


class Sample(_Strict):
    material: _Material = "CdSe"
    phase: _Phase = "zincblende"
    exciton_nm: float | None = Field(None, gt=0, description="First-exciton wavelength, nm (default: detected)")
    diameter_nm: float | None = Field(None, gt=0, description="NC diameter, nm (alternative to exciton_nm)")
    exciton_uncertainty_nm: float = Field(1.0, ge=0)
    path_length_cm: float = Field(1.0, gt=0)
    start_volume_ml: float = Field(ge=MIN_START_VOLUME_ML, le=MAX_START_VOLUME_ML, description="Volume before any addition, mL")
    nc_conc_molar: float | None = Field(None, gt=0, description="NC concentration, M (default: Beer-Lambert)")
    density_g_cm3: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one_size(self) -> Sample:
        if self.exciton_nm is not None and self.diameter_nm is not None:
            raise ValueError("give exciton_nm or diameter_nm, not both")
        return self


class Titrant(_Strict):
    ion: str = "Cu+"
    concentration_molar: float | None = Field(None, ge=0, le=MAX_CONCENTRATION_MOLAR)


class Additions(_Strict):
    volumes_ul: list[float] = Field(min_length=1, description="Volume of each addition, uL")
    concentration_molar: float | list[float] | None = None

    @field_validator("volumes_ul")
    @classmethod
    def _nonneg(cls, v: list[float]) -> list[float]:
        for i, val in enumerate(v):
            if val < 0:
                raise ValueError(f"addition {i + 1} has a negative volume ({val} uL)")
            if val > MAX_ADDITION_UL:
                raise ValueError(f"addition {i + 1} is {val:g} uL, above {MAX_ADDITION_UL:g} uL (1 L): check the unit (uL)")
        if not sum(v) > 0:
            raise ValueError("every addition volume is 0: nothing is titrated")
        return v


class _Series(_Strict):
    file: str | None = Field(None, description="One file holding every spectrum (columns/blocks)")
    files: list[str] | None = Field(None, description="One file per spectrum, in titration order")
    format: _Format | None = None
    spectra: list[str] | None = Field(None, description="Labels to use from `file`, in titration order")

    @model_validator(mode="after")
    def _one_source(self) -> _Series:
        if (self.file is None) == (self.files is None):
            raise ValueError("give file (all spectra in one file) or files (one per spectrum), not both")
        if self.files is not None and self.spectra is not None:
            raise ValueError("spectra selects labels within file; with files, list the files instead")
        return self

    def paths(self) -> list[str]:
        return [self.file] if self.file is not None else list(self.files or [])


class SpectraFile(_Series):
    product: str = "last"
    product_file: str | None = None


class PLFile(_Series):
    pass


class Processing(_Strict):
    dilution_correction: bool = False
    reference_ev: float = Field(1.82, gt=0)
    reference_half_width_nm: float = Field(
        3.0, gt=0, le=200, description="Half width of the window averaged at the reference energy (wider: less noise; the host must not absorb in it)"
    )
    exciton: Literal["fixed", "tracked"] = "fixed"
    exciton_window_nm: tuple[float, float] | None = None
    pl_reference_nm: float = Field(650.0, gt=0)
    pl_band_nm: tuple[float, float] = (650.0, 900.0)
    baseline: _Baseline = "none"
    baseline_window_nm: tuple[float, float] | None = None
    reliable_max_absorbance: float | None = Field(3.0, gt=0)
    isosbestic_window_nm: tuple[float, float] | None = None


class Fit(_Strict):
    model: _Model = "white2013"
    sites: int | None = Field(
        None, ge=1, description="Exchange steps n; default: host cations from sizing / host_per_site (molar units), 20 (per_nc)"
    )
    host_per_site: int = Field(1, ge=1, description="Host cations per step h (a step takes m h ions, releases h)")
    ions_per_host: int = Field(
        2, ge=1,
        description="Incoming ions per host cation released (m; 2 for Cu+/Ag+ -> Cd2+); the older name ions_per_site "
        "is read as this when host_per_site = 1",
    )
    units: Literal["per_nc", "molar"] = Field(
        "molar", description="molar: real NC concentration, n fixed by stoichiometry; per_nc: the paper's toy units"
    )
    observable: Literal["product", "exchanged"] = Field(
        "product", description="What the 1.82 eV fraction measures: product material (default) or fully exchanged NCs"
    )
    exciton_observable: Literal["host", "unexchanged", "none"] = Field(
        "host", description="Also fit the exciton fraction as pristine NCs (host), pure + doped (unexchanged), or not"
    )
    nc_conc_rel_sd: float = Field(0.1, ge=0, le=2, description="Relative uncertainty of the NC concentration (0: exact)")
    fraction_scale_sd: float | None = Field(
        None, ge=0, le=1,
        description="Relative uncertainty of each fraction's 100 % reference spectrum; default: from the spectral noise (0: exact)",
    )
    ci: _Ci = "profile"
    hill_ci: _Ci = "profile"

    @model_validator(mode="before")
    @classmethod
    def _older_ions_per_site(cls, data: Any) -> Any:
        """``ions_per_site`` (earlier descriptions) means ``ions_per_host`` when a step is one host cation."""
        if not isinstance(data, dict) or "ions_per_site" not in data:
            return data
        data = dict(data)
        value = data.pop("ions_per_site")
        if "ions_per_host" in data:
            raise ValueError("give ions_per_host, not also its older name ions_per_site")
        if data.get("host_per_site", 1) != 1:
            raise ValueError(
                "ions_per_site is ambiguous when host_per_site > 1 (a step takes m h ions): give ions_per_host, "
                "the incoming ions per host cation released (2 for Cu+/Ag+ -> Cd2+)"
            )
        data["ions_per_host"] = value
        return data


class TitrationDescription(_Strict):
    """A whole titration: sample, titrant, additions, spectra files and processing options."""

    title: str = "titration"
    sample: Sample
    titrant: Titrant = Titrant()
    additions: Additions
    absorbance: SpectraFile
    pl: PLFile | None = None
    processing: Processing = Processing()
    fit: Fit = Fit()
    base_dir: str = Field(".", description="Folder the file paths are relative to (set on loading)")

    @model_validator(mode="after")
    def _dilution(self) -> TitrationDescription:
        added_ml = sum(self.additions.volumes_ul) / 1000.0
        factor = (self.sample.start_volume_ml + added_ml) / self.sample.start_volume_ml
        if factor > MAX_DILUTION:
            raise ValueError(
                f"the additions ({added_ml:g} mL in all) dilute the start volume ({self.sample.start_volume_ml:g} mL) "
                f"{factor:.3g}-fold, above {MAX_DILUTION:g}-fold: check the units (start_volume_ml in mL, volumes_ul in uL)"
            )
        return self

    def path(self, name: str) -> Path:
        p = Path(name)
        return p if p.is_absolute() else Path(self.base_dir) / p

    def input_files(self) -> list[Path]:
        files = [self.path(f) for f in self.absorbance.paths()]
        if self.absorbance.product_file:
            files.append(self.path(self.absorbance.product_file))
        if self.pl is not None:
            files.extend(self.path(f) for f in self.pl.paths())
        return files

    def addition_concentrations(self) -> list[float]:
        n = len(self.additions.volumes_ul)
        c = self.additions.concentration_molar
        if c is None:
            if self.titrant.concentration_molar is None:
                raise InputError("give [titrant] concentration_molar or [additions] concentration_molar")
            return _some_titrant([self.titrant.concentration_molar] * n, self.additions.volumes_ul)
        values = [float(c)] * n if isinstance(c, float | int) else [float(v) for v in c]
        if len(values) != n:
            raise InputError(f"[additions] has {n} volumes but {len(values)} concentrations")
        if any(v < 0 for v in values):
            raise InputError("[additions] concentration_molar must be >= 0")
        if any(v > MAX_CONCENTRATION_MOLAR for v in values):
            raise InputError(f"[additions] concentration_molar must be <= {MAX_CONCENTRATION_MOLAR:g} M (check the unit)")
        return _some_titrant(values, self.additions.volumes_ul)


def _some_titrant(conc: list[float], volumes_ul: list[float]) -> list[float]:
    """Refuse additions that deliver no titrant at all (a half-exchange point would be fiction)."""
    if not any(c > 0 and v > 0 for c, v in zip(conc, volumes_ul, strict=True)):
        raise InputError("the titrant concentration is 0 for every addition: no ions are added, so no exchange can be measured")
    return conc


def json_schema() -> dict[str, Any]:
    """JSON schema of the description file."""
    return TitrationDescription.model_json_schema()


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"]) or "file"
    msg = err["msg"].removeprefix("Value error, ")
    extra = f" ({len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
    return f"{loc}: {msg}{extra}"


def load_description(path: str | Path, *, check_files: bool = True) -> TitrationDescription:
    """Read and validate a description; with ``check_files`` every named file must exist."""
    p = check_existing_file(path, "titration description")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise ParseError(f"{p.name}: invalid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise DataFileError(f"{p.name} is not UTF-8 text") from None
    data.setdefault("base_dir", str(p.parent))
    try:
        desc = TitrationDescription.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{p.name}: {_first_error(exc)}") from None
    if check_files:
        for f in desc.input_files():
            if not f.exists():
                raise DataFileError(f"{p.name} names a file that does not exist: {f}")
    return desc
