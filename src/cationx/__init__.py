"""cationx: simulate and analyse cation exchange in semiconductor nanocrystals."""

from cationx.errors import CationxError, FitError, InputError, ParseError

__version__ = "0.1.0"

__all__ = ["CationxError", "FitError", "InputError", "ParseError", "__version__"]
