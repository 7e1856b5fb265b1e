"""The catalog benchmark runs end to end on a tiny catalog and prints every figure (not timed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_catalog.py"


def test_benchmark_smoke_run_prints_every_figure() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--articles", "2", "--repeats", "1", "--jobs", "2", "--no-memory-50"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for figure in (
        "(a) pandoc peer, 2 articles, sequential",
        "peer: four commands for one article",
        "(b) publish.py all --force, 2 articles, clean",
        "(c) publish.py all, nothing changed",
        "(d) publish.py all <one article>, clean",
        "(e) floor: WeasyPrint alone, 2 pages, 1 process",
        "peak memory of (b), 2 articles: largest process",
        "speed-up over the pandoc peer",
        "cost over the WeasyPrint floor",
        "one article <= the peer's four commands",
        "nothing changed < 5% of the full build",
        "peak memory",
        "(f) publish.py all <one article> --force",
        "peer: four commands, the same article",
        "(g) 2 shards at once, merged",
        "(f)/peer one article, ratio of medians <= 1.0",
        "(h) one edit under watch, save to new PDF",
        "(h) one edit under watch <= 0.6 s (median)",
    ):
        assert figure in out, f"{figure!r} missing from:\n{out}"
    # Every target row ends in a verdict.
    rows = [
        line for line in out.splitlines() if line.startswith(("(a)/(b)", "(b)/(e)", "(d) one", "(c)/(b)"))
    ]
    shard_row = [line for line in out.splitlines() if line.startswith("(g) shards merged")]
    assert len(shard_row) == 1 and shard_row[0].rstrip().endswith("identical  PASS"), out
    assert len(rows) == 4 and all(line.rstrip().endswith(("PASS", "FAIL")) for line in rows), rows
