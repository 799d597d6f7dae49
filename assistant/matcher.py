"""Fuzzy matching of a question against the phrasings of a set of intents.

An intent is anything the assistant can recognise: an FAQ entry or an action. Each has several
phrasings. A question is scored against every intent in two ways and the two are blended:

* nearest phrasing: TF-IDF cosine between the question and the intent's closest phrasing
  (words and word pairs, so word order counts a little and extra words cost little);
* centroid: cosine against the mean of all the intent's phrasings, which rewards words that many
  phrasings of that intent share and damps a single lucky overlap.

Term weights are inverse *intent* frequency: a word that appears in the phrasings of one intent
says much more than a word spread over all of them. Typos are handled before scoring: a
question word the index has never seen is replaced by the closest known word (rapidfuzz), and a
character-level rapidfuzz score of the best phrasing is blended in, so "signiture aproval"
still finds "signature review". Everything is precomputed when the index is built; a query only
touches the postings of its own terms.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .text import Synonyms, fold, stem, tokens


@dataclass(frozen=True)
class Weights:
    """How the scores blend into one confidence. Set in `knowledge/matcher.yaml`."""

    nearest: float = 0.55
    centroid: float = 0.30
    fuzzy: float = 0.15
    bigram: float = 0.5
    typo_cutoff: float = 80.0
    stopword: float = 1.0
    unseen: float = 1.0
    fuzzy_pool: int = 8


@dataclass(frozen=True)
class Candidate:
    """One intent proposed for a question, with a confidence in 0..1."""

    key: str
    confidence: float
    phrasing: str


def features(words: Sequence[str], bigram_weight: float) -> dict[str, float]:
    """Word and word-pair counts of a token list, pairs weighted by BIGRAM_WEIGHT."""
    counts: dict[str, float] = defaultdict(float)
    for word in words:
        counts[word] += 1.0
    for left, right in zip(words, words[1:]):
        counts[f"{left} {right}"] += bigram_weight
    return counts


def _dot(query: dict[str, float], vector: dict[str, float]) -> float:
    return sum(weight * vector.get(term, 0.0) for term, weight in query.items())


def _normalised(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


class Index:
    """A prebuilt index over the phrasings of many intents; `rank` answers one question."""

    # A term in more phrasings than `cap` is not walked at query time (see `_accumulate`);
    # the cap grows with the index, so small knowledge bases are always scored exactly.
    MIN_CAP = 5_000
    SHORTLIST = 40

    def __init__(self, intents: Mapping[str, Sequence[str]], synonyms: Synonyms | None = None,
                 weights: Weights | None = None, stopwords: Sequence[str] = ()):
        self.synonyms = synonyms
        self.weights = weights or Weights()
        self.keys: list[str] = list(intents)
        self.phrasings: list[str] = []
        self.owner: list[int] = []
        token_lists: list[list[str]] = []
        known: set[str] = set()
        for intent_no, key in enumerate(self.keys):
            for phrasing in intents[key]:
                self.phrasings.append(phrasing)
                self.owner.append(intent_no)
                token_lists.append(tokens(phrasing, synonyms))
                known.update(fold(phrasing).split())
        if synonyms is not None:
            for variant in synonyms.table:
                known.update(variant.split())
        # Spelling correction works on folded words, before synonyms and stemming.
        self.vocabulary = sorted(w for w in known if w.isalpha() and len(w) >= 3)
        self._known = known
        self.folded = [" ".join(t) for t in token_lists]
        raw = [features(t, self.weights.bigram) for t in token_lists]
        self.idf = self._intent_idf(raw)
        self._damp_stopwords({stem(w) for w in stopwords})
        self._unseen_idf = self.weights.unseen * math.log(1 + len(self.keys))
        vectors = [_normalised({t: (1 + math.log(c)) * self.idf[t] if c >= 1 else c * self.idf[t]
                                for t, c in vec.items()}) for vec in raw]
        self.vectors = vectors
        self.centroids = self._centroids(vectors)
        self.members: list[list[int]] = [[] for _ in self.keys]
        for doc, intent_no in enumerate(self.owner):
            self.members[intent_no].append(doc)
        self.postings = self._postings(vectors)
        self.centroid_postings = self._postings(self.centroids)
        self.cap = max(self.MIN_CAP, len(vectors) // 50)

    def _damp_stopwords(self, stopwords: set[str]) -> None:
        """Function words ("how", "do", "i") say little about which intent is meant; weigh them less."""
        factor = self.weights.stopword
        if factor == 1.0 or not stopwords:
            return
        for term in self.idf:
            if all(part in stopwords for part in term.split(" ")):
                self.idf[term] *= factor

    def _intent_idf(self, raw: list[dict[str, float]]) -> dict[str, float]:
        intents_with: dict[str, set[int]] = defaultdict(set)
        for doc, vec in enumerate(raw):
            for term in vec:
                intents_with[term].add(self.owner[doc])
        n = len(self.keys)
        return {t: math.log(1 + n / len(owners)) for t, owners in intents_with.items()}

    def _centroids(self, vectors: list[dict[str, float]]) -> list[dict[str, float]]:
        sums: list[dict[str, float]] = [defaultdict(float) for _ in self.keys]
        for doc, vec in enumerate(vectors):
            target = sums[self.owner[doc]]
            for term, value in vec.items():
                target[term] += value
        return [_normalised(s) for s in sums]

    @staticmethod
    def _postings(vectors: list[dict[str, float]]) -> dict[str, list[tuple[int, float]]]:
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for doc, vec in enumerate(vectors):
            for term, value in vec.items():
                postings[term].append((doc, value))
        return dict(postings)

    def _correct(self, words: list[str]) -> list[str]:
        """Replace words the index has never seen by the closest known word, if close enough."""
        fixed = []
        for word in words:
            if word in self._known or len(word) < 4 or not word.isalpha():
                fixed.append(word)
                continue
            # OSA counts a swap of two letters ("enabel") as one edit.
            best = process.extractOne(word, self.vocabulary, scorer=OSA.normalized_similarity,
                                      score_cutoff=self.weights.typo_cutoff / 100)
            fixed.append(best[0] if best else word)
        return fixed

    def query_vector(self, text: str) -> tuple[dict[str, float], str]:
        """The question's weighted, normalised term vector and its folded form."""
        words = tokens(text, self.synonyms, self._correct)
        raw = features(words, self.weights.bigram)
        # A word the knowledge base never uses still counts in the question's norm, as a rare word:
        # "my laptop won't turn on" is mostly about a laptop, not about turning anything on.
        unseen = self._unseen_idf
        vec = {t: (1 + math.log(c) if c >= 1 else c) * self.idf.get(t, unseen)
               for t, c in raw.items() if t in self.idf or " " not in t}
        return _normalised(vec), " ".join(words)

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """The best LIMIT intents for TEXT, best first, one candidate per intent."""
        vec, folded = self.query_vector(text)
        if not vec:
            return []
        nearest, centroid, skipped = self._accumulate(vec)
        best_doc: dict[int, int] = {}
        for doc, score in nearest.items():
            intent_no = self.owner[doc]
            held = best_doc.get(intent_no)
            if held is None or score > nearest[held]:
                best_doc[intent_no] = doc
        w = self.weights
        blended = {
            i: w.nearest * nearest[best_doc[i]] + w.centroid * centroid.get(i, 0.0) if i in best_doc
            else w.centroid * centroid[i]
            for i in set(best_doc) | set(centroid)
        }
        pool = sorted(blended, key=blended.__getitem__, reverse=True)[: max(limit, w.fuzzy_pool)]
        if skipped:  # the scores so far leave out common words: score the shortlist exactly
            pool = sorted(set(sorted(blended, key=blended.__getitem__, reverse=True)[: self.SHORTLIST]))
            for intent_no in pool:
                docs = self.members[intent_no]
                scores = [_dot(vec, self.vectors[d]) for d in docs]
                best = max(range(len(docs)), key=scores.__getitem__)
                best_doc[intent_no] = docs[best]
                blended[intent_no] = w.nearest * scores[best] + w.centroid * _dot(vec, self.centroids[intent_no])
            pool = sorted(pool, key=blended.__getitem__, reverse=True)[: max(limit, w.fuzzy_pool)]
        results = []
        for intent_no in pool:
            doc = best_doc.get(intent_no)
            char_score = fuzz.token_set_ratio(folded, self.folded[doc]) / 100 if doc is not None else 0.0
            confidence = min(1.0, blended[intent_no] + w.fuzzy * char_score)
            if doc is not None and folded == self.folded[doc]:
                confidence = 1.0  # the question is one of the intent's own phrasings, word for word
            phrasing = self.phrasings[doc] if doc is not None else ""
            results.append(Candidate(self.keys[intent_no], round(confidence, 4), phrasing))
        results.sort(key=lambda c: c.confidence, reverse=True)
        return results[:limit]

    def _accumulate(self, vec: dict[str, float]) -> tuple[dict[int, float], dict[int, float], bool]:
        """Dot products of VEC with every phrasing and centroid sharing a term.

        In a very large index a word found in a large share of the phrasings ("how", "the") is
        left out here, and the shortlist is then scored exactly (`skipped` is True): walking
        such a word would touch most of the index for a contribution too small to change it.
        """
        nearest: dict[int, float] = defaultdict(float)
        centroid: dict[int, float] = defaultdict(float)
        skipped = False
        for term, weight in vec.items():
            postings = self.postings.get(term, ())
            if len(postings) > self.cap and len(vec) > 1:
                skipped = True
                continue
            for doc, value in postings:
                nearest[doc] += weight * value
            for intent_no, value in self.centroid_postings.get(term, ()):
                centroid[intent_no] += weight * value
        return nearest, centroid, skipped
