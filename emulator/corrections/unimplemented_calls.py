"""unimplemented-calls: moto gap 8 (calls moto lacks answer an HTML 500 page).

moto 5.2.1 answers a call it does not implement (``ContinueUpdateRollback``,
CodePipeline ``ListActionExecutions``; before their own corrections, pipeline
executions and CodeStar Connections) with ``500 Internal Server Error`` and an
HTML page: what an outage behind a proxy looks like. mlops
retries 5xx answers for a minute (AWS brownouts last seconds), so every such
call would wait a minute on the emulator and then be reported as an outage.

The correction answers those calls ``501 Not Implemented``, the HTTP status for
"the server does not support this", with an AWS-shaped error (code
``NotImplemented``, as S3 uses for features it lacks) naming the operation.
mlops does not retry a 501 and says the endpoint does not implement the call.
Only moto's "not implemented" (its ``NotImplementedError``, or an HTML 500 page)
is replaced; AWS-shaped errors and other failures pass unchanged.
"""

from __future__ import annotations

import io
import json
from typing import Any, Callable
from urllib.parse import parse_qs

NAME = "unimplemented-calls"
ITEM = "8"
SUMMARY = "calls moto lacks answer 501 NotImplemented naming the operation (moto: HTML 500 page)"


def _operation(environ: dict[str, Any], body: bytes) -> str:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    try:
        form = parse_qs(body.decode("utf-8"))
    except UnicodeDecodeError:
        form = {}
    action = (form.get("Action") or query.get("Action") or [""])[0]
    return action or f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}".strip()


def _is_html_500(status: str, headers: list[tuple[str, str]]) -> bool:
    if not status.startswith("500"):
        return False
    return any(k.lower() == "content-type" and v.startswith("text/html") for k, v in headers)


def apply() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    def __call__(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        replaced: dict[str, bool] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if _is_html_500(status, headers):
                replaced["yes"] = True
                return lambda _data: None
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            backend_app = self.get_application(environ)
        except Exception:
            # No backend for the service at all (CodeStar Connections): moto fails looking it up.
            backend_app = None
            replaced["yes"] = True
        try:
            answer = backend_app(environ, capture) if backend_app is not None else None
        except NotImplementedError:
            # Flask in debug mode lets the exception through; werkzeug's server then writes its HTML 500 page.
            replaced["yes"] = True
            answer = None
        if not replaced:
            return answer
        if answer is not None and hasattr(answer, "close"):
            answer.close()
        operation = _operation(environ, body)
        message = f"The emulator does not implement {operation}."
        if "json" in (environ.get("CONTENT_TYPE") or ""):
            payload = json.dumps({"__type": "NotImplemented", "message": message}).encode()
            content_type = "application/x-amz-json-1.1"
        else:
            payload = (
                "<ErrorResponse><Error><Type>Receiver</Type><Code>NotImplemented</Code>"
                f"<Message>{message}</Message></Error><RequestId>emulator</RequestId></ErrorResponse>"
            ).encode()
            content_type = "text/xml"
        start_response(
            "501 Not Implemented",
            [
                ("Content-Type", content_type),
                ("Content-Length", str(len(payload))),
                ("x-amzn-ErrorType", "NotImplemented"),
            ],
        )
        return [payload]

    DomainDispatcherApplication.__call__ = __call__
