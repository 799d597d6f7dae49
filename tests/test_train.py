"""The trainers: `centroids` gives each intent its normalised mean feature vector, feature-major;
`softmax` weighs each row's loss as it is told."""

from __future__ import annotations

import random

from assistant import train


def _reference(rows, labels, n_intents, scale, max_share, prune):
    """`centroids` written plainly: (bucket, intent) -> weight, after dropping the small weights
    and the buckets found in too many intents."""
    sums: list[dict[int, float]] = [{} for _ in range(n_intents)]
    for row, label in zip(rows, labels):
        for bucket, value in row.items():
            sums[label][bucket] = sums[label].get(bucket, 0.0) + float(value)
    found: dict[int, int] = {}
    for mean in sums:
        for bucket in mean:
            found[bucket] = found.get(bucket, 0) + 1
    out = {}
    for intent, mean in enumerate(sums):
        norm = sum(v * v for v in mean.values()) ** 0.5 or 1.0
        for bucket, value in mean.items():
            weight = scale * value / norm
            if abs(weight) >= prune * scale and found[bucket] <= max(50, max_share * n_intents):
                out[bucket, intent] = weight
    return out


def test_centroids_are_normalised_means_without_common_or_small_features():
    rng = random.Random(5)
    n = 120
    rows, labels = [], []
    for intent in range(n):
        for _ in range(rng.randint(1, 4)):
            row = {7: 1.0}  # in every intent: dropped
            row.update({rng.randrange(3000): rng.uniform(0.01, 1.0) for _ in range(rng.randint(1, 6))})
            rows.append(row)
            labels.append(intent)
    rows.append({})
    labels.append(n)  # an intent whose only phrasing has no feature
    table = train.centroids(rows, labels, n + 1, scale=30.0, max_share=0.01, prune=0.02)
    expected = _reference(rows, labels, n + 1, 30.0, 0.01, 0.02)

    got = {}
    for i, bucket in enumerate(table.buckets.tolist()):
        intents = table.intents[table.start[i]:table.start[i + 1]].tolist()
        assert intents == sorted(intents)  # each bucket's intents in order
        for intent, value in zip(intents, table.values[table.start[i]:table.start[i + 1]].tolist()):
            got[bucket, intent] = value
    assert table.buckets.tolist() == sorted(set(table.buckets.tolist()))
    assert got.keys() == expected.keys() and 7 not in table.buckets
    assert max(abs(got[k] - expected[k]) for k in got) < 1e-4
    assert table.bias.tolist() == [0.0] * (n + 1)


# The first build of the shipped knowledge base took 10-20 s on a busy 2-core machine with numpy's
# default BLAS threads, against about 2 s with one: even without threadpoolctl the environment
# gives one thread, set before numpy is first imported by the index build.
_BASE_BUILD = """
import json, os, sys, tempfile
sys.modules["threadpoolctl"] = None  # as if threadpoolctl were missing: the environment alone
os.environ["ASSISTANT_CACHE_DIR"] = tempfile.mkdtemp()
from assistant import knowledge
from assistant.cache import load_router
first = {}
class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and "by" not in first:
            frame = sys._getframe(1)
            while frame.f_globals.get("__name__", "").startswith(("importlib", "_frozen")):
                frame = frame.f_back
            first["by"] = frame.f_globals.get("__name__")
            first["variable"] = os.environ.get("OPENBLAS_NUM_THREADS")
        return None
sys.meta_path.insert(0, Watch())
router = load_router(knowledge.shipped_dir())
del sys.modules["threadpoolctl"]
try:
    from threadpoolctl import threadpool_info
    threads = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
except ImportError:
    threads = None
print(json.dumps({**first, "semantic": router.index.semantic is not None, "threads": threads}))
"""


_BUILD_AFTER_NUMPY = """
import json, os, sys, tempfile
os.environ["ASSISTANT_CACHE_DIR"] = tempfile.mkdtemp()
import sqlite_utils  # as the CLI's first ask does (it imports numpy), before any index is built
from threadpoolctl import threadpool_info
from assistant import knowledge, train
from assistant.cache import load_router
seen = []
softmax = train.softmax
def watched(*args, **kwargs):
    seen.append([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"])
    return softmax(*args, **kwargs)
train.softmax = watched
load_router(knowledge.shipped_dir())
print(json.dumps({"numpy_first": "numpy" in sys.modules, "threads": seen}))
"""


def test_the_index_trains_on_one_blas_thread_even_when_numpy_was_imported_first(tmp_path):
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENBLAS_", "OMP_", "MKL_"))}
    env["ASSISTANT_ENCODER"] = "none"
    done = subprocess.run([sys.executable, "-c", _BUILD_AFTER_NUMPY], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["threads"] and all(threads in ([], [1]) for threads in seen["threads"]), seen


def test_the_base_install_builds_the_index_with_one_blas_thread(tmp_path):
    import json
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENBLAS_", "OMP_", "MKL_"))}
    env["ASSISTANT_ENCODER"] = "none"
    done = subprocess.run([sys.executable, "-c", _BASE_BUILD], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["semantic"] is False
    assert seen["variable"] == "1" and seen["by"].startswith("assistant.train"), seen  # numpy first loaded by train
    assert seen["threads"] in (None, [1]), seen  # where threadpoolctl can tell: numpy's BLAS runs one thread


def _score(table, bucket: int, intent: int) -> float:
    """The trained weight of BUCKET for INTENT in a `train.Table` (0 when pruned)."""
    position = list(table.buckets).index(bucket)
    for k in range(table.start[position], table.start[position + 1]):
        if table.intents[k] == intent:
            return float(table.values[k])
    return 0.0


def test_a_row_weighted_less_teaches_its_intent_less():
    """A feature two intents share leans to the one whose row weighs more: customers' questions
    (`weights.customers`) teach less than the curated phrasings."""
    rows = [{1: 1.0, 2: 1.0}, {1: 1.0, 3: 1.0}]
    even = train.softmax(rows, [0, 1], 2, steps=200, prune=0.0)
    light = train.softmax(rows, [0, 1], 2, steps=200, prune=0.0, row_weight=[1.0, 0.2])
    assert abs(_score(even, 1, 0) - _score(even, 1, 1)) < 0.05
    assert _score(light, 1, 0) > _score(light, 1, 1) + 0.1


def test_the_sentence_classifier_weighs_its_rows_as_told():
    """The encoder's classifier learns customers' questions at the same lesser weight."""
    import numpy as np

    x = np.asarray([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]], dtype=np.float32)
    even, _ = train.dense_softmax(x, [0, 1], 2, steps=200, rate=0.05, l2=0.0)
    light, _ = train.dense_softmax(x, [0, 1], 2, steps=200, rate=0.05, l2=0.0, row_weight=[1.0, 0.2])
    assert abs(even[0, 0] - even[0, 1]) < 0.05
    assert light[0, 0] > light[0, 1] + 0.1
