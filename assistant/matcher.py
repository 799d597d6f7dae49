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
from array import array
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from .text import Synonyms, fold, stem, tokens


class Weights(NamedTuple):
    """How the scores blend into one confidence. Set in `knowledge/matcher.yaml`."""

    nearest: float = 0.55
    centroid: float = 0.30
    fuzzy: float = 0.15
    bigram: float = 0.5
    typo_cutoff: float = 80.0
    stopword: float = 1.0
    unseen: float = 1.0
    fuzzy_pool: int = 8


class Candidate(NamedTuple):
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


def _tf(count: float) -> float:
    """Sublinear term frequency; word pairs come in with a fractional count and keep it."""
    return 1 + math.log(count) if count >= 1 else count


def _normalised(vector: dict[str, float]) -> tuple[dict[str, float], float]:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return ({t: v / norm for t, v in vector.items()} if norm else {}), norm


class Postings:
    """Term -> (ids, weights), stored as three flat arrays (CSR) so a large index pickles and loads fast."""

    def __init__(self, vectors: Sequence[dict[str, float]]):
        lists: dict[str, tuple[list[int], list[float]]] = {}
        for number, vec in enumerate(vectors):
            for term, value in vec.items():
                ids, values = lists.setdefault(term, ([], []))
                ids.append(number)
                values.append(value)
        self.row: dict[str, int] = {}
        self.start = array("q", [0])
        self.ids = array("i")
        self.values = array("d")
        for term, (ids, values) in lists.items():
            self.row[term] = len(self.start) - 1
            self.ids.extend(ids)
            self.values.extend(values)
            self.start.append(len(self.ids))

    def size(self, term: str) -> int:
        row = self.row.get(term)
        return 0 if row is None else self.start[row + 1] - self.start[row]

    def items(self, term: str):
        """(id, weight) pairs of TERM."""
        row = self.row.get(term)
        if row is None:
            return ()
        low, high = self.start[row], self.start[row + 1]
        return zip(memoryview(self.ids)[low:high], memoryview(self.values)[low:high])


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
        self.owner = array("i")
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
        weighted = [self._weigh(vec) for vec in raw]
        self.norm = array("d", (n for _, n in weighted))
        vectors = [v for v, _ in weighted]
        # An intent's phrasings are numbered consecutively: they are first[i] up to first[i + 1].
        self.first = array("i", [0] * (len(self.keys) + 1))
        for intent_no in self.owner:
            self.first[intent_no + 1] += 1
        for i in range(len(self.keys)):
            self.first[i + 1] += self.first[i]
        self.postings = Postings(vectors)
        centroids = [self._centroids_of(vectors[self.first[i]:self.first[i + 1]]) for i in range(len(self.keys))]
        self.centroid_norm = array("d", (n for _, n in centroids))
        self.centroid_postings = Postings([c for c, _ in centroids])
        self.cap = max(self.MIN_CAP, len(vectors) // 50)

    def _weigh(self, counts: dict[str, float]) -> tuple[dict[str, float], float]:
        """A phrasing's normalised TF-IDF vector and the norm it was divided by."""
        return _normalised({t: _tf(c) * self.idf[t] for t, c in counts.items()})

    def _common_terms(self, doc: int, common: list[tuple[str, float]]) -> float:
        """The dot product of the query's COMMON terms (term, query weight) with phrasing DOC."""
        counts = features(self.folded[doc].split(), self.weights.bigram)
        return sum(w * _tf(counts[t]) * self.idf[t] for t, w in common if t in counts) / self.norm[doc]

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

    @staticmethod
    def _centroids_of(vectors: Sequence[dict[str, float]]) -> tuple[dict[str, float], float]:
        """The normalised sum of one intent's phrasing vectors, and its norm."""
        total: dict[str, float] = defaultdict(float)
        for vec in vectors:
            for term, value in vec.items():
                total[term] += value
        return _normalised(total)

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
        vec = {t: _tf(c) * self.idf.get(t, unseen) for t, c in raw.items() if t in self.idf or " " not in t}
        return _normalised(vec)[0], " ".join(words)

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """The best LIMIT intents for TEXT, best first, one candidate per intent."""
        vec, folded = self.query_vector(text)
        if not vec:
            return []
        nearest, centroid, common = self._accumulate(vec)
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
        if common:  # the scores so far leave out common words: add them in for the shortlist
            pool = sorted(blended, key=blended.__getitem__, reverse=True)[: self.SHORTLIST]
            for intent_no in pool:
                docs = range(self.first[intent_no], self.first[intent_no + 1])
                extra = [self._common_terms(d, common) for d in docs]
                scores = [nearest.get(d, 0.0) + e for d, e in zip(docs, extra)]
                best = max(range(len(docs)), key=scores.__getitem__)
                best_doc[intent_no] = docs[best]
                # the centroid is the sum of the phrasing vectors divided by its norm
                shared = sum(extra) / self.centroid_norm[intent_no]
                blended[intent_no] = w.nearest * scores[best] + w.centroid * (centroid.get(intent_no, 0.0) + shared)
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

    def _accumulate(self, vec: dict[str, float]) -> tuple[dict[int, float], dict[int, float], list[tuple[str, float]]]:
        """Dot products of VEC with every phrasing and centroid sharing a term.

        In a very large index a word found in a large share of the phrasings ("how", "the") is
        left out here, and added in afterwards for the shortlist only: walking
        such a word would touch most of the index for a contribution too small to change it.
        The words left out are returned with their weights.
        """
        nearest: dict[int, float] = defaultdict(float)
        centroid: dict[int, float] = defaultdict(float)
        common: list[tuple[str, float]] = []
        for term, weight in vec.items():
            if self.postings.size(term) > self.cap and len(vec) > 1:
                common.append((term, weight))
                continue
            for doc, value in self.postings.items(term):
                nearest[doc] += weight * value
            for intent_no, value in self.centroid_postings.items(term):
                centroid[intent_no] += weight * value
        return nearest, centroid, common
