"""Build: the pipeline stages compiled to C extensions with mypyc, when a C compiler is
there (the same source, run several times faster); without one, the install still works
and the stages run as plain Python. ``DOTTEREL_PURE_PYTHON=1`` skips compiling."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType

from setuptools import setup

STAGES = Path("src/dotterel/stages")


def _compiled_module() -> ModuleType:
    """``dotterel/compiled.py``, which reads the manifest back at import time, loaded by
    path (the package itself, with its dependencies, is not importable while building):
    the build and the check share one definition of the manifest."""
    spec = importlib.util.spec_from_file_location("_dotterel_compiled", "src/dotterel/compiled.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _extensions() -> list[object]:
    compiled = _compiled_module()
    if os.environ.get(compiled.PURE_ENV) == "1":
        return []
    from mypyc.build import mypycify

    # Every module of the stages package but its __init__, which decides at import time
    # whether the compiled build matches these sources; their hashes go beside the build.
    digests = compiled.source_digests(STAGES)
    manifest = json.dumps(digests, indent=1, sort_keys=True) + "\n"
    (STAGES / compiled.MANIFEST).write_text(manifest)
    modules = [str(STAGES / f"{name}.py") for name in sorted(digests)]
    # Built in pip's isolated environment, spaCy's types are unknown (Any): the strict
    # checks that would fail on that are for `make test`'s mypy run, not for the build.
    relaxed = ["--no-warn-unused-ignores", "--no-warn-return-any"]
    try:
        extensions = mypycify(
            [*relaxed, *modules], opt_level="3", group_name="dotterel.stages._native"
        )
    except (Exception, SystemExit) as exc:  # the stages still run, as Python
        print(f"warning: not compiling the stages with mypyc: {exc}", file=sys.stderr)
        return []
    for extension in extensions:
        extension.optional = True  # no C compiler: warn, install, run as Python
    return extensions


setup(ext_modules=_extensions())
