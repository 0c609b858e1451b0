"""What `init` finds in a team's own specs: the login, the creating operations, what is left to decide."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from contracts import openapi_specs
from providers.discovery import discover, state_name, states_of

FASTAPI_LIKE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Shop", "version": "0.1.0"},
    "paths": {
        "/token": {
            "post": {
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {"$ref": "#/components/schemas/Body_login"}
                        }
                    },
                    "required": True,
                },
                "responses": {
                    "200": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}}
                    }
                },
            }
        },
        "/orders": {
            "post": {
                "security": [{"OAuth2PasswordBearer": []}],
                "responses": {
                    "201": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}
                    }
                },
            }
        },
        "/orders/{order_id}": {
            "get": {
                "security": [{"OAuth2PasswordBearer": []}],
                "responses": {"200": {"description": "ok"}, "404": {"description": "no"}},
            },
            "delete": {
                "security": [{"OAuth2PasswordBearer": []}],
                "responses": {"204": {"description": "gone"}},
            },
        },
        "/orders/{order_id}/lines": {
            "post": {
                "security": [{"OAuth2PasswordBearer": []}],
                "responses": {
                    "201": {
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "properties": {"line_id": {"type": "integer"}}}
                            }
                        }
                    }
                },
            }
        },
        "/lines/{line_id}": {
            "get": {"security": [{"OAuth2PasswordBearer": []}], "responses": {"200": {"description": "ok"}}}
        },
        "/admin": {
            "get": {
                "security": [{"OAuth2PasswordBearer": []}],
                "responses": {"200": {"description": "ok"}, "403": {"description": "no"}},
            }
        },
        "/reports/{report_id}": {
            "get": {"security": [{"OAuth2PasswordBearer": []}], "responses": {"200": {"description": "ok"}}}
        },
    },
    "components": {
        "schemas": {
            "Body_login": {
                "type": "object",
                "properties": {
                    "grant_type": {"type": "string", "pattern": "^password$"},
                    "username": {"type": "string"},
                    "password": {"type": "string"},
                    "scope": {"type": "string", "default": ""},
                },
                "required": ["username", "password"],
            },
            "Token": {
                "type": "object",
                "properties": {"access_token": {"type": "string"}, "token_type": {"type": "string"}},
            },
            "Order": {"type": "object", "properties": {"id": {"type": "integer"}}},
        },
        "securitySchemes": {
            "OAuth2PasswordBearer": {
                "type": "oauth2",
                "flows": {"password": {"scopes": {}, "tokenUrl": "token"}},
            }
        },
    },
}


def specs_of(tmp_path: Path, document: dict[str, Any]) -> Any:
    (tmp_path / "openapi").mkdir()
    (tmp_path / "openapi" / "shop.yaml").write_text(yaml.safe_dump(document))
    return openapi_specs(tmp_path)


def test_a_fastapi_password_flow_is_the_login_with_its_form_fields(tmp_path: Path) -> None:
    findings = discover(specs_of(tmp_path, FASTAPI_LIKE))
    login = findings.login
    assert login is not None
    assert (login.path, login.encoding, login.token) == ("/token", "form", "/access_token")
    assert dict(login.fields) == {
        "username": "{username}",
        "password": "{password}",
        "grant_type": "password",
        "scope": "{scopes}",
    }
    assert findings.schemes == {"OAuth2PasswordBearer": "user"}


def test_resources_are_created_by_their_collections_post_and_nested_ones_chain(tmp_path: Path) -> None:
    findings = discover(specs_of(tmp_path, FASTAPI_LIKE))
    assert set(findings.created) == {"order_id", "line_id"}
    assert findings.created["order_id"].capture == "/id"
    assert findings.created["line_id"].capture == "/line_id"
    assert findings.created["line_id"].needs == ("order_id",)
    assert "report_id" in findings.uncreated
    states = states_of(findings)
    assert [s["request"] for s in states["a line exists"]["steps"]] == [
        "POST /orders",
        "POST /orders/{order_id}/lines",
    ]
    assert states["an order exists"]["undo"] == [{"request": "DELETE /orders/{order_id}"}]
    assert state_name("order_id") == "an order exists"


def test_what_a_person_must_decide_is_listed(tmp_path: Path) -> None:
    findings = discover(specs_of(tmp_path, FASTAPI_LIKE))
    assert findings.forbidding == ["GET /admin"]


def test_a_json_login_without_oauth2_is_found_by_its_shape(tmp_path: Path) -> None:
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "x", "version": "1"},
        "paths": {
            "/auth/login": {
                "post": {
                    "security": [],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "email": {"type": "string"},
                                        "password": {"type": "string"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "data": {
                                                "type": "object",
                                                "properties": {"jwt": {"type": "string"}},
                                            }
                                        },
                                    }
                                }
                            }
                        }
                    },
                }
            }
        },
    }
    login = discover(specs_of(tmp_path, document)).login
    assert login is not None
    assert (login.path, login.encoding, login.token) == ("/auth/login", "json", "/data/jwt")
    assert dict(login.fields) == {"email": "{username}", "password": "{password}"}
