"""`publish.py send SLUG --to ADDRESS`: mail the built .eml, unchanged, to a few proof readers."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..formats import Format
from ..kit.smtp import MAX_RECIPIENTS, SendError, checked_recipients, deliver, server_from
from ..model.article import SLUG_RE

MESSAGE = "message/rfc822"  # the media type of what send sends


def _message_format() -> Format:
    """The format that makes ready-to-send messages: send knows it by what its files are."""
    from ..formats import find

    fmt = find(MESSAGE)
    if fmt is None:
        raise SendError(f"no format makes {MESSAGE} files: there is nothing to send")
    return fmt


def _parsed(data: bytes) -> Any:
    """The message as Python's email package reads it. Imported here, when a message is sent: every
    command builds this one's parser, and the package took 10 ms to import."""
    import email
    from email import policy

    return email.message_from_bytes(data, policy=policy.default)


def add_parser(sub: Any) -> argparse.ArgumentParser:
    suffix = _message_format().suffix
    sp: argparse.ArgumentParser = sub.add_parser(
        "send", help=f"send a built {suffix} to up to {MAX_RECIPIENTS} people for proofing (SMTP)"
    )
    sp.add_argument("slug", metavar="SLUG", help=f"the article whose build/<slug>/<slug>{suffix} is sent")
    sp.add_argument(
        "--to",
        action="append",
        required=True,
        metavar="ADDRESS",
        help="a proof reader (repeatable)",
    )
    sp.add_argument(
        "--smtp",
        metavar="HOST:PORT",
        help="SMTP server (default: $PUBLISH_SMTP_HOST, else localhost:25); "
        "PUBLISH_SMTP_STARTTLS=1, PUBLISH_SMTP_USER, PUBLISH_SMTP_PASSWORD: TLS and login",
    )
    sp.add_argument(
        "--draft",
        action="store_true",
        help="send a draft (not approved) anyway, only to [tool.publish.email] test_to addresses",
    )
    sp.set_defaults(run=run)
    return sp


def load_eml(build_dir: Path, slug: str) -> tuple[Path, bytes, str]:
    """The built message and its envelope sender (the From address)."""
    if not SLUG_RE.match(slug):
        raise SendError(f"'{slug}' is not an article slug (lower-case letters, digits and hyphens)")
    fmt = _message_format()
    path = build_dir / slug / fmt.filename(slug)
    if not path.is_file():
        raise SendError(
            f"no built email for '{slug}': run `python publish.py {fmt.group} {slug}` first", path=path
        )
    data = path.read_bytes()
    msg = _parsed(data)
    addresses: Any = getattr(msg["From"], "addresses", ()) if msg["From"] else ()
    if msg.get_content_type() != "multipart/alternative" or len(addresses) != 1:
        raise SendError(
            f"{path.name} is not a message built by publishkit "
            "(no From, or not multipart/alternative): "
            f"rebuild it with `python publish.py {fmt.group} {slug}`",
            path=path,
        )
    return path, data, addresses[0].addr_spec


def send(
    root: Path, slug: str, recipients: list[str], server: str | None, draft: bool = False
) -> tuple[Path, str, int]:
    """Send the .eml's bytes as they are; return (file, server, number of recipients)."""
    from ..model.settings import load_settings
    from ..pipeline.sources import slug_of

    to = checked_recipients(recipients)
    settings = load_settings(root)
    path, data, sender = load_eml(settings.build_dir, slug_of(settings, slug))
    draft_gate(path, data, to, draft, settings.email.test_to)
    host, port = server_from(server)
    return path, deliver(data, sender, to, host, port), len(to)


def draft_gate(path: Path, data: bytes, to: list[str], draft: bool, test_to: tuple[str, ...]) -> None:
    """A draft (its subject starts "[DRAFT]", which the build's audit proves) goes out only with
    --draft, and then only to the test addresses: a proof reader never mistakes it for approved."""
    from ..model.approval import EMAIL_DRAFT_PREFIX

    subject = str(_parsed(data)["Subject"] or "")
    if not subject.startswith(EMAIL_DRAFT_PREFIX):
        return
    if not draft:
        raise SendError(
            f"{path.name} is a draft (not approved for patient use): approve it first "
            "(`python publish.py approve SLUG --by NAME`), or send it with --draft to test_to addresses",
            path=path,
        )
    allowed = {a.strip().lower() for a in test_to}
    others = [r for r in to if r.lower() not in allowed]
    if others:
        shown = ", ".join(test_to) or "none"
        raise SendError(
            f"a draft goes only to [tool.publish.email] test_to addresses ({shown}), not {', '.join(others)}",
            path=path,
        )


def run(args: argparse.Namespace, root: Path) -> int:
    path, where, count = send(root, args.slug, args.to, args.smtp, args.draft)
    print(
        f"sent {path.relative_to(root)} ({path.stat().st_size / 1024:.1f} KB) "
        f"to {count} recipient(s) via {where}"
    )
    return 0
