"""What HTTP clients rely on: a 405 names the methods that work (Allow), and the OpenAPI
document refuses what the API refuses (an empty INSZ)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("get", "/logout", {"POST"}), ("get", "/api/v1/verify", {"POST"}),
     ("delete", "/v", {"GET", "POST"}), ("put", "/api/v1/partner/checks", {"POST"})],
)  # fmt: skip
def test_a_wrong_method_is_told_which_methods_work(client, method, path, allowed):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_the_openapi_document_refuses_an_empty_insz(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    insz = doc["components"]["schemas"]["PartnerCheck"]["properties"]["insz"]
    assert insz.get("minLength", 0) > 0  # "" is not a valid value
    assert insz["minLength"] <= len("85073003328") <= insz["maxLength"]
    good = {"insz": "85.07.30-033.28", "profile": "sociale-huur", "purpose": "x"}
    empty = client.post("/api/v1/partner/checks", json=good | {"insz": ""})
    assert empty.status_code in (400, 401)  # refused, as the document says
