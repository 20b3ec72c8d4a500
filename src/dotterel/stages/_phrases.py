"""Phrase tests on space-padded lower-case text, compiled once.

The rule stages ask "is any of these phrases in this sentence?" hundreds of thousands of
times per thousand articles. ``any(p in text for p in phrases)`` walks the phrases in
Python; one compiled alternation gives the same answer in a single C scan.
"""

from __future__ import annotations

import functools
import re

__all__ = ["any_of", "padded_any_of"]

_NEVER = re.compile(r"(?!)")


@functools.cache
def any_of(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern whose ``search(text)`` finds a match exactly when one of ``phrases`` is a
    substring of ``text`` (none when there are no phrases). Cached by the tuple, so call
    sites may pass their constants."""
    alternatives = [re.escape(p) for p in phrases]
    return re.compile("|".join(alternatives)) if alternatives else _NEVER


@functools.cache
def padded_any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """``any_of`` the words each padded with a space on both sides (" not "), for text
    padded the same way."""
    return any_of(tuple(f" {w} " for w in words))
