"""Training the intent model (numpy; only imported when an index is built, never on a cached start).

Two trainers produce the same thing, a sparse feature-major weight table (see `matcher.Model`):

* `softmax`: multinomial logistic regression on the hashed features, minibatch Adam with L2
  decay, the weights of only the features a batch touches updated ("lazy" Adam). Used when the
  knowledge base has at most `Weights.train_limit` intents, which covers any hand-written FAQ.
* `centroids`: the mean feature vector of each intent, normalised and scaled (a Rocchio
  classifier). Used for generated knowledge bases of tens of thousands of intents, where a
  softmax over every intent would not train in the time a build may take.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from itertools import chain

# The batches are small: BLAS threads would only spin against each other (and against whatever
# else the machine runs). Set before numpy is first imported, which is here; `blas.threads` limits a
# BLAS numpy loaded before.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

from . import blas  # noqa: E402

_SNAPSHOTS = 50  # iterates averaged (see `softmax`): enough for a smooth mean, cheap on a large table


class Table:
    """Feature-major sparse weights: bucket -> [(intent, weight)], as four flat numpy arrays."""

    def __init__(self, buckets: np.ndarray, start: np.ndarray, intents: np.ndarray, values: np.ndarray, bias: np.ndarray):
        self.buckets, self.start, self.intents, self.values, self.bias = buckets, start, intents, values, bias


def _csr(rows: Sequence[dict[int, float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    total = int(indptr[-1])
    # chain.from_iterable walks the rows in C (a generator would run a Python frame per feature)
    indices = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=total)
    data = np.fromiter(chain.from_iterable(map(dict.values, rows)), dtype=np.float32, count=total)
    return indptr, indices, data


def _table(columns: np.ndarray, weights: np.ndarray, bias: np.ndarray, prune: float) -> Table:
    """Dense (features x intents) WEIGHTS over bucket ids COLUMNS, small weights dropped."""
    keep = np.abs(weights) >= prune
    feature, intent = np.nonzero(keep)  # row-major: grouped by feature already
    values = weights[feature, intent].astype(np.float32)
    counts = np.bincount(feature, minlength=len(columns))
    used = counts > 0
    start = np.zeros(int(used.sum()) + 1, dtype=np.int64)
    np.cumsum(counts[used], out=start[1:])
    return Table(columns[used].astype(np.int64), start, intent.astype(np.int64), values, bias.astype(np.float64))


def _batches(n: int, batch: int, total: int, rng: np.random.Generator):
    """TOTAL minibatches of row numbers below N, each pass over the rows in a fresh order."""
    done = 0
    while done < total:
        order = rng.permutation(n)
        for low in range(0, n, batch):
            if done == total:
                return
            yield order[low:low + batch]
            done += 1


def _residual(logits: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The softmax's error for a batch (its probabilities minus the one-hot labels Y), weighted per
    intent and averaged over the batch: what the gradients of both trainers are made of."""
    logits = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1.0
    p *= weight[y][:, None] / len(y)
    return p


