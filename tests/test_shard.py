"""Shards: `all --shard K/N` builds a cost-balanced part; merge-manifests gathers the parts."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from conftest import EPOCH, Project, make_project

from publishkit.model.variant import Variant
from publishkit.pipeline.plan import Job
from publishkit.pipeline.shard import Shard, ShardError, job_cost, keys_of, parse_shard, partition

ENV = {"SOURCE_DATE_EPOCH": EPOCH}


def _job(slug: str, fmt: str, size: int = 6000, brand: str = "default") -> Job:
    article: Any = SimpleNamespace(slug=slug, body="x" * size)
    return Job(article, fmt, Variant(brand, "en", "standard"), f"{slug}/{slug}.{fmt}")


def test_every_job_is_in_exactly_one_part_in_plan_order() -> None:
    jobs = [
        _job(f"a{i}", f, 500 * i, b) for i in range(7) for f in ("text", "pdf") for b in ("default", "east")
    ]
    parts = partition(jobs, 3)
    assert sorted(j.path + j.variant.brand for p in parts for j in p) == sorted(
        j.path + j.variant.brand for j in jobs
    )
    for part in parts:
        assert part == [j for j in jobs if j in part]  # the plan's order within a part
    assert partition(list(jobs), 3) == parts  # the same split every time
    union = set().union(*(keys_of(jobs, Shard(k, 3)) for k in (1, 2, 3)))
    assert union == {j.manifest_key for j in jobs}


def test_parts_are_balanced_by_cost_not_by_count() -> None:
    """One PDF costs more than six text files: count-balancing would give the PDF's part 3 more jobs."""
    jobs = [_job("handout", "pdf"), *(_job(f"note{i}", "text") for i in range(6))]
    first, second = partition(jobs, 2)
    assert [j.article.slug for j in first] == ["handout"]
    assert len(second) == 6


def test_a_bigger_article_costs_more_and_a_pdf_more_than_text() -> None:
    assert job_cost(_job("a", "pdf", 12000)) > job_cost(_job("a", "pdf", 3000))
    assert job_cost(_job("a", "pdf")) > 10 * job_cost(_job("a", "text"))


def test_the_formats_of_one_article_variant_stay_together() -> None:
    jobs = [_job(s, f) for s in ("a", "b", "c") for f in ("text", "email", "pdf", "docx")]
    for part in partition(jobs, 2):
        slugs = {j.article.slug for j in part}
        assert all(len([j for j in part if j.article.slug == s]) == 4 for s in slugs)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("3/2", "--shard 3/2: K must be between 1 and N, and N at least 1"),
        ("0/2", "--shard 0/2: K must be between 1 and N, and N at least 1"),
        ("1-2", "--shard takes K/N (for example 1/4), got '1-2'"),
    ],
)
def test_bad_shard_spec(spec: str, message: str) -> None:
    with pytest.raises(ShardError) as err:
        parse_shard(spec)
    assert err.value.message == message


def test_bad_shard_on_the_command_line(project: Project) -> None:
    result = project.run("all", "--shard", "3/2")
    assert result.returncode == 2
    assert "argument --shard: --shard 3/2: K must be between 1 and N, and N at least 1" in result.stderr


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """One project built whole (build-full/), then as shard 1/2 (s1/) and 2/2 (s2/)."""
    proj = make_project(tmp_path_factory.mktemp("shard") / "proj", "basic", seed=True)
    for args, keep in (
        (("all",), "build-full"),
        (("all", "--shard", "1/2"), "s1"),
        (("all", "--shard", "2/2"), "s2"),
    ):
        result = proj.run(*args, "--jobs", "1", "--quiet", env=ENV)
        assert result.returncode == 0, result.stderr
        (proj.root / "build").rename(proj.root / keep)
    return proj


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file a build makes, but this machine's stores, which merge-manifests takes from no
    shard: .sources.json (the stat of its source files) and .disclaimers.json (its conversions)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in (".sources.json", ".disclaimers.json")
    }


