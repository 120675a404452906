"""The Convex-style endpoint, called the way the public stage-cli calls it."""

from rest_framework.test import APIClient

from core.keys import apikey_create


def convex_client_for(user) -> APIClient:
    """A client that authenticates the way stage-cli does: `Authorization: Convex <key>`."""
    _, raw_key = apikey_create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Convex {raw_key}")
    return client


def call(client, kind, fn, args=None):
    body = {"path": f"stage:{fn}", "args": args if args is not None else {}}
    response = client.post(f"/api/{kind}", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def value(client, kind, fn, args=None):
    body = call(client, kind, fn, args)
    assert body["status"] == "success", body
    return body["value"]


def failure(client, kind, fn, args=None) -> str:
    body = call(client, kind, fn, args)
    assert body["status"] == "error", body
    return body["errorMessage"]
