#!/usr/bin/env python3
"""Hold the emulator's recorded requests and answers against AWS's API models.

    python3 emulator/shape_check.py RECORDING.jsonl ...

A recording is what ``emulator/server.py --record FILE`` writes: one JSON line
per request of the AWS JSON or query protocol (the first line names the
emulator). botocore, installed with the AWS CLI, carries AWS's own models of
every operation; this checker uses them as AWS's SDKs do:

- every answer with HTTP 200 is parsed by botocore's parser for the protocol
  and walked against the operation's output shape: each structure has its
  required members, each enum member holds one of the enum's values;
- every request is read back into parameters (the JSON body, or the query
  form unflattened along the input shape) and checked with botocore's
  ``ParamValidator`` (unknown and missing parameters, types, minimum lengths
  and ranges) and against the input shape's enums.

It prints one line per mismatch (emulator, service, operation, member, what is
wrong, how often, one request's parameters) and exits 1 if there is any, 0
otherwise. REST protocols (S3, EFS, Route 53, EventBridge Scheduler) and
CloudWatch's CBOR are not recorded, so not checked; botocore's models carry
no patterns nor maximum lengths, so those are not checked either.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import OrderedDict
from typing import Any, Iterable
from urllib.parse import parse_qsl

# Credential-scope (signing) names whose botocore service name differs.
SIGNING_TO_SERVICE = {
    "elasticloadbalancing": "elbv2",
    "monitoring": "cloudwatch",
    "codestar-connections": "codestar-connections",
    "email": "ses",
    "states": "stepfunctions",
    "execute-api": "apigateway",
}

# Values AWS answers although its model's enum lacks them (output enums are
# open: SDKs pass unknown values through). CloudFormation's stack events of a
# change set's new stack carry ResourceStatus REVIEW_IN_PROGRESS (CloudFormation
# User Guide, "Create a change set": the stack is in REVIEW_IN_PROGRESS).
AWS_VALUES_OUTSIDE_ENUM = {("ResourceStatus", "REVIEW_IN_PROGRESS")}

_INDEX = re.compile(r"\[\d+\]")

_models: dict[str, Any] = {}
_session: Any = None


def service_model(service: str) -> Any:
    """botocore's model of a service, by botocore service name (cached)."""
    global _session
    if service not in _models:
        if _session is None:
            import botocore.session

            _session = botocore.session.get_session()
        _models[service] = _session.get_service_model(service)
    return _models[service]


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _problems(shape: Any, value: Any, path: str, answer: bool) -> Iterable[tuple[str, str]]:
    """One walk for answers and requests: enums everywhere; required members and AWS's
    known values outside an enum only in answers (botocore's ParamValidator checks a
    request's required members)."""
    if shape is None or value is None:
        return
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return
        if answer:
            for name in shape.required_members:
                if value.get(name) is None:
                    yield _join(path, name), "required member missing"
        for name, member in shape.members.items():
            if name in value:
                yield from _problems(member, value[name], _join(path, name), answer)
    elif kind == "list" and isinstance(value, list):
        for item in value:
            yield from _problems(shape.member, item, f"{path}[]", answer)
    elif kind == "map" and isinstance(value, dict):
        for item in value.values():
            yield from _problems(shape.value, item, f"{path}{{}}", answer)
    elif (
        kind == "string"
        and shape.enum
        and isinstance(value, str)
        and value not in shape.enum
        and not (answer and (shape.name, value) in AWS_VALUES_OUTSIDE_ENUM)
    ):
        yield path, f"value {value!r} is not one of the enum {shape.name}"


def output_problems(shape: Any, value: Any, path: str = "") -> Iterable[tuple[str, str]]:
    """(member path, problem) for each required member missing or enum value unknown."""
    return _problems(shape, value, path, answer=True)


def enum_problems(shape: Any, value: Any, path: str = "") -> Iterable[tuple[str, str]]:
    """(parameter path, problem) for each request parameter outside its enum."""
    return _problems(shape, value, path, answer=False)


class _Form:
    """A query-protocol form, read along an input shape; remembers the keys read."""

    def __init__(self, fields: dict[str, str], ec2: bool) -> None:
        self.fields = fields
        self.ec2 = ec2
        self.read: set[str] = set()

    def _name(self, shape: Any, default: str) -> str:
        if self.ec2:
            if "queryName" in shape.serialization:
                return shape.serialization["queryName"]
            if "name" in shape.serialization:
                name = shape.serialization["name"]
                return name[0].upper() + name[1:]
            return default
        return shape.serialization.get("name", default)

    def _has(self, prefix: str) -> bool:
        start = prefix + "."
        return prefix in self.fields or any(key.startswith(start) for key in self.fields)

    def value(self, shape: Any, prefix: str) -> Any:
        kind = shape.type_name
        if kind == "structure":
            out = {}
            for name, member in shape.members.items():
                key = self._name(member, name if not self.ec2 else name[0].upper() + name[1:])
                key = f"{prefix}.{key}" if prefix else key
                if self._has(key):
                    out[name] = self.value(member, key)
            return out
        if kind == "list":
            if prefix in self.fields and self.fields[prefix] == "":
                self.read.add(prefix)
                return []
            if self.ec2 or shape.serialization.get("flattened"):
                base = prefix
                if not self.ec2 and shape.member.serialization.get("name"):
                    base = ".".join(prefix.split(".")[:-1] + [self._name(shape.member, "")])
            else:
                base = f"{prefix}.{shape.member.serialization.get('name', 'member')}"
            items = []
            index = 1
            while self._has(f"{base}.{index}"):
                items.append(self.value(shape.member, f"{base}.{index}"))
                index += 1
            return items
        if kind == "map":
            base = prefix if shape.serialization.get("flattened") else f"{prefix}.entry"
            key_name = self._name(shape.key, "key")
            value_name = self._name(shape.value, "value")
            out = {}
            index = 1
            while self._has(f"{base}.{index}"):
                key = self.value(shape.key, f"{base}.{index}.{key_name}")
                out[key] = self.value(shape.value, f"{base}.{index}.{value_name}")
                index += 1
            return out
        text = self.fields.get(prefix)
        self.read.add(prefix)
        if text is None:
            return None
        try:
            if kind in ("integer", "long"):
                return int(text)
            if kind in ("float", "double"):
                return float(text)
            if kind == "boolean":
                return {"true": True, "false": False}.get(text, text)
        except ValueError:
            return text
        return text


