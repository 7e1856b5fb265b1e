"""Settings from ``[tool.publish]`` in pyproject.toml, validated once, and the one build clock."""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..checks.claims import DEFAULT_IDS, active_claims
from ..errors import ConfigError


@dataclass(frozen=True)
class EmailIdentity:
    """A clinic's email identity (TEMPORARY stub until the typed settings land)."""

    from_: str = ""
    reply_to: str = ""
    unsubscribe_url: str = ""


@dataclass(frozen=True)
class Brand:
    id: str = "default"
    name: str = "Your Clinic"
    address: str = ""
    phone: str = ""
    website: str = ""
    color: str = "#1F5F7A"
    logo: str = ""  # a file under source/assets/, e.g. "logo.png"
    registry: str = ""
    email: EmailIdentity = field(default_factory=EmailIdentity)


@dataclass(frozen=True)
class PdfSettings:
    page_size: str = "letter"
    large_print: bool = False
    editions: tuple[str, ...] = ("standard",)
    timeout: float = 60.0


@dataclass(frozen=True)
class DocxSettings:
    editions: tuple[str, ...] = ("standard",)
    page_size: str = ""


@dataclass(frozen=True)
class EmailSettings:
    from_: str = ""
    reply_to: str = ""
    unsubscribe_url: str = ""
    asset_base_url: str = ""
    max_html_kb: int = 102


@dataclass(frozen=True)
class ChecksSettings:
    """``[tool.publish.checks]``: the content checks run by ``publish.py check`` and ``all``."""

    target_grade: float = 8.0  # reading grade for audience patients and public; 0 = no target
    target_grade_clinicians: float = 0.0  # 0 = no target for clinicians
    review_every_months: int = 12
    due_soon_days: int = 30
    words_per_minute: int = 200  # reading speed used for the reading time
    claims: tuple[str, ...] = DEFAULT_IDS  # built-in phrase checks to use, by name
    extra_claims: tuple[Any, ...] = ()  # the clinic's own: "phrase" or { phrase|pattern, reason }

    def target_for(self, audience: str) -> float | None:
        target = self.target_grade_clinicians if audience == "clinicians" else self.target_grade
        return target if target > 0 else None


@dataclass(frozen=True)
class Limits:
    max_source_bytes: int = 1_000_000
    max_nesting: int = 20
    max_bracket_run: int = 200
    # Levels of pandoc's JSON for one article (a real article needs under 40; a list nested
    # max_nesting deep, read with source positions, about 140). Deeper input would exhaust
    # Python's recursion limit in json.loads or an AST walk.
    max_tree_depth: int = 256
    pandoc_timeout: float = 60.0  # seconds for pandoc to read or write one article
    check_timeout: float = 60.0  # seconds for the content check of one article


@dataclass(frozen=True)
class Settings:
    root: Path = Path()
    source: str = "source"
    templates: str = "templates"
    build: str = "build"
    brand: Brand = field(default_factory=Brand)
    brands_: dict[str, Brand] = field(default_factory=dict)
    pdf: PdfSettings = field(default_factory=PdfSettings)
    docx: DocxSettings = field(default_factory=DocxSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    limits: Limits = field(default_factory=Limits)
    checks: ChecksSettings = field(default_factory=ChecksSettings)

    @property
    def brands(self) -> dict[str, Brand]:
        default = dataclasses.replace(
            self.brand,
            id="default",
            email=EmailIdentity(self.email.from_, self.email.reply_to, self.email.unsubscribe_url),
        )
        return {"default": default, **{k: dataclasses.replace(b, id=k) for k, b in self.brands_.items()}}

    @property
    def source_dir(self) -> Path:
        return self.root / self.source

    @property
    def templates_dir(self) -> Path:
        return self.root / self.templates

    @property
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


PAGE_SIZES = ("letter", "a4")

# TOML keys that are not Python identifiers.
_ALIASES = {"from": "from_", "brands": "brands_"}


def _type_name(tp: Any) -> str:
    return {str: "text", int: "a whole number", float: "a number", bool: "true or false"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _build(cls: type, data: Any, where: str, errors: list[str]) -> Any:
    if not isinstance(data, dict):
        errors.append(f"[{where}] must be a table, got {type(data).__name__}")
        return cls()
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "root"}
    kwargs: dict[str, Any] = {}
    valid = sorted(k.rstrip("_") for k in fields)
    for key, value in data.items():
        name = _ALIASES.get(key, key)
        if name not in fields:
            errors.append(f"[{where}] unknown key '{key}'. Valid keys: {', '.join(valid)}")
            continue
        tp = hints[name]
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            kwargs[name] = _build(tp, value, f"{where}.{key}", errors)
            continue
        if typing.get_origin(tp) is dict:  # brands: a table of clinic tables (stub)
            kwargs[name] = {
                k: _build(Brand, v, f"{where}.{key}.{k}", errors) for k, v in (value or {}).items()
            }
            continue
        if typing.get_origin(tp) is tuple:  # a TOML array; its items are checked by their owner
            if not isinstance(value, list):
                errors.append(f"[{where}] {key} must be a list, got {value!r}")
            else:
                kwargs[name] = tuple(value)
            continue
        ok = isinstance(value, tp) and not (tp is not bool and isinstance(value, bool))
        if tp is float and isinstance(value, int) and not isinstance(value, bool):
            value, ok = float(value), True
        if not ok:
            errors.append(
                f"[{where}] {key} must be {_type_name(tp)}, got {value!r}"
                if not isinstance(tp, types.UnionType)
                else f"[{where}] {key} has the wrong type: {value!r}"
            )
            continue
        kwargs[name] = value
    return cls(**kwargs)


def load_settings(root: Path) -> Settings:
    """Read ``[tool.publish]`` from ``root/pyproject.toml``; collect every error, then raise once."""
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
    section = data.get("tool", {}).get("publish", {})
    errors: list[str] = []
    built: Settings = _build(Settings, section, "tool.publish", errors)
    settings = dataclasses.replace(built, root=root) if not errors else None
    if settings is not None and settings.pdf.page_size not in PAGE_SIZES:
        errors.append(
            f"[tool.publish.pdf] page_size: expected one of {list(PAGE_SIZES)}, "
            f"got '{settings.pdf.page_size}'"
        )
    if settings is not None:
        errors.extend(_check_checks(settings.checks))
    if errors or settings is None:
        raise ConfigError("; ".join(errors), path=path)
    return settings


def _check_checks(checks: ChecksSettings) -> list[str]:
    where = "[tool.publish.checks]"
    errors = [
        f"{where} {k} must be 0 or more, got {getattr(checks, k)}"
        for k in ("target_grade", "target_grade_clinicians", "due_soon_days")
        if getattr(checks, k) < 0
    ]
    errors += [
        f"{where} {k} must be at least 1, got {getattr(checks, k)}"
        for k in ("review_every_months", "words_per_minute")
        if getattr(checks, k) < 1
    ]
    return errors + active_claims(checks.claims, checks.extra_claims)[1]


def build_time() -> datetime:
    """The one clock: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now, in UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError:
            raise ConfigError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got '{epoch}'") from None
    return datetime.now(tz=UTC).replace(microsecond=0)
