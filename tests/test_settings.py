"""Settings: typed values that check themselves, every problem at load, clinics, editions, overlays."""

from __future__ import annotations

from typing import Any

import docx
import pytest
from conftest import Project
from docx.shared import RGBColor

from publishkit.errors import ConfigError
from publishkit.model.brands import Brand, EmailIdentity, colour_problem, email_problems
from publishkit.model.settings import load_settings
from publishkit.model.types import (
    Choice,
    ColourRule,
    EditionsRule,
    FileRule,
    FolderRule,
    Invalid,
    MailboxRule,
    UnsubscribeRule,
    UrlRule,
)

EASTSIDE = """
[tool.publish.brands.eastside]
name = "Eastside Family Health"
address = "88 Division Street, Portland, OR 97202"
phone = "(503) 555-0199"
color = "#7A1F3D"

[tool.publish.brands.eastside.email]
from = "Eastside Family Health <news@eastside.example>"
unsubscribe_url = "https://eastside.example/unsubscribe"
"""
PREFIX = "Error: config: pyproject.toml: "


def add_eastside(project: Project, text: str = EASTSIDE) -> None:
    with (project.root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(text)


def config_lines(project: Project, *args: str) -> list[str]:
    """Run a build that must fail at load: exit 1, nothing in build/ touched; the error lines."""
    marker = project.build / "keep.txt"
    marker.parent.mkdir(exist_ok=True)
    marker.write_text("untouched", encoding="utf-8")
    result = project.run(*args, "--jobs", "1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert sorted(p.name for p in project.build.iterdir()) == ["keep.txt"]
    assert result.stdout == ""
    return result.stderr.splitlines()


# --- at load, one line per problem, before any article is read ------------------------------


def test_an_unreadable_clinic_colour_is_one_line_and_nothing_is_built(project: Project) -> None:
    project.article("fine")
    (project.source / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    add_eastside(project, EASTSIDE.replace("#7A1F3D", "#FFFF00"))
    assert config_lines(project, "all") == [
        PREFIX + "tool.publish.brands.eastside.color: #FFFF00 on white has a contrast of 1.07:1; "
        "text needs at least 4.5:1 (WCAG 2.x)"
    ]


def test_three_bad_settings_are_three_lines(project: Project) -> None:
    project.article("fine")
    project.set_config('page_size = "letter"', 'page_size = "a5"')
    add_eastside(
        project, EASTSIDE.replace('color = "#7A1F3D"', 'colour = "#7A1F3D"\nwebsite = "eastside.example"')
    )
    assert config_lines(project, "pdf") == [
        PREFIX + "tool.publish.pdf.page_size: expected one of: letter, a4 but received: 'a5'",
        PREFIX + "tool.publish.brands.eastside: unknown key 'colour'. "
        "Valid keys: address, color, email, logo, name, phone, registry, require_approval, taglines, website",
        PREFIX + "tool.publish.brands.eastside.website: expected a web address starting with https:// "
        "or http:// (e.g. \"https://www.example.org\") but received: 'eastside.example'",
    ]


def test_every_level_refuses_unknown_keys_and_names_the_clinic(project: Project) -> None:
    project.set_config("[tool.publish.pdf]\n", "[tool.publish.pdf]\nlarge = true\n")
    add_eastside(
        project, EASTSIDE.replace("unsubscribe_url", "unsubscribe") + "\n[tool.publish.brands.East]\n"
    )
    project.set_config("[tool.publish]\n", "[tool.publish]\nbrands.westside.phone = 5\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(project.root)
    assert caught.value.lines == (
        "tool.publish.pdf: unknown key 'large'. Valid keys: editions, large_print, page_size, timeout",
        "tool.publish.brands.westside.name: required: the clinic's name as every output shows it",
        "tool.publish.brands.westside.phone: expected text but received: 5",
        "tool.publish.brands.eastside.email: unknown key 'unsubscribe'. Valid keys: from, reply_to, unsubscribe_url",
        "tool.publish.brands.East: a clinic id is lower-case letters, digits and hyphens, not 'default' "
        "(e.g. \"eastside\") but received: 'East'",
    )


def test_short_colours_are_one_rule_for_every_format(project: Project) -> None:
    project.set_config('color = "#1F5F7A"', 'color = "#135"')
    project.article("short-colour", "## A section\n\nText.\n")
    for word in ("pdf", "docx"):  # PDF took "#abc" and DOCX refused it: now both take it
        result = project.run(word, "--jobs", "1")
        assert result.returncode == 0, result.stderr
    assert project.out("short-colour", ".pdf").is_file()
    styles = docx.Document(str(project.out("short-colour", ".docx"))).styles
    assert styles["Heading 2"].font.color.rgb == RGBColor(0x11, 0x33, 0x55)
    assert load_settings(project.root).brand.color == "#113355"


def test_clinics_in_order_with_their_own_email_identity(project: Project) -> None:
    add_eastside(project)
    settings = load_settings(project.root)
    assert list(settings.brands) == ["default", "eastside"]
    assert settings.brand is settings.brands["default"]
    assert settings.brand.email.from_ == settings.email.from_
    assert settings.brand.email.unsubscribe_url == settings.email.unsubscribe_url
    east = settings.brands["eastside"]
    assert (east.id, east.website, east.logo, east.registry) == ("eastside", "", "", "")
    assert east.email == EmailIdentity(
        "Eastside Family Health <news@eastside.example>", "", "https://eastside.example/unsubscribe"
    )
    assert email_problems(east) == []
    assert email_problems(Brand(id="west", name="West")) == [
        "tool.publish.brands.west.address: required for email (CAN-SPAM): the clinic's postal address, "
        'e.g. "1200 Harbor Street, Portland, OR 97201"',
        "tool.publish.brands.west.email.unsubscribe_url: required for email (CAN-SPAM, RFC 8058): "
        'e.g. "https://www.example.org/unsubscribe" or an ESP merge tag such as "*|UNSUB|*"',
        "tool.publish.brands.west.email.from: required for email: the sender, "
        'e.g. "Clinic Name <news@clinic.example>"',
    ]


def test_editions_and_the_older_large_print_setting(project: Project) -> None:
    settings = load_settings(project.root)
    assert (settings.pdf.editions, settings.docx.editions, settings.docx.page_size) == (
        ("standard",),
        ("standard",),
        "",
    )
    project.set_config('page_size = "letter"', 'page_size = "letter"\nlarge_print = true')
    assert load_settings(project.root).pdf.editions == ("large-print",)
    project.set_config("large_print = true", 'large_print = true\neditions = ["standard"]')
    add_eastside(
        project, '\n[tool.publish.docx]\neditions = ["large-print", "large-print"]\npage_size = "a3"\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(project.root)
    assert caught.value.lines == (
        "tool.publish.docx.editions: expected each edition once but received: ['large-print', 'large-print']",
        "tool.publish.docx.page_size: expected one of: \"\", letter, a4 but received: 'a3'",
        'tool.publish.pdf.large_print: use editions = ["large-print"] instead; '
        "large_print and editions cannot both be set",
    )


def test_logo_and_registry_files_must_exist_in_their_folders(project: Project) -> None:
    project.set_config('build = "build"', 'build = "source/out"')
    add_eastside(project, EASTSIDE.replace('color = "#7A1F3D"', 'logo = "east.png"\nregistry = "east.yaml"'))
    with pytest.raises(ConfigError) as caught:
        load_settings(project.root)
    assert caught.value.lines == (
        "tool.publish.build: expected a folder apart from source but received: 'source/out'",
        "tool.publish.brands.eastside.logo: no file 'east.png' in source/assets/",
        "tool.publish.brands.eastside.registry: no file 'east.yaml' in source/",
    )


# --- the rules, one per kind of value -------------------------------------------------------

GOOD: list[tuple[Any, Any, Any]] = [
    (ColourRule(), "#abc", "#AABBCC"),
    (ColourRule(), "#1f5f7a", "#1F5F7A"),
    (Choice(("letter", "a4")), "a4", "a4"),
    (UrlRule(), "https://www.example.org/care?x=1", "https://www.example.org/care?x=1"),
    (UrlRule(), "http://clinic.example:8080", "http://clinic.example:8080"),
    (MailboxRule(), "Riverside Mind & Body Clinic <news@riverside.example>", None),
    (MailboxRule(), '"Smith, Jones & Co." <care@sj.example>', None),
    (MailboxRule(), "care@riverside.example", None),
    (UnsubscribeRule(), "*|UNSUB|*", None),
    (UnsubscribeRule(), "{{ unsubscribe }}", None),
    (UnsubscribeRule(), "mailto:leave@clinic.example", None),
    (UnsubscribeRule(), "https://clinic.example/u?id=*|UNIQID|*", None),
    (FileRule("source/assets", "logo.png", (".png",)), "brand/logo.PNG", None),
    (EditionsRule(), ["large-print", "standard"], ("large-print", "standard")),
]


@pytest.mark.parametrize(("rule", "value", "expected"), GOOD)
def test_good_values_pass_normalised(rule: Any, value: Any, expected: Any) -> None:
    assert rule.check(value) == (value if expected is None else expected)


BAD: list[tuple[Any, Any, str]] = [
    (ColourRule(), "purple", 'expected a colour like "#1F5F7A" or "#17A" but received: \'purple\''),
    (ColourRule(), "#1F5F7", 'expected a colour like "#1F5F7A" or "#17A" but received: \'#1F5F7\''),
    (Choice(("letter", "a4")), "a5", "expected one of: letter, a4 but received: 'a5'"),
    (
        UrlRule(("https",)),
        "http://x.example",
        "expected a web address starting with https:// "
        "(e.g. \"https://www.example.org\") but received: 'http://x.example'",
    ),
    (
        UrlRule(),
        "https://exa mple.org",
        "expected a web address starting with https:// or http:// "
        "(e.g. \"https://www.example.org\") but received: 'https://exa mple.org'",
    ),
    (
        MailboxRule(),
        "care\r\nBcc: x@example.org",
        "contains a control character (U+000D), which could add "
        "or change mail headers; remove it: 'care\\r\\nBcc: x@example.org'",
    ),
    (
        MailboxRule(),
        "=?UTF-8?Q?=0A?= <a@b.example>",
        "contains an encoded-word sequence '=?' (RFC 2047), "
        "which could add or change mail headers; remove it: '=?UTF-8?Q?=0A?= <a@b.example>'",
    ),
    (
        MailboxRule(),
        "Clínica <a@b.example>",
        "expected plain ASCII (write accents out in the clinic name) but received: 'Clínica <a@b.example>'",
    ),
    (
        MailboxRule(),
        "Smith, Jones <a@b.example>",
        "expected one address such as 'Clinic Name "
        "<news@clinic.example>' or 'news@clinic.example' but received: 'Smith, Jones <a@b.example>'",
    ),
    (
        MailboxRule(),
        "news@localhost",
        "expected one address such as 'Clinic Name <news@clinic.example>' "
        "or 'news@clinic.example' but received: 'news@localhost'",
    ),
    (
        UnsubscribeRule(),
        "javascript:alert(1)",
        "expected an https:// or mailto: address or an ESP merge tag "
        "such as *|UNSUB|* but received: 'javascript:alert(1)'",
    ),
    (
        UnsubscribeRule(),
        "https://x.example/\nBcc:x",
        "contains a control character (U+000A), which could "
        "add or change mail headers; remove it: 'https://x.example/\\nBcc:x'",
    ),
    (
        FileRule("source/assets", "logo.png", (".png",)),
        "../logo.png",
        "expected a file name in source/assets/ (e.g. \"logo.png\") but received: '../logo.png'",
    ),
    (
        FileRule("source/assets", "logo.png", (".png",)),
        "/etc/logo.png",
        "expected a file name in source/assets/ (e.g. \"logo.png\") but received: '/etc/logo.png'",
    ),
    (
        FileRule("source/assets", "logo.png", (".png",)),
        "logo.txt",
        "expected a file ending in .png but received: 'logo.txt'",
    ),
    (FolderRule(), "..", "expected a folder inside the project (e.g. \"build\") but received: '..'"),
    (FolderRule(), ".", "expected a folder inside the project (e.g. \"build\") but received: '.'"),
    (
        FolderRule(),
        "/tmp/out",
        "expected a folder inside the project (e.g. \"build\") but received: '/tmp/out'",
    ),
    (EditionsRule(), ["huge"], "expected one of: standard, large-print but received: 'huge'"),
    (EditionsRule(), [], 'expected a list of editions such as ["standard", "large-print"] but received: []'),
]


@pytest.mark.parametrize(("rule", "value", "message"), BAD)
def test_bad_values_say_what_was_expected(rule: Any, value: Any, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        rule.check(value)
    assert str(caught.value) == message


def test_contrast_names_the_first_pair_that_fails() -> None:
    assert colour_problem("#1F5F7A") is None
    assert colour_problem("#777777") == (
        "#777777 on white has a contrast of 4.47:1; text needs at least 4.5:1 (WCAG 2.x)"
    )
    # Fine on white, but the email masthead's contact line (the pale tint on the colour) is not.
    assert colour_problem("#D32F2F") == (
        "#FBEAEA (the pale tint of #D32F2F) on #D32F2F has a contrast of 4.28:1; "
        "text needs at least 4.5:1 (WCAG 2.x)"
    )


def test_the_folders_are_those_of_the_settings_they_belong_to(tmp_path: Any) -> None:
    """source_dir, templates_dir and build_dir are worked out once per Settings: a copy with
    other folders (dataclasses.replace) has its own, and a pickled one (a worker's) the same."""
    import pickle
    from dataclasses import replace

    from publishkit.model.settings import Settings

    settings = Settings(root=tmp_path)
    assert (settings.source_dir, settings.templates_dir, settings.build_dir) == (
        tmp_path / "source",
        tmp_path / "templates",
        tmp_path / "build",
    )
    other = replace(settings, root=tmp_path / "x", build="out")
    assert other.build_dir == tmp_path / "x" / "out" and other.source_dir == tmp_path / "x" / "source"
    assert settings.build_dir == tmp_path / "build"
    again = pickle.loads(pickle.dumps(settings))
    assert again == settings and again.build_dir == settings.build_dir
