"""The end of a one-article build worked out ahead, while this process waits on the helper's
handout (pipeline/finish.py): check.json and the other articles' gallery cards. The files it ends
with are those of a build without the head start, byte for byte; a card whose outputs or errors
changed after it was drafted is made again; a head start that fails costs nothing (counted, never
timed)."""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import EPOCH, Project, make_project, run_probe

# Records each gallery card made, and whether Finish.ahead was running then. PROBE_AHEAD=off
# takes the head start away (the build as before it); PROBE_AHEAD=fail makes it raise.
PROBE = """
import json, os, sys
from pathlib import Path
from publishkit.pipeline import finish, site
from publishkit.site import gallery
made, phase = [], ["build"]
real_card = gallery.make_card
def make_card(settings, registry, path, *args):
    variant = args[-1] if len(args) == 4 else ("default", "standard")
    made.append([phase[0], path.stem, *variant])
    return real_card(settings, registry, path, *args)
gallery.make_card = make_card
compiled = []
real_environment = gallery._environment
def _environment(settings):
    compiled.append(phase[0])
    return real_environment(settings)
gallery._environment = _environment
real_ahead = finish.Finish.ahead
def ahead(self, entries, building, *rest):
    phase[0] = "ahead"
    try:
        if os.environ.get("PROBE_AHEAD") != "off":
            real_ahead(self, entries, building, *rest)
    finally:
        phase[0] = "finish"
finish.Finish.ahead = ahead
swept, saved = [], []
real_sweep = finish.remove_stale_temps
def remove_stale_temps(build_dir):
    swept.append(phase[0])
    return real_sweep(build_dir)
finish.remove_stale_temps = remove_stale_temps
from publishkit.pipeline import remember
real_write = remember.write_atomic
def write_atomic(path, data, *args, **kwargs):
    saved.append(phase[0])
    return real_write(path, data, *args, **kwargs)
remember.write_atomic = write_atomic
if os.environ.get("PROBE_AHEAD") == "fail":
    def draft_site(*args):
        raise RuntimeError("injected: the head start fails")
    site.draft_site = draft_site
from publishkit.cli.main import main
rc = main([*sys.argv[2:], "--quiet"], root=Path(sys.argv[1]))
print(json.dumps({"rc": rc, "made": made, "compiled": compiled, "swept": swept, "sources saved": saved}))
"""

# What the end of a build writes besides the outputs.
ENDING = ("index.html", "check.json", "manifest.json", "_gallery")


def _probe(proj: Project, *args: str, ahead: str = "on") -> dict[str, object]:
    return run_probe(PROBE, proj.root, *args, env={"PROBE_AHEAD": ahead})


def _ending(proj: Project) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in ENDING:
        path = proj.build / name
        found = sorted(path.rglob("*")) if path.is_dir() else [path]
        files.update({p.relative_to(proj.build).as_posix(): p.read_bytes() for p in found if p.is_file()})
    return files


def _edit(proj: Project, slug: str) -> None:
    article = proj.source / f"{slug}.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text + "\nOne more sentence, to build it again.\n", encoding="utf-8")


@pytest.fixture
def built(tmp_path: Path) -> Project:
    """Four articles, built; then one of them edited."""
    proj = make_project(tmp_path / "p", "basic", seed=True)
    first = proj.run("all", "--jobs", "1", env={"SOURCE_DATE_EPOCH": EPOCH})
    assert first.returncode == 0, first.stderr
    _edit(proj, "sleep-basics")
    return proj


