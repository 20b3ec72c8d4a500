"""Phrase tests on space-padded lower-case text, compiled once.

The rule stages ask "is any of these phrases in this sentence?" hundreds of thousands of
times per thousand articles. ``any(p in text for p in phrases)`` walks the phrases in
Python; one compiled alternation gives the same answer in a single C scan. The alternation
is written as a trie (" drone", " drones", " dual" as " d(?:rone(?:s)?|ual)"): the
regex engine tries the alternatives of a group one by one at every place it looks, so a
flat list of a hundred phrases costs a hundred tries at every space of the sentence.
"""

from __future__ import annotations

import functools
import re

__all__ = ["any_of", "padded_any_of"]

_NEVER = re.compile(r"(?!)")

_Trie = dict[str, "_Trie"]


@functools.cache
def any_of(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """A pattern whose ``search(text)`` finds a match exactly when one of ``phrases`` is a
    substring of ``text`` (none when there are no phrases). Cached by the tuple, so call
    sites may pass their constants."""
    if not phrases:
        return _NEVER
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}  # a phrase ends here
    return re.compile(_alternation(trie))


def _alternation(trie: _Trie) -> str:
    """The regex for the strings a trie holds: a branch per next character, optional
    where a phrase may also end."""
    branches = [re.escape(char) + _alternation(node) for char, node in trie.items() if char]
    if not branches:
        return ""
    group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if "" not in trie:
        return group
    return f"(?:{group})?"


@functools.cache
def padded_any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """``any_of`` the words each padded with a space on both sides (" not "), for text
    padded the same way."""
    return any_of(tuple(f" {w} " for w in words))
