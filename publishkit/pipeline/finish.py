"""A build's last steps: build/check.json, the manifest and the gallery, some of them worked out
ahead.

In a one-article build the helper process lays out the handout (render.py) while this process
renders the other formats, and then waits for it with nothing to do: about 0.6 s on the 2-core
machines of the README. ``ahead`` runs then. It writes check.json (the content checks are done),
and works out the gallery of every other article: their cards, page pictures and keys; and,
when an input of the article changed (so the page will change), what rendering the page needs:
the template, the stores. It also sweeps build/ for a killed build's temporary files and saves
the articles' records (build/.sources.json). None of that depends on the handout. ``finish``,
after the outputs, uses what is still right (a card whose outputs or errors changed since is
made again), so the build ends with what it ends with without ``ahead``, sooner: at 500
articles, the gallery of an edited article took 0.45 s after its handout.

``ahead`` is a head start and nothing more: if it fails, ``finish`` does all of it, as before,
and reports what fails there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..kit.fsutil import remove_stale_temps
from ..model.manifest import Key, ManifestEntry, load_manifest, save_manifest
from ..model.registry import Registry
from ..model.settings import Settings
from ..model.variant import Variant
from .outcome import Report
from .plan import Job, configured
from .remember import SourceCache
from .render import Helper
from .shard import Shard
from .sources import discover

if TYPE_CHECKING:
    from ..checks.runner import ArticleCheck
    from ..site.gallery import Draft


@dataclass
class Finish:
    """The end of one build: ``ahead`` (optional, once) then ``finish``."""

    settings: Settings
    registries: dict[str, Registry]
    # The manifest before this build; None: not read yet (``read_old`` reads it when first needed).
    old: dict[Key, ManifestEntry] | None
    stamp: tuple[str, dict[str, str]]  # the build's time (ISO) and tool versions
    report: Report
    sources: SourceCache
    keep: set[Key] | None = None  # a shard's keys
    shard: Shard | None = None
    checked: dict[str, ArticleCheck] | None = None  # this build's content checks
    # What ``ahead`` did: check.json saved, and the gallery drafted, for these articles.
    _saved: set[str] | None = field(default=None, repr=False)
    _draft: tuple[set[str], Draft] | None = field(default=None, repr=False)
    _swept: bool = field(default=False, repr=False)  # build/'s stale temporary files removed

    def read_old(self) -> dict[Key, ManifestEntry]:
        """The manifest before this build, read now if it was not (with --force, a build reads it
        only here: at 500 articles, 23 ms that were on a one-article build's way to its handout)."""
        if self.old is None:
            self.old = load_manifest(self.settings.build_dir)
        return self.old

    def ahead_of(self, pool: object, made: dict[Key, ManifestEntry], todo: Sequence[tuple[Job, str]]) -> None:
        """With a helper ``pool``, ``ahead`` runs while this process waits on it, for the
        articles of ``todo`` (the jobs to build, with their cache keys); ``made``: the outputs
        of this build so far."""
        if isinstance(pool, Helper):
            pool.while_waiting(lambda: self.ahead(made, todo))

    def ahead(self, made: dict[Key, ManifestEntry], todo: Sequence[tuple[Job, str]]) -> None:
        """What ``finish`` will do that does not depend on the outputs of ``todo``'s articles: run
        while this process waits on the helper. ``made``: the outputs of this build so far."""
        building = {job.article.slug for job, _key in todo}
        try:
            old = self.read_old()
            entries = {**old, **made}
            # Built again from the same inputs (--force): most likely the same bytes, and then
            # the page stays as it is; its rendering is not prepared (done at the end if due).
            page = not all(job.manifest_key in old and old[job.manifest_key].key == key for job, key in todo)
            remove_stale_temps(self.settings.build_dir)  # this process writes nothing meanwhile
            self._swept = True
            existing = {p.stem for p in discover(self.settings)}
            written = self._save_checks(existing)
            if self.shard is None:
                from .site import draft_site

                kept = self._kept(entries, existing)
                args = (
                    self.settings,
                    self.registries,
                    kept,
                    self.report,
                    self.sources,
                    building,
                    written,
                    page,
                )
                self._draft = (existing, draft_site(*args))
            # The draft read every article through it; ``finish`` saves again only what changed since.
            self.sources.save(existing)
        except Exception:  # a head start only: ``finish`` does all of it, and reports what fails
            self._draft = None

    def finish(self, made: dict[Key, ManifestEntry]) -> None:
        """check.json with this build's content checks (after the renders: not on the way to the
        first output), the manifest (``made``, this build's outputs, over the one before; outputs
        of deleted articles and of clinics or editions no longer made drop out), then
        build/index.html, which reads both. A shard writes a partial manifest and no gallery:
        merge-manifests writes one from every shard."""
        from .site import write_site

        settings = self.settings
        entries = {**self.read_old(), **made}
        built_at, versions = self.stamp
        if not self._swept:  # a killed build's; a walk of build/: after the outputs
            remove_stale_temps(settings.build_dir)
        existing = {p.stem for p in discover(settings)}
        if self._saved != existing:
            self._save_checks(existing)
        kept = self._kept(entries, existing)
        if self.shard is not None:
            save_manifest(settings.build_dir, kept, built_at, versions, shard=self.shard.label)
        else:
            if kept != self.old:
                save_manifest(settings.build_dir, kept, built_at, versions)
            draft = self._draft[1] if self._draft and self._draft[0] == existing else None
            write_site(settings, self.registries, kept, self.report, self.sources, draft)
        # Last: the gallery reads every article through ``sources`` too, and what it read is kept.
        self.sources.save(existing)

    def _save_checks(self, existing: set[str]) -> dict[str, Any] | None:
        """check.json, when this build checked; its articles as written."""
        if self.checked is None:
            return None
        from ..checks.runner import save_report

        built = datetime.fromisoformat(self.stamp[0]).date()
        written = save_report(self.settings, self.checked, built, existing)
        self._saved = existing
        return written

    def _kept(self, entries: dict[Key, ManifestEntry], existing: set[str]) -> dict[Key, ManifestEntry]:
        """The entries the manifest keeps: of articles that exist, in a variant still made (and
        in the shard, for a shard)."""
        made: dict[tuple[str, str, str, str], bool] = {}  # by format and variant: a few in a catalog

        def still_made(entry: ManifestEntry) -> bool:
            kind = (entry.format, entry.brand, entry.language, entry.edition)
            if kind not in made:
                made[kind] = configured(self.settings, entry.format, Variant(*kind[1:]))
            return made[kind]

        return {
            k: v
            for k, v in entries.items()
            if k[0] in existing and still_made(v) and (self.keep is None or k in self.keep)
        }
