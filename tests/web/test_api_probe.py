"""Hostile input to every JSON route of the import, dedupe, coding, model, audit and settings pages,
read from the app's own /openapi.json: never a 5xx, never a stack trace (a small stand-in for
the schemathesis run the issue asks for, which is not installed here)."""

from __future__ import annotations

import itertools

from web_helpers import server, sign_in, template  # noqa: F401  (fixtures)

PREFIXES = ("/api/import", "/api/sources", "/api/dedupe", "/api/coding", "/api/model", "/api/audit",
            "/api/settings")
ODD = [None, -1, 0, 2**63, 10**30, "x", "", "\x00", "1" * 5000, [], {}, True, 1.5]


def plausible(schema: dict, components: dict):
    """A value of the right type for a JSON-schema property."""
    if "$ref" in schema:
        return bodies_base(components[schema["$ref"].split("/")[-1]], components)
    kind = schema.get("type") or (schema.get("anyOf") or [{}])[0].get("type")
    if "enum" in schema:
        return schema["enum"][0]
    return {"integer": 1, "number": 1.0, "string": "a", "boolean": False, "array": [], "object": {}}.get(kind, "a")


def bodies_base(schema: dict, components: dict) -> dict:
    return {name: plausible(prop, components) for name, prop in schema.get("properties", {}).items()}


def json_bodies(schema: dict, components: dict):
    """The plausible body, then one property at a time set to each odd value, then odd whole bodies."""
    base = bodies_base(schema, components)
    yield base
    for name, odd in itertools.product(base, ODD):
        yield {**base, name: odd}
    yield from ([], "text", None, {"unexpected": 1})


def test_no_json_route_answers_5xx_to_hostile_input(server):
    alice = sign_in(server, "alice")
    schema = alice.get("/openapi.json").json()
    components = schema.get("components", {}).get("schemas", {})
    headers = {"X-CSRF-Token": alice.csrf}
    tried, failures = 0, []
    for path, operations in schema["paths"].items():
        if not path.startswith(PREFIXES):
            continue
        for method, operation in operations.items():
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            for name, odd in itertools.product(params or [None], ODD):
                query = {name: "" if odd is None else str(odd)} if name else {}
                response = alice.request(method.upper(), path, params=query, headers=headers)
                tried += 1
                if response.status_code >= 500 or "Traceback" in response.text:
                    failures.append((method, path, query, response.status_code))
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body_schema = content["application/json"]["schema"]
                target = components[body_schema["$ref"].split("/")[-1]] if "$ref" in body_schema else body_schema
                for body in json_bodies(target, components):
                    response = alice.request(method.upper(), path, json=body, headers=headers)
                    tried += 1
                    if response.status_code >= 500 or "Traceback" in response.text:
                        failures.append((method, path, body, response.status_code))
            if "multipart/form-data" in content:
                for files in ([("files", ("a.ris", b"\xff\xfe\x00", "x"))], [("codebook", ("c.yaml", b"{{{", "x"))],
                              [("files", ("", b"", "x"))], []):
                    response = alice.request(method.upper(), path, files=files or None, data={"force": "maybe"},
                                             headers=headers)
                    tried += 1
                    if response.status_code >= 500:
                        failures.append((method, path, files, response.status_code))
    assert tried > 100
    assert not failures, failures[:10]
