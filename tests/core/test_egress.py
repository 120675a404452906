"""The egress policy: hostile destinations refused in every spelling, redirects re-checked, size and time capped."""

import logging

import pytest

from core.egress import EgressFailed, EgressRefused, EgressTimeout, EgressTooLarge, check_url, egress_fetch

HOSTILE = {
    "loopback": "http://127.0.0.1/",
    "loopback-other": "http://127.8.9.10:8000/",
    "decimal": "http://2130706433/",
    "hex": "http://0x7f000001/",
    "octal": "http://0177.0.0.1/",
    "short": "http://127.1/",
    "hex-dotted": "http://0x7f.0.0.1/",
    "localhost-name": "http://localhost:5432/",
    "ipv6-loopback": "http://[::1]/",
    "ipv4-mapped": "http://[::ffff:127.0.0.1]/",
    "ipv4-mapped-hex": "http://[::ffff:7f00:1]/",
    "6to4-loopback": "http://[2002:7f00:1::]/",
    "nat64-metadata": "http://[64:ff9b::a9fe:a9fe]/",
    "metadata": "http://169.254.169.254/latest/meta-data/",
    "metadata-decimal": "http://2852039166/",
    "metadata-ipv6": "http://[fd00:ec2::254]/",
    "metadata-alibaba": "http://100.100.100.200/",
    "private-10": "http://10.0.0.1/",
    "private-172": "http://172.16.5.4/",
    "private-192": "http://192.168.1.1/",
    "cgnat": "http://100.64.0.1/",
    "unspecified": "http://0.0.0.0:6379/",
    "ipv6-unspecified": "http://[::]/",
    "multicast": "http://224.0.0.1/",
    "ipv6-link-local-zone": "http://[fe80::1%25eth0]/",
    "ipv6-unique-local": "http://[fc00::1]/",
    "broadcast": "http://255.255.255.255/",
    "trailing-dot": "http://127.0.0.1./",
}
BAD_FORMS = {
    "file": "file:///etc/passwd",
    "ftp": "ftp://example.com/",
    "gopher": "gopher://127.0.0.1:6379/_INFO",
    "credentials": "http://user:secret@example.com/",
    "no-host": "http:///path",
    "bad-port": "http://example.com:99999/",
    "unresolvable": "http://does-not-exist.invalid/",
}


@pytest.mark.parametrize("url", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_addresses_are_refused_in_every_spelling(url):
    with pytest.raises(EgressRefused):
        check_url(url)


@pytest.mark.parametrize("url", BAD_FORMS.values(), ids=BAD_FORMS.keys())
def test_other_schemes_and_malformed_urls_are_refused(url):
    with pytest.raises(EgressRefused):
        check_url(url)


def test_public_addresses_pass():
    target = check_url("https://93.184.216.34:8443/x?y=1")
    assert (target.scheme, target.host, target.port, target.addresses) == (
        "https",
        "93.184.216.34",
        8443,
        ("93.184.216.34",),
    )
    assert check_url("http://[2606:4700:4700::1111]/").addresses == ("2606:4700:4700::1111",)


def test_a_local_server_is_refused_unless_allowed(settings, local_server):
    # given a server on loopback that is not on the allow list
    local_server.routes["/"] = (200, {}, b"hello")
    settings.STAGE_EGRESS_ALLOW = []
    # then
    with pytest.raises(EgressRefused):
        egress_fetch(url=local_server.url("/"))
    assert local_server.requests == []
    # and once allowed it answers, but a neighbouring port stays closed
    settings.STAGE_EGRESS_ALLOW = [f"127.0.0.1:{local_server.port}"]
    response = egress_fetch(url=local_server.url("/"), app="app_x")
    assert (response.status, response.body) == (200, b"hello")
    with pytest.raises(EgressRefused):
        check_url(f"http://127.0.0.1:{local_server.port + 1}/")


def test_method_headers_and_body_reach_the_server_and_the_call_is_logged(allow_local, caplog):
    allow_local.routes["/echo"] = (201, {"X-Reply": "yes"}, b"created")
    with caplog.at_level(logging.INFO, logger="stage.egress"):
        response = egress_fetch(
            url=allow_local.url("/echo"), method="post", headers={"X-Token": "t1"}, body=b"\x00\x01", app="app_log"
        )
    assert response.status == 201 and response.header("x-reply") == "yes"
    seen = allow_local.requests[0]
    assert (seen["method"], seen["body"], seen["headers"]["X-Token"]) == ("POST", b"\x00\x01", "t1")
    assert seen["headers"]["Host"] == f"127.0.0.1:{allow_local.port}"
    assert any("app=app_log" in r.message and "status=201" in r.message for r in caplog.records)


def test_a_redirect_to_the_metadata_address_is_refused(allow_local):
    allow_local.routes["/go"] = (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b"")
    with pytest.raises(EgressRefused, match="metadata"):
        egress_fetch(url=allow_local.url("/go"))


def test_a_redirect_to_a_refused_encoded_loopback_is_refused(allow_local):
    allow_local.routes["/go"] = (307, {"Location": "http://0x7f000001:6379/"}, b"")
    with pytest.raises(EgressRefused):
        egress_fetch(url=allow_local.url("/go"))


def test_allowed_redirects_are_followed_and_303_turns_into_get(allow_local):
    allow_local.routes["/a"] = (303, {"Location": "/b"}, b"")
    allow_local.routes["/b"] = (200, {}, b"landed")
    response = egress_fetch(url=allow_local.url("/a"), method="POST", body=b"x")
    assert (response.status, response.body, response.redirects) == (200, b"landed", [allow_local.url("/b")])
    assert [r["method"] for r in allow_local.requests] == ["POST", "GET"]


def test_redirect_loops_stop(allow_local):
    allow_local.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(EgressFailed, match="redirects"):
        egress_fetch(url=allow_local.url("/loop"), max_redirects=3)
    assert len(allow_local.requests) == 4


def test_response_size_is_capped(allow_local):
    allow_local.routes["/big"] = (200, {}, b"x" * 200_000)
    with pytest.raises(EgressTooLarge):
        egress_fetch(url=allow_local.url("/big"), max_bytes=100_000)


def test_response_time_is_capped(allow_local):
    allow_local.routes["/slow"] = (200, {}, 3.0)
    with pytest.raises(EgressTimeout):
        egress_fetch(url=allow_local.url("/slow"), timeout=0.5)


def test_a_closed_port_is_an_upstream_failure(settings):
    settings.STAGE_EGRESS_ALLOW = ["127.0.0.1:1"]
    with pytest.raises(EgressFailed):
        egress_fetch(url="http://127.0.0.1:1/")
