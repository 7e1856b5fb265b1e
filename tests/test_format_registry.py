"""A format from outside the package is planned, rendered, audited, written, listed and verified."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import ClassVar

import pytest
from conftest import EPOCH, REPO, Project

from publishkit.formats import GROUPS, REGISTRY, Format, Need, problems, register, unregister
from publishkit.formats.context import RenderContext
from publishkit.kit.pandoc import WriteJob, write_many
from publishkit.model.settings import load_settings
from publishkit.pipeline.build import build
from publishkit.pipeline.verify import verify

SLUG = "sleep-hygiene"
BODY = "Keep a **regular** bedtime.\n\n## Help\n\nNights of self-harm thoughts need help now.\n"


class SummaryFormat(Format):
    """A Markdown summary: the title, the summary, pandoc's Markdown of the body, the disclaimers."""

    name: ClassVar[str] = "markdown-summary"
    suffix: ClassVar[str] = ".summary.md"
    group: ClassVar[str] = "summary"
    needs: ClassVar[tuple[Need, ...]] = (Need("markdown"),)
    reader: ClassVar[str] = "whole"

    def render(self, ctx: RenderContext) -> bytes:
        meta = ctx.article.meta
        body = ctx.bodies[self.name].outputs["markdown"].strip()
        disclaimers = [d.plain.strip() for d in self.kept(ctx)]
        clinic = " · ".join(x for x in (ctx.brand.name, ctx.brand.address, ctx.brand.phone) if x)
        taglines = [t.filled(ctx.brand.phone) for t in ctx.taglines]  # the audit requires them too
        parts = [f"# {meta.title}", meta.summary, body, *disclaimers, ctx.review_line, clinic, ctx.reference]
        parts += taglines
        return ("\n\n".join(parts) + "\n").encode("utf-8")

    def kept(self, ctx: RenderContext) -> list[object]:
        return list(ctx.disclaimers)

    def validate(self, settings: object) -> list[str]:
        name = getattr(getattr(settings, "brand", None), "name", "")
        return [] if name else ["tool.publish.brand.name: the summary names the clinic: set it"]


class ForgetfulSummary(SummaryFormat):
    """The same, but it leaves out the first disclaimer: the audit must stop it."""

    name: ClassVar[str] = "forgetful-summary"
    suffix: ClassVar[str] = ".forgetful.md"

    def kept(self, ctx: RenderContext) -> list[object]:
        return list(ctx.disclaimers[1:])


@pytest.fixture
def summary() -> Iterator[SummaryFormat]:
    fmt = register(SummaryFormat())
    try:
        yield fmt
    finally:
        unregister(fmt.name)
    assert fmt.name not in REGISTRY and "summary" not in GROUPS


@pytest.fixture
def forgetful() -> Iterator[ForgetfulSummary]:
    fmt = register(ForgetfulSummary())
    try:
        yield fmt
    finally:
        unregister(fmt.name)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def test_a_registered_format_builds_end_to_end(project: Project, summary: SummaryFormat, clock: None) -> None:
    project.article(SLUG, BODY)
    settings = load_settings(project.root)
    report = build(settings, [summary.name])
    assert report.ok, [str(o.error) for o in report.outcomes]
    assert [(o.slug, o.format, o.status) for o in report.outcomes] == [(SLUG, summary.name, "built")]

    out = project.out(SLUG, ".summary.md")
    text = out.read_text(encoding="utf-8")
    assert "Keep a **regular** bedtime." in text and "## Help" in text  # pandoc's markdown writer
    assert "immediate danger" in text  # the crisis line: the article mentions self-harm

    manifest = json.loads((project.build / "manifest.json").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["outputs"] if e["format"] == summary.name)
    assert entry["path"] == f"{SLUG}/{SLUG}.summary.md"
    assert entry["disclaimers"] == ["not-medical-advice", "crisis-line"]
    assert entry["pages"] is None  # read whole: no pages
    assert (entry["brand"], entry["language"], entry["edition"]) == ("default", "en", "standard")

    assert verify(settings) == (1, [])
    again = build(settings, [summary.name])  # its cache key comes from its declarations
    assert [o.status for o in again.outcomes] == ["unchanged"]

    out.write_text(text.replace("immediate", "some"), encoding="utf-8")
    checked, problems = verify(settings)
    assert checked == 1
    assert [p.message for p in problems] == [
        "changed since it was built (sha256 differs from build/manifest.json)",
        "disclaimer 'crisis-line' missing (full text not found): it no longer carries the approved wording",
    ]


