"""Shards: split the planned jobs into N deterministic parts of about equal cost (`--shard K/N`).

Every copy of the command (a CI job matrix, a batch system running N copies) plans the same jobs
from the same sources and settings, so each can work out its own part alone: no scheduler, no
shared state. Shard then merge (cli/merge.py) gives the same files as one build.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..errors import PublishError
from ..formats import REGISTRY
from ..model.manifest import Key
from ..model.variant import Variant
from .plan import Job

# Each format declares the expected cost of one output (Format.cost, ms for a 6 kB article).
REFERENCE_BYTES = 6000  # the seed article's size: cost scales with the body beyond a fixed part
FIXED_SHARE = 0.4  # of a job's cost that does not grow with the article (startup, footer, fonts)
UNIT_COST = 60.0  # per article and variant in a shard: its checks and its share of the pandoc read

_SPEC = re.compile(r"([0-9]+)/([0-9]+)")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based, as people count
    count: int

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"


class ShardError(PublishError):
    category = "shard"


def parse_shard(text: str) -> Shard:
    """``K/N`` with 1 <= K <= N, as given to ``--shard``."""
    match = _SPEC.fullmatch(text.strip())
    if not match:
        raise ShardError(f"--shard takes K/N (for example 1/4), got '{text}'")
    index, count = int(match[1]), int(match[2])
    if count < 1 or not 1 <= index <= count:
        raise ShardError(f"--shard {text}: K must be between 1 and N, and N at least 1")
    return Shard(index, count)


def job_cost(job: Job) -> float:
    """The expected cost of one output: its format's weight, scaled by the article's size."""
    size = len(job.article.body.encode("utf-8"))
    base = REGISTRY[job.format].cost
    return base * (FIXED_SHARE + (1 - FIXED_SHARE) * size / REFERENCE_BYTES)


def _units(jobs: Iterable[Job]) -> dict[tuple[str, Variant], list[Job]]:
    """Jobs grouped by article and variant: the formats of one variant stay in one shard, so that
    the article is read, checked and converted once there (its pandoc read serves every format)."""
    units: dict[tuple[str, Variant], list[Job]] = {}
    for job in jobs:
        units.setdefault((job.article.slug, job.variant), []).append(job)
    return units


def partition(jobs: Sequence[Job], count: int) -> list[list[Job]]:
    """Split ``jobs`` into ``count`` parts of about equal expected cost, the same on every machine.

    Longest first, each to the least loaded part (ties: the lowest part, then the plan's order),
    the classic greedy schedule: within 4/3 of the best possible. A part may be empty when there
    are fewer article-variants than parts."""
    units = _units(jobs)
    costs = {u: UNIT_COST + sum(job_cost(j) for j in js) for u, js in units.items()}
    order = sorted(enumerate(units), key=lambda iu: (-round(costs[iu[1]], 6), iu[0]))
    loads = [0.0] * count
    part_of: dict[tuple[str, Variant], int] = {}
    for _position, unit in order:
        target = min(range(count), key=lambda i: (round(loads[i], 6), i))
        loads[target] += costs[unit]
        part_of[unit] = target
    parts: list[list[Job]] = [[] for _ in range(count)]
    for job in jobs:  # each part in the plan's order
        parts[part_of[(job.article.slug, job.variant)]].append(job)
    return parts


def keys_of(jobs: Sequence[Job], shard: Shard) -> set[Key]:
    """The manifest keys of this shard's jobs."""
    return {j.manifest_key for j in partition(jobs, shard.count)[shard.index - 1]}
