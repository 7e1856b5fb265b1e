"""publishkit: one health article, published as PDF handout, DOCX, email and plain text."""

from __future__ import annotations

from .errors import AuditError, ConfigError, PublishError, RegistryError, RenderError, SourceError

__version__ = "0.1.0"

__all__ = [
    "AuditError",
    "ConfigError",
    "PublishError",
    "RegistryError",
    "RenderError",
    "SourceError",
    "__version__",
]
