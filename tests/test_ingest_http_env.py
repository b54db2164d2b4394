"""The HTTP client reads proxy and CA settings from the environment once per host."""

from triage.ingest.http import HttpClient


def test_environment_proxies_are_honoured_and_read_once(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    client = HttpClient()
    env = client._environment("https://mastodon.example/api/v2/search", "mastodon.example")
    assert env["proxies"].get("https") == "http://proxy.example:3128"
    monkeypatch.setenv("HTTPS_PROXY", "http://other.example:1")
    again = client._environment("https://mastodon.example/api/v1/x", "mastodon.example")
    assert again is env   # cached per host: no environment scan per request
    bypass = client._environment("https://internal.example/x", "internal.example")
    assert not bypass["proxies"].get("https")
    assert client.session.trust_env is False
