"""
Log records as one JSON object a line, for log collectors.

Only the message and a few plain attributes are written: never the request
object Django attaches to its error records, which carries cookies, headers
and the client's address.
"""

import json
import logging

SAFE_ATTRIBUTES = ("status_code", "path", "method", "error", "duration_ms")


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None:
            entry["path"] = getattr(request, "path", None)
            entry["method"] = getattr(request, "method", None)
        for name in SAFE_ATTRIBUTES:
            value = getattr(record, name, None)
            if value is not None and not hasattr(value, "META"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