def _fresh(shards: Project, tmp_path: Path) -> Project:
    proj = make_project(tmp_path / "merge", "basic", seed=True)
    for name in ("s1", "s2", "build-full"):
        shutil.copytree(shards.root / name, proj.root / name)
    return proj


def test_shard_then_merge_gives_the_bytes_and_manifest_of_one_build(shards: Project, tmp_path: Path) -> None:
    proj = _fresh(shards, tmp_path)
    parts = [json.loads((proj.root / s / "manifest.json").read_text()) for s in ("s1", "s2")]
    assert [p["shard"] for p in parts] == ["1/2", "2/2"]
    paths = [{o["path"] for o in p["outputs"]} for p in parts]
    assert paths[0] and paths[1] and not paths[0] & paths[1]  # two real, disjoint halves
    assert not (proj.root / "s1" / "index.html").exists()  # the merge writes the gallery, once

    result = proj.run("merge-manifests", "s1", "s2", env=ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Merged 20 output(s) from 2 folder(s) into build/\n"
    full = json.loads((proj.root / "build-full" / "manifest.json").read_text())
    merged = json.loads((proj.build / "manifest.json").read_text())
    assert merged["outputs"] == full["outputs"]
    assert "shard" not in merged
    # Every output, the manifest, check.json, the gallery and its previews: the same bytes.
    assert _tree(proj.build) == _tree(proj.root / "build-full")
    verify = proj.run("verify")
    assert verify.returncode == 0, verify.stderr
    assert verify.stdout == "Verified 20 output(s) against build/manifest.json: all good\n"


def test_merge_refuses_a_missing_shard(shards: Project, tmp_path: Path) -> None:
    proj = _fresh(shards, tmp_path)
    result = proj.run("merge-manifests", "s2")
    assert result.returncode == 1
    assert result.stderr == "Error: merge: shard 1/2 missing: give the build/ folder of every shard\n"
    assert not proj.build.exists()


def test_merge_refuses_two_different_files_for_one_path(shards: Project, tmp_path: Path) -> None:
    """Two whole builds that disagree about one file (a changed source between them)."""
    proj = _fresh(shards, tmp_path)
    other = proj.root / "other"
    shutil.copytree(proj.root / "build-full", other)
    text = other / "sleep-basics" / "sleep-basics.txt"
    text.write_bytes(text.read_bytes() + b"changed\n")
    manifest = json.loads((other / "manifest.json").read_text())
    from publishkit.kit.fsutil import sha256

    for entry in manifest["outputs"]:
        if entry["path"] == "sleep-basics/sleep-basics.txt":
            entry["sha256"] = sha256(text.read_bytes())
    (other / "manifest.json").write_text(json.dumps(manifest))
    result = proj.run("merge-manifests", "build-full", "other")
    assert result.returncode == 1
    assert result.stderr == (
        "Error: merge: build/sleep-basics/sleep-basics.txt: two different files for one path, "
        "from build-full and other\n"
    )
    assert not proj.build.exists()


def test_merge_refuses_a_file_changed_after_its_shard_built_it(shards: Project, tmp_path: Path) -> None:
    proj = _fresh(shards, tmp_path)
    listed = json.loads((proj.root / "s1" / "manifest.json").read_text())["outputs"][0]["path"]
    (proj.root / "s1" / listed).write_bytes(b"truncated")
    result = proj.run("merge-manifests", "s1", "s2")
    assert result.returncode == 1
    assert result.stderr == (
        f"Error: merge: s1/{listed}: changed since its shard built it (sha256 differs from its manifest)\n"
    )


def test_merge_refuses_a_folder_without_a_manifest(shards: Project, tmp_path: Path) -> None:
    proj = _fresh(shards, tmp_path)
    (proj.root / "empty").mkdir()
    result = proj.run("merge-manifests", "empty")
    assert result.returncode == 1
    assert result.stderr == "Error: merge: empty: no manifest.json here: give each shard's build/ folder\n"
