"""The one exception hierarchy of cationx.

Every error the toolkit raises on purpose derives from :class:`CationxError`, so a
caller (and the command-line interface, which turns it into one line on stderr and
exit code 2) can catch them all at once.  The subclasses also derive from the
built-in exception a Python user would expect (``InputError`` and its subclasses are
``ValueError``, ``FitError`` a ``RuntimeError``), so ``except ValueError`` keeps working
in notebooks.

Tree::

    CationxError
    ├── InputError(ValueError)          bad argument or value at an API boundary
    │   ├── ParseError                  text that could not be parsed (file, formula, TOML)
    │   └── DataFileError               a file that is missing, empty or of unknown layout
    ├── FitError(RuntimeError)          a fit that did not converge or is not identifiable
    └── ModelError(ArithmeticError)     a model evaluated outside its domain

    CationxWarning(UserWarning)
    ├── ConvergenceWarning              a fit converged poorly, or an interval is unreliable
    ├── InterpretationWarning           a number is valid but easy to over-interpret
    └── DataFileWarning                 a file was read, but part of it was ignored or assumed
"""

from __future__ import annotations

__all__ = [
    "CationxError",
    "CationxWarning",
    "ConvergenceWarning",
    "DataFileError",
    "DataFileWarning",
    "FitError",
    "InputError",
    "InterpretationWarning",
    "ModelError",
    "ParseError",
]


class CationxError(Exception):
    """Base class of every error raised on purpose by cationx."""


class InputError(CationxError, ValueError):
    """An argument or value violates a documented rule (names the argument and the rule)."""


class ParseError(InputError):
    """Text that could not be parsed; the message gives the position where known."""

    def __init__(self, message: str, *, position: int | None = None, line: int | None = None):
        self.position = position
        self.line = line
        super().__init__(message)


class DataFileError(InputError):
    """A data file that is missing, empty, unreadable or of a layout cationx cannot recognise."""


class FitError(CationxError, RuntimeError):
    """A fit that failed: did not converge, or its parameters are not determined by the data."""


class ModelError(CationxError, ArithmeticError):
    """A model evaluated where it is not defined (e.g. outside a calibration range, if strict)."""


class CationxWarning(UserWarning):
    """Base class of cationx warnings."""


class ConvergenceWarning(CationxWarning):
    """A fit converged poorly, or an uncertainty estimate is unreliable."""


class InterpretationWarning(CationxWarning):
    """A valid number that is easy to over-interpret (e.g. a Hill coefficient fitted on totals)."""


class DataFileWarning(CationxWarning):
    """A file was read, but rows were ignored, points merged or columns assumed (the message says which)."""