def softmax(rows: Sequence[dict[int, float]], labels: Sequence[int], n_intents: int, *, epochs: int = 30,
            rate: float = 0.05, l2: float = 1e-4, batch: int = 64, prune: float = 0.1, seed: int = 0,
            class_weight: dict[int, float] | None = None, steps: int = 0, average: float = 0.0,
            row_weight: Sequence[float] | None = None) -> Table:
    """Multinomial logistic regression of LABELS on the sparse feature ROWS; CLASS_WEIGHT
    multiplies the loss of the rows of some intents (the out-of-scope class), ROW_WEIGHT (one a
    row) that of each row (customers' questions weigh less than curated phrasings).

    STEPS, when positive, replaces EPOCHS: that many minibatch updates, however many passes they
    take. Held-out accuracy depends on the number of updates, not of passes (past ~1,000 plain
    updates the model grows overconfident and out-of-scope questions score high), so a budget
    of updates suits a knowledge base of 1,000 phrasings and one of 15,000 alike.

    AVERAGE, when positive, returns the mean of the weights over that last share of the updates
    (Polyak averaging, sampled at up to `_SNAPSHOTS` evenly spaced updates) instead of the last
    weights: the mean of a noisy optimiser's late iterates generalises better than any one of
    them (CLINC150 validation, K=100: 0.922 -> 0.929 top-1)."""
    keep = [i for i, r in enumerate(rows) if r]
    rows, y = [rows[i] for i in keep], np.asarray([labels[i] for i in keep], dtype=np.int64)
    each = np.asarray([row_weight[i] for i in keep], dtype=np.float32) if row_weight is not None else None
    weight = np.ones(n_intents, dtype=np.float32)
    for intent, value in (class_weight or {}).items():
        weight[intent] = value
    indptr, buckets, data = _csr(rows)
    columns, indices = np.unique(buckets, return_inverse=True)
    n, d, c = len(rows), len(columns), n_intents
    total = steps if steps > 0 else epochs * max(1, -(-n // batch))
    w = np.zeros((d, c), dtype=np.float32)
    b = np.zeros(c, dtype=np.float32)
    every = max(1, int(total * average) // _SNAPSHOTS) if average > 0 else 0
    first_kept = total - int(total * average)
    mean_w = np.zeros_like(w) if every else None
    mean_b, kept = np.zeros_like(b), 0
    mw, vw = np.zeros_like(w), np.zeros_like(w)
    mb, vb = np.zeros_like(b), np.zeros_like(b)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    rng = np.random.default_rng(seed)
    for step, chosen in enumerate(_batches(n, batch, total, rng), start=1):
        lengths = indptr[chosen + 1] - indptr[chosen]
        firsts = np.zeros(len(chosen), dtype=np.int64)
        np.cumsum(lengths[:-1], out=firsts[1:])
        positions = np.repeat(indptr[chosen] - firsts, lengths) + np.arange(int(lengths.sum()))
        cols, vals = indices[positions], data[positions]
        owner = np.repeat(np.arange(len(chosen)), lengths)
        # the batch as a small dense matrix over the columns it touches: two BLAS products
        touched, where = np.unique(cols, return_inverse=True)
        x = np.zeros((len(chosen), len(touched)), dtype=np.float32)
        x[owner, where] = vals
        wt = w[touched]
        p = _residual(x @ wt + b, y[chosen], weight)
        if each is not None:
            p *= each[chosen][:, None]
        grad = x.T @ p + l2 * wt
        gb = p.sum(axis=0)
        scale = rate * np.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        m = beta1 * mw[touched] + (1 - beta1) * grad
        v = beta2 * vw[touched] + (1 - beta2) * grad * grad
        mw[touched], vw[touched] = m, v
        w[touched] = wt - scale * m / (np.sqrt(v) + eps)
        mb[:] = beta1 * mb + (1 - beta1) * gb
        vb[:] = beta2 * vb + (1 - beta2) * gb * gb
        b -= scale * mb / (np.sqrt(vb) + eps)
        if mean_w is not None and step > first_kept and (total - step) % every == 0:
            mean_w += w
            mean_b += b
            kept += 1
    if mean_w is not None and kept:
        w, b = mean_w / kept, mean_b / kept
    return _table(columns, w, b, prune)


def centroids(rows: Sequence[dict[int, float]], labels: Sequence[int], n_intents: int, *, scale: float = 30.0,
              max_share: float = 0.01, prune: float = 0.02) -> Table:
    """Each intent's normalised mean feature vector times SCALE.

    A feature found in more than MAX_SHARE of the intents (and more than 50) is left out: in a
    knowledge base of 100,000 intents such a word separates nothing and would make every query
    walk a long list.
    """
    indptr, buckets, data = _csr(rows)
    owner = np.repeat(np.asarray(labels, dtype=np.int64), np.diff(indptr))
    key = owner * (1 << 32) + buckets
    pairs, where = np.unique(key, return_inverse=True)
    sums = np.bincount(where, weights=data).astype(np.float64)
    intent, bucket = pairs >> 32, pairs & 0xFFFFFFFF
    norms = np.sqrt(np.bincount(intent, weights=sums * sums, minlength=n_intents))
    values = scale * sums / np.where(norms[intent] > 0, norms[intent], 1.0)
    # each (intent, bucket) pair is there once: a bucket's pairs are the intents it is found in
    _, column, df = np.unique(bucket, return_inverse=True, return_counts=True)
    keep = (np.abs(values) >= prune * scale) & ~(df > max(50, max_share * n_intents))[column]
    intent, bucket, values = intent[keep], bucket[keep], values[keep]
    order = np.argsort(bucket, kind="stable")  # pairs are sorted by intent: a stable sort keeps that within a bucket
    intent, bucket, values = intent[order], bucket[order], values[order]
    edges = np.flatnonzero(np.diff(bucket)) + 1
    columns = bucket[np.concatenate(([0], edges))] if len(bucket) else bucket
    start = np.concatenate(([0], edges, [len(bucket)])).astype(np.int64) if len(bucket) else np.zeros(1, dtype=np.int64)
    return Table(columns, start, intent, values.astype(np.float32), np.zeros(n_intents))


def dense_softmax(x: np.ndarray, labels: Sequence[int], n_intents: int, *, steps: int = 1500, rate: float = 0.01,
                  l2: float = 1e-4, batch: int = 64, average: float = 0.5, seed: int = 0,
                  class_weight: dict[int, float] | None = None,
                  row_weight: Sequence[float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression of LABELS on the dense rows of X (sentence vectors):
    (weights dim x intents, bias). Minibatch Adam for STEPS updates with L2 decay, the mean of
    the iterates over the last AVERAGE share returned, as `softmax` does for the sparse features
    (ROW_WEIGHT too)."""
    with blas.threads():
        x = np.asarray(x, dtype=np.float32)
        y = np.asarray(labels, dtype=np.int64)
        n, d = x.shape
        weight = np.ones(n_intents, dtype=np.float32)
        for intent, value in (class_weight or {}).items():
            weight[intent] = value
        each = np.asarray(row_weight, dtype=np.float32) if row_weight is not None else None
        w = np.zeros((d, n_intents), dtype=np.float32)
        b = np.zeros(n_intents, dtype=np.float32)
        params = [w, b]
        m = [np.zeros_like(w), np.zeros_like(b)]
        v = [np.zeros_like(w), np.zeros_like(b)]
        mean = [np.zeros_like(w), np.zeros_like(b)]
        first_kept, kept = steps - int(steps * average), 0
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        rng = np.random.default_rng(seed)
        for step, chosen in enumerate(_batches(n, batch, steps, rng), start=1):
            xb = x[chosen]
            p = _residual(xb @ w + b, y[chosen], weight)
            if each is not None:
                p *= each[chosen][:, None]
            grads = [xb.T @ p + l2 * w, p.sum(axis=0)]
            scale = rate * np.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
            for param, grad, mk, vk in zip(params, grads, m, v):
                mk *= beta1
                mk += (1 - beta1) * grad
                vk *= beta2
                vk += (1 - beta2) * grad * grad
                param -= scale * mk / (np.sqrt(vk) + eps)
            if step > first_kept:
                mean[0] += w
                mean[1] += b
                kept += 1
        if kept:
            w, b = mean[0] / kept, mean[1] / kept
        return w, b
