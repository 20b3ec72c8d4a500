"""Segment: tokens and sentences, with spaCy's blank English tokenizer."""

from __future__ import annotations

import spacy
from spacy.language import Language

from dotterel.document import Document, Sentence

__all__ = ["Segmenter", "make_nlp"]


def make_nlp(tokenizer_cache: int) -> Language:
    """A blank English pipeline with a sentencizer and a large tokenizer cache."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.tokenizer.max_cache_size = tokenizer_cache  # type: ignore[attr-defined]
    return nlp


class Segmenter:
    """Needs: article text. Adds: ``tokens`` and ``sentences``."""

    name = "segment"

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def __call__(self, doc: Document) -> Document:
        tokens = self.nlp(doc.article.text)
        doc.tokens = tokens
        doc.sentences = [
            Sentence(i, s.start, s.end, s.start_char, s.end_char, s.text)
            for i, s in enumerate(tokens.sents)
            if s.text.strip()
        ]
        return doc