def test_the_audit_stops_a_registered_format_that_drops_a_disclaimer(
    project: Project, forgetful: ForgetfulSummary, clock: None
) -> None:
    project.article(SLUG, BODY)
    report = build(load_settings(project.root), [forgetful.name])
    assert not report.ok
    (outcome,) = report.outcomes
    assert outcome.status == "failed" and outcome.error is not None
    assert str(outcome.error) == (
        f"audit: {SLUG}.forgetful.md: disclaimer 'not-medical-advice' missing (full text not found)"
    )
    assert not project.out(SLUG, ".forgetful.md").exists()


def test_register_refuses_a_second_format_of_the_same_name_or_suffix(summary: SummaryFormat) -> None:
    with pytest.raises(ValueError, match=r"^format 'markdown-summary' is registered twice$"):
        register(SummaryFormat())

    class Clash(SummaryFormat):
        name: ClassVar[str] = "clash"

    with pytest.raises(
        ValueError, match=r"^format 'clash' has the suffix '\.summary\.md' of format 'markdown-summary'$"
    ):
        register(Clash())
    assert "clash" not in REGISTRY


def test_settings_problems_come_from_the_formats_asked_for(project: Project, summary: SummaryFormat) -> None:
    settings = load_settings(project.root)
    assert problems(settings) == []
    nameless = SimpleNamespace(brand=SimpleNamespace(name=""))  # validate() sees only what it reads
    line = "tool.publish.brand.name: the summary names the clinic: set it"
    assert problems(nameless, [summary.name]) == [line]
    assert line not in problems(nameless, ["text"])


def test_a_binary_writer_is_written_to_its_file_whatever_it_is(tmp_path: Path) -> None:
    """The batch script knows a result is binary from the job, not from the writer's name."""
    doc = {
        "pandoc-api-version": [1, 23, 1],
        "meta": {},
        "blocks": [{"t": "Para", "c": [{"t": "Str", "c": "Hi"}]}],
    }
    out = tmp_path / "a.odt"
    result = write_many([WriteJob("a", doc, "odt", binary=True, out=str(out))], 60)
    assert result.errors == {} and result.values["a"] == str(out)
    assert out.read_bytes()[:2] == b"PK"  # an OpenDocument file is a zip


# --- no module outside formats/ names a built-in format ---------------------------------------

# A string in the package (not a docstring) that is a built-in format's name or CLI word, or
# that carries a built-in format's suffix at its end (".txt.j2" is a template, not a text output).
# The same words name other things; each module's exceptions, with why:
ALLOWED: dict[str, set[str]] = {
    "audit/readers.py": {"text"},  # a message's MIME parts, "text" and "HTML", in audit messages
    "model/article.py": {"email", "text"},  # the front-matter table `email:`; the type word "text"
    "model/brands.py": {"email"},  # the clinic's own table [tool.publish.brands.<id>.email]
    "model/registry.py": {"text"},  # a disclaimer's `text:` key
    "model/settings.py": {"pdf"},  # the section [tool.publish.pdf] (its older large_print key)
    "model/translation.py": {"text"},  # a translation record's per-section `text:` key
    "model/types.py": {"text"},  # the type word "text" in settings errors
    "model/approval.py": {"text"},  # a disclaimer's "text" (its full wording) in the record
    "pipeline/approvaldiff.py": {"text", ".docx"},  # wording keys; the tracked-changes Word file it writes
    "pipeline/pagediff.py": {".pdf"},
    "model/taglines.py": {
        "text"
    },  # a tagline's "text" key in source/taglines.yaml  # the approved handout's kept copy, a PDF that PDFium renders
}


def _strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def _named_formats(text: str) -> set[str]:
    found = {text} if any(text in (f.name, f.group) for f in BUILTIN) else set()
    for f in BUILTIN:
        if re.search(re.escape(f.suffix) + r"(?![\w.])", text):
            found.add(f.suffix)
    return found


BUILTIN = [REGISTRY[n] for n in ("text", "email", "eml", "pdf", "docx")]


def test_no_module_outside_formats_names_a_builtin_format() -> None:
    package = REPO / "publishkit"
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel.startswith("formats/"):
            continue
        for line, text in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            names = _named_formats(text) - ALLOWED.get(rel, set())
            if names:
                found.append(f"publishkit/{rel}:{line}: {sorted(names)} in {text!r}")
    lua = (package / "kit" / "batch.lua").read_text(encoding="utf-8")
    found += [f"batch.lua: '{f.name}'" for f in BUILTIN if re.search(rf"['\"]{f.name}['\"]", lua)]
    assert found == []


def test_the_check_finds_what_it_looks_for() -> None:
    """The test above is only worth something if it would catch the old code."""
    old = 'if writer == "docx":\n    x = name.endswith(".pdf")\n    y = f"{slug}.eml"\n    z = ".txt.j2"\n'
    seen = [n for _line, text in _strings(ast.parse(old)) for n in sorted(_named_formats(text))]
    assert seen == ["docx", ".pdf", ".eml"]
