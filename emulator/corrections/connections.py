"""connections: moto gap 8 (CodeStar Connections has no backend).

mlops reads its pipeline's connection with ``GetConnection`` before it creates
the pipeline: a connection still PENDING needs its GitHub handshake in the
console. moto 5.2.1 has no CodeStar Connections (nor CodeConnections) backend,
so the call failed and every run printed a warning line.

The correction answers ``GetConnection`` for any connection ARN of the region
with an AVAILABLE GitHub connection, the state of a connection whose handshake
is done; an ARN that is not a connection ARN gets ``ResourceNotFoundException``.
Other operations of the service keep their "not implemented" answer.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

NAME = "connections"
ITEM = "8"
SUMMARY = "CodeStar Connections GetConnection answers AVAILABLE (moto: no backend)"

_TARGETS = ("CodeStar_connections_20191201.GetConnection", "CodeConnections_20231201.GetConnection")
_ARN = re.compile(r"^arn:aws[a-z-]*:(codestar-connections|codeconnections):([a-z0-9-]+):(\d{12}):connection/([\w-]+)$")


def get_connection(arn: str) -> tuple[str, dict[str, Any]]:
    """The answer to GetConnection: (HTTP status, body)."""
    match = _ARN.match(arn or "")
    if not match:
        return "400 Bad Request", {"__type": "ResourceNotFoundException", "message": f"Connection {arn} does not exist"}
    return "200 OK", {
        "Connection": {
            "ConnectionName": f"connection-{match.group(4)[:8]}",
            "ConnectionArn": arn,
            "ProviderType": "GitHub",
            "OwnerAccountId": match.group(3),
            "ConnectionStatus": "AVAILABLE",
        }
    }


def apply() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__

    def __call__(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not str(environ.get("HTTP_X_AMZ_TARGET", "")).endswith(_TARGETS):
            return original(self, environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            arn = json.loads(body or b"{}").get("ConnectionArn", "")
        except ValueError:
            arn = ""
        status, answer = get_connection(arn)
        payload = json.dumps(answer).encode()
        start_response(status, [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(payload)))])
        return [payload]

    DomainDispatcherApplication.__call__ = __call__
