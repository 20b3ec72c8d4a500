"""Segment: tokens and sentences, with spaCy's blank English tokenizer."""

from __future__ import annotations

import spacy
from spacy.language import Language
from spacy.tokens import Token

from dotterel.document import Document, Sentence, Tokens

__all__ = ["Segmenter", "make_nlp"]


def make_nlp(tokenizer_cache: int) -> Language:
    """A blank English pipeline with a sentencizer and a large tokenizer cache."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.tokenizer.max_cache_size = tokenizer_cache  # type: ignore[union-attr]
    return nlp


def _paragraphs(span: list[Token]) -> list[list[Token]]:
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
        tokens = Tokens(self.nlp(doc.article.text), doc.article.text)
        doc.tokens = tokens
        sentences: list[Sentence] = []
        for span in tokens.doc.sents:
            for words in _paragraphs(tokens[span.start : span.end]):
                first, last = words[0], words[-1]
                end_char = last.idx + len(last.text)
                text = doc.article.text[first.idx : end_char]
                sentences.append(
                    Sentence(len(sentences), first.i, last.i + 1, first.idx, end_char, text)
                )
        doc.sentences = sentences
        return doc
