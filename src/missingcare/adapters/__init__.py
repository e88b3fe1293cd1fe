"""Adapters between missingcare values and external forms (statutory returns, schemas)."""

__all__: list[str] = []
