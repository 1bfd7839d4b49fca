"""Titration description files (TOML): schema, loading and validation."""

from cationx.titration.description import (
    TitrationDescription,
    json_schema,
    load_description,
)

__all__ = ["TitrationDescription", "json_schema", "load_description"]
