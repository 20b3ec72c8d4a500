"""Segment: tokens and sentences, with spaCy's blank English tokenizer."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer

from dotterel.document import Document, Sentence, Tokens

__all__ = ["Segmenter", "make_nlp"]

# The characters that end a sentence for spaCy's rule-based Sentencizer.
_SENTENCE_END = frozenset(Sentencizer.default_punct_chars)


def make_nlp(tokenizer_cache: int) -> Language:
    """A blank English pipeline (the tokenizer) with a large tokenizer cache; the
    Segmenter splits sentences itself."""
    nlp = spacy.blank("en")
    nlp.tokenizer.max_cache_size = tokenizer_cache  # type: ignore[union-attr]
    return nlp


def _sentence_starts(tokens: Tokens) -> list[int]:
    """Where spaCy's Sentencizer (default punctuation) starts sentences: the first token,
    then each token that is not punctuation after a sentence-ending character. The same
    rule as the pipe, run on the token texts already held instead of a pipe that makes
    every Token and looks up its text again."""
    starts = [0]
    seen_end = False
    for i, text in enumerate(tokens.texts):
        if text in _SENTENCE_END:
            seen_end = True
        elif seen_end and not tokens[i].is_punct:
            starts.append(i)
            seen_end = False
    return starts


def _paragraphs(texts: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """Token ranges of the runs of words in ``start:end``, split at line breaks: a
    headline above the text is its own sentence. Whitespace tokens belong to none."""
    runs: list[tuple[int, int]] = []
    first = last = -1
    for i in range(start, end):
        text = texts[i]
        if text.isspace():  # spaCy's is_space
            if "\n" in text and first >= 0:
                runs.append((first, last + 1))
                first = -1
            continue
        if first < 0:
            first = i
        last = i
    if first >= 0:
        runs.append((first, last + 1))
    return runs


class Segmenter:
    """Needs: article text. Adds: ``tokens`` and ``sentences``."""

    name = "segment"

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def __call__(self, doc: Document) -> Document:
        tokens = Tokens(self.nlp.make_doc(doc.article.text), doc.article.text)
        doc.tokens = tokens
        sentences: list[Sentence] = []
        starts = _sentence_starts(tokens) if tokens else []
        ends = [*starts[1:], len(tokens)] if starts else []
        for start, end in zip(starts, ends, strict=True):
            for first, stop in _paragraphs(tokens.texts, start, end):
                span = tokens.chars(first, stop)
                sentences.append(Sentence(len(sentences), first, stop, *span))
        doc.sentences = sentences
        return doc
