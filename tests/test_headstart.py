"""A one-article build: no worker pool when a worker would only wait for its own warm-up, and the
renderers' slow imports started ahead of the first render (counted, never timed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import EPOCH, Project, make_project

# Counts the worker pools the build starts and the head starts of this process, and which slow
# modules were loaded before the first render began.
PROBE = """
import json, sys
from pathlib import Path
from publishkit.pipeline import chunk, headstart, workers
pools = []
class Counted(workers.ProcessPoolExecutor):
    def __init__(self, *args, **kwargs):
        pools.append(kwargs.get("max_workers"))
        super().__init__(*args, **kwargs)
workers.ProcessPoolExecutor = Counted
starts = []
real_start = headstart.start
def start(settings, formats, languages=()):
    starts.append(sorted(formats))
    real_start(settings, formats, languages)
headstart.start = start
workers.headstart.start = start
before_render = {}
real_render = chunk._render_one
def render(*args, **kwargs):
    if not before_render:
        import pyphen
        before_render.update(
            modules=sorted(m for m in ("weasyprint", "pikepdf", "pypdfium2") if m in sys.modules),
            hyphenation=len(pyphen.hdcache),
        )
    return real_render(*args, **kwargs)
chunk._render_one = render
from publishkit.cli.main import main
rc = main([*sys.argv[2:], "--quiet"], root=Path(sys.argv[1]))
print(json.dumps({"rc": rc, "pools": pools, "starts": starts, "before_render": before_render}))
"""


def _probe(proj: Project, *args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(proj.root), *args],
        cwd=proj.root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )
    assert result.returncode == 0, result.stderr
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def _outputs(proj: Project) -> dict[str, bytes]:
    return {
        p.relative_to(proj.build).as_posix(): p.read_bytes()
        for p in sorted((proj.build / "ketamine-neurobiology").rglob("*"))
        if p.is_file()
    }


def test_one_article_with_cached_checks_is_built_here_with_a_head_start(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic", seed=True)
    first = proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert first.returncode == 0, first.stderr
    before = _outputs(proj)

    report = _probe(proj, "all", "ketamine-neurobiology", "--force", "--jobs", "2")
    assert report == {
        "rc": 0,
        "pools": [],  # one worker would only have waited for its own WeasyPrint
        "starts": [["docx", "email", "eml", "pdf", "text"]],
        # Loaded by the head start, not by the first render: WeasyPrint, the PDF audit's readers
        # and the article's hyphenation patterns.
        "before_render": {"modules": ["pikepdf", "pypdfium2", "weasyprint"], "hyphenation": 1},
    }
    assert _outputs(proj) == before  # the same bytes as the build with --jobs 1


def test_an_article_to_check_gets_the_warm_worker_and_several_articles_get_workers(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic", seed=True)
    assert proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    article = proj.source / "sleep-basics.md"
    article.write_text(
        article.read_text(encoding="utf-8") + "\nOne more sentence to check.\n", encoding="utf-8"
    )

    # Its check runs in this process while the worker loads WeasyPrint: the pool pays.
    edited = _probe(proj, "all", "sleep-basics", "--jobs", "2")
    assert (edited["pools"], edited["starts"]) == ([1], [])

    several = _probe(proj, "all", "--force", "--jobs", "2")
    assert (several["pools"], several["starts"]) == ([2], [])

    alone = _probe(proj, "text", "sleep-basics", "--force", "--jobs", "2")  # no checks, one article
    assert alone["pools"] == []
    assert alone["before_render"] == {"modules": [], "hyphenation": 0}  # no page to lay out
