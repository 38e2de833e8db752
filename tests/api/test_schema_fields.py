"""Every field a GET answers with is documented in the OpenAPI schema.

The Schemathesis run checks responses against the schema, but an OpenAPI object allows
properties it does not list, so a field added outside its serializer's declared fields
would pass there unseen. Here every GET (a list, and each ``{id}`` route with an id from
its list) is called as a superuser over a scenario with rows everywhere, and each object
in the answer may hold only the properties its schema lists.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from returns.services.return_drafting import return_submit
from tests.returns.builders import draft_return, issued_replenishment, line

pytestmark = pytest.mark.django_db

SAMPLE = 3  # items of each array checked


@pytest.fixture
def scenario(clerk, work_order, tube, lot):
    """WO-1 issued, a submitted return (a pending approval step), a short replenishment."""
    return_submit(
        return_request=draft_return(work_order, clerk, [line(tube, 5, lot=lot)]), actor=clerk
    )
    issued_replenishment(work_order, clerk, tube, 600)


class Schema:
    def __init__(self):
        self.document = SchemaGenerator().get_schema(public=True)

    def resolve(self, schema):
        while "$ref" in schema:
            schema = self.document["components"]["schemas"][schema["$ref"].split("/")[-1]]
        if "allOf" not in schema:
            return schema
        merged, properties = {}, {}
        for part in map(self.resolve, schema["allOf"]):
            merged.update(part)
            properties.update(part.get("properties", {}))
        merged.update({key: value for key, value in schema.items() if key != "allOf"})
        if properties:
            merged["properties"] = properties
        return merged

    def gets(self):
        """``{path: schema of the 200 JSON answer}`` of every GET that needs no query."""
        found = {}
        for path, operations in self.document["paths"].items():
            get = operations.get("get", {})
            answer = get.get("responses", {}).get("200", {})
            body = answer.get("content", {}).get("application/json")
            needs_query = any(
                p["in"] == "query" and p.get("required") for p in get.get("parameters", [])
            )
            if body and not needs_query:
                found[path] = body["schema"]
        return found

    def undeclared(self, data, schema, where):
        """Where ``data`` holds keys its (resolved) schema does not list."""
        schema = self.resolve(schema)
        if "oneOf" in schema or "anyOf" in schema:
            return []
        if isinstance(data, list) and "items" in schema:
            return [
                wrong
                for index, item in enumerate(data[:SAMPLE])
                for wrong in self.undeclared(item, schema["items"], f"{where}[{index}]")
            ]
        if not isinstance(data, dict) or "properties" not in schema:
            return []
        declared = schema["properties"]
        wrong = []
        if "additionalProperties" not in schema:
            wrong += [f"{where}.{key}" for key in sorted(set(data) - set(declared))]
        for key, value in data.items():
            if key in declared:
                wrong += self.undeclared(value, declared[key], f"{where}.{key}")
        return wrong


def first_id(api, path):
    """An id for an ``{id}`` route: the first row of the list it hangs under."""
    collection = path.split("{id}")[0]
    rows = api.get(collection).json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    return rows[0]["id"] if rows else None


def test_every_field_a_get_answers_with_is_in_the_schema(api, scenario):
    schema, wrong, unchecked = Schema(), [], []
    for path, body in sorted(schema.gets().items()):
        params = re.findall(r"{(\w+)}", path)
        pk = first_id(api, path) if params == ["id"] else None
        if params and pk is None:
            unchecked.append(path)
            continue
        response = api.get(path.replace("{id}", str(pk)))
        assert response.status_code == 200, (path, response.status_code)
        wrong += schema.undeclared(response.json(), body, path)
    assert not wrong, "fields the schema does not list:\n" + "\n".join(wrong)
    assert len(unchecked) < len(schema.gets()) // 4, f"no rows to check: {unchecked}"
