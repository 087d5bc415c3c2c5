"""Installed package versions, for the records that say how a result or a model was made."""
from __future__ import annotations

from importlib import metadata


def package_versions(names) -> dict[str, str]:
    """The version of each package in `names` that is installed (the others are left out)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions
