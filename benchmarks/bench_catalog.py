#!/usr/bin/env python3
"""Catalog benchmark: publishkit against the "just use pandoc" loop and against WeasyPrint alone.

Makes N articles from the seed article in a temporary project, then times, in one run:

  (a) the pandoc peer: per article, four pandoc commands run one after another
      (html, docx, plain, and pdf with --pdf-engine=weasyprint);
  (b) ``publish.py all --force`` from clean (a fresh build folder);
  (c) the same again with nothing changed;
  (d) one article from clean;
  (e) the floor: WeasyPrint alone laying out the same N handout pages in one warm process;
  (f) one article, cold process, every format (``all <slug> --force``) against the peer's four
      commands on it, taking turns, at least 5 runs each: the ratio of the medians;
  (g) two shards at once (``--shard 1/2`` and ``2/2``) merged with ``merge-manifests``: its
      build/ must be byte-identical to the unsharded one of (b);
  (h) one edit under ``publish.py watch``: from the article file's save to the new PDF's mtime,
      one save at a time, at least 5 (the watcher starts with build/ up to date).

Prints medians (with min and max) over ``--repeats``, the ratios against the targets of issue 5,
and the peak memory of (b): the largest single process (getrusage) and the largest sum over
publish.py and its workers at any moment (sampled from /proc).

Usage: python benchmarks/bench_catalog.py [--articles 50] [--repeats 3] [--jobs N]
Only the standard library and the project's own dependencies are used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench_cases import one_article, sharded, tree_digest, watch_edits

REPO = Path(__file__).resolve().parent.parent
SEED = "ketamine-neurobiology"
EPOCH = "1794700800"  # the tests' build clock (2026-11-15): the same review state every run
BIN = Path(sys.executable).parent  # the weasyprint command the peer's pandoc calls lives here

# Targets from issue 5.
PEER_SPEEDUP = 5.0
FLOOR_RATIO = 2.0
NOCHANGE_SHARE = 0.05
MEMORY_MB = 400.0
WATCH_SECONDS = 0.6
MEMORY_AT = 500


# --- the project tree ---------------------------------------------------------------------------


def make_tree(dest: Path, n: int) -> list[str]:
    """A project like the client's (as tests/conftest.py make_project) with ``n`` distinct articles."""
    dest.mkdir(parents=True)
    shutil.copy(REPO / "pyproject.toml", dest / "pyproject.toml")
    shutil.copy(REPO / "publish.py", dest / "publish.py")
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(REPO / "publishkit", dest / "publishkit", ignore=ignore)
    shutil.copytree(REPO / "templates", dest / "templates", ignore=ignore)
    (dest / "source").mkdir()
    shutil.copy(REPO / "source" / "disclaimers.yaml", dest / "source" / "disclaimers.yaml")
    shutil.copy(REPO / "source" / "taglines.yaml", dest / "source" / "taglines.yaml")
    if (REPO / "source" / "assets").is_dir():
        shutil.copytree(REPO / "source" / "assets", dest / "source" / "assets")
    seed = (REPO / "source" / f"{SEED}.md").read_text(encoding="utf-8")
    title = re.search(r'^title: "(.*)"$', seed, re.M)
    if title is None:
        raise SystemExit(f"the seed article source/{SEED}.md has no quoted title line")
    width = len(str(n))
    slugs = []
    for i in range(1, n + 1):
        slug = f"{SEED}-{i:0{width}d}"
        text = seed.replace(title.group(0), f'title: "{title.group(1)} ({i} of {n})"', 1)
        # A numbered sentence at the end of the first section: every article's bytes differ.
        text = text.replace(
            "\n## What is Ketamine?",
            f"\nThis is handout number {i} of {n} in our series on treatments for depression.\n"
            "\n## What is Ketamine?",
            1,
        )
        (dest / "source" / f"{slug}.md").write_text(text, encoding="utf-8")
        slugs.append(slug)
    return slugs


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["SOURCE_DATE_EPOCH"] = EPOCH
    env.pop("PYTHONPATH", None)
    return env


# --- measuring a process tree --------------------------------------------------------------------

_MEASURE = """
import json, resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode
wall = time.perf_counter() - t
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "wall": wall, "maxrss_kb": ru.ru_maxrss}))
"""


def _tree_pss_kb(root: int) -> int:
    """Memory of ``root`` and all its descendants right now (Linux /proc): the proportional set
    size, so pages the forked workers share with their parent are counted once, not per process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        children.setdefault(int(stat[stat.rfind(")") + 2 :].split()[1]), []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total


@dataclass
class Run:
    wall: float
    maxrss_mb: float  # the largest single process (publish.py, a worker or a pandoc)
    tree_mb: float  # the largest PSS sum over the whole process tree at one moment (sampled)


def measured(cmd: list[str], cwd: Path, sample: bool = True) -> Run:
    """Run ``cmd``; wall time and max RSS come from a small wrapper process around it."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _MEASURE, *cmd],
        cwd=cwd,
        env=bench_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0]
    done = threading.Event()

    def sampler() -> None:
        while not done.wait(0.1):
            if os.path.isdir("/proc"):
                peak[0] = max(peak[0], _tree_pss_kb(proc.pid))

    thread = threading.Thread(target=sampler, daemon=True)
    if sample:
        thread.start()
    out, err = proc.communicate()
    done.set()
    if sample:
        thread.join()
    try:
        report = json.loads(out.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise SystemExit(f"measuring {' '.join(cmd)} failed:\n{err}") from None
    if report["rc"] != 0:
        raise SystemExit(f"{' '.join(cmd)} exited {report['rc']}:\n{err[-2000:]}")
    return Run(report["wall"], report["maxrss_kb"] / 1024, peak[0] / 1024)


def publish(root: Path, *args: str, jobs: int, clean: bool, sample: bool = True) -> Run:
    if clean:
        shutil.rmtree(root / "build", ignore_errors=True)
    cmd = [sys.executable, str(root / "publish.py"), *args, "--quiet", "--jobs", str(jobs)]
    return measured(cmd, root, sample)


# --- (a) the pandoc peer ------------------------------------------------------------------------


def pandoc_path() -> str:
    import pypandoc

    return str(pypandoc.get_pandoc_path())


def check_peer_tools() -> None:
    weasy = BIN / "weasyprint"
    if not weasy.exists():
        raise SystemExit(f"the peer needs the weasyprint command next to {sys.executable}")
    subprocess.run([str(weasy), "--version"], check=True, capture_output=True)
    subprocess.run([pandoc_path(), "--version"], check=True, capture_output=True)


def peer_article(root: Path, slug: str, out: Path) -> float:
    """The four pandoc commands for one article, one after another; returns the wall time."""
    pandoc = pandoc_path()
    src = str(root / "source" / f"{slug}.md")
    commands = [
        [pandoc, src, "-s", "-o", str(out / f"{slug}.html")],
        [pandoc, src, "-o", str(out / f"{slug}.docx")],
        [pandoc, src, "-t", "plain", "-o", str(out / f"{slug}.txt")],
        [pandoc, src, "-s", "--pdf-engine=weasyprint", "-o", str(out / f"{slug}.pdf")],
    ]
    env = bench_env()
    t = time.perf_counter()
    for cmd in commands:
        done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"peer command failed: {' '.join(cmd)}\n{done.stderr.decode()[-1000:]}")
    return time.perf_counter() - t


# --- (e) the WeasyPrint floor (runs in its own process: --floor ROOT) ---------------------------


def floor_worker(root: Path, repeats: int) -> None:
    """Capture the exact handout pages the PDF renderer hands to WeasyPrint, then time WeasyPrint
    alone on them in this one warm process, with the renderer's own options and URL fetcher."""
    sys.path.insert(0, str(root))
    from publishkit.errors import RenderError
    from publishkit.formats import REGISTRY
    from publishkit.formats import pdf as pdfmod
    from publishkit.model.settings import load_settings
    from publishkit.pipeline.build import build

    settings = load_settings(root)
    pages: list[str] = []

    def capture(self: object, ctx: object) -> bytes:
        pages.append(pdfmod.handout_html(ctx, ctx.bodies["pdf"].outputs["html5"]))  # type: ignore[attr-defined]
        raise RenderError("captured for the benchmark")

    renderer = REGISTRY["pdf"]
    type(renderer).render = capture  # type: ignore[method-assign]
    build(settings, ["pdf"], force=True, jobs=1)  # nothing is written: every render stops above
    allowed = (settings.assets_dir, settings.templates_dir)

    def lay_out(page: str) -> bytes:  # the renderer's own call: its stylesheet parsed once
        fetcher = pdfmod.make_fetcher(allowed, settings.pdf.timeout)
        return pdfmod.write_handout(  # type: ignore[no-any-return]
            page,
            settings.templates_dir,
            fetcher,
            pdf_variant=pdfmod.PDF_VARIANT,
            pdf_identifier=b"0" * 32,
            custom_metadata=True,
        )

    lay_out(pages[0])  # warm-up: fonts, caches
    walls = []
    for _ in range(repeats):
        t = time.perf_counter()
        for page in pages:
            lay_out(page)
        walls.append(time.perf_counter() - t)
    print(json.dumps({"pages": len(pages), "walls": walls}))


