"""Near-duplicate articles: MinHash signatures (datasketch) and LSH bands kept in SQL.

An article's text becomes word 5-shingles; datasketch's ``MinHash`` sketches them and
``MinHashLSH`` picks the number of bands for the similarity threshold. The band keys go
to ``article_bands`` (indexed), so finding the candidates of a new article is a lookup
of its keys, however large the store; each candidate's stored signature then gives the
estimated Jaccard similarity. Articles at or above the threshold are linked, and a
cluster (syndicated copies and small edits) is a connected component of links, named by
its smallest article id, so it does not depend on arrival order.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH
from numpy.typing import NDArray
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from dotterel.records import Article, normalise_text
from dotterel.store.models import ArticleBandRow, ArticleSketchRow

__all__ = ["NUM_PERM", "SHINGLE_WORDS", "THRESHOLD", "Sketcher", "link_article"]

NUM_PERM = 128
SHINGLE_WORDS = 5
THRESHOLD = 0.7
_SCHEME = "affine32"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Sketch:
    """An article's signature and its LSH band keys."""

    signature: NDArray[np.uint32]
    bands: list[int]


class Sketcher:
    """MinHash signatures of texts and their LSH band keys, for one fixed scheme."""

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.ranges: list[tuple[int, int]] = list(lsh.hashranges)
        self._permutations = MinHash(num_perm=num_perm, scheme=_SCHEME).permutations

    def sketch(self, text: str) -> Sketch:
        words = _WORD.findall(normalise_text(text).casefold())
        k = SHINGLE_WORDS
        shingles = {" ".join(words[i : i + k]) for i in range(max(1, len(words) - k + 1))}
        minhash = self._minhash()
        minhash.update_batch([s.encode("utf-8") for s in sorted(shingles)])
        signature = np.asarray(minhash.hashvalues, dtype=np.uint32)
        return Sketch(signature, self.band_keys(signature))

    def band_keys(self, signature: NDArray[np.uint32]) -> list[int]:
        keys = []
        for index, (start, end) in enumerate(self.ranges):
            digest = hashlib.blake2b(
                struct.pack(">H", index) + signature[start:end].tobytes(), digest_size=8
            ).digest()
            keys.append(int.from_bytes(digest, "big", signed=True))
        return keys

    def similarity(self, a: NDArray[np.uint32], b: NDArray[np.uint32]) -> float:
        """Estimated Jaccard similarity of two signatures."""
        return float(self._minhash(a).jaccard(self._minhash(b)))

    def signature_of(self, raw: bytes) -> NDArray[np.uint32]:
        return np.frombuffer(raw, dtype=np.uint32)

    def _minhash(self, values: NDArray[np.uint32] | None = None) -> MinHash:
        return MinHash(
            num_perm=self.num_perm,
            hashvalues=values,
            permutations=self._permutations,
            scheme=_SCHEME,
        )


def link_article(session: Session, sketcher: Sketcher, article: Article) -> set[str]:
    """Sketch a newly stored article, link it to its near-copies and merge their clusters.

    Returns the ids of already-stored articles whose cluster changed (their incidents'
    source counts and claims must be recomputed).
    """
    sketch = sketcher.sketch(article.text)
    candidates = set(
        session.scalars(
            select(ArticleBandRow.article_id)
            .where(ArticleBandRow.band.in_(sketch.bands))
            .where(ArticleBandRow.article_id != article.id)
        )
    )
    linked: set[str] = set()
    if candidates:
        rows = session.execute(
            select(ArticleSketchRow.cluster_id, ArticleSketchRow.signature).where(
                ArticleSketchRow.article_id.in_(sorted(candidates))
            )
        )
        for cluster_id, raw in rows:
            if sketcher.similarity(sketch.signature, sketcher.signature_of(raw)) >= (
                sketcher.threshold
            ):
                linked.add(cluster_id)
    cluster = min({article.id, *linked})
    changed: set[str] = set()
    stale = linked - {cluster}
    if stale:
        changed = set(
            session.scalars(
                select(ArticleSketchRow.article_id).where(ArticleSketchRow.cluster_id.in_(stale))
            )
        )
        session.execute(
            update(ArticleSketchRow)
            .where(ArticleSketchRow.cluster_id.in_(stale))
            .values(cluster_id=cluster)
        )
    session.execute(
        insert(ArticleSketchRow),
        [
            {
                "article_id": article.id,
                "cluster_id": cluster,
                "signature": sketch.signature.tobytes(),
            }
        ],
    )
    session.execute(
        insert(ArticleBandRow),
        [{"band": band, "article_id": article.id} for band in sorted(set(sketch.bands))],
    )
    return changed
