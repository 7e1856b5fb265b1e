"""`publish.py send SLUG --to ADDRESS`: mail the built .eml, unchanged, to a few proof readers."""

from __future__ import annotations

import argparse
import email
import ipaddress
import os
import re
import smtplib
import ssl
from email import policy
from pathlib import Path
from typing import Any

import idna

from ..errors import ConfigError, PublishError
from ..formats import Format
from ..model.article import SLUG_RE
from ..model.settings import load_settings
from ..pipeline.build import slug_of

MESSAGE = "message/rfc822"  # the media type of what send sends
MAX_RECIPIENTS = 5  # proofs for the people who sign off, never a mailing list
DEFAULT_HOST, DEFAULT_PORT = "localhost", 25
TIMEOUT = 30.0


class SendError(PublishError):
    """A proof could not be sent."""

    category = "send"


def _message_format() -> Format:
    """The format that makes ready-to-send messages: send knows it by what its files are."""
    from ..formats import find

    fmt = find(MESSAGE)
    if fmt is None:
        raise SendError(f"no format makes {MESSAGE} files: there is nothing to send")
    return fmt


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
    return sp


# RFC 5322 dot-atom, ASCII only: an address with a non-ASCII local part needs SMTPUTF8, which
# smtplib would refuse with a UnicodeEncodeError halfway through the conversation.
_LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL_RE = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def check_recipient(value: str) -> str:
    """One plain address (no display name, no list), or a SendError saying what is wrong.

    A domain in another script (``bü.org``) is sent IDNA-encoded (``xn--b-eha.org``), the form
    every mail server accepts. IDNA 2008 (the ``idna`` package), not Python's IDNA 2003 codec,
    which would turn ``straße.de`` into ``strasse.de``: a different domain.
    """
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value) or "=?" in value:
        raise SendError(f"--to {value!r} contains a control character or an encoded word")

    def refuse(why: str) -> SendError:
        return SendError(f"--to {value!r} is not an email address such as name@example.org: {why}")

    address = value.strip()
    if any(ch in address for ch in '<>,;:"() \t'):
        raise refuse("write the address alone, without angle brackets, a name, quotes or a list")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise refuse("it needs a name, an @ and a domain")
    if not local.isascii() or not _LOCAL_RE.match(local) or len(local) > 64:
        raise refuse("before the @, only ASCII letters, digits and . _ + - (no dot at either end)")
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        ascii_domain = ""
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels) or len(ascii_domain) > 253:
        raise refuse("the domain must be names joined by dots, such as example.org")
    return f"{local}@{ascii_domain}"


def parse_server(value: str, where: str) -> tuple[str, int]:
    host, sep, port = value.strip().rpartition(":")
    if not sep:
        host, port = value.strip(), str(DEFAULT_PORT)
    host = host.strip("[]")  # [::1]:25
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{where} must be HOST or HOST:PORT such as smtp.example.org:587, got '{value}'")
    return host, int(port)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


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
    msg = email.message_from_bytes(data, policy=policy.default)
    addresses: Any = getattr(msg["From"], "addresses", ()) if msg["From"] else ()
    if msg.get_content_type() != "multipart/alternative" or len(addresses) != 1:
        raise SendError(
            f"{path.name} is not a message built by publishkit "
            "(no From, or not multipart/alternative): "
            f"rebuild it with `python publish.py {fmt.group} {slug}`",
            path=path,
        )
    return path, data, addresses[0].addr_spec


def send(root: Path, slug: str, recipients: list[str], server: str | None) -> tuple[Path, str, int]:
    """Send the .eml's bytes as they are; return (file, server, number of recipients)."""
    if len(recipients) > MAX_RECIPIENTS:
        raise SendError(
            f"{len(recipients)} recipients: send is for proofs, at most {MAX_RECIPIENTS}; "
            "send the newsletter itself through your email service"
        )
    to = [check_recipient(r) for r in recipients]
    settings = load_settings(root)
    path, data, sender = load_eml(settings.build_dir, slug_of(settings, slug))
    if server:
        host, port = parse_server(server, "--smtp")
    elif os.environ.get("PUBLISH_SMTP_HOST"):
        host, port = parse_server(os.environ["PUBLISH_SMTP_HOST"], "PUBLISH_SMTP_HOST")
    else:
        host, port = DEFAULT_HOST, DEFAULT_PORT
    user, password = (
        os.environ.get("PUBLISH_SMTP_USER", ""),
        os.environ.get("PUBLISH_SMTP_PASSWORD", ""),
    )
    starttls = _truthy("PUBLISH_SMTP_STARTTLS")
    if user and not starttls and not _is_loopback(host):
        raise ConfigError(
            f"refusing to send the SMTP password to {host} unencrypted: set PUBLISH_SMTP_STARTTLS=1"
        )
    where = f"{host}:{port}"
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT) as smtp:
            if starttls:
                smtp.starttls(context=ssl.create_default_context())
            if user:
                smtp.login(user, password)
            refused = smtp.sendmail(sender, to, data)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(
            f"{where} refused the login for '{user}': {exc.smtp_code} {exc.smtp_error!r}"
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"{where} refused every recipient: {', '.join(exc.recipients)}") from None
    except smtplib.SMTPException as exc:
        raise SendError(f"{where}: {exc}") from None
    except OSError as exc:
        raise SendError(f"cannot reach the SMTP server {where}: {exc.strerror or exc}") from None
    if refused:
        raise SendError(f"{where} refused: {', '.join(refused)} (the others were sent)")
    return path, where, len(to)


def cmd_send(args: argparse.Namespace, root: Path) -> int:
    path, where, count = send(root, args.slug, args.to, args.smtp)
    print(
        f"sent {path.relative_to(root)} ({path.stat().st_size / 1024:.1f} KB) "
        f"to {count} recipient(s) via {where}"
    )
    return 0
