"""Talk to the bundled pandoc: many documents per process, always with a time limit."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import RenderError

_SCRIPT = Path(__file__).resolve().with_name("batch.lua")  # absolute: pandoc may run in another folder


@cache
def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def bundle_version() -> str:
    """Version of the pandoc bundle, known without starting pandoc (used in cache keys)."""
    try:
        return "pypandoc-binary " + metadata.version("pypandoc-binary")
    except metadata.PackageNotFoundError:
        return "pypandoc-binary unknown"


@dataclass(frozen=True)
class WriteJob:
    key: str
    ast: dict[str, Any]
    to: str  # html5 | plain | docx
    out: str | None = None  # docx only: where pandoc writes the file
    reference_doc: str | None = None
    columns: int = 72
    wrap: str = "auto"


@dataclass
class BatchResult:
    version: str
    values: dict[str, str]
    errors: dict[str, str]


def _run(request: dict[str, Any], timeout: float, cwd: Path | None = None) -> BatchResult:
    try:
        proc = subprocess.run(
            [pandoc_path(), "lua", str(_SCRIPT)],
            cwd=cwd,
            input=json.dumps(request, ensure_ascii=False).encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"too complex: pandoc took longer than {timeout:g} s", category="pandoc") from None
    if proc.returncode != 0:
        raise RenderError(
            f"pandoc failed: {proc.stderr.decode('utf-8', 'replace').strip()[:500]}",
            category="pandoc",
        )
    answer = json.loads(proc.stdout)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for key, item in (answer.get("results") or {}).items():
        if item.get("ok"):
            values[key] = item["value"]
        else:
            errors[key] = item.get("error", "unknown pandoc error")
    return BatchResult(version=answer.get("version", ""), values=values, errors=errors)


def read_many(docs: dict[str, str], timeout: float, *, sourcepos: bool = False) -> BatchResult:
    """Parse Markdown documents to pandoc ASTs (as JSON text) in one pandoc process.

    ``sourcepos`` adds source positions (``data-pos`` on wrapper Spans/Divs) for the content checks."""
    jobs = [{"key": k, "md": v, "sourcepos": sourcepos} for k, v in docs.items()]
    return _run({"op": "read", "jobs": jobs}, timeout)


def write_many(jobs: list[WriteJob], timeout: float, cwd: Path | None = None) -> BatchResult:
    """Write ASTs to html5, plain or docx in one pandoc process, in ``cwd`` (where the docx writer
    finds the images named in the ASTs: see ``assets.media_copies``).

    Identical text jobs (same AST, writer and options: the email page and the .eml's HTML part,
    or formats of an article with no format-specific content) are written once."""
    payload = []
    first_key: dict[tuple[str, ...], str] = {}
    copies: dict[str, str] = {}  # key -> the key of the identical job that is actually written
    for job in jobs:
        ast = json.dumps(job.ast, ensure_ascii=False)
        if not job.out:  # a docx job writes its own file: never shared
            same = (ast, job.to, str(job.columns), job.wrap, job.reference_doc or "")
            if same in first_key:
                copies[job.key] = first_key[same]
                continue
            first_key[same] = job.key
        item: dict[str, Any] = {
            "key": job.key,
            "ast": ast,
            "to": job.to,
            "columns": job.columns,
            "wrap": job.wrap,
        }
        if job.out:
            item["out"] = job.out
        if job.reference_doc:
            item["reference_doc"] = job.reference_doc
        payload.append(item)
    result = _run({"op": "write", "jobs": payload}, timeout, cwd)
    for key, original in copies.items():
        if original in result.values:
            result.values[key] = result.values[original]
        if original in result.errors:
            result.errors[key] = result.errors[original]
    return result
