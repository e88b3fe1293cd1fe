"""Deprecated: the ``schema`` command moved to :mod:`missingcare.cli.schema`."""

from missingcare._deprecated import moved

__getattr__ = moved(
    __name__,
    {
        "UnknownModelError": "missingcare.cli.UnusableInput",
        "schema_command": "missingcare.cli.schema.schema_command",
    },
)
