"""What a build reports: one Outcome per article and format, and the Report of the whole run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import PublishError
from ..model.manifest import ManifestEntry


@dataclass
class Outcome:
    slug: str
    format: str
    status: str  # built | unchanged | failed
    path: str = ""
    size: int = 0
    error: PublishError | None = None
    entry: ManifestEntry | None = None
    variant: str = ""  # "eastside, large-print"; "" for the default clinic's standard edition


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    errors: list[PublishError] = field(default_factory=list)  # problems not tied to one output
    warnings: list[PublishError] = field(default_factory=list)
    notes: list[PublishError] = field(default_factory=list)  # information only, never a failure

    @property
    def ok(self) -> bool:
        return not self.errors and all(o.status != "failed" for o in self.outcomes)


Progress = Callable[[Outcome], None]
