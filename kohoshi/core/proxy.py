"""X-Forwarded-Proto/-For from the one trusted proxy, and from nobody else (any WSGI server).

`kohoshi serve` wraps the application in `TrustedProxy` when KOHOSHI_TRUSTED_PROXY is set: a
request from that address gets its scheme (https) and client address (the last X-Forwarded-For
hop, the one the proxy added) from those headers; from any other address the headers are dropped,
so neither Django's SECURE_PROXY_SSL_HEADER nor KOHOSHI_CLIENT_IP_HEADER can be fooled by a client.
Without a trusted proxy the headers are dropped from everyone.
"""

_DROPPED = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT",
            "HTTP_FORWARDED")


class TrustedProxy:
    def __init__(self, app, trusted: str, headers: list[str]):
        self.app = app
        self.trusted = {a.strip() for a in trusted.split(",") if a.strip()}
        self.headers = {h.lower() for h in headers}

    def __call__(self, environ, start_response):
        if "*" in self.trusted or environ.get("REMOTE_ADDR") in self.trusted:
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if "x-forwarded-proto" in self.headers and proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
                environ["HTTP_X_FORWARDED_PROTO"] = proto
            else:
                environ.pop("HTTP_X_FORWARDED_PROTO", None)
            forwarded_for = environ.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
            if "x-forwarded-for" in self.headers and forwarded_for:
                environ["REMOTE_ADDR"] = forwarded_for
        else:
            for key in _DROPPED:
                environ.pop(key, None)
        return self.app(environ, start_response)
