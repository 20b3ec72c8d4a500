"""English inflection for lexicon entries: a lemma in, every written form out.

Knowledge files list verb and noun lemmas; matching needs the forms news writes
("struck", "shelling", "airstrikes"). Irregular verbs come from ``irregular_verbs.tsv``.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["noun_forms", "verb_forms"]

_VOWELS = set("aeiou")


def _doubles_final(word: str) -> bool:
    """One-syllable consonant-vowel-consonant verbs double their last letter: stop, ban."""
    if len(word) < 3 or word[-1] in "wxy" or word[-1] in _VOWELS:
        return False
    vowels = sum(1 for c in word if c in _VOWELS)
    return vowels == 1 and word[-2] in _VOWELS and word[-3] not in _VOWELS


def _third_person(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh", "veto")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


def _past(word: str) -> str:
    if word.endswith("e"):
        return word + "d"
    if word.endswith("y") and word[-2:-1] not in _VOWELS:
        return word[:-1] + "ied"
    if _doubles_final(word):
        return word + word[-1] + "ed"
    return word + "ed"


def _gerund(word: str) -> str:
    if word.endswith("ie"):
        return word[:-2] + "ying"
    if word.endswith("e") and not word.endswith(("ee", "ye", "oe")):
        return word[:-1] + "ing"
    if _doubles_final(word):
        return word + word[-1] + "ing"
    return word + "ing"


def verb_forms(lemma: str, irregular: Mapping[str, tuple[str, str]]) -> set[str]:
    """Every form of a (possibly multiword) verb; the first word inflects."""
    head, _, rest = lemma.partition(" ")
    heads = {head, _third_person(head)}
    if head in irregular:
        past, participle = irregular[head]
        heads.update((past, participle))
        doubled = past == head + head[-1] + "ed"  # expel, expelled: expelling
        heads.add(head + head[-1] + "ing" if doubled else _gerund(head))
    else:
        heads.update((_past(head), _gerund(head)))
    suffix = f" {rest}" if rest else ""
    return {h + suffix for h in heads}


_O_PLURALS = ("embargo", "veto", "torpedo", "hero", "echo", "cargo", "tomato", "potato")


def _plural(word: str) -> str:
    if word.endswith(_O_PLURALS):
        return word + "es"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in _VOWELS:
        return word[:-1] + "ies"
    return word + "s"


def noun_forms(lemma: str) -> set[str]:
    """Singular and plural of a (possibly multiword) noun; the last word inflects."""
    if lemma.endswith("s") and not lemma.endswith("ss"):
        return {lemma}
    *head, last = lemma.split(" ")
    prefix = " ".join(head) + " " if head else ""
    return {lemma, prefix + _plural(last)}
