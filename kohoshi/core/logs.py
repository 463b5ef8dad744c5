"""Structured logs: one JSON object per line on stderr (KOHOSHI_LOG_FORMAT=json, the default).

`JsonFormatter` writes every record (errors with their traceback in "exc"); `AccessLogMiddleware`
logs one record per request to the "kohoshi.access" logger with method, path, status, duration,
bytes, client and user agent, whatever application server runs kohoshi. Requests nginx answers
from its cache are in nginx's own access log (deploy/nginx/kohoshi.conf, also JSON).
"""
import json
import logging
import time
from datetime import datetime, timezone

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in ("request", "server_time"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method") and "path" not in entry:
            entry["method"] = request.method
            entry["path"] = request.get_full_path()
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


access_logger = logging.getLogger("kohoshi.access")


class AccessLogMiddleware:
    """Outermost: times the whole Django stack and logs what was sent."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if access_logger.isEnabledFor(logging.INFO):
            access_logger.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={
                    "method": request.method,
                    "path": request.get_full_path(),
                    "status": response.status_code,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "bytes": len(response.content) if not response.streaming else None,
                    "client": request.META.get("REMOTE_ADDR", ""),
                    "user_agent": request.META.get("HTTP_USER_AGENT", ""),
                    "cache": response.get("X-Kohoshi-Cache", ""),
                },
            )
        return response
