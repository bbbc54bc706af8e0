"""Fixtures for the SDK integration tests. run.sh starts the fake upstream and
Astral and passes their addresses in the environment."""

import json
import os
import urllib.error
import urllib.request

import pytest


def _env(name):
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run these tests through tests/sdk/run.sh")
    return value


@pytest.fixture(scope="session")
def astral_url():
    return _env("ASTRAL_URL")


@pytest.fixture(scope="session")
def astral_down_url():
    """An Astral whose upstreams point at a port nothing listens on."""
    return _env("ASTRAL_DOWN_URL")


@pytest.fixture(scope="session")
def astral_key():
    return _env("ASTRAL_KEY")


@pytest.fixture(scope="session")
def astral_down_key():
    """The key of the Astral behind `astral_down_url` (each instance has its own data)."""
    return _env("ASTRAL_DOWN_KEY")


class Upstream:
    """The fake upstream's record of what it received."""

    def __init__(self, url):
        self.url = url

    def reset(self):
        request = urllib.request.Request(self.url + "/_fake/reset", data=b"{}", method="POST")
        urllib.request.urlopen(request).read()

    def requests(self):
        with urllib.request.urlopen(self.url + "/_fake/requests") as response:
            return json.loads(response.read())

    def received_text(self):
        return json.dumps(self.requests())


@pytest.fixture()
def upstream():
    fake = Upstream(_env("FAKE_UPSTREAM_URL"))
    fake.reset()
    return fake


@pytest.fixture()
def openai_client(astral_url, astral_key):
    import openai
    return openai.OpenAI(base_url=astral_url + "/v1", api_key=astral_key, max_retries=0, timeout=30)


@pytest.fixture()
def anthropic_client(astral_url, astral_key):
    import anthropic
    return anthropic.Anthropic(base_url=astral_url, api_key=astral_key, max_retries=0, timeout=30)


STRICT_MODEL = "gpt-strict"
# A second module of the tenant's bundle: a credential in an answer to
# STRICT_MODEL blocks the answer (the default policy redacts it).
STRICT_POLICY = """package astral.gateway

import rego.v1

violations contains {"action": "block", "reason": "credential in an answer to the strict model", "type": "SECRET"} if {
	input.direction == "response"
	input.model == "%s"
	some f in input.findings
	f.type == "SECRET"
}
""" % STRICT_MODEL


def _admin(url, key, path, body):
    request = urllib.request.Request(
        url + path, data=json.dumps(body).encode(), method="POST",
        headers={"authorization": "Bearer " + key, "content-type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture()
def strict_policy(astral_url, astral_key):
    """Activates STRICT_POLICY for one test (through the admin API), then deactivates it."""
    status = _admin(astral_url, astral_key, "/api/v1/policies", {"id": "sdk-strict", "module": STRICT_POLICY})
    assert status in (201, 409), f"creating the strict policy answered {status}"
    status = _admin(astral_url, astral_key, "/api/v1/policies/sdk-strict/activate", {})
    assert status == 200, f"activating the strict policy answered {status}"
    yield STRICT_MODEL
    status = _admin(astral_url, astral_key, "/api/v1/policies/sdk-strict/deactivate", {})
    assert status == 200, f"deactivating the strict policy answered {status}"
