"""publish.py ends without the interpreter's teardown walking every object it loaded (cli.main.leave)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import EPOCH, Project

# Runs publish.py as a user does, with one thing more: a function run after every other atexit
# function (the first registered runs last) writes how many objects are frozen then, out of all
# the collector tracks, to the file named first.
PROBE = """
import atexit, gc, os, runpy, sys
out = sys.argv.pop(1)
def last():
    with open(out, "w") as fh:
        fh.write(f"{gc.get_freeze_count()} {len(gc.get_objects())}")
atexit.register(last)
sys.argv[0] = "publish.py"
runpy.run_path("publish.py", run_name="__main__")
"""

BODY = "Rest well, drink plenty of water, and go to bed at the same time each night."


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["all", "calm", "--jobs", "1", "--quiet"], 0),  # WeasyPrint's fonts in this process
        (["all", "calm", "--jobs", "2", "--quiet"], 0),  # the helper's
        (["pdf", "nope"], 1),
    ],
)
def test_the_teardown_walks_nothing_the_command_loaded(project: Project, args: list[str], code: int) -> None:
    project.article("calm", BODY)
    counts = project.root / "counts.txt"
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(counts), *args],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    frozen, tracked = map(int, counts.read_text().split())
    # Everything the command loaded is frozen: at least 20,000 objects (argparse, publishkit and
    # their imports), and what the atexit functions made since is a few hundred at most.
    assert frozen > 20_000 and tracked < frozen // 20, (frozen, tracked)
