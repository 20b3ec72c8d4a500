"""Pipeline stages: each takes a Document and returns it with one more layer.

The stage modules are compiled with mypyc when the package is built (``setup.py``);
``BUILD`` says whether this process runs that build (``compiled``) or, and why, the
sources (see ``dotterel.compiled``).
"""

from pathlib import Path

from dotterel.compiled import prefer_sources

BUILD = prefer_sources(__name__, Path(__file__).parent)
