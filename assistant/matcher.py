"""The intent model: which of a set of intents a question means, learned from their phrasings.

An intent is anything the assistant can recognise: an FAQ entry, an action, or the negative
class of out-of-scope examples. A question is read the way every phrasing was read when the
index was built (folding, spelling repair against the knowledge base's words, the synonym
table, a light stemmer) and turned into hashed features: words, word pairs and the character
2- to 5-grams inside each word. A linear model over those features (trained in `train.py` when
the index is built) gives every intent a score; a softmax turns the scores into confidences.

Answering from a built index needs no numpy: the weights are a sparse table kept feature by
feature (`Model`), so a question touches only the rows of its own features. A question that is
word for word one of an intent's phrasings gets that intent with confidence 1.0.
"""

from __future__ import annotations

import math
import re
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from operator import mul
from typing import Any

from .records import NamedTuple
from .text import Synonyms, fold, stem

BITS = 22  # features are hashed into 2**BITS buckets
_MASK = (1 << BITS) - 1
DENSE_LIMIT = 5_000  # up to this many intents every one is scored; beyond, only those a feature touches


# Words a caller may put in front of a text to say what form it has (see `Router.prepare`): they
# are features like any word, but never count as a word the knowledge base knows.
FORM_WORDS = frozenset({"questionform", "commandform", "plainform"})


class Weights(NamedTuple):
    """How questions become features and how the model is trained. Set in `knowledge/matcher.yaml`."""

    typo_cutoff: float = 80.0   # similarity (0-100) a misspelt word needs to be read as a known word
    bigram: float = 0.5         # weight of a word pair against a single word
    char: float = 0.6           # weight of the character n-grams against the words
    epochs: float = 30          # passes over the phrasings when training
    rate: float = 0.05          # Adam learning rate
    l2: float = 0.0001          # L2 weight decay
    train_limit: float = 300    # above this many intents, centroids instead of a trained softmax
    centroid_scale: float = 30.0  # logit scale of centroid scores (they are cosines, 0..1)
    negative: float = 1.0       # loss weight of the out-of-scope examples against the others
    steps: float = 0            # if positive: this many minibatch updates, instead of `epochs` passes
    average: float = 0.0        # the trained weights are the mean over this last share of the updates
    idf: float = 0.0            # words and word pairs weighted by their inverse document frequency to this power
    prune: float = 0.1          # trained weights smaller than this are dropped (the index's size, a question's work)
    customers: float = 1.0      # loss weight of a customer's question (`Index`'s LIGHT phrasings) against a curated phrasing


class EncoderSettings(NamedTuple):
    """The encoder's classifier, its share of the fused probabilities and the thresholds that
    replace `thresholds`' own while an encoder is used. Set in `knowledge/matcher.yaml` (`encoder`)."""

    fusion: float = 0.5        # weight of the encoder's probabilities (the lexical model's is 1 - fusion)
    steps: float = 1500        # minibatch updates of the classifier on the phrasings' vectors
    rate: float = 0.01         # Adam learning rate
    l2: float = 0.0001         # L2 weight decay
    average: float = 0.5       # the weights kept are the mean over this last share of the updates
    negative: float = 1.0      # loss weight of the out-of-scope examples
    answer: float = 0.34       # thresholds used with the encoder (see knowledge/matcher.yaml)
    clarify: float = 0.34
    out_of_scope: float = 0.6
    limit: float = 2000        # above this many intents the encoder is not used (a dense classifier)
    request_fusion: float = 0.5  # the encoder's weight for a request ("commandform"): its verbs and values are words
    neighbours: float = 0.0    # share of the encoder's probabilities given by the nearest phrasing of each intent
    temperature: float = 0.05  # softmax temperature of those nearest-phrasing similarities
    lead_answer: float = 0.0   # the lead rule's floor with the encoder (`thresholds.lead_answer`); 0: that one


def fuse(lexical: Mapping[int, float], semantic: Sequence[float], weight: float) -> dict[int, float]:
    """Late fusion, the one place the two models meet: each intent's probability is the mean of
    the lexical model's (LEXICAL, intent -> probability) and the encoder's (SEMANTIC, a list or
    numpy array over every intent), the encoder weighted WEIGHT."""
    keep = 1.0 - weight
    fused = [weight * p for p in (semantic.tolist() if hasattr(semantic, "tolist") else semantic)]
    for k, p in lexical.items():
        fused[k] += keep * p
    return dict(enumerate(fused))


