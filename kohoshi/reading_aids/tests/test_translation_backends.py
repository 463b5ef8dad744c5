"""The translation backends: the HTTP adapters against a local server that speaks LibreTranslate's
and DeepL's APIs, the CTranslate2 loader on a tiny random model built here from corpus sentences."""
import csv
import re
from pathlib import Path

import pytest

from kohoshi.reading_aids.translation import backends
from kohoshi.reading_aids.translation.backends import CTranslate2, DeepL, LibreTranslate, TranslationError

from .translation_server import TranslationServer, fake_translation

TEXTS = ["お知らせ", "市役所の窓口は9時から開きます。", "お知らせ"]


@pytest.fixture
def server():
    with TranslationServer(key="secret") as running:
        yield running


def test_libretranslate_sends_a_list_and_keeps_the_order(server):
    backend = LibreTranslate(url=server.url + "/", key="secret")
    assert backend.translate(TEXTS, target="zh-hans") == [fake_translation(t, "zh") for t in TEXTS]
    [sent] = server.requests
    assert sent["path"] == "/translate"
    assert sent["json"] == {"q": TEXTS, "source": "ja", "target": "zh", "format": "text", "api_key": "secret"}


def test_libretranslate_batches_long_lists_and_takes_configured_codes(server):
    backend = LibreTranslate(url=server.url, key="secret", codes={"pt": "pt-BR"})
    texts = [f"記事{n}" for n in range(120)]
    assert backend.translate(texts, target="pt") == [fake_translation(t, "pt-BR") for t in texts]
    assert [len(r["json"]["q"]) for r in server.requests] == [50, 50, 20]


def test_libretranslate_wrong_key_fails_at_once_naming_backend_and_status(server):
    backend = LibreTranslate(url=server.url, key="wrong", backoff=0)
    with pytest.raises(TranslationError, match=r"libretranslate: HTTP 403 .*Invalid API key"):
        backend.translate(TEXTS, target="en")
    assert len(server.requests) == 1  # not retried


def test_rate_limit_and_server_errors_are_retried_with_backoff(server):
    server.fail_next = [429, 503]
    backend = LibreTranslate(url=server.url, key="secret", backoff=0.01)
    assert backend.translate(["こんにちは"], target="ko") == [fake_translation("こんにちは", "ko")]
    assert len(server.requests) == 3


def test_retries_give_up_with_the_last_status(server):
    server.fail_next = [500] * 5
    backend = LibreTranslate(url=server.url, key="secret", retries=2, backoff=0.01)
    with pytest.raises(TranslationError, match=r"libretranslate: HTTP 500"):
        backend.translate(["こんにちは"], target="en")
    assert len(server.requests) == 3


def test_a_server_that_does_not_answer_in_time_is_an_error(server):
    server.delay = 1.0
    backend = LibreTranslate(url=server.url, key="secret", timeout=0.2, retries=1, backoff=0.01)
    with pytest.raises(TranslationError, match=r"libretranslate: no answer from .*timed out"):
        backend.translate(["こんにちは"], target="en")


def test_nothing_listening_is_an_error():
    backend = LibreTranslate(url="http://127.0.0.1:9", retries=0)
    with pytest.raises(TranslationError, match="libretranslate: no answer"):
        backend.translate(["こんにちは"], target="en")


@pytest.mark.parametrize(("language", "code"), [("en", "EN-US"), ("zh-hans", "ZH-HANS"), ("ko", "KO"), ("vi", "VI"), ("pt", "PT-BR")])
def test_deepl_sends_the_key_in_the_header_and_its_language_codes(server, language, code):
    backend = DeepL(url=server.url, key="secret")
    assert backend.translate(TEXTS, target=language) == [fake_translation(t, code) for t in TEXTS]
    [sent] = server.requests
    assert sent["path"] == "/v2/translate"
    assert sent["headers"]["Authorization"] == "DeepL-Auth-Key secret"
    assert sent["json"] == {"text": TEXTS, "source_lang": "JA", "target_lang": code}
    assert "secret" not in str(sent["json"])


