"""The .eml and the email HTML: parts, order, every header, provenance, gates, reproducibility."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from conftest import EPOCH, Project
from emailkit import ASSET_BASE, add_picture_article, emls, parse, parts, text_and_html

from publishkit.audit.core import normalize
from publishkit.audit.readers import extract_html
from publishkit.errors import ConfigError, RenderError
from publishkit.formats.context import reference_line
from publishkit.formats.email_html import email_image_url
from publishkit.formats.eml import unsafe_reason
from publishkit.model.article import load_article
from publishkit.model.registry import load_registry
from publishkit.model.settings import Limits

UNSUB = "https://www.riversidemindbody.example/unsubscribe?id=*|UNIQID|*"
ADDRESS = "1200 Harbor Street, Suite 4, Portland, OR 97201"
HEADERS = {
    "subject", "from", "reply-to", "date", "message-id", "list-unsubscribe",
    "list-unsubscribe-post", "content-language", "x-publishkit-ref", "mime-version", "content-type",
}  # fmt: skip


@pytest.fixture(scope="module")
def built(email_build: Project) -> dict[str, Path]:
    found = emls(email_build.build)
    assert set(found) == {
        "ketamine-neurobiology",
        "managing-medications",
        "sleep-basics",
        "living-with-anxiety",
        "pill-box",
    }
    return found


def test_every_eml_has_its_parts_in_order_and_every_header(
    email_build: Project, built: dict[str, Path]
) -> None:
    registry = load_registry(email_build.source / "disclaimers.yaml")
    for slug, path in built.items():
        article = load_article(email_build.source / f"{slug}.md", Limits())
        msg = parse(path.read_bytes())
        assert msg.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in parts(msg)] == ["text/plain", "text/html"]  # RFC 2046
        assert all(p.get_content_charset() == "utf-8" for p in parts(msg))
        assert {k.lower() for k in msg} == HEADERS, "no header more, none missing"
        assert all(len(msg.get_all(k) or []) == 1 for k in HEADERS)
        assert msg["Subject"] == article.meta.subject
        assert msg["From"] == "Riverside Mind & Body Clinic <news@riversidemindbody.example>"
        assert msg["From"].addresses[0].addr_spec == "news@riversidemindbody.example"
        assert msg["Reply-To"] == "care@riversidemindbody.example"
        assert msg["Date"] == format_datetime(datetime.fromtimestamp(int(EPOCH), tz=UTC))
        assert msg["Message-ID"] == f"<{slug}.{article.sha256[:16]}@riversidemindbody.example>"
        assert msg["List-Unsubscribe"].strip() == f"<{UNSUB}>"  # the merge tag kept as written
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["X-Publishkit-Ref"] == reference_line(article)
        assert msg["MIME-Version"] == "1.0"
        assert msg["Content-Language"] == article.meta.language
        text, html = text_and_html(msg)
        # Provenance: the same reference in a <meta> tag and in both parts.
        assert extract_html(html.encode()).meta["publishkit-ref"] == reference_line(article)
        assert reference_line(article) in text
        # Every applying disclaimer in each part on its own, plus the compliance footer.
        html_text = normalize(extract_html(html.encode()).text)
        for entry in registry.resolve(article):
            assert normalize(entry.text.replace("**", "")) in normalize(text), (slug, entry.id)
            assert normalize(entry.text.replace("**", "")) in html_text, (slug, entry.id)
        assert normalize(ADDRESS) in normalize(text) and normalize(ADDRESS) in html_text
        assert UNSUB in text and UNSUB in extract_html(html.encode()).links
        # The HTML part is exactly the .email.html: one renderer's functions, reused.
        assert html.rstrip("\n") == (path.parent / f"{slug}.email.html").read_text(encoding="utf-8")


def test_the_ketamine_subject_comes_from_the_front_matter(built: dict[str, Path]) -> None:
    msg = parse(built["ketamine-neurobiology"].read_bytes())
    assert msg["Subject"] == "Ketamine for depression: what the research says"


def test_the_text_part_is_72_columns_with_numbered_links(built: dict[str, Path]) -> None:
    for slug, path in built.items():
        text, _html = text_and_html(parse(path.read_bytes()))
        for line in text.splitlines():
            # Only an unbreakable token (a long URL) may run past 72 columns.
            assert len(line) <= 72 or " " not in line.strip(), (slug, line)
    text, _ = text_and_html(parse(built["managing-medications"].read_bytes()))
    assert "MedlinePlus drug pages\u00a0[2]" in text  # [1] is the footnote
    assert "[2] https://medlineplus.gov/druginformation.html" in text
    assert "Reading the label\n-----------------" in text  # headings stay visible in plain text


def test_email_only_content_reaches_both_parts(built: dict[str, Path]) -> None:
    for slug, phrase in [
        ("ketamine-neurobiology", "Let me know your experience in a comment below!"),
        ("pill-box", "Reply to this email if you have a question for our pharmacist."),
    ]:
        text, html = text_and_html(parse(built[slug].read_bytes()))
        assert normalize(phrase) in normalize(text)
        assert normalize(phrase) in normalize(extract_html(html.encode()).text)


def test_html_is_accessible_and_keeps_dark_mode(built: dict[str, Path]) -> None:
    for slug, path in built.items():
        _text, html = text_and_html(parse(path.read_bytes()))
        assert re.search(r'<html lang="en(-US)?"', html), slug
        layout = re.findall(r'<table[^>]*class="(?:pk-outer|pk-container)"[^>]*>', html)
        assert len(layout) == 2 and all('role="presentation"' in t for t in layout)
        assert '<meta name="color-scheme" content="light dark">' in html
        assert '<meta name="supported-color-schemes" content="light dark">' in html
        # css-inline really kept the block it cannot inline, and inlined the rest.
        kept = re.findall(r"<style[^>]*>(.*?)</style>", html, re.S)
        assert len(kept) == 1 and "@media (prefers-color-scheme: dark)" in kept[0]
        assert "@media (max-width: 620px)" in kept[0]
        assert 'style="' in html and "background-color: #FFFFFF" in html
        for tag in re.findall(r"<img\b[^>]*>", html):
            assert re.search(r'alt="[^"]+"', tag), tag
        # The preheader (the summary) is the first text of the body.
        body = html.split("<body", 1)[1]
        first_text = re.sub(r"<[^>]+>", "", body.split(">", 1)[1]).strip()
        summary = load_article(path.parent.parent.parent / "source" / f"{slug}.md", Limits()).meta.summary
        assert first_text.startswith(summary[:40])
        # Links are underlined: never told apart by colour alone.
        for tag in re.findall(r"<a\b[^>]*>", html):
            assert "text-decoration: underline" in tag, tag


def test_images_point_at_asset_base_url_with_alt_text(built: dict[str, Path]) -> None:
    _text, html = text_and_html(parse(built["pill-box"].read_bytes()))
    imgs = re.findall(r"<img\b[^>]*>", html)
    assert len(imgs) == 1
    assert f'src="{ASSET_BASE}pill%20box.png"' in imgs[0]
    assert 'alt="A weekly pill box with seven compartments, one for each day"' in imgs[0]


def test_eml_bytes_are_reproducible(email_build: Project, seed_build: Project) -> None:
    """Same sources, another folder, another process, another time: the same bytes."""
    for slug in ("ketamine-neurobiology", "managing-medications", "sleep-basics"):
        a = email_build.out(slug, ".eml").read_bytes()
        b = seed_build.out(slug, ".eml").read_bytes()
        assert a == b, slug
        assert b"\r\n" in a and b"\n" not in a.replace(b"\r\n", b"")  # canonical CRLF


# --- gates ------------------------------------------------------------------------------------


def _fails(project: Project, *args: str) -> str:
    result = project.run(*args, "--jobs", "1")
    assert result.returncode == 1, result.stdout + result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("front", "shown"),
    [
        ('title: "Sleep\\r\\nBcc: victim@example.org"', "U+000D"),
        ('title: "Sleep\\nBcc: victim@example.org"', "U+000A"),
        ('title: "=?UTF-8?Q?=0A?=Bcc: victim@example.org"', "'=?'"),
        ('email: {subject: "Hi =?UTF-8?Q?=0A?=Bcc: victim@example.org"}', "'=?'"),
    ],
)
def test_a_hostile_subject_cannot_add_a_header(project: Project, front: str, shown: str) -> None:
    path = project.article("hostile", "Some text.\n")
    text = path.read_text(encoding="utf-8")
    key = front.split(":", 1)[0]
    if key == "title":
        text = re.sub(r"^title: .*$", lambda _m: front, text, count=1, flags=re.M)
    else:
        text = text.replace("reviewed:", front + "\nreviewed:", 1)
    path.write_text(text, encoding="utf-8")
    stderr = _fails(project, "email")
    line = text.splitlines().index(front) + 1
    if shown.startswith("U+"):
        # A line break in any front matter value is refused when the article is read.
        assert (
            f"Error: source: source/hostile.md:{line}: 'title' contains the control character {shown}"
            in stderr
        )
    else:
        what = "'subject'" if key == "email" else "'title'"
        assert (
            f"Error: source: source/hostile.md:{line}: "
            f"the email subject ({what} in the front matter) contains" in stderr
        )
        assert shown in stderr and "could add or change mail headers" in stderr
    assert not project.out("hostile", ".eml").exists()
    assert b"Bcc" not in b"".join(p.read_bytes() for p in project.build.rglob("*.eml"))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'from = "',
            'from = "=?UTF-8?Q?=0A?=Bcc: x@example.org ',
            "tool.publish.email.from: contains an encoded-word sequence",
        ),
        (
            'reply_to = "',
            'reply_to = "care\\r\\nBcc: x@example.org ',
            "tool.publish.email.reply_to: contains a control character (U+000D)",
        ),
        (
            'unsubscribe_url = "https://www.',
            'unsubscribe_url = "https://x.example/\\nBcc:x ',
            "unsubscribe_url",
        ),
        ('from = "', 'from = "not an address" #', "tool.publish.email.from: expected one address such as"),
        (
            'unsubscribe_url = "https://www.',
            'unsubscribe_url = "javascript:alert(1)//',
            "tool.publish.email.unsubscribe_url: expected an https:// or mailto: address or an ESP merge tag",
        ),
    ],
)
def test_bad_header_settings_fail_naming_the_setting(
    project: Project, old: str, new: str, message: str
) -> None:
    project.article("plain")
    project.set_config(old, new)
    stderr = _fails(project, "email")
    assert "Error: config: pyproject.toml: " in stderr and message in stderr
    assert not project.out("plain", ".eml").exists()


def test_missing_postal_address_is_a_settings_error_before_anything_is_built(project: Project) -> None:
    project.article("plain")
    project.set_config(f'address = "{ADDRESS}"', 'address = ""')
    result = project.run("all", "--jobs", "1")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "Error: config: pyproject.toml: tool.publish.brand.address: required for email (CAN-SPAM): "
        'the clinic\'s postal address, e.g. "1200 Harbor Street, Portland, OR 97201"'
    ]
    assert not project.build.exists()  # settings are checked before anything is read or written
    # Formats that need no postal address still build.
    assert project.run("text", "--jobs", "1").returncode == 0
    assert project.out("plain", ".txt").is_file()


def test_missing_unsubscribe_link_fails(project: Project) -> None:
    project.article("plain")
    project.set_config(f'unsubscribe_url = "{UNSUB}"', 'unsubscribe_url = ""')
    result = project.run("email", "--jobs", "1")
    assert result.returncode == 1
    assert (
        "Error: config: pyproject.toml: tool.publish.email.unsubscribe_url: required for email "
        "(CAN-SPAM, RFC 8058)"
    ) in result.stderr
    assert not project.build.exists()


def test_a_template_that_drops_the_footer_is_caught(project: Project) -> None:
    project.article("plain")
    tpl = project.root / "templates" / "email.html.j2"
    tpl.write_text(tpl.read_text(encoding="utf-8").replace("{{ brand.address }}", ""), encoding="utf-8")
    stderr = _fails(project, "email")
    assert "plain.email.html: the postal address is missing from the email footer" in stderr


def test_oversize_html_fails_and_the_summary_shows_sizes(project: Project) -> None:
    project.article("plain")
    ok = project.run("email", "--jobs", "1")
    assert ok.returncode == 0, ok.stderr
    assert re.search(r"plain\s.*built \d+\.\d KB.*built \d+\.\d KB", ok.stdout), ok.stdout
    assert "email" in ok.stdout and "eml" in ok.stdout
    project.set_config("[tool.publish.email]\n", "[tool.publish.email]\nmax_html_kb = 2\n")
    stderr = _fails(project, "email", "--force")
    assert re.search(r"plain\.email\.html: the email HTML is \d+\.\d KB, over the 2 KB limit", stderr)
    assert re.search(r"plain\.eml: the email HTML is \d+\.\d KB, over the 2 KB limit", stderr)


def test_image_without_asset_base_url_fails(project: Project) -> None:
    add_picture_article(project)
    result = project.run("all", "--jobs", "1")
    assert result.returncode == 1
    assert (
        "Error: render: source/pill-box.md:9: image 'pill box.png' needs a public address "
        "in email: set asset_base_url in [tool.publish.email]"
    ) in result.stderr
    assert project.out("pill-box", ".txt").is_file() and not project.out("pill-box", ".eml").exists()


def test_image_without_alt_text_fails(project: Project) -> None:
    add_picture_article(project)
    project.article("no-alt", "A picture.\n\n![](<assets/pill box.png>)\n")
    project.set_config('unsubscribe_url = "', f'asset_base_url = "{ASSET_BASE}"\nunsubscribe_url = "')
    stderr = _fails(project, "email")
    assert "Error: source: source/no-alt.md:9: image 'pill box.png' has no alt text; email needs it" in stderr
    assert project.out("pill-box", ".eml").is_file()  # the other article still builds


def test_each_part_is_audited_on_its_own(project: Project) -> None:
    """A text part without its disclaimers fails even though the HTML part carries them."""
    project.article("plain")
    tpl = project.root / "templates" / "text.txt.j2"
    tpl.write_text(tpl.read_text(encoding="utf-8").replace("{{ text }}", ""), encoding="utf-8")
    stderr = _fails(project, "email")
    assert "Error: audit: plain.eml (text part): disclaimer 'not-medical-advice' missing" in stderr
    assert project.out("plain", ".email.html").is_file() and not project.out("plain", ".eml").exists()


def test_email_image_url() -> None:
    base = "https://cdn.example.org/handouts/assets/"
    assets = Path("/srv/site/source/assets")
    assert email_image_url("assets/a b.png", base, "x") == base + "a%20b.png"
    assert email_image_url(str(assets / "sub" / "c.png"), base, "x", assets) == base + "sub/c.png"
    assert email_image_url("https://other.example/d.png", base, "x") == "https://other.example/d.png"
    with pytest.raises(RenderError, match="needs a public address in email: set asset_base_url"):
        email_image_url("assets/a.png", "", "x")
    with pytest.raises(ConfigError, match="asset_base_url must start with https://"):
        email_image_url("assets/a.png", "http://cdn.example.org/", "x")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("Hello\r\nBcc: x@example.org", "U+000D"),
        ("Hello\nBcc: x@example.org", "U+000A"),
        ("Hello\x00", "U+0000"),
        ("Hello\u2028Bcc: x", "U+2028"),
        ("=?UTF-8?Q?=0A?=Bcc: x", "'=?'"),
        ("Ketamine: what the research says · 2026", None),
        ("*|UNSUB|*", None),
    ],
)
def test_unsafe_header_values(value: str, reason: str | None) -> None:
    found = unsafe_reason(value)
    assert (found is None) if reason is None else (found is not None and reason in found)


@pytest.mark.parametrize(
    ("url", "one_click"),
    [
        ("*|UNSUB|*", True),
        ("mailto:unsubscribe@riversidemindbody.example?subject=unsubscribe", False),
    ],
)
def test_unsubscribe_merge_tag_and_mailto(project: Project, url: str, one_click: bool) -> None:
    project.article("plain")
    project.set_config(f'unsubscribe_url = "{UNSUB}"', f'unsubscribe_url = "{url}"')
    result = project.run("email", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    msg = parse(project.out("plain", ".eml").read_bytes())
    assert msg["List-Unsubscribe"].strip() == f"<{url}>"
    # RFC 8058 one-click is for https URLs (an ESP turns its merge tag into one), not mailto:.
    assert ("List-Unsubscribe-Post" in msg) is one_click
    text, html = text_and_html(msg)
    assert url in text and url in extract_html(html.encode()).links


def test_the_email_page_and_the_eml_inline_their_css_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both renderers inline the same page with the same CSS: css-inline runs once for the two."""
    import css_inline

    from publishkit.formats import email_html

    made: list[str] = []
    real = css_inline.CSSInliner

    def counted(**options: object) -> object:
        made.append(str(options["extra_css"]))
        return real(**options)  # type: ignore[arg-type]

    monkeypatch.setattr(css_inline, "CSSInliner", counted)
    email_html.inline_css.cache_clear()
    page = '<html><head><style>p { margin: 0 }</style></head><body><p class="x">Hi</p></body></html>'
    first = email_html.inline_css(page, ".x { color: #123456 }")
    assert email_html.inline_css(page, ".x { color: #123456 }") == first and len(made) == 1
    assert '<p class="x" style="margin: 0;color: #123456;">' in first
    # Another clinic's colour (or another page) is inlined afresh.
    other = email_html.inline_css(page, ".x { color: #654321 }")
    assert "#654321" in other and "#123456" not in other and len(made) == 2
