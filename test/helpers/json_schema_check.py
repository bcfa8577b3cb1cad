"""Validates JSON documents against a JSON Schema (draft 2020-12) with the
`jsonschema` package, independently of the zod schema it was generated from.

stdin: {"schema": {...}, "documents": [...]}; stdout: one list of error
messages per document (empty when valid). Exits 1 when the schema itself is
not a valid draft 2020-12 schema."""
import json
import sys

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

request = json.load(sys.stdin)
try:
    Draft202012Validator.check_schema(request["schema"])
except SchemaError as error:
    print(f"invalid schema: {error.message}", file=sys.stderr)
    sys.exit(1)
validator = Draft202012Validator(request["schema"])
results = []
for document in request["documents"]:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    results.append(["/".join(str(p) for p in e.absolute_path) + ": " + e.message for e in errors])
json.dump(results, sys.stdout)
