"""Tool versions and pandoc's path, found without importing importlib.metadata or pypandoc."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest
from conftest import REPO, Project, probe

from publishkit.kit import versions


def _expected(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _found(name: str) -> str | None:
    try:
        return versions.version(name)
    except versions.NotInstalled:
        return None


def test_every_installed_distribution_has_the_version_importlib_metadata_gives() -> None:
    names = {d.metadata["Name"] for d in metadata.distributions()}
    assert len(names) > 30  # this environment's packages: the test compares something
    for name in sorted(names):
        for spelled in {name, name.lower(), name.upper(), name.replace("-", "_"), name.replace("_", ".")}:
            assert _found(spelled) == _expected(spelled), spelled
    assert _found("no-such-package-here") is None


def _dist_info(folder: Path, name: str, metadata_text: str) -> None:
    info = folder / f"{name}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(metadata_text, encoding="utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "Metadata-Version: 2.1\nName: tidy-pkg\nVersion: 1.2.3\n\nA body.\n",
        "Metadata-Version: 2.1\nName: tidy-pkg\nversion: 1.2.3  \n",  # any case; trailing spaces kept
        "Metadata-Version: 2.1\nName: tidy-pkg\nVersion:\n 1.2.3\n",  # folded: importlib.metadata reads it
        "Metadata-Version: 2.1\nName: tidy-pkg\nSummary: a\n  long one\nVersion: 2\n",  # a folded field first
        "Metadata-Version: 2.1\nName: tidy-pkg\n\nVersion: 9\n",  # in the body, not a field
        "Metadata-Version: 2.1\nName: tidy-pkg\nnot a field\nVersion: 9\n",
    ],
)
def test_what_is_not_plain_to_read_is_read_as_importlib_metadata_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    _dist_info(tmp_path, "Tidy_Pkg-1.2.3", text)
    monkeypatch.syspath_prepend(str(tmp_path))
    versions._candidates.cache_clear()
    try:
        assert _found("tidy-pkg") == _expected("tidy-pkg")
    finally:
        versions._candidates.cache_clear()


def test_a_folder_before_site_packages_wins_as_in_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dist_info(tmp_path, "nh3-0.0.1", "Metadata-Version: 2.1\nName: nh3\nVersion: 0.0.1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    versions._candidates.cache_clear()
    try:
        assert _found("nh3") == _expected("nh3") == "0.0.1"
        # Two in one folder: importlib.metadata decides (by the folder's listing order).
        _dist_info(tmp_path, "nh3-0.0.2", "Metadata-Version: 2.1\nName: nh3\nVersion: 0.0.2\n")
        versions._candidates.cache_clear()
        assert _found("nh3") == _expected("nh3")
    finally:
        versions._candidates.cache_clear()


# A fresh interpreter: which modules finding the versions and pandoc imported.
PROBE = """
import json, sys
sys.path.insert(0, {repo!r})
from publishkit.kit.pandoc import bundle_version, pandoc_path
from publishkit.pipeline.cachekey import tool_versions
found = {{"versions": tool_versions(), "bundle": bundle_version(), "pandoc": pandoc_path()}}
found["imported"] = sorted(m for m in ("importlib.metadata", "pypandoc") if m in sys.modules)
print(json.dumps(found))
"""


def _probe(env: dict[str, str] | None = None) -> dict[str, object]:
    return probe(PROBE.format(repo=str(REPO)), env)


def test_versions_and_the_bundled_pandoc_come_without_importlib_metadata_or_pypandoc() -> None:
    import pypandoc

    found = _probe()
    assert found["imported"] == []
    assert found["versions"] == {
        name: _expected(name) or "not installed"
        for name in found["versions"]  # type: ignore[union-attr]
    }
    assert found["bundle"] == "pypandoc-binary " + metadata.version("pypandoc-binary")
    bundled = Path(pypandoc.__file__).resolve().parent / "files" / "pandoc"
    assert found["pandoc"] == str(bundled) and bundled.is_file()


def test_pypandoc_decides_where_its_setting_names_another_pandoc(tmp_path: Path) -> None:
    import pypandoc

    other = tmp_path / "pandoc"  # another pandoc: here the bundled one under another name
    other.symlink_to(pypandoc.get_pandoc_path())
    found = _probe({"PYPANDOC_PANDOC": str(other)})
    assert found["pandoc"] == str(other)
    assert "pypandoc" in found["imported"]  # type: ignore[operator]


def test_a_build_imports_neither_importlib_metadata_nor_pypandoc(project: Project) -> None:
    """publish.py's own check that publishkit is installed, the keys' versions and the search for
    pandoc: none of them loads the two (`-X importtime` lists every module this process loads)."""
    project.article("calm", "Breathe slowly.\n")
    result = project.run("text", "calm", "--quiet", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert result.returncode == 0, result.stderr
    loaded = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line}
    assert {"publishkit.kit.versions", "publishkit.kit.pandoc"} <= loaded  # what it reports is real
    assert not loaded & {"importlib.metadata", "pypandoc"}
    assert project.out("calm", ".txt").is_file()