def request_params(record: dict, operation: Any) -> tuple[dict, list[str]]:
    """The request's parameters, and the form keys the input shape does not know."""
    shape = operation.input_shape
    if record["protocol"] == "json":
        body = record.get("request") or ""
        params = json.loads(body) if body.strip() else {}
        return (params if isinstance(params, dict) else {}), []
    fields = dict(parse_qsl(record.get("request") or "", keep_blank_values=True))
    for key in ("Action", "Version"):
        fields.pop(key, None)
    if shape is None:
        return {}, sorted(fields)
    form = _Form(fields, ec2=operation.metadata.get("protocol") == "ec2")
    params = form.value(shape, "")
    return params, sorted(key for key in fields if key not in form.read)


def parse_answer(record: dict, operation: Any) -> Any:
    """The answer as botocore parses AWS's answer to this operation."""
    from botocore.parsers import create_parser

    protocol = operation.metadata.get("protocol")
    if record["protocol"] == "json":
        protocol = "json"
    body = record.get("response") or ""
    response = {
        "body": body.encode("utf-8"),
        "headers": {"content-type": record.get("contentType") or ""},
        "status_code": record["status"],
    }
    return create_parser(protocol).parse(response, operation.output_shape)


def identify(record: dict) -> tuple[Any, Any]:
    """(service model, operation model) of a recorded request, or (None, None)."""
    scope = record.get("service") or ""
    service = SIGNING_TO_SERVICE.get(scope, scope)
    try:
        model = service_model(service)
    except Exception:
        return None, None
    name = record.get("operation") or ""
    if name not in model.operation_names:
        return model, None
    return model, model.operation_model(name)


def check_records(records: Iterable[dict], label: str) -> "OrderedDict[tuple, dict]":
    """Mismatches of a recording, keyed by (emulator, service, operation, member, problem)."""
    from botocore.validate import ParamValidator

    found: "OrderedDict[tuple, dict]" = OrderedDict()
    validator = ParamValidator()

    def note(service: str, operation: str, member: str, problem: str, example: str) -> None:
        key = (label, service, operation, member, problem)
        entry = found.setdefault(key, {"count": 0, "example": example})
        entry["count"] += 1

    for record in records:
        model, operation = identify(record)
        service = record.get("service") or "?"
        name = record.get("operation") or "?"
        example = (record.get("request") or "")[:300]
        if model is None:
            continue  # a service botocore does not know is not AWS's to judge
        if operation is None:
            note(service, name, "-", "operation unknown to AWS's model", example)
            continue
        try:
            params, unknown = request_params(record, operation)
        except ValueError as exc:
            note(service, name, "-", f"request unreadable: {exc}", example)
            continue
        for key in unknown:
            note(service, name, key, "request parameter unknown to the input shape", example)
        if operation.input_shape is not None:
            report = validator.validate(params, operation.input_shape)
            if report.has_errors():
                for kind, path, detail in report._errors:
                    member = detail.get("required_name") or detail.get("unknown_param")
                    path = _INDEX.sub("[]", _join(path, member) if member else path)
                    note(service, name, path or "-", f"request: {kind}", example)
            for path, problem in enum_problems(operation.input_shape, params):
                note(service, name, path, f"request: {problem}", example)
        if record["status"] != 200 or operation.output_shape is None:
            continue
        try:
            parsed = parse_answer(record, operation)
        except Exception as exc:  # botocore could not parse it: AWS's SDKs neither
            note(service, name, "-", f"answer unparsable: {exc}", example)
            continue
        for path, problem in output_problems(operation.output_shape, parsed):
            note(service, name, path, f"answer: {problem}", example)
    return found


def read_recording(path: str) -> tuple[str, list[dict]]:
    """(emulator label, records) of a recording file."""
    label = path
    records = []
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            if "emulator" in entry:
                label = entry["emulator"]
            else:
                records.append(entry)
    return label, records


def main(argv: list[str]) -> int:
    started = time.monotonic()
    try:
        import botocore  # noqa: F401
    except ImportError:
        print(
            "shape check: python3 cannot import botocore (it comes with the AWS CLI v1, "
            "or: pip install botocore)",
            file=sys.stderr,
        )
        return 1
    found: "OrderedDict[tuple, dict]" = OrderedDict()
    total = 0
    for path in argv:
        label, records = read_recording(path)
        total += len(records)
        found.update(check_records(records, label))
    for (label, service, operation, member, problem), entry in found.items():
        print(
            f"{service} {operation}: {member}: {problem} "
            f"({entry['count']}x, emulator of {label}; request: {entry['example']})"
        )
    print(
        f"shape check: {total} distinct requests from {len(argv)} emulator(s), "
        f"{len(found)} mismatch(es), in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