def test_deepl_wrong_key_and_no_key():
    with TranslationServer(key="right:fx") as server:
        with pytest.raises(TranslationError, match=r"deepl: HTTP 403"):
            DeepL(url=server.url, key="wrong:fx").translate(TEXTS, target="en")
    with pytest.raises(TranslationError, match="deepl: KOHOSHI_TRANSLATION_KEY is not set"):
        DeepL(key="")


def test_deepl_free_keys_go_to_the_free_host():
    assert DeepL(key="abc:fx").url == "https://api-free.deepl.com"
    assert DeepL(key="abc").url == "https://api.deepl.com"


def test_configured_backend_follows_the_settings(settings, server):
    settings.KOHOSHI_TRANSLATION_BACKEND = ""
    assert backends.configured_backend() is None
    assert backends.languages() == []
    settings.KOHOSHI_TRANSLATION_BACKEND = "libretranslate"
    settings.KOHOSHI_TRANSLATION_URL = ""
    with pytest.raises(TranslationError, match="KOHOSHI_TRANSLATION_URL is not set"):
        backends.configured_backend()
    settings.KOHOSHI_TRANSLATION_URL = server.url
    settings.KOHOSHI_TRANSLATION_KEY = "secret"
    settings.KOHOSHI_TRANSLATION_LANGUAGES = ["vi", "en"]
    backend = backends.configured_backend()
    assert isinstance(backend, LibreTranslate) and backends.configured_backend() is backend
    assert [lang.code for lang in backends.languages()] == ["vi", "en"]
    settings.KOHOSHI_TRANSLATION_BACKEND = "google"
    with pytest.raises(TranslationError, match="use libretranslate, deepl or ctranslate2"):
        backends.configured_backend()


def test_codes_setting_is_parsed_and_checked():
    assert backends.parse_codes(" zh-hans=zh-Hans, pt=pt-BR ,") == {"zh-hans": "zh-Hans", "pt": "pt-BR"}
    with pytest.raises(TranslationError, match="not language=code"):
        backends.parse_codes("zh-hans")


# ---- CTranslate2 on a tiny model built here ----------------------------------------------------

def _corpus_sentences(files, limit=400) -> list[str]:
    sentences = []
    for file in files:
        for row in csv.DictReader(file.open(encoding="utf-8-sig")):
            sentences += [s.strip() for s in re.split(r"[。\n]", row["記事本文"]) if len(s.strip()) > 5]
            if len(sentences) >= limit:
                return sentences[:limit]
    return sentences


def build_tiny_model(out: Path, sentences: list[str], *, spm_name: str = "source.spm") -> list[str]:
    """A Transformer of one encoder and one decoder layer (d_model 16) with random weights, and a
    SentencePiece model trained on `sentences`; returns the vocabulary. Its output is gibberish."""
    np = pytest.importorskip("numpy")
    sentencepiece = pytest.importorskip("sentencepiece")
    specs = pytest.importorskip("ctranslate2.specs")
    out.mkdir(parents=True, exist_ok=True)
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(sentences), model_prefix=str(out / "spm"), vocab_size=800, hard_vocab_limit=False,
        character_coverage=0.995, user_defined_symbols=["__en__", "__ko__"], num_threads=1, minloglevel=2,
    )
    (out / "spm.model").rename(out / spm_name)
    processor = sentencepiece.SentencePieceProcessor(model_file=str(out / spm_name))
    vocab = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    d, ffn = 16, 32
    shapes = {"embeddings": (len(vocab), d), "projection": (len(vocab), d),
              ("self_attention", "linear_0"): (3 * d, d), ("attention", "linear_1"): (2 * d, d),
              ("ffn", "linear_0"): (ffn, d), ("ffn", "linear_1"): (d, ffn)}
    rng = np.random.default_rng(0)
    spec = specs.TransformerSpec.from_config((1, 1), 2)
    for name, value in spec.variables(ordered=True):
        if value is not None:
            continue
        parts = name.split("/")
        owner = spec
        for part in parts[:-1]:
            match = re.fullmatch(r"(.+)_(\d+)", part)
            if match and isinstance(getattr(owner, match.group(1), None), list):
                owner = getattr(owner, match.group(1))[int(match.group(2))]
            else:
                owner = getattr(owner, part)
        if parts[-1] == "gamma":
            array = np.ones(d, dtype=np.float32)
        elif parts[-1] == "beta":
            array = np.zeros(d, dtype=np.float32)
        else:
            key = "embeddings" if parts[-2].startswith("embeddings") else parts[-2] if parts[-2] == "projection" else (parts[-3], parts[-2])
            array = rng.normal(0, 0.3, shapes.get(key, (d, d))).astype(np.float32)
        setattr(owner, parts[-1], array)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=None)
    spec.save(str(out))
    return vocab


