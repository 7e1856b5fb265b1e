"""`publish.py send`: a real SMTP server on loopback receives the .eml exactly as built."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from conftest import Project
from emailkit import parse


class Sink:
    """An aiosmtpd handler that keeps every envelope it is given."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Sink, str]]:
    sink = Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, f"127.0.0.1:{port}"
    finally:
        controller.stop()


def test_send_delivers_the_eml_byte_for_byte(email_build: Project, smtp: tuple[Sink, str]) -> None:
    sink, server = smtp
    slug = "managing-medications"
    to = ["proof@riverside.example", "dana.whitfield@riverside.example"]
    result = email_build.run("send", slug, "--to", to[0], "--to", to[1], "--smtp", server)
    assert result.returncode == 0, result.stderr
    assert f"to 2 recipient(s) via {server}" in result.stdout
    assert len(sink.envelopes) == 1
    envelope = sink.envelopes[0]
    assert envelope.mail_from == "news@riversidemindbody.example"
    assert envelope.rcpt_tos == to
    built = email_build.out(slug, ".eml").read_bytes()
    assert envelope.original_content == built  # headers and body, unchanged
    arrived, original = parse(envelope.original_content), parse(built)
    assert list(arrived.items()) == list(original.items())
    assert arrived.get_body(("html",)).get_content() == original.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_send_uses_the_environment_server(email_build: Project, smtp: tuple[Sink, str]) -> None:
    sink, server = smtp
    result = email_build.run(
        "send", "sleep-basics", "--to", "a@example.org", env={"PUBLISH_SMTP_HOST": server}
    )
    assert result.returncode == 0, result.stderr
    assert sink.envelopes[0].original_content == email_build.out("sleep-basics", ".eml").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [f"--to=p{i}@example.org" for i in range(6)],
            "6 recipients: send is for proofs, at most 5",
        ),
        (["--to", "not-an-address"], "--to 'not-an-address' is not an email address"),
        (["--to", "a@example.org\r\nBcc: x@example.org"], "contains a control character"),
        (["--to", "Dana <a@example.org>"], "is not an email address such as name@example.org"),
        (
            ["--to", "a@example.org", "--smtp", "127.0.0.1:notaport"],
            "--smtp must be HOST or HOST:PORT",
        ),
    ],
)
def test_send_refuses_bad_requests(email_build: Project, args: list[str], message: str) -> None:
    result = email_build.run("send", "sleep-basics", *args)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


NOT_AN_ADDRESS = "is not an email address such as name@example.org"
ALONE = "write the address alone, without angle brackets, a name, quotes or a list"
ASCII_LOCAL = "before the @, only ASCII letters, digits and . _ + - (no dot at either end)"
DOMAIN = "the domain must be names joined by dots, such as example.org"


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("<a@example.org>", ALONE),
        ("Dana Whitfield <a@example.org>", ALONE),
        ('"Dana" a@example.org', ALONE),
        ("a@example.org, b@example.org", ALONE),
        ("mailto:a@example.org", ALONE),
        ("@example.org", "it needs a name, an @ and a domain"),
        ("a@", "it needs a name, an @ and a domain"),
        ("jürgen@example.org", ASCII_LOCAL),
        ("a..b@example.org", ASCII_LOCAL),
        ("a@example..org", DOMAIN),
        ("a@-example.org", DOMAIN),
        ("a@localhost", DOMAIN),
        ("a@exa_mple.org", DOMAIN),
    ],
)
def test_send_refuses_what_is_not_one_plain_address(email_build: Project, address: str, why: str) -> None:
    """Each of these was a traceback (HeaderParseError, UnicodeEncodeError) or a vague message."""
    result = email_build.run("send", "sleep-basics", "--to", address, "--smtp", "127.0.0.1:1")
    assert result.returncode == 1
    assert result.stderr == f"Error: send: --to {address!r} {NOT_AN_ADDRESS}: {why}\n"


def test_send_encodes_a_domain_in_another_script(email_build: Project, smtp: tuple[Sink, str]) -> None:
    """IDNA 2008: straße.de is its own domain, not strasse.de (what IDNA 2003 would make of it)."""
    sink, server = smtp
    result = email_build.run(
        "send", "sleep-basics", "--to", "a@bü.org", "--to", "b@straße.de", "--smtp", server
    )
    assert result.returncode == 0, result.stderr
    assert sink.envelopes[0].rcpt_tos == ["a@xn--b-eha.org", "b@xn--strae-oqa.de"]


def test_send_without_a_build_says_to_build_first(project: Project) -> None:
    project.article("plain")
    result = project.run("send", "plain", "--to", "a@example.org")
    assert result.returncode == 1
    assert "Error: send: build/plain/plain.eml: no built email for 'plain': " in result.stderr
    assert "run `python publish.py email plain` first" in result.stderr


def test_send_reports_an_unreachable_server(email_build: Project) -> None:
    port = _free_port()  # nothing listens there
    result = email_build.run("send", "sleep-basics", "--to", "a@example.org", "--smtp", f"127.0.0.1:{port}")
    assert result.returncode == 1
    assert f"Error: send: cannot reach the SMTP server 127.0.0.1:{port}" in result.stderr


def test_send_will_not_log_in_without_tls(email_build: Project) -> None:
    env = {"PUBLISH_SMTP_USER": "clinic", "PUBLISH_SMTP_PASSWORD": "secret"}
    result = email_build.run(
        "send", "sleep-basics", "--to", "a@example.org", "--smtp", "smtp.example.org:587", env=env
    )
    assert result.returncode == 1
    assert "refusing to send the SMTP password to smtp.example.org unencrypted" in result.stderr
