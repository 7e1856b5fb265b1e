"""A one-article build: the handout laid out by one helper process on the other core while this
process renders the other formats, the renderers' slow imports started ahead of the first render,
and the same bytes as a build in one process (counted, never timed)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EPOCH, Project, make_project, run_probe

# Counts the worker pools and helpers the build starts and the head starts of this process, and
# for every render: which process made it, which slow modules that process had loaded by then,
# and whether its loaded objects were frozen out of the garbage collector's walks.
# A render in the helper (a fork of this process, with these patches) logs to PROBE_LOG too.
PROBE = """
import gc, json, os, sys
from pathlib import Path
from publishkit.pipeline import headstart, render, workers
LOG, MAIN = Path(os.environ["PROBE_LOG"]), os.getpid()
pools = []
class Counted(workers.ProcessPoolExecutor):
    def __init__(self, *args, **kwargs):
        pools.append(["pool", kwargs.get("max_workers")])
        super().__init__(*args, **kwargs)
class CountedHelper(workers.Helper):
    def __init__(self, *args, **kwargs):
        pools.append(["helper", kwargs.get("max_workers")])
        super().__init__(*args, **kwargs)
workers.ProcessPoolExecutor, workers.Helper = Counted, CountedHelper
starts = []
real_start = headstart.start
def start(settings, formats, languages=(), **more):
    starts.append(sorted(formats))
    real_start(settings, formats, languages, **more)
headstart.start = start
workers.headstart.start = start
def seen(fmt, **more):
    import pyphen
    seen = {
        "format": fmt,
        "process": "main" if os.getpid() == MAIN else "helper",
        "modules": sorted(m for m in ("weasyprint", "pikepdf", "pypdfium2") if m in sys.modules),
        "hyphenation": len(pyphen.hdcache),
        "font setups": len(sys.modules["publishkit.formats.pdf"]._FONT_CONFIGS),
        "settled": gc.get_freeze_count() > 0 and gc.isenabled(),
        **more,
    }
    with LOG.open("a") as log:
        log.write(json.dumps(seen) + "\\n")
real_render, real_lay_out, real_prove = render.render_one, render.lay_out_elsewhere, render.prove
def render_one(settings, registries, job, *args):
    seen(job.format)
    return real_render(settings, registries, job, *args)
def lay_out_elsewhere(args):
    if os.environ.get("PROBE_KILL_HELPER"):
        os._exit(3)  # the helper process dies under its first job
    seen(args[0].format)
    return real_lay_out(args)
def prove(renderer, *args):
    seen(renderer.name, proof=True)
    return real_prove(renderer, *args)
render.render_one, render.lay_out_elsewhere, render.prove = render_one, lay_out_elsewhere, prove
from publishkit.cli.main import main
rc = main([*sys.argv[2:], "--quiet"], root=Path(sys.argv[1]))
out = {"rc": rc, "pools": pools, "starts": starts, "weasyprint_here": "weasyprint" in sys.modules}
print(json.dumps({**out, "frozen after": gc.get_freeze_count()}))
"""


def _probe(proj: Project, *args: str, kill_helper: bool = False) -> dict[str, object]:
    log = proj.root.parent / "renders.jsonl"
    log.unlink(missing_ok=True)
    env = {"PROBE_LOG": str(log)}
    if kill_helper:
        env["PROBE_KILL_HELPER"] = "1"
    report = run_probe(PROBE, proj.root, *args, env=env)
    lines = (
        [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    )
    report["renders"] = sorted((r for r in lines if not r.get("proof")), key=lambda r: str(r["format"]))
    report["proofs"] = sorted((r["format"], r["process"], r["modules"]) for r in lines if r.get("proof"))
    return report


def _outputs(proj: Project) -> dict[str, bytes]:
    return {
        p.relative_to(proj.build).as_posix(): p.read_bytes()
        for p in sorted((proj.build / "ketamine-neurobiology").rglob("*"))
        if p.is_file()
    }


def _here(fmt: str) -> dict[str, object]:
    """A render in this process while the helper lays out the handout: it has loaded none of the
    handout's modules, and what it has loaded is frozen out of its collections (render.Helper)."""
    return {
        "format": fmt,
        "process": "main",
        "modules": [],
        "hyphenation": 0,
        "font setups": 0,
        "settled": True,
    }


