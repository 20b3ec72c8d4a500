"""Near-duplicate articles: MinHash signatures (datasketch) and LSH bands kept in SQL.

An article's text becomes word 5-shingles; datasketch's ``MinHash`` sketches them and
``MinHashLSH`` picks the number of bands for a candidate threshold below the link one.
The band keys go to ``article_bands`` (indexed), so finding the candidates of a new
article is a lookup of its keys, however large the store; each candidate's stored
signature then gives the estimated Jaccard similarity. Articles at or above the
threshold are linked, and a cluster (syndicated copies and small edits) is a connected
component of links, named by its smallest article id, so it does not depend on arrival
order.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from dotterel.records import Article, normalise_text
from dotterel.store._groups import Groups
from dotterel.store.models import ArticleBandRow, ArticleSketchRow

if TYPE_CHECKING:
    from datasketch import MinHash

__all__ = ["NUM_PERM", "SHINGLE_WORDS", "THRESHOLD", "Links", "Sketcher", "link_articles"]

NUM_PERM = 128
SHINGLE_WORDS = 5
THRESHOLD = 0.7  # estimated Jaccard similarity that links two articles
# LSH bands are tuned for a lower similarity, so that pairs at THRESHOLD are almost never
# missed (25 bands of 5: a pair at 0.7 shares a band with probability 0.99, at 0.83 with
# probability 1 - 1e-6); the stored signatures then check each candidate.
CANDIDATE_THRESHOLD = 0.5
_SCHEME = "affine32"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Sketch:
    """An article's signature and its LSH band keys."""

    signature: NDArray[np.uint32]
    bands: list[int]


class Sketcher:
    """MinHash signatures of texts and their LSH band keys, for one fixed scheme."""

    def __init__(
        self,
        threshold: float = THRESHOLD,
        num_perm: int = NUM_PERM,
        candidate_threshold: float = CANDIDATE_THRESHOLD,
    ) -> None:
        from datasketch import MinHash, MinHashLSH  # imported on the first write only

        self._MinHash = MinHash
        self.threshold = threshold
        self.num_perm = num_perm
        lsh = MinHashLSH(threshold=candidate_threshold, num_perm=num_perm)
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
        return self._MinHash(
            num_perm=self.num_perm,
            hashvalues=values,
            permutations=self._permutations,
            scheme=_SCHEME,
        )


@dataclass(frozen=True, slots=True)
class Links:
    """What linking a batch of new articles found."""

    clusters: dict[str, str]  # new article id -> its cluster id
    changed: set[str]  # stored articles whose cluster id changed


_CANDIDATES = select(
    ArticleSketchRow.article_id, ArticleSketchRow.cluster_id, ArticleSketchRow.signature
).where(
    ArticleSketchRow.article_id.in_(
        select(ArticleBandRow.article_id)
        .where(ArticleBandRow.band.in_(bindparam("bands", expanding=True)))
        .scalar_subquery()
    )
)


def link_articles(conn: Connection, sketcher: Sketcher, articles: Sequence[Article]) -> Links:
    """Sketch newly stored articles, link each to its near-copies (stored or in the same
    batch), merge their clusters and store the sketches and band keys."""
    sketches = {a.id: sketcher.sketch(a.text) for a in articles}
    groups: Groups[str] = Groups()
    in_batch: dict[int, list[str]] = {}
    for article in articles:
        sketch = sketches[article.id]
        groups.add(article.id)
        for _, cluster_id, raw in conn.execute(_CANDIDATES, {"bands": sketch.bands}):
            if sketcher.similarity(sketch.signature, sketcher.signature_of(raw)) >= (
                sketcher.threshold
            ):
                groups.join(article.id, cluster_id)
        near = {other for band in sketch.bands for other in in_batch.get(band, ())}
        for other in sorted(near):
            if sketcher.similarity(sketch.signature, sketches[other].signature) >= (
                sketcher.threshold
            ):
                groups.join(article.id, other)
        for band in sketch.bands:
            in_batch.setdefault(band, []).append(article.id)
    clusters: dict[str, str] = {}
    renamed: list[dict[str, str]] = []
    for members in groups.groups():
        cluster = min(members)  # stored cluster ids are their smallest article ids
        for member in members:
            if member in sketches:
                clusters[member] = cluster
            elif member != cluster:
                renamed.append({"old": member, "new": cluster})
    changed: set[str] = set()
    if renamed:
        olds = [r["old"] for r in renamed]
        changed = set(
            conn.scalars(
                select(ArticleSketchRow.article_id).where(ArticleSketchRow.cluster_id.in_(olds))
            )
        )
        conn.execute(
            update(ArticleSketchRow)
            .where(ArticleSketchRow.cluster_id == bindparam("old"))
            .values(cluster_id=bindparam("new")),
            renamed,
        )
    if sketches:
        conn.execute(
            insert(ArticleSketchRow),
            [
                {"article_id": a, "cluster_id": clusters[a], "signature": k.signature.tobytes()}
                for a, k in sketches.items()
            ],
        )
        conn.execute(
            insert(ArticleBandRow),
            [
                {"band": b, "article_id": a}
                for a, k in sketches.items()
                for b in sorted(set(k.bands))
            ],
        )
    return Links(clusters, changed)
