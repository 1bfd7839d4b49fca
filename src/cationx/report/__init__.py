"""Titration reports: one self-contained HTML page plus CSV tables and PNG figures."""

from cationx.report.titration import Report, write_report

__all__ = ["Report", "write_report"]
