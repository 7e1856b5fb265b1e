"""Clinical sign-off: `approve` records the approved content; everything else is visibly a DRAFT."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
import yaml
from conftest import EPOCH, Project, make_project
from emailkit import parse
from test_email_send import Sink, smtp  # noqa: F401 - the real SMTP server fixture

from publishkit.audit.readers import PDF_HEADER_BAND

SLUG = "sleep-basics"
DRAFT = "DRAFT – not approved for patient use"
APPROVED = "Approved by Dana Whitfield, MD, November 15, 2026"
ENV = {"SOURCE_DATE_EPOCH": EPOCH}
BODY = """
Good sleep helps your body and mind recover. Most adults need seven to nine hours.

## Habits that help

Go to bed at the same time every day, and keep the bedroom dark and quiet.

## When to see your clinician

Talk to your clinician if you snore loudly or feel tired every day.
"""
TEST_TO = "proof@riverside.example"


@pytest.fixture
def proj(tmp_path: Path) -> Project:
    p = make_project(tmp_path / "proj")
    p.set_config("[tool.publish]\n", "[tool.publish]\nrequire_approval = true\n")
    p.set_config("[tool.publish.email]\n", f'[tool.publish.email]\ntest_to = ["{TEST_TO}"]\n')
    p.article(SLUG, BODY, title='"Sleep Basics"')
    return p


def run(p: Project, *args: str) -> str:
    result = p.run(*args, env=ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


def approve(p: Project) -> str:
    return run(p, "approve", SLUG, "--by", "Dana Whitfield, MD", "--role", "Medical director")


def pdf_headers(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(path.read_bytes())
    out = []
    for page in pdf:
        _w, h = page.get_size()
        out.append(page.get_textpage().get_text_bounded(bottom=h - PDF_HEADER_BAND, top=h))
    return out


def docx_headers(path: Path) -> list[str]:
    document = docx.Document(io.BytesIO(path.read_bytes()))
    return ["\n".join(p.text for p in s.header.paragraphs) for s in document.sections]


def manifest(p: Project) -> dict[str, dict[str, object]]:
    data = json.loads((p.build / "manifest.json").read_text(encoding="utf-8"))
    return {o["format"]: o for o in data["outputs"] if o["slug"] == SLUG}


def assert_draft(p: Project, differs_from: str) -> None:
    headers = pdf_headers(p.out(SLUG, ".pdf"))
    assert headers and all(DRAFT in " ".join(h.split()) for h in headers), headers
    assert all(h.startswith(DRAFT) for h in docx_headers(p.out(SLUG, ".docx")))
    msg = parse(p.out(SLUG, ".eml").read_bytes())
    assert msg["Subject"] == "[DRAFT] Sleep Basics"
    assert DRAFT in msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert p.out(SLUG, ".txt").read_text(encoding="utf-8").splitlines()[0] == f"*** {DRAFT} ***"
    for fmt, entry in manifest(p).items():
        assert (entry["approved"], entry["approval"]) == (False, differs_from), fmt


def assert_approved(p: Project, short: str) -> None:
    text = p.out(SLUG, ".txt").read_text(encoding="utf-8")
    assert DRAFT not in text and APPROVED in text
    assert f"· approval {short}" in text
    assert not any("DRAFT" in h for h in pdf_headers(p.out(SLUG, ".pdf")))
    assert not any("DRAFT" in h for h in docx_headers(p.out(SLUG, ".docx")))
    assert parse(p.out(SLUG, ".eml").read_bytes())["Subject"] == "Sleep Basics"
    assert all(e["approved"] is True for e in manifest(p).values())


def record(p: Project) -> Path:
    return p.source / "approvals" / "default" / f"{SLUG}.yaml"


def test_approve_edit_draft_send_refused_approve_again(proj: Project, smtp: tuple[Sink, str]) -> None:  # noqa: F811
    sink, server = smtp
    out = approve(proj)
    assert "Approved sleep-basics for default by Dana Whitfield, MD on 2026-11-15" in out
    rec = record(proj).read_text(encoding="utf-8")
    first_id = rec.split("- id: ", 1)[1].split("\n", 1)[0]
    assert "Go to bed at the same time every day" in rec  # the approved text, kept whole
    assert "role: Medical director" in rec and "phone: (503) 555-0142" in rec
    assert_approved(proj, first_id[:8])
    for fmt, entry in manifest(proj).items():  # the record names the very bytes it approved
        assert f"sha256: {entry['sha256']}" in rec, fmt

    src = proj.source / f"{SLUG}.md"
    src.write_text(
        src.read_text(encoding="utf-8").replace("dark and quiet", "dark and cool"), encoding="utf-8"
    )
    run(proj, "all", "--jobs", "1")
    assert_draft(proj, first_id)

    refused = proj.run("send", SLUG, "--to", TEST_TO, "--smtp", server, env=ENV)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        f"Error: send: build/{SLUG}/{SLUG}.eml: {SLUG}.eml is a draft (not approved for patient use)"
    )
    elsewhere = proj.run("send", SLUG, "--draft", "--to", "dana@clinic.example", "--smtp", server, env=ENV)
    assert elsewhere.returncode == 1
    assert "a draft goes only to [tool.publish.email] test_to addresses (proof@riverside.example)" in (
        elsewhere.stderr
    )
    assert sink.envelopes == []
    run(proj, "send", SLUG, "--draft", "--to", TEST_TO, "--smtp", server)
    assert [e.rcpt_tos for e in sink.envelopes] == [[TEST_TO]]

    approve(proj)
    rec2 = record(proj).read_text(encoding="utf-8")
    records = yaml.safe_load(rec2)
    assert rec2.startswith(rec) and len(records) == 2  # appended, history kept
    second_id = records[1]["id"]
    assert records[1]["previous"] == records[0]["hash"]  # the chain
    assert second_id != first_id
    assert_approved(proj, second_id[:8])


def test_presentation_change_keeps_approval_disclaimer_change_makes_draft(proj: Project) -> None:
    approve(proj)
    p_bytes = proj.out(SLUG, ".pdf").read_bytes()
    proj.set_config('phone = "(503) 555-0142"', 'phone = "(503) 555-0100"')
    run(proj, "all", "--jobs", "1")
    assert proj.out(SLUG, ".pdf").read_bytes() != p_bytes  # rebuilt, with the new number
    assert "(503) 555-0100" in proj.out(SLUG, ".txt").read_text(encoding="utf-8")
    assert all(e["approved"] is True for e in manifest(proj).values())

    reg = proj.source / "disclaimers.yaml"
    reg.write_text(
        reg.read_text(encoding="utf-8").replace("Talk to your clinician before", "Ask your clinician before"),
        encoding="utf-8",
    )
    run(proj, "all", "--jobs", "1")
    assert all(e["approved"] is False for e in manifest(proj).values())
    assert DRAFT in proj.out(SLUG, ".txt").read_text(encoding="utf-8")


def test_verify_names_an_edited_record_and_knows_loose_files(proj: Project, tmp_path: Path) -> None:
    approve(proj)
    pdf = proj.out(SLUG, ".pdf")
    loose = proj.root / "from-email.pdf"
    loose.write_bytes(pdf.read_bytes())
    out = run(proj, "verify", "from-email.pdf")
    assert out.startswith(
        f"from-email.pdf: approved output {SLUG}/{SLUG}.pdf (pdf), approved by Dana Whitfield, MD on 2026-11-15"
    )
    loose.write_bytes(pdf.read_bytes() + b"\n")
    result = proj.run("verify", "from-email.pdf", env=ENV)
    assert result.returncode == 1
    assert result.stderr == (
        "Error: verify: from-email.pdf: not an approved output (no approval lists these bytes)\n"
    )
    assert "all good" in run(proj, "verify")

    path = record(proj)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("role: Medical director", "role: Nurse"), encoding="utf-8")
    result = proj.run("verify", env=ENV)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"Error: approval: source/approvals/default/{SLUG}.yaml:1: approval record 1 was changed "
        "after it was written: its hash does not match its content"
    ), result.stderr
    # A record that no longer verifies approves nothing: the next build is a draft again.
    run(proj, "all", "--jobs", "1")
    assert all(e["approved"] is False for e in manifest(proj).values())


def test_approve_refuses_an_article_whose_build_fails(proj: Project) -> None:
    proj.article(SLUG, BODY + "\n![no such picture](assets/missing.png)\n", title='"Sleep Basics"')
    result = proj.run("approve", SLUG, "--by", "Dana Whitfield, MD", env=ENV)
    assert result.returncode == 1
    assert result.stderr.rstrip().endswith(
        f"Error: approval: {SLUG}: not approved: the build has errors (listed above); nothing was recorded"
    )
    assert not record(proj).exists()
