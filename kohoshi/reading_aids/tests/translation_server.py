"""A local HTTP server that speaks the documented request and answer shapes of LibreTranslate
(POST /translate) and the DeepL API (POST /v2/translate), checks what it is sent, and answers
with deterministic "translations" that contain no Japanese: `fake_translation(text, target)`."""
from __future__ import annotations

import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEEPL_TARGETS = {"EN-US", "EN-GB", "ZH-HANS", "ZH-HANT", "KO", "VI", "PT-BR", "PT-PT"}
LIBRE_TARGETS = {"en", "zh", "zh-Hans", "ko", "vi", "pt", "pt-BR"}


def fake_translation(text: str, target: str) -> str:
    return f"{target}[{hashlib.sha1(text.encode()).hexdigest()[:10]}]"


class TranslationServer:
    def __init__(self, *, key: str = ""):
        self.key = key
        self.requests: list[dict] = []
        self.fail_next: list[int] = []  # statuses answered before the next successes
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, payload) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append({"path": self.path, "headers": dict(self.headers), "json": body})
                if server.delay:
                    time.sleep(server.delay)
                if server.fail_next:
                    status = server.fail_next.pop(0)
                    return self._answer(status, {"error": f"fake {status}"})
                if self.path == "/translate":
                    return self._libretranslate(body)
                if self.path == "/v2/translate":
                    return self._deepl(body)
                return self._answer(404, {"error": "Not Found"})

            def _libretranslate(self, body):
                if server.key and body.get("api_key") != server.key:
                    return self._answer(403, {"error": "Invalid API key"})
                q, target = body.get("q"), body.get("target")
                if not isinstance(q, list) or body.get("source") != "ja" or target not in LIBRE_TARGETS \
                        or body.get("format") != "text":
                    return self._answer(400, {"error": "bad request"})
                return self._answer(200, {"translatedText": [fake_translation(t, target) for t in q]})

            def _deepl(self, body):
                if self.headers.get("Authorization") != f"DeepL-Auth-Key {server.key}":
                    return self._answer(403, {"message": "Wrong endpoint or authentication key"})
                texts, target = body.get("text"), body.get("target_lang")
                if not isinstance(texts, list) or len(texts) > 50 or body.get("source_lang") != "JA" \
                        or target not in DEEPL_TARGETS:
                    return self._answer(400, {"message": "Bad request"})
                return self._answer(200, {"translations": [
                    {"detected_source_language": "JA", "text": fake_translation(t, target)} for t in texts
                ]})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