# Loaded by the helper's warm-up before the handout arrives: WeasyPrint and the article's
# hyphenation patterns; not the fonts, which the handout itself loads (a one-line rehearsal
# would cost the helper more than it saves the handout: see README), nor the PDF audit's readers
# (this process audits the handout). What it inherited and loaded is frozen, and collections
# are on again for the handout's objects.
HANDOUT_IN_HELPER = {
    "format": "pdf",
    "process": "helper",
    "modules": ["weasyprint"],
    "hyphenation": 1,
    "font setups": 0,
    "settled": True,
}


def test_one_article_lays_out_its_handout_in_a_helper_with_the_bytes_of_one_process(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic", seed=True)
    first = proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert first.returncode == 0, first.stderr
    before = _outputs(proj)

    report = _probe(proj, "all", "ketamine-neurobiology", "--force", "--jobs", "2")
    assert report == {
        "rc": 0,
        "pools": [["helper", 1]],  # one helper process, no pool
        # No head start here: the rest's imports at their first render, after the handout's page
        # is composed and sent (a thread importing them slowed the conversion on its way there).
        "starts": [],
        "weasyprint_here": False,  # this process never imported WeasyPrint
        "frozen after": 0,  # let back into the collections when the helper is shut down
        "renders": [
            _here("docx"),
            _here("email"),
            _here("eml"),
            HANDOUT_IN_HELPER,
            _here("text"),
        ],
        # Every output read back and audited here, the handout too (the helper only lays it out),
        # with the PDF's readers imported while the helper lays it out, after the other renders.
        "proofs": [
            ("docx", "main", []),
            ("email", "main", []),
            ("eml", "main", []),
            ("pdf", "main", ["pikepdf", "pypdfium2"]),
            ("text", "main", []),
        ],
    }
    assert _outputs(proj) == before  # the same bytes as the build with --jobs 1

    # --jobs 1: one process, the head start in a thread loads WeasyPrint before the first render.
    alone = _probe(proj, "all", "ketamine-neurobiology", "--force", "--jobs", "1")
    assert (alone["pools"], alone["starts"]) == ([], [["docx", "email", "eml", "pdf", "text"]])
    loaded = {(r["process"], tuple(r["modules"]), r["hyphenation"], r["settled"]) for r in alone["renders"]}  # type: ignore[index]
    assert loaded == {("main", ("pikepdf", "pypdfium2", "weasyprint"), 1, False)}  # before every render
    assert alone["frozen after"] == 0  # without a helper, nothing was frozen here
    # The handout, rendered first, loads the fonts itself: no one-line rehearsal in the thread.
    assert [r["font setups"] for r in alone["renders"] if r["format"] == "pdf"] == [0]  # type: ignore[index]
    assert _outputs(proj) == before


def test_a_helper_that_dies_leaves_the_handout_to_this_process(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic", seed=True)
    assert proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    before = _outputs(proj)

    report = _probe(proj, "all", "ketamine-neurobiology", "--force", "--jobs", "2", kill_helper=True)
    assert report["pools"] == [["helper", 1]]
    assert [(r["format"], r["process"]) for r in report["renders"]] == [  # type: ignore[index]
        ("docx", "main"),
        ("email", "main"),
        ("eml", "main"),
        ("pdf", "main"),  # rendered, read back and audited here instead
        ("text", "main"),
    ]
    assert _outputs(proj) == before


def test_an_article_to_check_gets_the_helper_and_several_articles_get_workers(tmp_path: Path) -> None:
    proj = make_project(tmp_path / "p", "basic", seed=True)
    assert proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    article = proj.source / "sleep-basics.md"
    article.write_text(
        article.read_text(encoding="utf-8") + "\nOne more sentence to check.\n", encoding="utf-8"
    )

    # Its check runs in this process while the helper loads WeasyPrint, then lays out the handout.
    edited = _probe(proj, "all", "sleep-basics", "--jobs", "2")
    assert (edited["pools"], edited["starts"]) == ([["helper", 1]], [])
    assert [r for r in edited["renders"] if r["format"] == "pdf"] == [HANDOUT_IN_HELPER]  # type: ignore[index]

    several = _probe(proj, "all", "--force", "--jobs", "2")
    assert (several["pools"], several["starts"]) == ([["pool", 2]], [])
    workers = {(r["process"], r["settled"]) for r in several["renders"]}  # type: ignore[index]
    assert workers == {("helper", True)}  # every render in a pool worker, warmed up settled

    alone = _probe(proj, "text", "sleep-basics", "--force", "--jobs", "2")  # one article, no handout
    assert (alone["pools"], alone["starts"]) == ([], [["text"]])
    assert alone["renders"] == [{**_here("text"), "settled": False}]  # no page to lay out, no helper


# A one-article build whose audit readers are not imported ahead: which of them the handout's
# audit imported on its own.
UNUSED_PROBE = """
import json, sys
from pathlib import Path
from publishkit.pipeline import headstart
headstart.audit_readers = lambda: None
from publishkit.cli.main import main
rc = main([*sys.argv[2:], "--quiet"], root=Path(sys.argv[1]))
print(json.dumps({"rc": rc, "not imported": [m for m in headstart.AUDIT_MODULES if m not in sys.modules]}))
"""


def test_the_audit_readers_imported_ahead_are_the_ones_the_audit_imports(tmp_path: Path) -> None:
    """Each module imported ahead of the handout's audit is one its audit imports anyway (one
    was not: fontTools' glyph list, 7 to 11 ms, once the gate stopped reading glyph names)."""
    proj = make_project(tmp_path / "p", "basic", seed=True)
    report = run_probe(UNUSED_PROBE, proj.root, "all", "ketamine-neurobiology", "--force", "--jobs", "2")
    assert report == {"rc": 0, "not imported": []}


# When the helper starts and the handout is composed, against when the manifest is read.
ORDER_PROBE = """
import json, sys
from pathlib import Path
from publishkit.formats import REGISTRY
from publishkit.pipeline import build, finish, workers
order = []
real_load = build.load_manifest
def load_manifest(*args):
    order.append("manifest")
    return real_load(*args)
build.load_manifest = finish.load_manifest = load_manifest
pdf = REGISTRY["pdf"]
real_compose = pdf.compose
def compose(*args):
    order.append("handout")
    return real_compose(*args)
pdf.compose = compose
class Helper(workers.Helper):
    def __init__(self, *args, **kwargs):
        order.append("helper")
        super().__init__(*args, **kwargs)
workers.Helper = Helper
from publishkit.cli.main import main
rc = main([*sys.argv[2:], "--quiet", "--jobs", "2"], root=Path(sys.argv[1]))
print(json.dumps({"rc": rc, "order": order}))
"""


def test_with_force_the_manifest_is_read_while_the_helper_lays_out(tmp_path: Path) -> None:
    """--force builds every planned job, so the helper need not wait for the manifest, nor the
    handout: the manifest is read while the helper lays it out. Without --force, what to build
    (and whether there is a handout) is known only from it."""
    proj = make_project(tmp_path / "p", "basic", seed=True)
    assert proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH}).returncode == 0
    built, manifest = _outputs(proj), (proj.build / "manifest.json").read_bytes()
    forced = run_probe(ORDER_PROBE, proj.root, "all", "ketamine-neurobiology", "--force")
    assert forced == {"rc": 0, "order": ["helper", "handout", "manifest"]}
    assert _outputs(proj) == built and (proj.build / "manifest.json").read_bytes() == manifest
    unchanged = run_probe(ORDER_PROBE, proj.root, "all", "ketamine-neurobiology")
    assert unchanged == {"rc": 0, "order": ["manifest"]}
    article = proj.source / "ketamine-neurobiology.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    edited = run_probe(ORDER_PROBE, proj.root, "all", "ketamine-neurobiology")
    assert edited == {"rc": 0, "order": ["manifest", "helper", "handout"]}
    assert proj.run("verify").returncode == 0
