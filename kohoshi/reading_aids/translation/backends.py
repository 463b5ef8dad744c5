"""Machine translation backends: a LibreTranslate-compatible HTTP API, the DeepL API, or a local
CTranslate2 model directory. All take Japanese texts and give back one translation for each, in
order; none is shipped with weights or keys (docs/translation.md tells the operator how to set
one up). The HTTP backends use the standard library only.
"""
from __future__ import annotations

import json
import logging
import re
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from .languages import LANGUAGES

logger = logging.getLogger(__name__)


class TranslationError(Exception):
    """A backend could not translate; the message names the backend and, for HTTP, the status."""


class Backend(Protocol):
    name: str

    def translate(self, texts: list[str], *, source: str = "ja", target: str) -> list[str]: ...


def _chunks(texts: list[str], *, count: int, chars: int):
    """Batches of at most `count` texts and about `chars` characters (one long text alone)."""
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and (len(batch) >= count or size + len(text) > chars):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


class _HTTPBackend:
    name = "http"
    # Texts per request: DeepL takes at most 50 per request and 128 KiB a body.
    batch_size = 50
    batch_chars = 20_000
    retry_statuses = {429, 500, 502, 503, 504, 529}

    def __init__(self, *, url: str, key: str = "", timeout: float = 30.0, retries: int = 3, backoff: float = 1.0,
                 codes: dict[str, str] | None = None):
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.codes = codes or {}

    def _code(self, target: str) -> str:
        if target in self.codes:
            return self.codes[target]
        if target not in LANGUAGES:
            raise TranslationError(f"{self.name}: no target language {target!r}")
        return getattr(LANGUAGES[target], self.name)

    def _post(self, path: str, payload: dict, headers: dict[str, str]) -> dict:
        """POST JSON; retries on 429 and 5xx (honouring Retry-After) and on a timeout or a refused
        connection, with exponential backoff; other statuses fail at once."""
        body = json.dumps(payload, ensure_ascii=False).encode()
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(self.backoff * 2 ** (attempt - 1), 30.0))
            request = urllib.request.Request(
                self.url + path, data=body, method="POST",
                headers={"Content-Type": "application/json", "Accept": "application/json", **headers},
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return json.loads(response.read().decode("utf-8"))
            except urllib.error.HTTPError as error:
                detail = error.read()[:300].decode("utf-8", "replace")
                last = f"{self.name}: HTTP {error.code} from {self.url}{path}: {detail}"
                if error.code not in self.retry_statuses:
                    raise TranslationError(last) from None
                retry_after = error.headers.get("Retry-After", "")
                if retry_after.isdigit() and attempt < self.retries:
                    time.sleep(min(int(retry_after), 30))
            except (TimeoutError, urllib.error.URLError, ConnectionError) as error:
                reason = getattr(error, "reason", error)
                last = f"{self.name}: no answer from {self.url}{path} ({reason})"
            except ValueError as error:  # not JSON
                raise TranslationError(f"{self.name}: unreadable answer from {self.url}{path}: {error}") from None
            logger.warning("%s (attempt %d of %d)", last, attempt + 1, self.retries + 1)
        raise TranslationError(last)

    def translate(self, texts: list[str], *, source: str = "ja", target: str) -> list[str]:
        out: list[str] = []
        for batch in _chunks(texts, count=self.batch_size, chars=self.batch_chars):
            got = self._translate_batch(batch, source=source, target=target)
            if len(got) != len(batch) or not all(isinstance(t, str) for t in got):
                raise TranslationError(f"{self.name}: {len(batch)} texts sent, {len(got)} translations received")
            out.extend(got)
        return out


class LibreTranslate(_HTTPBackend):
    """POST /translate with q as a list; answers {"translatedText": [...]}."""

    name = "libretranslate"

    def _translate_batch(self, texts, *, source, target):
        payload = {"q": texts, "source": source, "target": self._code(target), "format": "text"}
        if self.key:
            payload["api_key"] = self.key
        answer = self._post("/translate", payload, {})
        translated = answer.get("translatedText") if isinstance(answer, dict) else None
        if isinstance(translated, str):  # one text sent: some versions answer a string
            translated = [translated]
        if not isinstance(translated, list):
            raise TranslationError(f"{self.name}: answer without translatedText: {str(answer)[:200]}")
        return translated


class DeepL(_HTTPBackend):
    """POST /v2/translate with the key in the Authorization header (DeepL no longer accepts it
    as a form field); a key ending in ":fx" is a DeepL API Free key and goes to the free host."""

    name = "deepl"
    FREE = "https://api-free.deepl.com"
    PRO = "https://api.deepl.com"

    def __init__(self, *, url: str = "", key: str = "", **options):
        if not key:
            raise TranslationError("deepl: KOHOSHI_TRANSLATION_KEY is not set")
        super().__init__(url=url or (self.FREE if key.endswith(":fx") else self.PRO), key=key, **options)

    def _translate_batch(self, texts, *, source, target):
        payload = {"text": texts, "source_lang": source.upper(), "target_lang": self._code(target)}
        answer = self._post("/v2/translate", payload, {"Authorization": f"DeepL-Auth-Key {self.key}"})
        items = answer.get("translations") if isinstance(answer, dict) else None
        if not isinstance(items, list):
            raise TranslationError(f"{self.name}: answer without translations: {str(answer)[:200]}")
        return [item.get("text") if isinstance(item, dict) else None for item in items]


_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


class CTranslate2:
    """A converted model in a local directory (model.bin, config.json, the vocabulary) with its
    SentencePiece model(s): `source.spm` and `target.spm` (OPUS-MT's names), else one `*.model`.
    Multilingual models that choose the output language by a first target token (NLLB's
    "zho_Hans", M2M's "__ko__") take it from KOHOSHI_TRANSLATION_CODES (e.g. "ko=kor_Hang");
    a model for one language pair needs none."""

    name = "ctranslate2"

    def __init__(self, *, model_dir: str | Path, codes: dict[str, str] | None = None, device: str = "cpu",
                 threads: int = 0, beam_size: int = 2, batch_size: int = 16, max_length: int = 256):
        try:
            import ctranslate2
            import sentencepiece
        except ImportError as error:
            raise TranslationError(
                "ctranslate2: the packages are not installed (pip install 'kohoshi[translation]')"
            ) from error
        path = Path(model_dir)
        if not (path / "model.bin").is_file():
            raise TranslationError(f"ctranslate2: no model.bin in {path}")
        source_spm = path / "source.spm"
        target_spm = path / "target.spm"
        if not source_spm.is_file():
            found = sorted(path.glob("*.model"))
            if not found:
                raise TranslationError(f"ctranslate2: no SentencePiece model (source.spm or *.model) in {path}")
            source_spm = target_spm = found[0]
        elif not target_spm.is_file():
            target_spm = source_spm
        self.translator = ctranslate2.Translator(str(path), device=device, intra_threads=threads)
        self.source = sentencepiece.SentencePieceProcessor(model_file=str(source_spm))
        self.target = sentencepiece.SentencePieceProcessor(model_file=str(target_spm))
        self.codes = codes or {}
        self.beam_size = beam_size
        self.batch_size = batch_size
        self.max_length = max_length

    def translate(self, texts: list[str], *, source: str = "ja", target: str) -> list[str]:
        """Sentence by sentence: sentence-level models (OPUS-MT, NLLB) lose the end of a long
        paragraph otherwise. The sentences of a text are joined again, with a space except in
        Chinese."""
        sentences = [[s for s in _SENTENCE_END.split(text) if s.strip()] or [text] for text in texts]
        flat = self._translate_sentences([s for group in sentences for s in group], target=target)
        joiner = "" if target.startswith("zh") else " "
        out, at = [], 0
        for group in sentences:
            out.append(joiner.join(t.strip() for t in flat[at : at + len(group)]))
            at += len(group)
        return out

    def _translate_sentences(self, texts: list[str], *, target: str) -> list[str]:
        tokens = [self.source.encode(text, out_type=str) for text in texts]
        prefix = self.codes.get(target)
        try:
            results = self.translator.translate_batch(
                tokens,
                target_prefix=[[prefix]] * len(tokens) if prefix else None,
                beam_size=self.beam_size,
                max_batch_size=self.batch_size,
                max_decoding_length=self.max_length,
            )
        except (RuntimeError, ValueError) as error:
            raise TranslationError(f"ctranslate2: {error}") from error
        out = []
        for result in results:
            hypothesis = result.hypotheses[0]
            if prefix and hypothesis[:1] == [prefix]:
                hypothesis = hypothesis[1:]
            out.append(self.target.decode(hypothesis))
        return out


def parse_codes(value: str) -> dict[str, str]:
    """"zh-hans=zh-Hans,pt=pt-BR" → {"zh-hans": "zh-Hans", "pt": "pt-BR"}."""
    codes = {}
    for part in filter(None, (p.strip() for p in value.split(","))):
        code, sep, theirs = part.partition("=")
        if not sep or not theirs.strip():
            raise TranslationError(f"KOHOSHI_TRANSLATION_CODES: {part!r} is not language=code")
        codes[code.strip()] = theirs.strip()
    return codes


_built: dict[tuple, Backend] = {}


def configured_backend() -> Backend | None:
    """The backend the settings name (KOHOSHI_TRANSLATION_*), or None when translation is off.
    Built once per configuration (a CTranslate2 model is loaded once per process)."""
    from django.conf import settings

    kind = settings.KOHOSHI_TRANSLATION_BACKEND
    if not kind:
        return None
    options = (
        kind, settings.KOHOSHI_TRANSLATION_URL, settings.KOHOSHI_TRANSLATION_KEY,
        settings.KOHOSHI_TRANSLATION_MODEL_DIR, settings.KOHOSHI_TRANSLATION_CODES,
        settings.KOHOSHI_TRANSLATION_TIMEOUT,
    )
    if options not in _built:
        codes = parse_codes(settings.KOHOSHI_TRANSLATION_CODES)
        http = {"key": settings.KOHOSHI_TRANSLATION_KEY, "codes": codes, "timeout": settings.KOHOSHI_TRANSLATION_TIMEOUT}
        if kind == "libretranslate":
            if not settings.KOHOSHI_TRANSLATION_URL:
                raise TranslationError("libretranslate: KOHOSHI_TRANSLATION_URL is not set")
            backend = LibreTranslate(url=settings.KOHOSHI_TRANSLATION_URL, **http)
        elif kind == "deepl":
            backend = DeepL(url=settings.KOHOSHI_TRANSLATION_URL, **http)
        elif kind == "ctranslate2":
            if not settings.KOHOSHI_TRANSLATION_MODEL_DIR:
                raise TranslationError("ctranslate2: KOHOSHI_TRANSLATION_MODEL_DIR is not set")
            backend = CTranslate2(model_dir=settings.KOHOSHI_TRANSLATION_MODEL_DIR, codes=codes)
        else:
            raise TranslationError(
                f"KOHOSHI_TRANSLATION_BACKEND={kind!r}: use libretranslate, deepl or ctranslate2 (or leave it unset)"
            )
        _built.clear()
        _built[options] = backend
    return _built[options]


def identity() -> str:
    """What stored translations were made with: another backend, host or model makes them again."""
    from django.conf import settings

    return "|".join((settings.KOHOSHI_TRANSLATION_BACKEND, settings.KOHOSHI_TRANSLATION_URL,
                     settings.KOHOSHI_TRANSLATION_MODEL_DIR, settings.KOHOSHI_TRANSLATION_CODES))


def languages() -> list:
    """The configured target languages (KOHOSHI_TRANSLATION_LANGUAGES); none when translation is off."""
    from django.conf import settings

    if not settings.KOHOSHI_TRANSLATION_BACKEND:
        return []
    return [LANGUAGES[c] for c in settings.KOHOSHI_TRANSLATION_LANGUAGES if c in LANGUAGES]
