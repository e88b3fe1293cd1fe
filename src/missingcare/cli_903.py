"""Deprecated: the ``903`` command moved to :mod:`missingcare.cli.ssda903`."""

from missingcare._deprecated import moved

__getattr__ = moved(
    __name__,
    {
        "group": "missingcare.cli.ssda903.ssda903_group",
        "ssda903_group": "missingcare.cli.ssda903.ssda903_group",
    },
)
