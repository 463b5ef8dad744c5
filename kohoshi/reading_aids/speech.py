"""An article read aloud: the text prepared for speech, synthesised and encoded. Pure (no
database): services.audio_make stores what `article_audio` returns.

- Headings are read as headings: a longer pause after them (and after the title).
- Phone numbers digit by digit, in their groups (046-225-2111 → ゼロヨンロク、ニーニーゴー、…).
- Dates as dates: 5/11 → 5月11日, (土) → 土曜日, 10時~12時 → 10時から12時.
- The municipality's name readings (苫小牧 → トマコマイ) replace the names before synthesis.

The engine is pyopenjtalk-plus with its bundled HTS voice "Mei" (CC BY 3.0, Nagoya Institute of
Technology; credited beside the player); docs/benchmarks.md (issue 15) says why not kokoro.
The MP3 is made by ffmpeg (Debian's, APT_PACKAGES): mono, 24 kHz, 48 kbit/s.
"""
import html
import re
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser

import numpy as np

ENGINE = "pyopenjtalk-plus/mei_normal"
SAMPLE_RATE = 48000  # pyopenjtalk's output
PAUSE_HEADING = 0.9
PAUSE_BLOCK = 0.45
BITRATE = "48k"

_DIGIT = dict(zip("0123456789", ["ゼロ", "イチ", "ニー", "サン", "ヨン", "ゴー", "ロク", "ナナ", "ハチ", "キュー"]))
_PHONE = re.compile(r"(?<![0-9])(0\d{1,4})[-‐－ー―(（]\s*(\d{1,4})[-‐－ー―)）]\s*(\d{3,4})(?![0-9])|(?<![0-9\-])(\d{2,4})-(\d{4})(?![0-9\-])")
_WEEKDAY = {"月": "月曜日", "火": "火曜日", "水": "水曜日", "木": "木曜日", "金": "金曜日", "土": "土曜日", "日": "日曜日", "祝": "祝日"}
_WEEKDAY_RE = re.compile(r"[(（]([月火水木金土日祝])(?:・([月火水木金土日祝]))?[)）]")
_SLASH_DATE = re.compile(r"(?<![0-9/])(1[0-2]|0?[1-9])/(3[01]|[12][0-9]|0?[1-9])(?![0-9/])")
_RANGE = re.compile(r"(?<=[0-9時分日月])\s*[~〜～?？]\s*(?=[0-9０-９]|$)")
_MARKS = re.compile(r"[■□◆◇●○▽▼△▲★☆※＊*【】]")


@dataclass
class Block:
    kind: str  # "title", "heading" or "text"
    text: str


class _Blocks(HTMLParser):
    _BLOCK = {"p", "li", "dt", "dd", "h2", "h3", "h4", "div", "aside", "br"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._text: list[str] = []
        self._kind = "text"

    def _flush(self):
        text = "".join(self._text).strip()
        if text:
            self.blocks.append(Block(self._kind, text))
        self._text = []
        self._kind = "text"

    def handle_starttag(self, tag, attrs):
        if tag in self._BLOCK:
            self._flush()
            if tag in {"h2", "h3", "h4"}:
                self._kind = "heading"

    def handle_endtag(self, tag):
        if tag in self._BLOCK:
            self._flush()

    def handle_data(self, data):
        self._text.append(data)

    def close(self):
        super().close()
        self._flush()


def blocks_of(title: str, body_html: str) -> list[Block]:
    parser = _Blocks()
    parser.feed(body_html)
    parser.close()
    return [Block("title", title.strip())] + parser.blocks


def _phone(m: re.Match) -> str:
    groups = [g for g in m.groups() if g]
    return "、".join("".join(_DIGIT[d] for d in g) for g in groups) + "、"


def speech_text(text: str, *, names: dict[str, str] | None = None) -> str:
    """What the synthesiser is given for one block of text."""
    from .readings import to_katakana

    text = html.unescape(text)
    text = _PHONE.sub(_phone, text)
    text = _SLASH_DATE.sub(lambda m: f"{int(m.group(1))}月{int(m.group(2))}日", text)
    text = _WEEKDAY_RE.sub(lambda m: "、" + "・".join(_WEEKDAY[d] for d in m.groups() if d) + "、", text)
    text = _RANGE.sub("から", text)
    text = text.replace("〒", "郵便番号")
    text = _MARKS.sub("、", text)
    for surface, reading in sorted((names or {}).items(), key=lambda kv: -len(kv[0])):
        text = text.replace(surface, to_katakana(reading))
    return re.sub(r"[、\s]+", "、", text).strip("、")


def speech_script(title: str, body_html: str, *, names: dict[str, str] | None = None) -> list[Block]:
    """The article as blocks of speech text: what is hashed, synthesised and measured."""
    out = []
    for block in blocks_of(title, body_html):
        text = speech_text(block.text, names=names)
        if text:
            out.append(Block(block.kind, text))
    return out


def synthesise(script: list[Block]) -> np.ndarray:
    """16-bit mono samples at SAMPLE_RATE."""
    from .readings import openjtalk

    pyopenjtalk = openjtalk()

    parts = []
    for block in script:
        wav, rate = pyopenjtalk.tts(block.text)
        assert rate == SAMPLE_RATE
        parts.append(wav)
        pause = PAUSE_HEADING if block.kind in ("title", "heading") else PAUSE_BLOCK
        parts.append(np.zeros(int(pause * SAMPLE_RATE)))
    samples = np.concatenate(parts) if parts else np.zeros(0)
    return np.clip(samples, -32768, 32767).astype(np.int16)


def encode_mp3(samples: np.ndarray, *, title: str = "", artist: str = "") -> bytes:
    """MP3 (mono, 24 kHz, 48 kbit/s) by ffmpeg, fed raw samples on stdin."""
    command = [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "s16le", "-ar", str(SAMPLE_RATE), "-ac", "1",
        "-i", "pipe:0", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", BITRATE,
        "-metadata", f"title={title}", "-metadata", f"artist={artist}", "-f", "mp3", "pipe:1",
    ]
    done = subprocess.run(command, input=samples.tobytes(), capture_output=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {done.stderr.decode(errors='replace')[:200]}")
    return done.stdout


def article_audio(script: list[Block], *, title: str = "", artist: str = "") -> tuple[bytes, float]:
    """(MP3 bytes, duration in seconds) of a speech script."""
    samples = synthesise(script)
    return encode_mp3(samples, title=title, artist=artist), len(samples) / SAMPLE_RATE
