"""A variant of an article's output: which clinic, which language, which edition."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BRAND = "default"
STANDARD = "standard"


@dataclass(frozen=True, order=True)
class Variant:
    """One cell of a catalog beside the article and the format: which clinic, language, edition."""

    brand: str = DEFAULT_BRAND
    language: str = ""
    edition: str = STANDARD

    @property
    def label(self) -> str:
        """How people read it: "eastside, large-print" ("" for the default clinic, standard edition)."""
        parts = [p for p in (self.brand, self.edition) if p not in (DEFAULT_BRAND, STANDARD)]
        return ", ".join(parts)
