#!/usr/bin/env python3
"""Same check results from two versions of the code: for making the content checks faster.

Runs ``publish.py check --force`` on one project with the publishkit of OTHER (a checkout, e.g.
``git worktree add /tmp/old <commit>``) and with this repository's, and compares what each printed
and wrote to build/check.json, byte for byte. The project holds the seed article, the benchmark's
20 articles (bench_catalog.make_tree), and the Spanish, Chinese and Arabic articles of the tests
(with a longer Spanish one whose sections are ranked), and test_checks.py's articles (every claim,
images without alt text, headings, links and anchors, review dates). Only check.json's ``key`` may differ: it
hashes the checking code on purpose.

Usage: python benchmarks/check_parity.py OTHER [--articles 20]
Exit status 0 when identical, 1 when not (the first differing lines are printed).
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_catalog import EPOCH, REPO, SEED, make_tree

sys.path.insert(0, str(REPO / "tests"))
from conftest import Project
from test_checks import _write_articles
from test_checks_language import EASY_ES, HARD_ES
from test_scripts import ARABIC, CHINESE
from test_translations import ENGLISH, SPANISH


def _long_spanish() -> str:
    """SPANISH with a hard opening and two more sections long enough to be ranked."""
    body = SPANISH.replace("Tome este medicamento", HARD_ES + "Tome este medicamento")
    return body + f"\n## Fácil\n\n{EASY_ES} {EASY_ES}\n\n## Difícil\n\n{HARD_ES}\n"


def make_project(dest: Path, n: int) -> None:
    make_tree(dest, n)
    source = dest / "source"
    shutil.copy(REPO / "source" / f"{SEED}.md", source / f"{SEED}.md")
    for name, text in (
        ("dose", f'---\ntitle: "Test"\nsummary: "A short summary."\nreviewed: 2026-11-01\n---\n{ENGLISH}'),
        ("dose.es", _long_spanish()),  # a translation of dose.md
        ("corto", SPANISH),
        ("dose-ar", ARABIC),
        ("dose-zh", CHINESE),
    ):
        (source / f"{name}.md").write_text(text.lstrip(), encoding="utf-8")
    _write_articles(Project(dest))


def run_check(tree: Path, code: Path) -> dict[str, str]:
    """What ``check --force`` printed, its exit status, and check.json without the keys."""
    shutil.rmtree(tree / "publishkit")
    shutil.copytree(code / "publishkit", tree / "publishkit", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.rmtree(tree / "build", ignore_errors=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run(
        [sys.executable, "publish.py", "check", "--force"], cwd=tree, env=env, capture_output=True, text=True
    )
    data = json.loads((tree / "build" / "check.json").read_text(encoding="utf-8"))
    for entry in data["articles"].values():
        entry.pop("key", None)
    return {
        "exit status": str(done.returncode),
        "stdout": done.stdout,
        "stderr": done.stderr,
        "check.json": json.dumps(data, indent=2, ensure_ascii=False),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("other", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--articles", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="check-parity-") as tmp:
        tree = Path(tmp) / "project"
        make_project(tree, args.articles)
        before, after = run_check(tree, args.other), run_check(tree, REPO)
    same = True
    for what in before:
        if before[what] != after[what]:
            same = False
            print(f"{what} differs:")
            diff = difflib.unified_diff(before[what].splitlines(), after[what].splitlines(), lineterm="")
            print("\n".join(list(diff)[:40]))
    findings = after["check.json"].count('"level"')
    verdict = "identical" if same else "DIFFERENT"
    print(f"{verdict}: {findings} findings, {len(after['stdout'])} characters printed")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
