"""What the OpenAPI schema says about every operation beyond its serializers: the one
error shape, every error code (the registry of ``core.exceptions``: each app's code
enum) and the status codes that carry it (a drf-spectacular postprocessing hook). The
texts are for developers and stay in English, like the rest of the schema."""

import copy

from core.exceptions import error_codes

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Field name → messages (nested for nested input).",
                },
                "limit": {"type": "string", "description":
                          "plan_limit_reached only: which plan limit refused."},
                "allowed": {"type": "integer", "description":
                            "plan_limit_reached only: what the plan allows."},
                "used": {"type": "integer", "description":
                         "plan_limit_reached only: what the site has."},
                "upgrade_url": {"type": "string", "format": "uri", "description":
                                "plan_limit_reached only, when the caller may upgrade: "
                                "the billing page."},
            },
            "required": ["code", "message", "fields"],
        },
    },
    "required": ["error"],
}

_REF = {"$ref": "#/components/schemas/Error"}


def _errors(method, operation):
    codes = {
        "400": ("The request is not valid (a parameter or a field; see error.fields)."),
        "401": ("Not signed in, or the API key is invalid."),
        "403": ("Signed in, but not allowed to do this."),
        "404": ("No such object (or not yours to see), or no such page."),
    }
    if method != "get":
        codes["409"] = ("A business rule refused the change (see error.message).")
    if "requestBody" in operation:
        codes["415"] = ("The body is not JSON (or the media type the operation takes).")
    if any(parameter.get("name") == "Idempotency-Key" for parameter in
           operation.get("parameters", ())):
        codes["422"] = ("The Idempotency-Key was used before for a different request "
                        "(code idempotency_key_reused).")
    return codes


def error_schema():
    """The error shape with ``error.code`` as an enum of every registered code, each
    explained in the description."""
    codes = error_codes()
    schema = copy.deepcopy(ERROR_SCHEMA)
    schema["properties"]["error"]["properties"]["code"] = {
        "type": "string", "enum": sorted(codes),
        "description": "What went wrong, for programs (``message`` is for people):\n\n"
                       + "\n".join(f"- `{code}`: {codes[code]}" for code in sorted(codes)),
    }
    return schema


def add_error_responses(result, generator, request, public):
    """Document ``{"error": {"code", "message", "fields"}}`` under 400, 401, 403, 404 (and
    409/415/422 where they can happen) on every operation that does not say otherwise."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = error_schema()
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, description in _errors(method, operation).items():
                operation["responses"].setdefault(code, {
                    "content": {"application/json": {"schema": _REF}},
                    "description": description,
                })
    return result
