"""Validate a body against a Google discovery document's ``schemas`` (the YouTube, Sheets
contracts).

>>> validate_discovery("youtube.v3", "VideoListResponse", body)

Discovery schemas are a JSON-Schema dialect: ``$ref`` names another schema, ``type`` ``any``
means anything, ``format`` (``int64``, ``date-time``...) is informative. The converter maps
them to JSON Schema draft 7 with ``additionalProperties: false`` wherever the document lists
``properties``, so a field Google does not define fails, and enums are enforced.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import googleapiclient
from jsonschema import Draft7Validator

DOCUMENTS_DIR = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"


@cache
def discovery_document(name: str) -> dict[str, Any]:
    """A discovery document shipped with google-api-python-client, e.g. ``youtube.v3``."""
    return json.loads((DOCUMENTS_DIR / f"{name}.json").read_text())


def to_json_schema(node: dict[str, Any]) -> dict[str, Any]:
    """One discovery schema node as JSON Schema; references point into ``definitions``."""
    if "$ref" in node:
        return {"$ref": f"#/definitions/{node['$ref']}"}
    schema: dict[str, Any] = {}
    kind = node.get("type")
    if kind and kind != "any":
        schema["type"] = kind
    if "enum" in node:
        schema["enum"] = node["enum"]
    if "properties" in node:
        schema["properties"] = {
            name: to_json_schema(child) for name, child in node["properties"].items()
        }
        schema["additionalProperties"] = False
    elif isinstance(node.get("additionalProperties"), dict):
        schema["additionalProperties"] = to_json_schema(node["additionalProperties"])
    if "items" in node:
        schema["items"] = to_json_schema(node["items"])
    return schema


@cache
def _validator(document: str, schema_id: str) -> Draft7Validator:
    schemas = discovery_document(document)["schemas"]
    if schema_id not in schemas:
        raise KeyError(f"{document} has no schema {schema_id!r}")
    root = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$ref": f"#/definitions/{schema_id}",
        "definitions": {name: to_json_schema(schema) for name, schema in schemas.items()},
    }
    Draft7Validator.check_schema(root)
    return Draft7Validator(root)


def validate_discovery(document: str, schema_id: str, body: Any) -> None:
    """Raise ``jsonschema.ValidationError`` (its message names the failing path) on a mismatch."""
    _validator(document, schema_id).validate(body)
