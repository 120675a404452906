"""The outbound network policy: every call the platform makes on behalf of an app goes through here.

http and https only; names are resolved and every address checked (loopback, private, link-local, multicast,
reserved and metadata addresses are refused, in IPv4, IPv6 and the encoded forms `inet_aton` accepts such as
`2130706433`, `0x7f.1`, `0177.0.0.1`, `::ffff:127.0.0.1`); the connection goes to the address that was checked
(no second lookup to rebind); redirects are followed by hand and re-checked; response size and time are capped;
every call is logged with the app and the status. `STAGE_EGRESS_ALLOW` names `host:port` pairs that skip the
address check (tests and operators reaching named local servers).

Plain Python API for every caller (backends' `fetch`, workflow webhooks and Slack deliveries):

    check_url(url) -> Target                 # parse, resolve, refuse; raises EgressRefused
    egress_fetch(url=..., method=..., headers=..., body=..., app="app_x") -> EgressResponse
"""

import ipaddress
import logging
import socket
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

from core.errors import StageError, UpstreamUnavailable

logger = logging.getLogger("stage.egress")

_METADATA = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack
    ipaddress.ip_address("100.100.100.200"),  # Alibaba
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
}
_REDIRECTS = {301, 302, 303, 307, 308}
_HOP_HEADERS = {
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "content-encoding",
}


class EgressRefused(StageError):
    status_code = HTTPStatus.FORBIDDEN
    code = "EGRESS_REFUSED"
    default_message = "This outbound address is not allowed."


class EgressFailed(UpstreamUnavailable):
    default_message = "The outbound request failed."


class EgressTimeout(StageError):
    status_code = HTTPStatus.GATEWAY_TIMEOUT
    code = "TIMEOUT"
    default_message = "The outbound request took too long."


class EgressTooLarge(StageError):
    status_code = HTTPStatus.BAD_GATEWAY
    code = "UPSTREAM_TOO_LARGE"
    default_message = "The outbound response is too large."


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[str, ...]


@dataclass
class EgressResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    url: str
    redirects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


_shared_client: httpx.Client | None = None


def _client() -> httpx.Client:
    """One client per process: building one loads the CA bundle (~50 ms). No keep-alive, because connections
    go to pinned addresses and a pooled TLS connection must never serve another host name."""
    global _shared_client
    if _shared_client is None:
        _shared_client = httpx.Client(
            follow_redirects=False, trust_env=False, limits=httpx.Limits(max_keepalive_connections=0)
        )
    return _shared_client


def allowed_pairs() -> set[str]:
    return {entry.strip().lower() for entry in settings.STAGE_EGRESS_ALLOW if entry.strip()}


def parse_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a literal host names, in any form a resolver would accept; None for a DNS name."""
    text = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    try:  # legacy encodings: 2130706433, 0x7f000001, 0177.0.0.1, 127.1
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


def refusal_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address may not be reached from an app, or None when it is a public unicast address."""
    if address in _METADATA:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is None and address in ipaddress.ip_network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            inner = refusal_reason(embedded)
            return f"an IPv6 form of {embedded} ({inner})" if inner else None
    for label, test in (
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("an unspecified address", address.is_unspecified),
        ("a private address", address.is_private),
        ("a reserved address", address.is_reserved),
        ("not a public address", not address.is_global),
    ):
        if test:
            return label
    return None


