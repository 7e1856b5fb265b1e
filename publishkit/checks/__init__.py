"""The check registry: one small object per content check, registered explicitly by name.

A new check is a ``Check`` subclass (``publishkit.checks.base``) and one ``register()`` call;
``publish.py check`` and the checks before ``publish.py all`` run every registered check.
The built-in ones are registered on first use, not at import: ``model.settings`` reads the claim
list from ``checks.claims`` while it is itself being imported."""

from __future__ import annotations

from .base import Check, Content, Dated, Finding

__all__ = ["Check", "Content", "Dated", "Finding", "register", "registry", "unregister"]

_REGISTRY: dict[str, Check] = {}


def _builtin() -> None:
    if not _REGISTRY:
        from .builtin import BUILTIN

        for check in BUILTIN:
            _REGISTRY[check.name] = check


def register(check: Check) -> Check:
    """Add a check; a name used twice is a mistake, refused."""
    _builtin()
    if check.name in _REGISTRY:
        raise ValueError(f"check '{check.name}' is registered twice")
    _REGISTRY[check.name] = check
    return check


def unregister(name: str) -> None:
    """Take a check out again (the tests' own checks, after the test)."""
    _REGISTRY.pop(name, None)


def registry() -> dict[str, Check]:
    """Every registered check by name, the built-in ones first."""
    _builtin()
    return dict(_REGISTRY)
