"""Segment: tokens and sentences, with spaCy's blank English tokenizer."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Span, Token

from dotterel.document import Document, Sentence

__all__ = ["Segmenter", "make_nlp"]


def make_nlp(tokenizer_cache: int) -> Language:
    """A blank English pipeline with a sentencizer and a large tokenizer cache."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.tokenizer.max_cache_size = tokenizer_cache  # type: ignore[union-attr]
    return nlp


def _paragraphs(span: Span) -> list[list[Token]]:
    """Runs of words split at line breaks: a headline above the text is its own sentence."""
    runs: list[list[Token]] = [[]]
    for token in span:
        if token.is_space:
            if "\n" in token.text and runs[-1]:
                runs.append([])
            continue
        runs[-1].append(token)
    return [run for run in runs if run]


class Segmenter:
    """Needs: article text. Adds: ``tokens`` and ``sentences``."""

    name = "segment"

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp

    def __call__(self, doc: Document) -> Document:
        tokens = self.nlp(doc.article.text)
        doc.tokens = tokens
        sentences: list[Sentence] = []
        for span in tokens.sents:
            for words in _paragraphs(span):
                start, end = words[0].i, words[-1].i + 1
                text = tokens[start:end]
                sentences.append(
                    Sentence(len(sentences), start, end, text.start_char, text.end_char, text.text)
                )
        doc.sentences = sentences
        return doc
