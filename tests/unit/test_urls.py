"""The gateway address: parsed once, checked strictly. Whatever text a user or an environment
variable gives, it is refused with a reason or yields an address httpx accepts as it is."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.api.urls import check_gateway_url

HOSTS = ["127.0.0.1", "localhost", "[::1]", "example.com", "Example.COM", "a..b", "-a.com",
         "xn--.com", "xn--7a", "☃.com", "bücher.de", "exa mple.com", "a_b.com", "1.2.3.999",
         "[::1", "[fe80::1%25eth0]", "0x7f.1", "%41.com", "a.com.", "..", "\x1b[2J", "a" * 300]


@pytest.mark.parametrize("url, plain", [
    ("https://Example.COM:443/", "https://example.com:443"),
    ("HTTPS://bücher.de", "https://xn--bcher-kva.de"),
    ("http://[0:0::1]:8080", "http://[::1]:8080"),
])
def test_the_address_is_rebuilt_from_what_was_checked(url, plain):
    assert check_gateway_url(url) == plain


@pytest.mark.parametrize("url", ["https://exa mple.com", "https://a..b", "https://-a.com",
                                 "https://xn--7a", "https://1.2.3.999", "https://\x1b[2J",
                                 "https://a_b.com", "https://user@example.com"])
def test_hosts_httpx_would_refuse_or_misread_are_refused_now(url):
    with pytest.raises(ValueError, match="Gateway URL"):
        check_gateway_url(url)


@settings(max_examples=400, deadline=None)
@given(scheme=st.sampled_from(["http", "https", "HTTPS", "file", "", "ftp"]),
       userinfo=st.sampled_from(["", "user@", "user:pw@", ":@"]),
       host=st.one_of(st.text(max_size=20), st.sampled_from(HOSTS)),
       port=st.one_of(st.none(), st.text(max_size=6), st.integers(-5, 70_000).map(str)),
       rest=st.sampled_from(["", "/", "/path", "?q", "#f"]))
def test_any_text_is_refused_or_an_address_httpx_takes_as_is(scheme, userinfo, host, port,
                                                            rest):
    url = f"{scheme}://{userinfo}{host}" + (f":{port}" if port is not None else "") + rest
    try:
        plain = check_gateway_url(url)
    except ValueError as exc:
        assert "pw" not in str(exc)  # a password is never repeated
        return
    with httpx.Client(base_url=plain) as client:
        request = client.build_request("GET", "/toggl/api/v9/me")
    assert request.url.scheme in ("http", "https") and not request.url.userinfo
    assert str(request.url).startswith(plain)
