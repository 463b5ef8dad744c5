"""The languages kohoshi can show an article in, each with what its pages say in that language.

The label, the "preparing" notice and the link back are written here in the target language
itself (not through gettext): a reader who chose Vietnamese reads them in Vietnamese whatever
language the rest of the site is shown in.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    code: str  # kohoshi's code: the URL segment and the page's lang attribute (BCP 47)
    name: str  # in the language itself
    label: str  # "Machine translation — may contain errors"
    preparing: str
    failed: str
    original: str  # the link to the Japanese original
    libretranslate: str  # the code LibreTranslate's /translate takes
    deepl: str  # DeepL's target_lang


LANGUAGES = {
    lang.code: lang
    for lang in (
        Language(
            "en", "English", "Machine translation — may contain errors",
            "Preparing the translation. This page will reload in a few seconds.",
            "The translation could not be made. Please try again later.",
            "Read the original (Japanese)", "en", "EN-US",
        ),
        Language(
            "zh-hans", "简体中文", "机器翻译——可能有误",
            "正在准备翻译。本页将在几秒后自动刷新。",
            "未能完成翻译。请稍后再试。",
            "阅读原文(日语)", "zh", "ZH-HANS",
        ),
        Language(
            "ko", "한국어", "기계 번역 — 오류가 있을 수 있습니다",
            "번역을 준비하고 있습니다. 몇 초 후 이 페이지가 다시 로드됩니다.",
            "번역하지 못했습니다. 잠시 후 다시 시도해 주세요.",
            "원문(일본어) 보기", "ko", "KO",
        ),
        Language(
            "vi", "Tiếng Việt", "Bản dịch máy — có thể có sai sót",
            "Đang chuẩn bị bản dịch. Trang sẽ tự tải lại sau vài giây.",
            "Không thể dịch. Vui lòng thử lại sau.",
            "Đọc bản gốc (tiếng Nhật)", "vi", "VI",
        ),
        Language(
            "pt", "Português", "Tradução automática — pode conter erros",
            "Preparando a tradução. Esta página será recarregada em alguns segundos.",
            "Não foi possível traduzir. Tente novamente mais tarde.",
            "Ler o original (japonês)", "pt", "PT-BR",
        ),
    )
}
