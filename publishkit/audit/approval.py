"""The draft audit: an output whose content no approval covers must say so everywhere it can be read."""

from __future__ import annotations

from ..errors import AuditError
from ..model.approval import DRAFT_MARK, EMAIL_DRAFT_PREFIX
from .core import Extracted, contains, normalize


def check_draft(name: str, extracted: Extracted, draft: bool) -> None:
    """A draft shows the DRAFT mark in its text (in each part of a message on its own), and a
    message's subject starts with "[DRAFT]". (The PDF and DOCX running bands: audit/bands.py.)"""
    if not draft:
        return
    for label, part in extracted.parts:
        check_draft(f"{name} ({label} part)", part, draft)
    if not contains(normalize(extracted.text), DRAFT_MARK):
        raise AuditError(f"'{DRAFT_MARK}' mark missing: the content is not approved", path=name)
    subject = extracted.meta.get("subject") if extracted.parts else None  # a message's header
    if subject is not None and not subject.startswith(EMAIL_DRAFT_PREFIX):
        raise AuditError(f"the subject of a draft must start with '{EMAIL_DRAFT_PREFIX.strip()}'", path=name)