class Candidate(NamedTuple):
    """One intent proposed for a question, with a confidence in 0..1."""

    key: str
    confidence: float
    phrasing: str


@lru_cache(maxsize=1 << 18)  # words and word pairs repeat across phrasings and questions
def _bucket(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8")) & _MASK


def _unit(counts: dict[int, float], scale: float, out: dict[int, float], sublinear: bool = True) -> float:
    """Add COUNTS to OUT (sublinear term frequency if SUBLINEAR), scaled to length SCALE; return
    the factor each count was multiplied by when not SUBLINEAR."""
    vec = {b: (1 + math.log(c)) if c > 1 else c for b, c in counts.items()} if sublinear else counts
    norm = math.sqrt(sum(v * v for v in vec.values()))
    if not norm:
        return 0.0
    for b, v in vec.items():
        out[b] = out.get(b, 0.0) + scale * v / norm
    return scale / norm


_WORD_BUCKETS: dict[str, int] = {}  # word -> bucket of its word feature (building a large index reads millions)


def _word_counts(words: Sequence[str], bigram: float) -> dict[int, float]:
    """Word and word-pair buckets of WORDS with their counts (a pair counts BIGRAM)."""
    counts: dict[int, float] = {}
    get = counts.get
    known = _WORD_BUCKETS
    for word in words:
        b = known.get(word)
        if b is None:
            if len(known) > 1 << 18:
                known.clear()
            b = known[word] = _bucket("w " + word)
        counts[b] = get(b, 0.0) + 1.0
    if bigram:
        for left, right in zip(words, words[1:]):
            # word pairs rarely repeat: hashed directly, past the cache
            b = zlib.crc32(f"b {left} {right}".encode()) & _MASK
            counts[b] = get(b, 0.0) + bigram
    return counts


class Idf:
    """How much a word or word pair tells, from how few phrasings use it: bucket -> weight, as
    two sorted flat arrays (a lookup is a bisection, so loading it from the cache costs nothing).

    A bucket no phrasing has is left out of a question's word block altogether, as a vocabulary
    -based TF-IDF leaves out unknown words: the model has no weight for it, and keeping it
    would only shrink the words that do count when the block is scaled to unit length."""

    def __init__(self, buckets: array, values: array):
        self.buckets, self.values = buckets, values

    @classmethod
    def from_phrasings(cls, blocks: Sequence[Iterable[int]], power: float) -> Idf:
        """From the word-block buckets of each phrasing: (ln((1 + n) / (1 + df)) + 1) ** POWER,
        the smoothed inverse document frequency (POWER 0.5 damps it: CLINC150 validation)."""
        df: dict[int, int] = {}
        for block in blocks:
            for b in block:
                df[b] = df.get(b, 0) + 1
        n = len(blocks)
        keys = sorted(df)
        return cls(array("q", keys), array("f", ((math.log((1 + n) / (1 + df[b])) + 1) ** power for b in keys)))

    def weigh(self, counts: dict[int, float]) -> dict[int, float]:
        """COUNTS times each bucket's weight; unknown buckets dropped."""
        buckets, values, n = self.buckets, self.values, len(self.buckets)
        out = {}
        for b, c in counts.items():
            i = bisect_left(buckets, b)
            if i < n and buckets[i] == b:
                out[b] = c * values[i]
        return out


def _word_vector(words: Sequence[str], bigram: float, idf: Idf | None = None) -> dict[int, float]:
    """The word block of `features`: word and word-pair buckets, sublinear term frequency (times
    IDF's weights when given), unit length."""
    vec = {b: (1 + math.log(c)) if c > 1 else c for b, c in _word_counts(words, bigram).items()}
    if idf is not None:
        vec = idf.weigh(vec)
    # `_unit(vec, 1.0, {}, sublinear=False)` written out: the same arithmetic, without the steps a scale of 1 makes void
    norm = math.sqrt(sum([v * v for v in vec.values()]))
    if not norm:
        return {}
    return {b: v / norm for b, v in vec.items()}


@lru_cache(maxsize=16384)
def char_grams(word: str) -> dict[int, float]:
    """Bucket -> count of the character 2- to 5-grams of WORD (padded with < and >)."""
    padded = f"<{word}>"
    size = len(padded)
    counts: dict[int, float] = {}
    for n in (2, 3, 4, 5):
        for i in range(size - n + 1):
            b = _bucket("c" + padded[i:i + n])
            counts[b] = counts.get(b, 0.0) + 1.0
    return counts


def _char_counts(surface: Sequence[str]) -> dict[int, float]:
    counts: dict[int, float] = {}
    for word in surface:
        for b, c in char_grams(word).items():
            counts[b] = counts.get(b, 0.0) + c
    return counts


def features(words: Sequence[str], surface: Sequence[str], weights: Weights, chars: bool = True,
             idf: Idf | None = None) -> dict[int, float]:
    """Hashed features of a question: stemmed WORDS and word pairs as one block (sublinear term
    frequency, times IDF's weights when given), the character 2- to 5-grams of the SURFACE words
    (before stemming) as another (plain counts, so a word's share is the same in every question),
    each of unit length and the character block scaled by `weights.char`."""
    out = _word_vector(words, weights.bigram, idf)
    if chars and weights.char:
        _unit(_char_counts(surface), weights.char, out, sublinear=False)
    return out


def _uses(analysed: Sequence[tuple[list[str], list[str]]], labels: Sequence[int]) -> dict[str, list[int]]:
    """Stem -> the intents whose phrasings use it (form words left out)."""
    uses: dict[str, set[int]] = {}
    for (words, _), label in zip(analysed, labels):
        for word in words:
            if word not in FORM_WORDS:
                uses.setdefault(word, set()).add(label)
    return {word: sorted(intents) for word, intents in uses.items()}


def _key64(text: str) -> int:
    data = text.encode("utf-8")
    return (zlib.crc32(data) << 31) ^ zlib.adler32(data)


@lru_cache(maxsize=1)
def _cjk_gap() -> re.Pattern:
    # compiled on first use: its character class costs 2 ms to compile, and only the encoder reads sentences
    return re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")


def _sentence(surface: Sequence[str]) -> str:
    """What the encoder reads: the question's words as the lexical model reads them (folded,
    spelling repaired, the synonym table applied: "td" is "optout" to both models), without the
    form word in front (`Router.prepare`), Chinese characters joined again (`fold` spaces them)."""
    words = surface[1:] if surface and surface[0] in FORM_WORDS else surface
    return _cjk_gap().sub("", " ".join(words))


class Model:
    """Sparse linear weights, feature-major: `logits` is a sparse dot product in pure Python."""

    def __init__(self, buckets: array, start: array, intents: array, values: array, bias: array):
        self.buckets, self.start, self.intents, self.values, self.bias = buckets, start, intents, values, bias

    @classmethod
    def from_table(cls, table: Any) -> Model:
        """From a `train.Table` of numpy arrays (at build time). Intent numbers are kept in two bytes
        when they fit (most knowledge bases): the weights are most of a cached index, which every
        `ask` reads whole."""
        small = len(table.bias) <= 0xFFFF
        intents = array("H", table.intents.astype("uint16").tobytes()) if small else \
            array("i", table.intents.astype("int32").tobytes())
        return cls(array("q", table.buckets.astype("int64").tobytes()), array("q", table.start.astype("int64").tobytes()),
                   intents, array("f", table.values.astype("float32").tobytes()),
                   array("d", table.bias.astype("float64").tobytes()))

    def arrays(self) -> dict[str, array]:
        return {"buckets": self.buckets, "start": self.start, "intents": self.intents, "values": self.values,
                "bias": self.bias}

    def dense_sum(self, vec: dict[int, float]) -> list[float]:
        """Sum of the weight rows of VEC's features, times their values, without the bias (every intent)."""
        buckets, start, intents, values = self.buckets, self.start, self.intents, self.values
        n = len(buckets)
        scores = [0.0] * len(self.bias)
        for b, x in vec.items():
            i = bisect_left(buckets, b)
            if i == n or buckets[i] != b:
                continue
            low, high = start[i], start[i + 1]
            for k, w in zip(intents[low:high], values[low:high]):
                scores[k] += x * w
        return scores

    def logits(self, vec: dict[int, float], dense: bool = True) -> dict[int, float]:
        """Intent number -> score. DENSE: every intent is scored (the bias alone for those no
        feature touches); else only the intents some feature of VEC points at."""
        buckets, start, intents, values = self.buckets, self.start, self.intents, self.values
        n = len(buckets)
        dense = dense and len(self.bias) <= DENSE_LIMIT
        scores: Any = list(self.bias) if dense else {}
        for b, x in vec.items():
            i = bisect_left(buckets, b)
            if i == n or buckets[i] != b:
                continue
            low, high = start[i], start[i + 1]
            if dense:
                for k, w in zip(intents[low:high], values[low:high]):
                    scores[k] += x * w
            else:
                for k, w in zip(intents[low:high], values[low:high]):
                    scores[k] = scores.get(k, 0.0) + x * w
        return dict(enumerate(scores)) if dense else scores


ROW_MEMORY = 32 << 20  # bytes of dense weight rows an index keeps (`Index._word_row`): every row of the shipped model


MAX_RUN = 4  # words one run-together word may be read as
SHORT_WORDS = frozenset({"a", "i"})  # the words of one letter a run-together word may hold


class Index:
    """A trained intent model over the phrasings of many intents; `rank` answers one question."""

    def __init__(self, intents: Mapping[str, Sequence[str]], synonyms: Synonyms | None = None,
                 weights: Weights | None = None, stopwords: Sequence[str] = (), *, negative: str | None = None,
                 folded: Mapping[str, Sequence[str]] | None = None, _state: dict | None = None,
                 encoder: Any = None, encoder_settings: EncoderSettings | None = None,
                 light: Mapping[str, int] | None = None):
        """Train on INTENTS (intent -> phrasings). FOLDED, when given, holds the same phrasings
        already `fold`ed, list for list (the router folds each phrasing once for all its uses).
        ENCODER (an `encoder.Encoder`), when given, adds a classifier on sentence vectors whose
        probabilities are fused with the lexical model's (`fuse`); not for more than
        ENCODER_SETTINGS.limit intents. LIGHT maps an intent to how many of its last phrasings are
        customers' questions (`knowledge/customers.yaml`), learned at `weights.customers` of the
        others' weight: the curated phrasings say what an intent is, the customers' how it is asked."""
        self.synonyms = synonyms
        self.weights = weights or Weights()
        self.encoder_settings = encoder_settings or EncoderSettings()
        self.semantic: Any = None
        # a question's reading, for `rank` and then `words` (the router's second look at it), and
        # for a batch `prime`d ahead (`lines.read_batches` gives at most 512 lines at a time)
        self._read = lru_cache(maxsize=1024)(self._read_uncached)
        self._repairs: dict[str, tuple[str, ...]] = {}  # an unknown word -> the words it is read as (`_repair`)
        self._initials: dict[str, list[str]] | None = None   # the vocabulary by first letter (`_starting_like`)
        if _state is not None:
            self._restore(_state, encoder)
            return
        self.keys: list[str] = list(intents)
        self.large = len(self.keys) > self.weights.train_limit
        analysed, labels, row_weight = self._read_phrasings(intents, folded, light)
        self._train_lexical(analysed, labels, row_weight if light else None, intents, negative)
        if encoder is not None and len(self.keys) <= self.encoder_settings.limit:
            self._train_encoder(encoder, analysed, labels, row_weight if light else None, intents, negative)
        self._word_share = {}
        self._feature_rows = {}

    def _read_phrasings(self, intents: Mapping[str, Sequence[str]], folded: Mapping[str, Sequence[str]] | None,
                        light: Mapping[str, int] | None) -> tuple[list[tuple[list[str], list[str]]], list[int], list[float]]:
        """The vocabulary step: each phrasing read once into (stems, surface words), with its intent's
        number and its weight as a training row; the intents' titles, the words known, the exact
        phrasings and which intents speak of a word are kept on the index as they go by."""
        self.titles = []
        analysed: list[tuple[list[str], list[str]]] = []
        labels: list[int] = []
        exact: dict[int, int] = {}
        row_weight: list[float] = []
        curated: list[int] = []   # the rows of curated phrasings
        known: set[str] = set()
        synonyms = self.synonyms
        apply = synonyms.apply if synonyms is not None and synonyms.table else None
        for number, key in enumerate(self.keys):
            phrasings = intents[key]
            first = phrasings[0].split(" ", 1) if phrasings else [""]
            self.titles.append(first[-1] if first[0] in FORM_WORDS else " ".join(first))
            own = len(phrasings) - (light or {}).get(key, 0)
            curated += range(len(row_weight), len(row_weight) + own)
            row_weight += [1.0] * own + [self.weights.customers] * (len(phrasings) - own)
            for text in (folded[key] if folded is not None else [fold(p) for p in phrasings]):
                # `analyse` inlined: a large knowledge base reads hundreds of thousands of phrasings
                surface = text.split()
                known.update(surface)
                if apply is not None:
                    rewritten = apply(text)
                    if rewritten != text:
                        surface = rewritten.split()
                        known.update(surface)
                words = [stem(word) for word in surface]
                exact.setdefault(_key64(" ".join(words)), number)
                analysed.append((words, surface))
                labels.append(number)
        # which intents speak of a word (`Router.uncovered`) is what their curated phrasings say: a
        # customer's question says much beside what it asks ("... 重新提交 ..." in a status check's)
        self.uses = None if self.large else _uses([analysed[i] for i in curated], [labels[i] for i in curated])
        if synonyms is not None:
            for variant in synonyms.table:
                known.update(variant.split())
        self.known = known - FORM_WORDS
        self._vocabulary: list[str] | None = None
        self.exact_keys = array("q", sorted(exact))
        self.exact_intents = array("i", (exact[k] for k in self.exact_keys))
        return analysed, labels, row_weight

    def _train_lexical(self, analysed: list[tuple[list[str], list[str]]], labels: list[int],
                       row_weight: list[float] | None, intents: Mapping[str, Sequence[str]],
                       negative: str | None) -> None:
        """The matrices step: the phrasings' feature rows (weighed by idf when the weights ask for it) and
        the lexical model trained on them; a large knowledge base gets its intents' centroids instead."""
        from . import blas, train  # numpy: only when building

        self.idf = None
        if self.weights.idf and not self.large:
            self.idf = Idf.from_phrasings([_word_counts(w, self.weights.bigram) for w, _ in analysed], self.weights.idf)
        rows = [features(words, surface, self.weights, chars=not self.large, idf=self.idf)
                for words, surface in analysed]
        w = self.weights
        with blas.threads():
            if self.large:
                table = train.centroids(rows, labels, len(self.keys), scale=w.centroid_scale)
            else:
                weight = {self.keys.index(negative): w.negative} if negative in intents else None
                table = train.softmax(rows, labels, len(self.keys), epochs=int(w.epochs), rate=w.rate, l2=w.l2,
                                      steps=int(w.steps), class_weight=weight, average=w.average, prune=w.prune,
                                      row_weight=row_weight)
        self.model = Model.from_table(table)

    def _train_encoder(self, encoder: Any, analysed: list[tuple[list[str], list[str]]], labels: list[int],
                       row_weight: list[float] | None, intents: Mapping[str, Sequence[str]],
                       negative: str | None) -> None:
        """The encoder part: a classifier on the phrasings' sentence vectors (`encoder.Semantic`)."""
        from .encoder import Semantic

        texts = [_sentence(surface) for _, surface in analysed]
        self.semantic = Semantic.train(encoder, texts, labels, len(self.keys), self.encoder_settings,
                                       self.keys.index(negative) if negative in intents else None, row_weight)

    # --- plain-data form, for the cache ------------------------------------------------------

    def state(self) -> tuple[dict, dict[str, array]]:
        """(JSON-able values, flat arrays) from which `restore` rebuilds this index."""
        values = {"keys": self.keys, "titles": self.titles, "known": sorted(self.known), "large": self.large,
                  "weights": list(self.weights), "uses": self.uses, "encoder_settings": list(self.encoder_settings),
                  "encoder": self.semantic.encoder.name if self.semantic is not None else None}
        arrays = {**self.model.arrays(), "exact_keys": self.exact_keys, "exact_intents": self.exact_intents}
        if self.idf is not None:
            arrays.update(idf_buckets=self.idf.buckets, idf_values=self.idf.values)
        if self.semantic is not None:
            arrays.update(self.semantic.arrays())
        return values, arrays

    @classmethod
    def restore(cls, values: dict, arrays: dict[str, array], synonyms: Synonyms | None, encoder: Any = None) -> Index:
        """The index `state` gave VALUES and ARRAYS for; ENCODER is needed if it was built with one."""
        return cls({}, synonyms, Weights(*values["weights"]), _state={**values, **arrays}, encoder=encoder,
                   encoder_settings=EncoderSettings(*values["encoder_settings"]))

    def _restore(self, state: dict, encoder: Any) -> None:
        self.keys, self.titles, self.large = state["keys"], state["titles"], state["large"]
        self.uses = state.get("uses")
        self._word_share: dict[str, list[float]] = {}
        self._feature_rows: dict[int, tuple[float | None, array | None]] = {}  # bucket -> `_word_row`
        self.known = set(state["known"])
        self._vocabulary = None
        self.exact_keys, self.exact_intents = state["exact_keys"], state["exact_intents"]
        self.model = Model(*(state[name] for name in ("buckets", "start", "intents", "values", "bias")))
        self.idf = Idf(state["idf_buckets"], state["idf_values"]) if "idf_buckets" in state else None
        if "enc_weights" in state:
            if encoder is None or encoder.name != state["encoder"]:
                raise ValueError("the index was built with another encoder")
            from .encoder import Semantic

            self.semantic = Semantic.from_arrays(encoder, state, self.encoder_settings)

    # --- reading a question ------------------------------------------------------------------

    def analyse(self, folded: str, correct: Callable[[list[str]], list[str]] | None = None) -> tuple[list[str], list[str]]:
        """FOLDED text's words as the index compares them, stemmed, and as written: spelling repaired by
        CORRECT when given, then the knowledge base's synonyms applied. Public so that a rule reading the
        knowledge base's own word lists (the router's salient, acceptance and unpublished words) reads them
        as a question is read; they are spelt right, so they are read without CORRECT (no rapidfuzz loaded)."""
        if correct is not None:
            folded = " ".join(correct(folded.split()))
        if self.synonyms is not None:
            folded = self.synonyms.apply(folded)
        surface = folded.split()
        return [stem(word) for word in surface], surface

    @property
    def vocabulary(self) -> list[str]:
        if self._vocabulary is None:
            self._vocabulary = sorted(w for w in self.known if w.isalpha() and len(w) >= 3)
        return self._vocabulary

    def _correct(self, words: list[str]) -> list[str]:
        """Replace words the index has never seen by the closest known word, if close enough; a
        word that is two known words run together ("templatevariable") is read as the two."""
        fixed = []
        known, repairs = self.known, self._repairs
        for word in words:
            if word in known or len(word) < 4 or not word.isalpha() or word in FORM_WORDS:
                fixed.append(word)
                continue
            read = repairs.get(word)
            if read is None:
                if len(repairs) > 50_000:
                    repairs.clear()
                read = repairs[word] = self._repair(word)
            fixed += read
        return fixed

    def _repair(self, word: str) -> tuple[str, ...]:
        """How `_correct` reads WORD, a word the index has never seen (remembered by it): the known
        words it runs together, else the closest known word, else itself. A split that holds a
        word of two letters gives way to a known word one edit away ("buton" is "button", not "but
        on"; "howdo" has none, and is "how do"); one that holds "a" or "i" does not ("atemplate")."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        parts = self._split_run_together(word)
        if parts and all(len(p) != 2 for p in parts):
            return tuple(parts)
        if parts:
            near = process.extractOne(word, self.vocabulary, scorer=OSA.distance, score_cutoff=1)
            return (near[0],) if near else tuple(parts)
        # OSA counts a swap of two letters ("enabel") as one edit. A typo keeps the word's first letter
        # (or swaps the first two: "neable"): "state" is no "estate", nor "preview" "review"
        best = process.extractOne(word, self._starting_like(word), scorer=OSA.normalized_similarity,
                                  score_cutoff=self.weights.typo_cutoff / 100)
        return (best[0] if best else word,)

    def _starting_like(self, word: str) -> list[str]:
        """The vocabulary's words that open as WORD does: with its first letter, or its first two swapped."""
        if self._initials is None:
            self._initials = {}
            for known in self.vocabulary:
                self._initials.setdefault(known[0], []).append(known)
        swapped = word[1] + word[0]
        return self._initials.get(word[0], []) + [w for w in self._initials.get(word[1], ()) if w.startswith(swapped)]

    def _split_run_together(self, word: str) -> list[str]:
        """WORD as known words written without the spaces between them ("digitalsms",
        "howdo", "tochangethe"): the split into the fewest known words, at most MAX_RUN, the
        longest shortest word breaking ties; [] when there is none. A word of one letter
        ("a", "i") may be one of them, and one word of the split must have 3 letters or more,
        so that short words are not conjured up."""
        known = self.known
        n = len(word)
        # best[i]: the best split of word[:i] as (pieces, -shortest, parts)
        best: list[tuple[int, int, list[str]] | None] = [None] * (n + 1)
        best[0] = (0, -n, [])
        for end in range(1, n + 1):
            for start in range(max(0, end - 24), end):
                before = best[start]
                piece = word[start:end]
                if before is None or before[0] >= MAX_RUN or piece not in known or (len(piece) < 2 and piece not in SHORT_WORDS):
                    continue
                option = (before[0] + 1, max(before[1], -len(piece)), before[2] + [piece])
                if best[end] is None or option[:2] < best[end][:2]:
                    best[end] = option
        found = best[n]
        if found is None or found[0] < 2 or max(len(p) for p in found[2]) < 3:
            return []
        return found[2]

    def knows(self, text: str) -> bool:
        """Whether TEXT has a word the knowledge base uses: a line of none (Thai, Korean) is read by
        the encoder alone, if at all (`rank`)."""
        return any(w in self.known for w in self._read(text)[1])

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """The best LIMIT intents for TEXT, best first, with softmax confidences."""
        words, surface = self._read(text)
        known = any(w in self.known for w in surface)
        if not known and self.semantic is None:
            return []  # not one word the knowledge base uses: any score would be noise
        probabilities = self._probabilities(words, surface) if known else {}
        if self.semantic is not None:
            # a request is said by its verb and its values, which the words read better than a sentence vector
            fusion = self.encoder_settings.request_fusion if words[:1] == ("commandform",) else self.encoder_settings.fusion
            # a question of no known word (Chinese for an English-only entry) is read by the encoder alone
            weight = fusion if probabilities else 1.0
            probabilities = fuse(probabilities, self.semantic.probabilities(_sentence(surface)), weight)
        if not probabilities:
            return []
        best = sorted(probabilities, key=probabilities.__getitem__, reverse=True)[:limit]
        ranked = [Candidate(self.keys[k], round(probabilities[k], 4), self.titles[k]) for k in best]
        exact = self._exact(" ".join(words))
        if exact is not None:
            ranked = [Candidate(self.keys[exact], 1.0, self.titles[exact])] + [c for c in ranked if c.key != self.keys[exact]]
        return ranked[:limit]

    def prime(self, texts: Iterable[str], here: bool = False) -> None:
        """Start encoding TEXTS (questions `rank` is about to be given) in batches, in a thread of
        their own, or with HERE in this one before returning (see `Router.prime`)."""
        if self.semantic is not None:
            self.semantic.prime((_sentence(self._read(text)[1]) for text in texts), here)

    def _probabilities(self, words: Sequence[str], surface: Sequence[str]) -> dict[int, float]:
        """The lexical model's softmax: intent number -> probability."""
        scores = self._scores(words, surface)
        if not scores:
            return {}
        top = max(scores.values())
        exps = {k: math.exp(s - top) for k, s in scores.items()}
        total = sum(exps.values())
        return {k: e / total for k, e in exps.items()}

    def _scores(self, words: Sequence[str], surface: Sequence[str]) -> dict[int, float]:
        """The model's logits for a question, as `features` would give them, but faster: each
        word or word pair's weight row and each word's share of the character block are looked
        up once and remembered (the character block is linear in each word's n-gram counts)."""
        if self.large or not self.weights.char or len(self.model.bias) > DENSE_LIMIT:
            return self.model.logits(features(words, surface, self.weights, chars=not self.large, idf=self.idf),
                                     dense=not self.large)
        scores = self._word_scores(words)
        counts = _char_counts(surface)
        norm = math.sqrt(sum(c * c for c in counts.values()))
        if not norm:
            return dict(enumerate(scores))
        share = self._word_share
        rows = []
        for word in surface:
            row = share.get(word)
            if row is None:
                if len(share) > 50_000:
                    share.clear()
                row = share[word] = self._char_share(word)
            rows.append(row)
        total = [0.0 + sum(column) for column in zip(*rows)]  # each intent's shares added in word order
        scale = self.weights.char / norm
        return {k: s + scale * total[k] for k, s in enumerate(scores)}

    def _word_scores(self, words: Sequence[str]) -> list[float]:
        """Every intent's bias plus the word block's part of its score (`Model.logits` of
        `_word_vector`): the same products added in the same order, each feature's IDF weight
        and dense weight row looked up once and remembered (`_word_row`)."""
        rows_of = self._feature_rows
        kept, xs, rows = [], [], []
        for b, c in _word_counts(words, self.weights.bigram).items():
            weight, row = rows_of.get(b) or self._kept_row(b)
            if weight is None:
                continue  # a bucket no phrasing has: dropped before scaling (`Idf.weigh`)
            v = ((1 + math.log(c)) if c > 1 else c) * weight
            kept.append(v)
            if row is not None:
                xs.append(v)
                rows.append(row)
        bias = self.model.bias
        norm = math.sqrt(sum([v * v for v in kept]))
        if not norm or not rows:
            return list(bias)
        xs = [v / norm for v in xs]
        # intent by intent: its bias, then each feature's value times its weight, in the features' order
        return [sum(map(mul, xs, column), b) for b, column in zip(bias, zip(*rows))]

    def _char_share(self, word: str) -> list[float]:
        """WORD's share of every intent's character-block score before scaling: `Model.dense_sum`
        of its n-gram counts, the same products added in the same order, from weight rows kept
        per n-gram (a new word's n-grams are mostly other words' too)."""
        rows_of = self._feature_rows
        xs, rows = [], []
        for b, c in char_grams(word).items():
            row = (rows_of.get(b) or self._kept_row(b))[1]
            if row is not None:
                xs.append(c)
                rows.append(row)
        if not rows:
            return [0.0] * len(self.model.bias)
        return [sum(map(mul, xs, column), 0.0) for column in zip(*rows)]

    def _kept_row(self, bucket: int) -> tuple[float | None, array | None]:
        """`_word_row` of BUCKET, remembered in `_feature_rows`, which starts again once it holds
        ROW_MEMORY's worth (word pairs the model has no row for are countless)."""
        rows_of = self._feature_rows
        if len(rows_of) > min(100_000, ROW_MEMORY // (64 + 8 * len(self.model.bias))):
            rows_of.clear()
        entry = rows_of[bucket] = self._word_row(bucket)
        return entry

    def _word_row(self, bucket: int) -> tuple[float | None, array | None]:
        """(BUCKET's IDF weight, 1.0 without IDF, None when no phrasing has it; its weight row over
        every intent, zeros where it has none, None when the model has no row for it)."""
        weight: float | None = 1.0
        if self.idf is not None:
            buckets = self.idf.buckets
            i = bisect_left(buckets, bucket)
            weight = self.idf.values[i] if i < len(buckets) and buckets[i] == bucket else None
        model = self.model
        i = bisect_left(model.buckets, bucket)
        if i == len(model.buckets) or model.buckets[i] != bucket:
            return weight, None
        row = array("d", bytes(8 * len(model.bias)))
        low, high = model.start[i], model.start[i + 1]
        for k, w in zip(model.intents[low:high], model.values[low:high]):
            row[k] = w
        return weight, row

    def words(self, text: str) -> tuple[str, ...]:
        """TEXT's words as `rank` reads them (folded, spelling repaired, synonyms, stemmed)."""
        return self._read(text)[0]

    def _read_uncached(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        words, surface = self.analyse(fold(text), self._correct)
        return tuple(words), tuple(surface)

    def tells_apart(self, words: Sequence[str], first: str, second: str) -> bool:
        """Whether some word of WORDS (stemmed) is used by the phrasings of one of the intents
        FIRST and SECOND and not by the other's. Words most intents of their kind use are no
        evidence either way: between two requests only the requests count ("send" is in most
        FAQ entries' phrasings, and still tells a send from a template's status). True when the
        index does not know (a large knowledge base keeps no word lists)."""
        if self.uses is None:
            return True
        a, b = self.keys.index(first), self.keys.index(second)
        among = {i for i, k in enumerate(self.keys) if k.startswith("action:")} \
            if first.startswith("action:") and second.startswith("action:") else None
        common = len(among if among is not None else self.keys) / 2
        for word in words:
            users = self.uses.get(word)
            if users and among is not None:
                users = [u for u in users if u in among]
            if users and len(users) <= common and ((a in users) != (b in users)):
                return True
        return False

    def _exact(self, joined: str) -> int | None:
        key = _key64(joined)
        i = bisect_left(self.exact_keys, key)
        if i < len(self.exact_keys) and self.exact_keys[i] == key:
            return self.exact_intents[i]
        return None
