"""Validate a response body against an OpenAPI 3 document (the contracts in ``tests/contracts``).

>>> spec = load_contract("x-api-v2.openapi.json")
>>> validate_openapi3_response(spec, "GET", "/2/tweets/1460323737035677698", 200, body)

The operation is found from a path template (``/2/tweets/{id}``) or a concrete path; the
response schema is the one declared for ``status`` (else ``default``) and the media type
(``application/json`` unless told). ``$ref``\\ s resolve inside the document, ``nullable`` and
the other OpenAPI 3.0 keywords are honoured (openapi-schema-validator). A mismatch raises
:class:`ContractViolation` naming the operation and the first failing JSON path.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, OAS31Validator

from socialops.paths import PROJECT_ROOT

#: The API specifications and recorded responses, vendored with their sources (README there).
CONTRACTS_DIR = PROJECT_ROOT / "tests" / "contracts"


class ContractViolation(AssertionError):
    """A body does not match what the OpenAPI document declares for that response."""


def contract_path(name: str) -> Path:
    """The path of a vendored contract file (a missing one fails the test: it is in the repo)."""
    path = CONTRACTS_DIR / name
    if not path.exists():
        pytest.fail(f"contract {path} not found: it is vendored in tests/contracts/")
    return path


@cache
def _load(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text())


def load_contract(name: str) -> dict[str, Any]:
    """A parsed contract (cached: the X spec is several megabytes)."""
    return _load(str(contract_path(name)))


def _template_regex(template: str) -> re.Pattern[str]:
    pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
    return re.compile(pattern)


def find_operation(spec: dict[str, Any], method: str, path: str) -> tuple[str, dict[str, Any]]:
    """The ``(template, operation)`` serving ``method path``; literal segments win over
    ``{params}``."""
    method = method.lower()
    if path in spec["paths"] and method in spec["paths"][path]:
        return path, spec["paths"][path][method]
    candidates = [
        template
        for template, item in spec["paths"].items()
        if method in item and _template_regex(template).fullmatch(path)
    ]
    if not candidates:
        raise ContractViolation(f"the contract has no operation {method.upper()} {path}")
    best = min(candidates, key=lambda t: (t.count("{"), -len(t)))
    return best, spec["paths"][best][method]


def response_schema(
    spec: dict[str, Any],
    method: str,
    path: str,
    status: int,
    content_type: str = "application/json",
) -> dict[str, Any]:
    """The schema declared for that response (``$ref``\\ s left in place)."""
    template, operation = find_operation(spec, method, path)
    responses = operation.get("responses", {})
    declared = (
        responses.get(str(status))
        or responses.get(f"{str(status)[0]}XX")
        or responses.get("default")
    )
    if declared is None:
        raise ContractViolation(
            f"{method.upper()} {template} declares no response for status {status}"
        )
    if "$ref" in declared:
        declared = _resolve_pointer(spec, declared["$ref"])
    content = declared.get("content", {})
    media = content.get(content_type.split(";")[0].strip())
    if media is None:
        raise ContractViolation(
            f"{method.upper()} {template} status {status} has no {content_type} body; "
            f"declared: {', '.join(content) or 'none'}"
        )
    return media.get("schema", {})


def _resolve_pointer(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def validate_openapi3_response(
    spec: dict[str, Any],
    method: str,
    path: str,
    status: int,
    body: Any,
    *,
    content_type: str = "application/json",
) -> None:
    """Raise :class:`ContractViolation` unless ``body`` is what ``spec`` declares for this response.

    ``path`` is a template of the document (``/2/users/{id}``) or a concrete path
    (``/2/users/783214``). Works for OpenAPI 3.0 and 3.1 documents.
    """
    schema = response_schema(spec, method, path, status, content_type)
    # Local "#/components/..." references resolve against the root schema, so the
    # document's components travel with the schema being checked.
    root = {**schema, "components": spec.get("components", {})}
    validator_type = (
        OAS31Validator if str(spec.get("openapi", "")).startswith("3.1") else OAS30Validator
    )
    validator = validator_type(root, format_checker=validator_type.FORMAT_CHECKER)
    error = _first_error(validator, body)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "<root>"
        raise ContractViolation(
            f"{method.upper()} {path} {status}: body does not match the contract at {where}: "
            f"{error.message}"
        )


def _first_error(validator: Any, body: Any) -> ValidationError | None:
    errors = sorted(
        validator.iter_errors(body), key=lambda e: (len(e.absolute_path), str(e.absolute_path))
    )
    return errors[0] if errors else None