def test_the_other_articles_cards_are_made_while_the_handout_is_laid_out(built: Project) -> None:
    saved = built.root.parent / "saved-build"
    shutil.copytree(built.build, saved)

    ahead = _probe(built, "all", "sleep-basics", "--jobs", "2")
    with_head_start = _ending(built)
    shutil.rmtree(built.build)
    shutil.copytree(saved, built.build)
    before = _probe(built, "all", "sleep-basics", "--jobs", "2", ahead="off")

    # The same files as the build without the head start, the edited article's card included.
    assert _ending(built) == with_head_start
    assert b"One more sentence" in with_head_start["_gallery/cards.json"]
    others = ["ketamine-neurobiology", "living-with-anxiety", "managing-medications"]
    assert ahead == {
        "rc": 0,
        "made": [["ahead", slug, "default", "standard"] for slug in others]
        + [["finish", "sleep-basics", "default", "standard"]],  # only the edited one at the end
        "compiled": ["ahead"],  # the page will change: its template is ready before the end
        # build/ swept of a killed build's files, and the edited article's record saved, ahead
        "swept": ["ahead"],
        "sources saved": ["ahead"],
    }
    assert before == {
        "rc": 0,
        "made": [["finish", slug, "default", "standard"] for slug in sorted([*others, "sleep-basics"])],
        "compiled": ["finish"],
        "swept": ["finish"],
        "sources saved": ["finish"],
    }


def test_a_forced_build_of_the_same_inputs_does_not_prepare_the_page(built: Project) -> None:
    """``--force`` with nothing changed: the same bytes, so the page stays as it is; the draft
    makes the other cards (to see that) but compiles no template and reads no cards' store."""
    hour_ago = time.time() - 3600  # not saved just now: its record keeps its stat (see RACY_NS)
    os.utime(built.source / "sleep-basics.md", (hour_ago, hour_ago))
    _probe(built, "all", "sleep-basics", "--jobs", "2")
    before = _ending(built)
    forced = _probe(built, "all", "sleep-basics", "--force", "--jobs", "2")
    assert _ending(built) == before
    others = ["ketamine-neurobiology", "living-with-anxiety", "managing-medications"]
    assert forced == {
        "rc": 0,
        "made": [["ahead", slug, "default", "standard"] for slug in others]
        + [["finish", "sleep-basics", "default", "standard"]],
        "compiled": [],
        "swept": ["ahead"],
        "sources saved": [],  # every record as it was
    }


def test_a_head_start_that_fails_leaves_it_all_to_the_end(built: Project) -> None:
    saved = built.root.parent / "saved-build"
    shutil.copytree(built.build, saved)

    failed = _probe(built, "all", "sleep-basics", "--jobs", "2", ahead="fail")
    after_failure = _ending(built)
    shutil.rmtree(built.build)
    shutil.copytree(saved, built.build)
    _probe(built, "all", "sleep-basics", "--jobs", "2", ahead="off")

    assert after_failure == _ending(built)
    slugs = ["ketamine-neurobiology", "living-with-anxiety", "managing-medications", "sleep-basics"]
    # check.json was written ahead, then the gallery failed: every card is made at the end.
    made = [["finish", slug, "default", "standard"] for slug in slugs]
    assert failed == {
        "rc": 0,
        "made": made,
        "compiled": ["finish"],
        "swept": ["ahead"],
        "sources saved": ["finish"],
    }