def check_url(url: str) -> Target:
    """Parse, resolve and check an outbound URL; raise EgressRefused with the reason."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise EgressRefused(f"Malformed URL: {exc}.") from None
    if parts.scheme not in ("http", "https"):
        raise EgressRefused("Only http and https URLs may be fetched.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise EgressRefused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise EgressRefused("Credentials in the URL are not allowed; send a header.")
    port = port or (443 if parts.scheme == "https" else 80)
    allowed = f"{host.lower()}:{port}" in allowed_pairs()
    literal = parse_ip(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise EgressRefused(f"The host {host} does not resolve.") from None
        addresses = list(dict.fromkeys(parse_ip(info[4][0]) for info in infos))
    if not allowed:
        for address in addresses:
            reason = refusal_reason(address)
            if reason:
                raise EgressRefused(f"{host} is {reason} ({address}); outbound calls may reach public hosts only.")
    return Target(url=url, scheme=parts.scheme, host=host, port=port, addresses=tuple(str(a) for a in addresses))


def _pinned_request(target: Target, method: str, headers: dict, body: bytes | None, timeout: float):
    """A request to the checked address itself, with the original Host and TLS name."""
    parts = urlsplit(target.url)
    address = target.addresses[0]
    netloc = f"[{address}]" if ":" in address else address
    pinned = parts._replace(netloc=f"{netloc}:{target.port}").geturl()
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    headers = {**headers, "Host": host_header}
    return _client().build_request(
        method, pinned, headers=headers, content=body, extensions=extensions, timeout=timeout
    )


def _read_capped(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():  # decoded, so the cap also bounds a compression bomb
        size += len(chunk)
        if size > max_bytes:
            raise EgressTooLarge(f"The response from {response.request.url.host} exceeds {max_bytes} bytes.")
        if time.monotonic() > deadline:
            raise EgressTimeout("The outbound request took too long.")
        chunks.append(chunk)
    return b"".join(chunks)


def egress_fetch(
    *,
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    app: str = "",
    timeout: float | None = None,
    max_bytes: int | None = None,
    max_redirects: int | None = None,
) -> EgressResponse:
    """Make one outbound call under the policy, following redirects by hand so each hop is checked."""
    timeout = timeout or settings.STAGE_EGRESS_TIMEOUT_SECONDS
    max_bytes = max_bytes or settings.STAGE_EGRESS_MAX_BYTES
    max_redirects = settings.STAGE_EGRESS_MAX_REDIRECTS if max_redirects is None else max_redirects
    headers = {k: v for k, v in (headers or {}).items() if k.lower() not in _HOP_HEADERS}
    method = method.upper()
    deadline = time.monotonic() + timeout
    redirects: list[str] = []
    started = time.monotonic()
    status: int | str = "refused"
    try:
        client = _client()
        while True:
            target = check_url(url)
            request = _pinned_request(target, method, headers, body, timeout)
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException:
                status = "timeout"
                raise EgressTimeout(f"{target.host} did not answer within {timeout:g} s.") from None
            except httpx.HTTPError as exc:
                status = "error"
                raise EgressFailed(f"Could not reach {target.host}: {exc.__class__.__name__}.") from None
            try:
                status = response.status_code
                location = response.headers.get("location")
                if status in _REDIRECTS and location:
                    if len(redirects) >= max_redirects:
                        raise EgressFailed(f"More than {max_redirects} redirects.")
                    next_url = urljoin(url, location)
                    if urlsplit(next_url).netloc != urlsplit(url).netloc:
                        headers = {k: v for k, v in headers.items() if k.lower() not in ("authorization", "cookie")}
                    if status == 303 or (status in (301, 302) and method not in ("GET", "HEAD")):
                        method, body = "GET", None
                    redirects.append(next_url)
                    url = next_url
                    continue
                content = _read_capped(response, max_bytes, deadline)
                return EgressResponse(
                    status=status,
                    headers=[(k, v) for k, v in response.headers.multi_items() if k.lower() not in _HOP_HEADERS],
                    body=content,
                    url=url,
                    redirects=redirects,
                )
            finally:
                response.close()
    except httpx.TimeoutException:
        status = "timeout"
        raise EgressTimeout("The outbound request took too long.") from None
    except httpx.HTTPError as exc:
        raise EgressFailed(f"The outbound request failed: {exc.__class__.__name__}.") from None
    finally:
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info("egress app=%s %s %s status=%s ms=%.0f", app or "-", method, url, status, elapsed_ms)
