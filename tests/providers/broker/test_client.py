"""`BrokerConfig` and `BrokerClient`: configuration from the Pact variables, HAL relations, one-line errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from providers.broker.client import BrokerClient, BrokerConfig, BrokerNotFound, expand
from providers.errors import BrokerError, ConfigError
from stubs.server import BackgroundServer, bind, url_of
from tests.providers.broker.fake_broker import FakeBroker
from tests.providers.broker.support import TOKEN


@pytest.fixture
def broker() -> Iterator[FakeBroker]:
    with FakeBroker(token=TOKEN) as fake:
        yield fake


def client(url: str, **kwargs: object) -> BrokerClient:
    return BrokerClient(BrokerConfig(url, **kwargs))  # type: ignore[arg-type]


def test_the_standard_pact_variables_configure_it() -> None:
    env = {"PACT_BROKER_BASE_URL": "https://broker.example/", "PACT_BROKER_TOKEN": TOKEN}
    config = BrokerConfig.from_env(env)
    assert (config.base_url, config.token, config.auth_kind) == ("https://broker.example", TOKEN, "token")
    assert TOKEN not in repr(config)
    basic = BrokerConfig.from_env(
        {"PACT_BROKER_BASE_URL": "http://b", "PACT_BROKER_USERNAME": "u", "PACT_BROKER_PASSWORD": "p"}
    )
    assert (basic.username, basic.password, basic.auth_kind) == ("u", "p", "basic")
    in_url = BrokerConfig.from_env({"PACT_BROKER_BASE_URL": "http://me:pw@b:9292/ctx"})
    assert (in_url.base_url, in_url.username, in_url.password) == ("http://b:9292/ctx", "me", "pw")
    flag = BrokerConfig.from_env({"PACT_BROKER_BASE_URL": "http://env"}, base_url="http://flag")
    assert flag.base_url == "http://flag"


def test_configuration_names_variables_never_secrets() -> None:
    env = {"BROKER_URL": "http://b", "MY_TOKEN": TOKEN}
    config = BrokerConfig.from_mapping(
        {"base_url_env": "BROKER_URL", "token_env": "MY_TOKEN", "retries": 0}, env
    )
    assert (config.base_url, config.token, config.retries) == ("http://b", TOKEN, 0)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no Pact Broker configured: set PACT_BROKER_BASE_URL"),
        ({"PACT_BROKER_BASE_URL": "ftp://b"}, "is not an http(s) URL"),
        ({"PACT_BROKER_BASE_URL": "http://b", "PACT_BROKER_USERNAME": "u"}, "a username needs a password"),
    ],
)
def test_bad_configuration_is_one_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match="^[^\n]*$") as caught:
        BrokerConfig.from_env(env)
    assert message in str(caught.value)


def test_relations_come_from_the_index_and_templates_are_encoded(broker: FakeBroker) -> None:
    with client(broker.url, token=TOKEN) as c:
        url = c.relation("pb:provider-pacts-for-verification", provider="a service/with space")
        assert url == f"{broker.url}/pacts/provider/a%20service%2Fwith%20space/for-verification"
        c.relation("pb:environments")
    assert len(broker.received("GET", "/")) == 1  # the index is fetched once
    assert expand("/x/{a}/{b}", {"a": "1", "b": "ü?"}) == "/x/1/%C3%BC%3F"


def test_hrefs_stay_on_the_configured_origin(broker: FakeBroker) -> None:
    with client(broker.url, token=TOKEN) as c:
        assert c.url("http://internal-broker:9292/pacticipants/x") == f"{broker.url}/pacticipants/x"


def test_a_missing_relation_says_so(broker: FakeBroker) -> None:
    with client(broker.url, token=TOKEN) as c, pytest.raises(BrokerError, match="no 'pb:nope' relation"):
        c.relation("pb:nope")


def test_a_broker_that_is_down_is_one_line_naming_the_url() -> None:
    sock = bind()
    url = url_of(sock)
    sock.close()
    with client(url, token=TOKEN, retries=0) as c, pytest.raises(BrokerError) as caught:
        c.index()
    assert str(caught.value) == f"Pact Broker unreachable: GET {url}/ (ConnectError)"


def test_5xx_is_one_line_and_retried_only_for_gateway_errors(broker: FakeBroker) -> None:
    broker.fail_with = 500
    with client(broker.url, token=TOKEN, retries=2) as c, pytest.raises(BrokerError) as caught:
        c.index()
    assert str(caught.value) == f"Pact Broker failed (HTTP 500): GET {broker.url}/"
    assert len(broker.requests) == 1
    broker.fail_with = 503
    slept: list[float] = []
    with BrokerClient(BrokerConfig(broker.url, token=TOKEN, retries=2), sleep=slept.append) as c:
        with pytest.raises(BrokerError, match=r"HTTP 503"):
            c.index()
    assert len(broker.requests) == 1 + 3 and slept == [0.5, 1.0]


def test_refused_credentials_never_show_the_token(broker: FakeBroker) -> None:
    with client(broker.url, token="wrong-" + TOKEN) as c, pytest.raises(BrokerError) as caught:
        c.index()
    message = str(caught.value)
    assert message == f"Pact Broker refused the token in PACT_BROKER_TOKEN (HTTP 401): GET {broker.url}/"
    assert TOKEN not in message


def test_basic_credentials_are_sent_and_refused_ones_said_so() -> None:
    with FakeBroker(username="ci", password="pa55word") as fake:
        with client(fake.url, username="ci", password="pa55word") as c:
            assert "pb:publish-contracts" in c.index()["_links"]
        with client(fake.url, username="ci", password="nope-nope") as c, pytest.raises(BrokerError) as caught:
            c.index()
        assert "refused PACT_BROKER_USERNAME/PACT_BROKER_PASSWORD (HTTP 401)" in str(caught.value)
        assert "nope-nope" not in str(caught.value)


def test_rejections_carry_the_brokers_reason_and_404_is_its_own_error(broker: FakeBroker) -> None:
    with client(broker.url, token=TOKEN) as c:
        with pytest.raises(BrokerError) as caught:
            c.post(c.relation("pb:publish-contracts"), {"pacticipantName": "x"})
        assert "(HTTP 400): pacticipantVersionNumber: pacticipantVersionNumber is missing" in str(
            caught.value
        )
        with pytest.raises(BrokerNotFound, match=r"has no GET .*/pacticipants/ghost \(HTTP 404\)"):
            c.get(c.relation("pb:pacticipant", pacticipant="ghost"))


def test_an_answer_that_is_not_hal_json_is_refused() -> None:
    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse("<html>a website</html>")

    with BackgroundServer(Starlette(routes=[Route("/", page)]), bind()) as site:
        with client(site.url) as c, pytest.raises(BrokerError, match="with text/html, not HAL JSON"):
            c.index()
