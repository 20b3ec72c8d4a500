"""Build: the pipeline stages compiled to C extensions with mypyc, when a C compiler is
there (the same source, run several times faster); without one, the install still works
and the stages run as plain Python. ``DOTTEREL_PURE_PYTHON=1`` skips compiling."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

from setuptools import setup

STAGES = Path("src/dotterel/stages")
# Every module of the stages package but its __init__, which decides at import time
# whether the compiled build matches these sources (see dotterel/stages/__init__.py).
MODULES = sorted(p for p in STAGES.glob("*.py") if p.name != "__init__.py")


def _manifest() -> None:
    """Record each compiled module's source hash beside the build (dotterel.compiled
    reads it back: a build that no longer matches its sources is not used)."""
    digests = {p.stem: hashlib.sha256(p.read_bytes()).hexdigest() for p in MODULES}
    (STAGES / "_compiled.json").write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")


def _extensions() -> list[object]:
    if os.environ.get("DOTTEREL_PURE_PYTHON") == "1":
        return []
    from mypyc.build import mypycify

    _manifest()
    # Built in pip's isolated environment, spaCy's types are unknown (Any): the strict
    # checks that would fail on that are for `make test`'s mypy run, not for the build.
    relaxed = ["--no-warn-unused-ignores", "--no-warn-return-any"]
    try:
        extensions = mypycify(
            [*relaxed, *map(str, MODULES)], opt_level="3", group_name="dotterel.stages._native"
        )
    except (Exception, SystemExit) as exc:  # the stages still run, as Python
        print(f"warning: not compiling the stages with mypyc: {exc}", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # no C compiler: warn, install, run as Python
    return extensions


setup(ext_modules=_extensions())
