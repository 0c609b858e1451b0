"""The deprecation headers' wire formats: RFC 9745 dates, RFC 8594/9110 HTTP-dates, RFC 8288 links."""

from __future__ import annotations

import pytest

from providers.versioning.rfc import parse_http_date, parse_links, parse_sf_date


def test_a_structured_field_date_is_read_with_or_without_parameters() -> None:
    assert parse_sf_date("@1767225600") == 1767225600
    assert parse_sf_date(" @0;reason=x ") == 0
    assert parse_sf_date("@-1") == -1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("true", "withdrawn draft syntax"),
        ("1767225600", "not a structured-field date"),
        ("@1.5", "not a structured-field date"),
        ("Thu, 01 Jan 2026 00:00:00 GMT", "not a structured-field date"),
        ("", "not a structured-field date"),
    ],
)
def test_anything_else_is_refused_with_the_reason(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_sf_date(value)


def test_an_imf_fixdate_is_read() -> None:
    assert parse_http_date("Sat, 01 Jan 2028 00:00:00 GMT") == 1830297600
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Sunday, 06-Nov-94 08:49:37 GMT", "IMF-fixdate"),  # RFC 850: recipients accept it, senders must not
        ("Sun Nov  6 08:49:37 1994", "IMF-fixdate"),  # asctime
        ("Mon, 06 Nov 1994 08:49:37 GMT", "is a Sun, not a Mon"),
        ("Thu, 31 Feb 2028 00:00:00 GMT", "not a calendar date"),
        ("Sat, 01 Jan 2028 00:00:00 UTC", "IMF-fixdate"),
        ("1830297600", "IMF-fixdate"),
    ],
)
def test_other_date_forms_are_refused(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_http_date(value)


def test_links_are_split_across_lines_commas_and_quoted_parameters() -> None:
    links = parse_links(
        [
            '</v2/threads>; rel="successor-version", <https://docs.example.com/a,b>; rel="deprecation"; '
            'title="v1, retired"',
            '</v2/x>; REL="alternate successor-version"; rel=ignored',
        ]
    )
    assert [link.target for link in links] == ["/v2/threads", "https://docs.example.com/a,b", "/v2/x"]
    assert links[0].rels == ("successor-version",)
    assert links[1].params["title"] == "v1, retired"
    assert links[2].rels == ("alternate", "successor-version")  # first rel counts, case-insensitive


def test_a_link_without_angle_brackets_is_refused() -> None:
    with pytest.raises(ValueError, match="must be written '<URI-reference>'"):
        parse_links(['/v2/threads; rel="successor-version"'])
