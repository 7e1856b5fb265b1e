"""What a watching process loads once, so that every edit (the first one too) is rebuilt warm.

The build itself keeps what it loads for the life of the process: WeasyPrint and its fonts
(formats/pdf.py), the converted disclaimers (pipeline/convert.py), the Jinja environment
(kit/templating.py), textstat and its dictionary (checks/readability.py). A watcher whose start
finds nothing to build would load them only at the first edit; warm_up loads them at the start.
"""

from __future__ import annotations

import gc

from ..errors import PublishError
from ..formats import REGISTRY
from ..kit.templating import make_environment
from ..model.article import FrontMatter
from ..model.settings import Settings
from ..site.gallery import TEMPLATE as GALLERY_TEMPLATE
from .build import load_registries
from .chunk import warm_worker
from .plan import select_brands


def watch_order() -> list[str]:
    """Every format, the page-laid ones (the patient's handout) first: a watcher's edit lands in
    the file the writer has open soonest. Outputs and the manifest do not depend on the order."""
    paged = [name for name, fmt in REGISTRY.items() if fmt.fonts]
    return [*paged, *(name for name in REGISTRY if name not in paged)]


def warm_up(settings: Settings) -> None:
    """Load every format's tools and fonts, convert the disclaimers, compile the templates and
    load the checks' dictionary. Only a head start: a failure is left for the real build to say."""
    try:
        registries = load_registries(settings, select_brands(settings, ()))
    except PublishError:
        return
    # The hyphenation patterns of the articles' default language; another loads at its first edit.
    warm_worker(settings, registries, tuple(REGISTRY), (FrontMatter.language,))
    try:
        env = make_environment(settings.templates_dir)
        names = [n for r in REGISTRY.values() for n in r.templates if n.endswith(".j2")]
        for name in [*names, GALLERY_TEMPLATE]:
            env.get_template(name)
        from ..checks.readability import score

        score("A short sentence warms the checks.")
    except Exception:
        pass


def settle() -> None:
    """Keep what is loaded by now out of every later garbage collection. A warm watcher holds
    about 380,000 objects (WeasyPrint, fonts, templates, the catalog's articles); a full
    collection walking them all took 0.19 s and came every few edits, in the middle of one.
    Frozen, the same collections took 0.01 to 0.02 s. What is frozen is what the process keeps
    until it stops anyway, and the little garbage of the start (no collection first: one would
    take the 0.19 s, while a save may come)."""
    gc.freeze()


def unsettle() -> None:
    """Undo ``settle`` before the process stops: frozen objects would be finalized only after
    the modules are torn down (WeasyPrint's FontConfiguration then fails in ``__del__``)."""
    gc.unfreeze()
