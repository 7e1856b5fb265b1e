#!/usr/bin/env python3
"""publish.py: build every article in source/ into build/. Run `python publish.py --help`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from publishkit.cli import main

if __name__ == "__main__":
    sys.exit(main(root=Path(__file__).resolve().parent))
