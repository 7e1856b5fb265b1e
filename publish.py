#!/usr/bin/env python3
"""publish.py: build every article in source/ into build/. Run `./publish.py --help`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def use_project_environment() -> None:
    """Run in the project's .venv (made by `make publish`), whichever Python started this file.

    A newcomer types `python3 publish.py all`: the system Python lacks the dependencies, and one
    that has other versions of them would build different bytes. So when .venv exists and this is
    not its Python, start again with it; without .venv, say how to make it instead of a traceback.
    """
    venv = HERE / ".venv"
    python = venv / "bin" / "python"
    if python.is_file() and Path(sys.prefix).resolve() != venv.resolve():
        os.execv(python, [str(python), str(HERE / "publish.py"), *sys.argv[1:]])
    sys.path.insert(0, str(HERE))
    from publishkit.kit.versions import NotInstalled, version  # the standard library only

    try:
        version("publishkit")  # installed with its dependencies by `make publish`
    except NotInstalled:
        sys.exit(
            f"Error: setup: publishkit and its dependencies are not installed for {sys.executable}: "
            "run `make publish` first, then ./publish.py runs them from .venv"
        )


if __name__ == "__main__":
    use_project_environment()
    from publishkit.cli.main import leave, main

    leave(main(root=HERE))