@pytest.mark.parametrize("page", [True, False], ids=["page prepared", "page not prepared"])
def test_a_drafted_card_whose_outputs_or_errors_changed_is_made_again(built: Project, page: bool) -> None:
    """In one process: draft the gallery, change what two other articles' cards are made from,
    write it; the page is the one written from the changed inputs without a draft."""
    from publishkit.errors import SourceError
    from publishkit.model.manifest import load_manifest
    from publishkit.model.settings import load_settings
    from publishkit.pipeline.build import load_registries
    from publishkit.pipeline.outcome import Report
    from publishkit.pipeline.remember import SourceCache
    from publishkit.pipeline.site import draft_site, write_site
    from publishkit.site import gallery

    settings = load_settings(built.root)
    registries = load_registries(settings, list(settings.brands))
    entries = load_manifest(settings.build_dir)
    saved = built.root.parent / "saved-build"
    shutil.copytree(built.build, saved)

    def ending(draft: bool) -> tuple[dict[str, bytes], list[str]]:
        shutil.rmtree(built.build)
        shutil.copytree(saved, built.build)
        report, cache = Report(), SourceCache(settings)
        building = {"sleep-basics"}
        drafted = (
            draft_site(settings, registries, entries, report, cache, building, page=page) if draft else None
        )
        # After the draft: another article's text output is new, a third one has an error.
        changed = dict(entries)
        key = next(k for k in entries if k[0] == "living-with-anxiety" and k[1] == "text")
        changed[key] = replace(entries[key], sha256="0" * 64, bytes=entries[key].bytes + 1)
        report.errors.append(
            SourceError("injected: unreadable", path=str(built.source / "managing-medications.md"))
        )
        made: list[str] = []
        real = gallery.make_card

        def card(settings_: object, registry: object, path: Path, *args: object) -> object:
            made.append(path.stem)
            return real(settings_, registry, path, *args)  # type: ignore[arg-type]

        gallery.make_card = card  # type: ignore[assignment]
        try:
            write_site(settings, registries, changed, report, cache, drafted)
        finally:
            gallery.make_card = real  # type: ignore[assignment]
        return _ending(built), made

    drafted, made_after_draft = ending(draft=True)
    plain, _made = ending(draft=False)
    assert drafted == plain
    assert b"injected: unreadable" in drafted["index.html"]
    assert made_after_draft == ["living-with-anxiety", "managing-medications", "sleep-basics"]


def test_pictures_the_draft_remade_are_listed_even_when_the_page_is_unchanged(built: Project) -> None:
    """The draft makes again the page pictures of another article that went missing (here: the
    whole list of them); the end writes them into the list even though the page's stamp is the
    same, so the list never names fewer pictures than build/_gallery/ holds."""
    _probe(built, "all", "sleep-basics", "--jobs", "2")
    gallery = built.build / "_gallery"
    listed = json.loads((gallery / "thumbs.json").read_text(encoding="utf-8"))["articles"]
    (gallery / "thumbs.json").unlink()
    for name in listed["living-with-anxiety"]["pages"]:
        (gallery / name).unlink()

    _probe(built, "all", "sleep-basics", "--force", "--jobs", "2")
    again = json.loads((gallery / "thumbs.json").read_text(encoding="utf-8"))["articles"]
    assert again == listed
    assert all((gallery / name).is_file() for record in again.values() for name in record["pages"])


# Whether the manifest before the build (read by the head start with --force) and the gallery's
# draft are out of this process's collections when the build ends.
FROZEN_PROBE = """
import gc, json, sys
from pathlib import Path
from publishkit.pipeline import finish
seen = {}
real = finish.Finish.finish
def end(self, made):
    tracked = {id(o) for o in gc.get_objects()}
    seen["manifest read"] = self.old is not None
    seen["manifest frozen"] = id(self.old) not in tracked
    seen["draft frozen"] = self._draft is not None and id(self._draft[1]) not in tracked
    return real(self, made)
finish.Finish.finish = end
from publishkit.cli.main import main
rc = main([*sys.argv[2:], "--quiet"], root=Path(sys.argv[1]))
print(json.dumps({"rc": rc, **seen, "frozen after": gc.get_freeze_count()}))
"""


def test_what_the_head_start_read_is_kept_out_of_the_collections_to_the_end(built: Project) -> None:
    """The head start reads the 500-article catalog's manifest (with --force) and drafts the
    gallery: kept out of the collections, as what was loaded before (render.Helper), or a full
    collection walks them at the end (about 17 ms at 500 articles); let in again after."""
    found = run_probe(FROZEN_PROBE, built.root, "all", "sleep-basics", "--force", "--jobs", "2")
    assert found == {
        "rc": 0,
        "manifest read": True,
        "manifest frozen": True,
        "draft frozen": True,
        "frozen after": 0,
    }