@pytest.fixture(scope="module")
def tiny_model(corpus_csv_files, tmp_path_factory):
    pytest.importorskip("ctranslate2")
    out = tmp_path_factory.mktemp("ct2") / "model"
    sentences = _corpus_sentences(corpus_csv_files)
    return out, build_tiny_model(out, sentences), sentences


@pytest.mark.corpus
def test_ctranslate2_loads_a_model_directory_and_translates_deterministically(tiny_model):
    path, vocab, sentences = tiny_model
    backend = CTranslate2(model_dir=path, beam_size=2, max_length=12)
    texts = sentences[:8]
    first = backend.translate(texts, target="en")
    assert len(first) == len(texts) and all(isinstance(t, str) and t for t in first)
    assert backend.translate(texts, target="en") == first
    # Gibberish, but made of the model's vocabulary: each output re-tokenises into known pieces.
    pieces = set(vocab)
    assert all(set(backend.target.encode(t, out_type=str)) <= pieces for t in first)


@pytest.mark.corpus
def test_ctranslate2_translates_sentence_by_sentence_and_joins_them(tiny_model):
    path, _, sentences = tiny_model
    backend = CTranslate2(model_dir=path, beam_size=1, max_length=6)
    one, two = sentences[0] + "。", sentences[1] + "。"
    [joined] = backend.translate([one + two], target="en")
    assert joined == " ".join(backend.translate([one, two], target="en"))
    [chinese] = backend.translate([one + two], target="zh-hans")
    assert chinese == "".join(backend.translate([one, two], target="zh-hans"))


@pytest.mark.corpus
def test_ctranslate2_target_prefix_token_is_sent_and_not_shown(tiny_model):
    path, vocab, sentences = tiny_model
    backend = CTranslate2(model_dir=path, codes={"ko": "__ko__"}, beam_size=1, max_length=8)
    results = backend.translator.translate_batch(
        [backend.source.encode(sentences[0], out_type=str)], target_prefix=[["__ko__"]], max_decoding_length=8
    )
    assert results[0].hypotheses[0][0] == "__ko__"
    [text] = backend.translate([sentences[0]], target="ko")
    assert "__ko__" not in text


@pytest.mark.corpus
def test_ctranslate2_finds_a_single_sentencepiece_model_and_refuses_an_incomplete_directory(
    tiny_model, corpus_csv_files, tmp_path
):
    _, _, sentences = tiny_model
    build_tiny_model(tmp_path / "one", sentences[:300], spm_name="sentencepiece.bpe.model")
    assert isinstance(CTranslate2(model_dir=tmp_path / "one").translate(sentences[:1], target="en")[0], str)
    with pytest.raises(TranslationError, match="ctranslate2: no model.bin"):
        CTranslate2(model_dir=tmp_path / "missing")
    (tmp_path / "nospm").mkdir()
    (tmp_path / "nospm" / "model.bin").write_bytes(b"")
    with pytest.raises(TranslationError, match="no SentencePiece model"):
        CTranslate2(model_dir=tmp_path / "nospm")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KOHOSHI_TRANSLATION_BACKEND": "google"}, "use libretranslate, deepl or ctranslate2"),
        ({"KOHOSHI_TRANSLATION_BACKEND": "deepl", "KOHOSHI_TRANSLATION_LANGUAGES": "en,fr"}, "fr unknown"),
    ],
)
def test_a_wrong_translation_setting_stops_the_start_with_a_clear_error(tmp_path, env, message):
    import os
    import subprocess
    import sys

    run_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    run_env.update(KOHOSHI_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="kohoshi.settings", **env)
    done = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=run_env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "ImproperlyConfigured" in done.stderr and message in done.stderr
