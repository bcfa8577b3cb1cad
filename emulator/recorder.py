"""Recording of the emulator's AWS JSON and query protocol traffic (``--record``).

Each distinct request and its answer becomes one JSON line of the file (the
first line names the emulator): ``service`` (the credential scope's service
name), ``operation``, ``protocol`` (``json`` or ``query``), ``request`` (the
body), ``status``, ``contentType`` and ``response`` (the body).
``emulator/shape_check.py`` holds them against AWS's API models. Requests of
other protocols (REST, CBOR) and moto's own ``/moto-api`` are not recorded.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl

_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")


def _operation(environ: dict, body: bytes) -> tuple[str, str] | None:
    """(protocol, operation) of an AWS JSON or query protocol request, else None."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return "json", target.rsplit(".", 1)[-1]
    content_type = environ.get("CONTENT_TYPE", "")
    if environ.get("REQUEST_METHOD") == "POST" and "x-www-form-urlencoded" in content_type:
        action = dict(parse_qsl(body.decode("utf-8", "replace"))).get("Action")
        if action:
            return "query", action
    return None


class Recorder:
    """WSGI middleware appending each distinct JSON/query exchange to a file."""

    def __init__(self, app: Callable, path: str, label: str) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.seen: set[bytes] = set()
        self.stream = open(path, "a", encoding="utf-8")
        self.stream.write(json.dumps({"emulator": label}) + "\n")
        self.stream.flush()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        kind = _operation(environ, body)
        if kind is None:
            return self.app(environ, start_response)
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list, exc_info: Any = None) -> Any:
            answer["status"] = int(status.split(" ", 1)[0])
            answer["contentType"] = dict((k.lower(), v) for k, v in headers).get("content-type", "")
            return start_response(status, headers, exc_info)

        chunks = list(self.app(environ, capture))
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        record = {
            "service": scope.group(1) if scope else "",
            "operation": kind[1],
            "protocol": kind[0],
            "request": body.decode("utf-8", "replace"),
            "status": answer.get("status", 0),
            "contentType": answer.get("contentType", ""),
            "response": b"".join(chunks).decode("utf-8", "replace"),
        }
        line = json.dumps(record)
        digest = hashlib.sha1(line.encode("utf-8")).digest()
        with self.lock:
            if digest not in self.seen:
                self.seen.add(digest)
                self.stream.write(line + "\n")
                self.stream.flush()
        return chunks


def recording_server(server_class: type, path: str, label: str, **kwargs: Any) -> Any:
    """A moto ThreadedMotoServer whose application records through ``Recorder``."""
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    class RecordingServer(server_class):  # type: ignore[misc,valid-type]
        def _server_entry(self) -> None:
            app = Recorder(DomainDispatcherApplication(create_backend_app), path, label)
            self._server = make_server(self._ip_address, self._port, app, True)
            self._server_ready_event.set()
            self._server.serve_forever()

    return RecordingServer(**kwargs)
