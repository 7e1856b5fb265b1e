"""Settings from ``[tool.publish]`` in pyproject.toml, validated once, and the one build clock."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from ..checks.claims import DEFAULT_IDS, active_claims
from ..errors import ConfigError
from ..kit.fsutil import UnsafePath, open_beneath
from ..kit.statmemo import StatMemo
from .brands import DEFAULT, Brand, EmailIdentity, key_path, load_brands
from .taglines import FILE as TAGLINES_FILE
from .taglines import Taglines, load_taglines
from .types import (
    EDITIONS,
    PAGE_SIZES,
    AtLeast,
    Choice,
    Editions,
    Folder,
    HttpsUrl,
    Mailbox,
    PageSize,
    UnsubscribeUrl,
    build_table,
    received,
)

__all__ = ["EDITIONS", "PAGE_SIZES", "Brand", "EmailIdentity", "Settings", "build_time", "load_settings"]


@dataclass(frozen=True)
class PdfSettings:
    page_size: PageSize = "letter"
    large_print: bool = False  # the older setting: the same as editions = ["large-print"]
    editions: Editions = ("standard",)
    timeout: Annotated[float, AtLeast(0, above=True)] = 60.0


@dataclass(frozen=True)
class DocxSettings:
    editions: Editions = ("standard",)
    page_size: Annotated[str, Choice(("", *PAGE_SIZES))] = ""  # "" follows [tool.publish.pdf]


@dataclass(frozen=True)
class EmailSettings:
    from_: Mailbox = ""  # the default clinic's identity, also in brands["default"].email
    reply_to: Mailbox = ""
    unsubscribe_url: UnsubscribeUrl = ""
    asset_base_url: HttpsUrl = ""
    max_html_kb: Annotated[int, AtLeast(1, whole=True)] = 102
    test_to: tuple[str, ...] = ()  # where `send --draft` may send a draft (and nowhere else)

    @property
    def identity(self) -> EmailIdentity:
        return EmailIdentity(self.from_, self.reply_to, self.unsubscribe_url)


@dataclass(frozen=True)
class ChecksSettings:
    """``[tool.publish.checks]``: the content checks run by ``publish.py check`` and ``all``."""

    # reading grade for audience patients and public; 0 = no target
    target_grade: Annotated[float, AtLeast(0)] = 8.0
    target_grade_clinicians: Annotated[float, AtLeast(0)] = 0.0  # 0 = no target for clinicians
    # Spanish articles for patients and the public: at least this Szigriszt-Pazos score, 55 being
    # where the INFLESZ scale's "normal" starts (Barrio-Cantalejo et al., An. Sist. Sanit. Navar.
    # 2008;31(2):135-152, validated on patient material); 0 = no target
    target_inflesz: Annotated[float, AtLeast(0)] = 55.0
    review_every_months: Annotated[int, AtLeast(1, whole=True)] = 12
    due_soon_days: Annotated[int, AtLeast(0, whole=True)] = 30
    words_per_minute: Annotated[int, AtLeast(1, whole=True)] = 200  # reading speed for the reading time
    claims: tuple[str, ...] = DEFAULT_IDS  # built-in phrase checks to use, by name
    extra_claims: tuple[Any, ...] = ()  # the clinic's own: "phrase" or { phrase|pattern, reason }

    def target_for(self, audience: str) -> float | None:
        target = self.target_grade_clinicians if audience == "clinicians" else self.target_grade
        return target if target > 0 else None

    def ease_target_for(self, audience: str) -> float | None:
        """The lowest Szigriszt-Pazos score a Spanish article for ``audience`` should have."""
        if audience == "clinicians" or self.target_inflesz <= 0:
            return None
        return self.target_inflesz


@dataclass(frozen=True)
class Limits:
    max_source_bytes: Annotated[int, AtLeast(1, whole=True)] = 1_000_000
    max_nesting: Annotated[int, AtLeast(1, whole=True)] = 20
    max_bracket_run: Annotated[int, AtLeast(1, whole=True)] = 200
    # Levels of pandoc's JSON for one article (a real article needs under 40; a list nested
    # max_nesting deep, read with source positions, about 140). Deeper input would exhaust
    # Python's recursion limit in json.loads or an AST walk.
    max_tree_depth: Annotated[int, AtLeast(1, whole=True)] = 256
    # seconds for pandoc to read or write one article, and for the content check of one article
    pandoc_timeout: Annotated[float, AtLeast(0, above=True)] = 60.0
    check_timeout: Annotated[float, AtLeast(0, above=True)] = 60.0


@dataclass(frozen=True)
class Settings:
    root: Path = Path()
    source: Folder = "source"
    templates: Folder = "templates"
    build: Folder = "build"
    # Every clinic by id: "default" ([tool.publish.brand]) first, then [tool.publish.brands.*].
    brands: Mapping[str, Brand] = field(default_factory=lambda: {DEFAULT: Brand()})
    pdf: PdfSettings = field(default_factory=PdfSettings)
    docx: DocxSettings = field(default_factory=DocxSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    limits: Limits = field(default_factory=Limits)
    checks: ChecksSettings = field(default_factory=ChecksSettings)
    # outputs not matching an approval (source/approvals/) are marked DRAFT; per clinic too
    require_approval: bool = False
    # source/taglines.yaml, read once here: every clinic's ``taglines`` names entries of it
    taglines: Taglines = field(default_factory=Taglines)

    def requires_approval(self, brand_id: str) -> bool:
        return self.require_approval or self.brands[brand_id].require_approval

    @property
    def brand(self) -> Brand:
        """The default clinic."""
        return self.brands[DEFAULT]

    # Worked out once (a frozen object's fields do not change): a gallery of 500 articles asked
    # for them thousands of times, each a new Path.
    @cached_property
    def source_dir(self) -> Path:
        return self.root / self.source

    @cached_property
    def templates_dir(self) -> Path:
        return self.root / self.templates

    @cached_property
    def build_dir(self) -> Path:
        return self.root / self.build

    @property
    def assets_dir(self) -> Path:
        return self.source_dir / "assets"

    def section(self, name: str) -> dict[str, Any]:
        """One section as plain data, for cache keys and the manifest."""
        value = getattr(self, name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.asdict(value)
        return {name: value}


# Settings read by this process, while pyproject.toml and the files it names are unchanged.
_READ: StatMemo[Settings] = StatMemo()


def load_settings(root: Path) -> Settings:
    """Read ``[tool.publish]`` from ``root/pyproject.toml``. Every problem is collected, one line
    each with its key path, and raised once as a ConfigError, before anything else is read."""
    return _READ.get(root, [root / "pyproject.toml"], lambda: _load_settings(root), _named_files)


def _named_files(settings: Settings) -> list[Path]:
    """The clinics' logos and registries (load_settings checks they exist), and the taglines file
    the settings hold."""
    return [settings.source_dir / TAGLINES_FILE] + [
        folder / value
        for brand in settings.brands.values()
        for folder, value in ((settings.assets_dir, brand.logo), (settings.source_dir, brand.registry))
        if value
    ]


def _load_settings(root: Path) -> Settings:
    path = root / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            "pyproject.toml not found: run publish.py in the project folder", path=path
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=path) from None
    except (RecursionError, ValueError) as exc:
        # tomllib recurses into nested arrays and tables; Python refuses ints of 4,300+ digits.
        what = "nested too deep" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        raise ConfigError(f"not valid TOML: {what}", path=path) from None
    tool = data.get("tool", {})
    section = tool.get("publish", {}) if isinstance(tool, dict) else tool
    errors: list[str] = []
    if not isinstance(section, dict):
        raise ConfigError(f"tool.publish: expected a table {received(section)}", path=path)
    clinics = ("brand", "brands")  # read by load_brands(), with the email identity
    settings: Settings = build_table(
        Settings, section, "tool.publish", errors, skip=("root", "brands", "taglines"), known=clinics
    )
    brands = load_brands(section.get("brand", {}), section.get("brands", {}), settings.email.identity, errors)
    settings = dataclasses.replace(settings, root=root, brands=brands)
    settings = _editions(settings, section.get("pdf", {}), errors)
    errors += _files(settings)
    settings = _taglines(settings, errors)
    errors += active_claims(settings.checks.claims, settings.checks.extra_claims)[1]
    if errors:
        raise ConfigError(errors[0], lines=errors, path=path)
    return settings


def _editions(settings: Settings, pdf: Any, errors: list[str]) -> Settings:
    """``large_print = true``, the older setting, means the large-print edition only."""
    if not settings.pdf.large_print:
        return settings
    if isinstance(pdf, dict) and "editions" in pdf:
        errors.append(
            'tool.publish.pdf.large_print: use editions = ["large-print"] instead; '
            "large_print and editions cannot both be set"
        )
        return settings
    return dataclasses.replace(settings, pdf=dataclasses.replace(settings.pdf, editions=("large-print",)))


def _taglines(settings: Settings, errors: list[str]) -> Settings:
    """Read source/taglines.yaml (when it exists or a clinic lists taglines): every tag a clinic
    lists must be in it, and a clinic that prints taglines needs the phone they tell people to call."""
    path = settings.source_dir / TAGLINES_FILE
    wanted = [b for b in settings.brands.values() if b.taglines]
    if not settings.source_dir.is_dir() or (not wanted and not path.is_file()):  # no source/: said later
        return settings
    try:
        taglines = load_taglines(path, settings.limits.max_source_bytes)
    except FileNotFoundError:
        first = wanted[0]
        errors.append(f"{key_path(first.id, 'taglines')}: no file source/{TAGLINES_FILE} to take them from")
        return settings
    available = ", ".join(taglines.tags)
    for brand in wanted:
        unknown = [t for t in brand.taglines if t not in taglines.tags]
        if unknown:
            errors.append(
                f"{key_path(brand.id, 'taglines')}: {', '.join(repr(t) for t in unknown)} not in "
                f"source/{TAGLINES_FILE}. Available: {available}"
            )
        if not brand.phone.strip():
            errors.append(
                f"{key_path(brand.id, 'phone')}: required with taglines: they tell the reader which "
                "number to call for free language help"
            )
    return dataclasses.replace(settings, taglines=taglines)


def _files(settings: Settings) -> list[str]:
    """Each clinic's logo and registry must exist inside their folders (a link may not lead out);
    build/ (which ``clean`` empties) shares no folder with the sources or the templates."""
    problems = []
    build = PurePosixPath(settings.build)
    for key in ("source", "templates"):
        other = PurePosixPath(getattr(settings, key))
        if build == other or build in other.parents or other in build.parents:
            problems.append(
                f"tool.publish.build: expected a folder apart from {key} {received(settings.build)}"
            )
    for brand in settings.brands.values():
        for key, folder, name in (
            ("logo", settings.assets_dir, "source/assets"),
            ("registry", settings.source_dir, "source"),
        ):
            value = getattr(brand, key)
            if not value:
                continue
            try:  # the same rule as every file the build reads: no symlink anywhere on the way
                os.close(open_beneath(folder, PurePosixPath(value).parts))
            except UnsafePath as exc:
                where = f"{name}/{exc.name}"
                reason = (
                    f"no file {value!r} in {name}/"
                    if exc.reason == "does not exist"
                    else f"{where} {exc.reason}"
                )
                problems.append(f"{key_path(brand.id, key)}: {reason}")
            except OSError:
                problems.append(f"{key_path(brand.id, key)}: no folder {name}/ for {value!r}")
    return problems


def build_time() -> datetime:
    """The one clock: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError:
            raise ConfigError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got '{epoch}'") from None
    return datetime.now(tz=UTC).replace(microsecond=0)