def floor(root: Path, repeats: int, expected: int) -> list[float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--floor", str(root), "--repeats", str(repeats)]
    done = subprocess.run(cmd, cwd=root, env=bench_env(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the floor run failed:\n{done.stderr[-2000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    if report["pages"] != expected:
        raise SystemExit(f"the floor captured {report['pages']} handout pages, expected {expected}")
    return [float(w) for w in report["walls"]]


# --- report -------------------------------------------------------------------------------------


@dataclass
class Figure:
    label: str
    values: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.values)


def _s(x: float) -> str:
    return f"{x:8.2f} s" if x >= 0.1 else f"{x * 1000:6.0f} ms"


def print_table(figures: list[Figure]) -> None:
    print(f"{'figure':<48} {'median':>10} {'min':>10} {'max':>10}  runs")
    for f in figures:
        print(
            f"{f.label:<48} {_s(f.median):>10} {_s(min(f.values)):>10} {_s(max(f.values)):>10}  "
            f"{len(f.values):>4}  {f.note}"
        )


def verdict(ok: bool | None) -> str:
    return "n/a " if ok is None else ("PASS" if ok else "FAIL")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=50, help="articles in the catalog (default 50)")
    p.add_argument("--repeats", type=int, default=3, help="repeats of (b) to (e) (default 3)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="publish.py --jobs (default: cores)")
    p.add_argument(
        "--peer-sample",
        type=int,
        default=50,
        help="run the pandoc peer on at most this many articles and scale its total to N (default 50)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary project and print where")
    p.add_argument(
        "--no-memory-50",
        action="store_true",
        help="with --articles other than 50, skip the extra 50-article build that shows memory is flat",
    )
    p.add_argument("--floor", type=Path, help=argparse.SUPPRESS)  # internal: the floor's own process
    args = p.parse_args(argv)
    if args.floor:
        floor_worker(args.floor, args.repeats)
        return 0
    if args.articles < 1 or args.repeats < 1 or args.jobs < 1:
        p.error("--articles, --repeats and --jobs must be at least 1")
    check_peer_tools()
    import weasyprint

    n, jobs = args.articles, args.jobs
    work = Path(tempfile.mkdtemp(prefix="publishkit-bench-"))
    root = work / "catalog"
    slugs = make_tree(root, n)
    peer_out = work / "peer"
    peer_out.mkdir()
    pandoc_version = subprocess.run(
        [pandoc_path(), "--version"], capture_output=True, text=True, check=True
    ).stdout.split("\n")[0]
    print(
        f"publishkit catalog benchmark: {n} articles from source/{SEED}.md, --jobs {jobs}, "
        f"{args.repeats} repeat(s)\n{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {pandoc_version}, WeasyPrint {weasyprint.__version__}\n",
        flush=True,
    )
    try:
        # (a) the peer, once over the sample: every article is one sample of "four commands".
        sample = slugs[: max(1, min(n, args.peer_sample))]
        per_article = [peer_article(root, slug, peer_out) for slug in sample]
        # A sampled peer is scaled by its median: one slow outlier in a small sample must not
        # move the whole figure (a 5.3 s run in 10 once made "5.7x" of a median's 3.9x).
        sampled = len(sample) < n
        peer_total = statistics.median(per_article) * n if sampled else sum(per_article)
        scaled = f"(median of {len(sample)} articles x {n})" if sampled else ""
        print(f"(a) done: {peer_total:.1f} s {scaled}", flush=True)

        full, nochange, one, fl = [], [], [], []
        reference: dict[str, str] = {}
        for r in range(args.repeats):
            full.append(publish(root, "all", "--force", jobs=jobs, clean=True))
            reference = reference or tree_digest(root / "build")
            nochange.append(publish(root, "all", jobs=jobs, clean=False, sample=False))
            one.append(publish(root, "all", slugs[0], jobs=jobs, clean=True, sample=False))
            print(
                f"repeat {r + 1}: (b) {full[-1].wall:.2f} s, (c) {nochange[-1].wall:.2f} s, "
                f"(d) {one[-1].wall:.2f} s",
                flush=True,
            )
        fl = floor(root, args.repeats, n)
        publish(root, "all", jobs=jobs, clean=False, sample=False)  # every article built again for (f)
        ours_one, peer_one_runs = one_article(
            root, slugs[0], jobs, args.repeats, bench_env(), lambda: peer_article(root, slugs[0], peer_out)
        )
        shard_wall, shard_digest = sharded(root, work, jobs, bench_env())
        edits = watch_edits(root, slugs[0], bench_env(), args.repeats)
        names = reference.keys() | shard_digest.keys()
        differ = sorted(k for k in names if reference.get(k) != shard_digest.get(k))
        memory_50 = None
        if n != 50 and not args.no_memory_50:  # memory must stay flat as N grows: show it at 50 too
            root50 = work / "catalog-50"
            make_tree(root50, 50)
            memory_50 = publish(root50, "all", "--force", jobs=jobs, clean=True)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)

    figures = [
        Figure(f"(a) pandoc peer, {n} articles, sequential", [peer_total], scaled),
        Figure("    peer: four commands for one article", per_article, "(runs = articles)"),
        Figure(f"(b) publish.py all --force, {n} articles, clean", [x.wall for x in full]),
        Figure("(c) publish.py all, nothing changed", [x.wall for x in nochange]),
        Figure("(d) publish.py all <one article>, clean", [x.wall for x in one]),
        Figure(f"(e) floor: WeasyPrint alone, {n} pages, 1 process", fl),
        Figure("(f) publish.py all <one article> --force", ours_one, "(cold process, every format)"),
        Figure("    peer: four commands, the same article", peer_one_runs, "(taking turns with (f))"),
        Figure("(g) 2 shards at once, merged", [shard_wall], f"(--jobs {max(1, jobs // 2)} each)"),
        Figure("(h) one edit under watch, save to new PDF", edits, "(one edit at a time)"),
    ]
    print()
    print_table(figures)
    b, c, d, e = (figures[i].median for i in (2, 3, 4, 5))
    peer_one = figures[1].median
    rss = max(x.maxrss_mb for x in full)
    tree = max(x.tree_mb for x in full)
    print(
        f"\npeak memory of (b), {n} articles: largest process {rss:.0f} MB (max RSS of publish.py, "
        f"its workers and pandoc), whole tree at once {tree:.0f} MB (PSS sum, sampled every 0.1 s)"
    )
    if memory_50 is not None:
        print(
            f"peak memory of (b), 50 articles: largest process {memory_50.maxrss_mb:.0f} MB, "
            f"whole tree at once {memory_50.tree_mb:.0f} MB"
        )
    mem_ok = rss < MEMORY_MB if n >= MEMORY_AT else None
    rows = [
        (
            f"(a)/(b) speed-up over the pandoc peer >= {PEER_SPEEDUP:g}x",
            f"{peer_total / b:.1f}x",
            peer_total / b >= PEER_SPEEDUP,
        ),
        (
            f"(b)/(e) cost over the WeasyPrint floor <= {FLOOR_RATIO:g}x",
            f"{b / e:.2f}x",
            b / e <= FLOOR_RATIO,
        ),
        ("(d) one article <= the peer's four commands", f"{d:.2f} s vs {peer_one:.2f} s", d <= peer_one),
        (
            "(f)/peer one article, ratio of medians <= 1.0",
            f"{statistics.median(ours_one) / statistics.median(peer_one_runs):.2f}x",
            statistics.median(ours_one) <= statistics.median(peer_one_runs),
        ),
        (
            "(g) shards merged: build/ byte-identical to (b)",
            "identical" if not differ else f"{len(differ)} differ",
            not differ,
        ),
        (
            f"(h) one edit under watch <= {WATCH_SECONDS:g} s (median)",
            f"{statistics.median(edits):.2f} s",
            statistics.median(edits) <= WATCH_SECONDS,
        ),
        (
            f"(c)/(b) nothing changed < {NOCHANGE_SHARE:.0%} of the full build",
            f"{c / b:.1%}",
            c / b < NOCHANGE_SHARE,
        ),
        (
            f"peak memory (largest process) < {MEMORY_MB:g} MB at {MEMORY_AT} articles",
            f"{rss:.0f} MB at {n}",
            mem_ok,
        ),
    ]
    print(f"\n{'target':<58} {'reached':>22}  verdict")
    for label, value, ok in rows:
        print(f"{label:<58} {value:>22}  {verdict(ok)}")
    if mem_ok is None:
        print(f"(memory target: run with --articles {MEMORY_AT})")
    for name in differ[:10]:
        print(f"differs after shard and merge: build/{name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
