"""The document at /openapi.json describes every route of the API and nothing else, is valid
OpenAPI 3.1, and what the server really answers, success or error, matches it."""

import copy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version

import pytest
import schemathesis
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from portal import create_app
from portal.api.auth import PUBLIC_ENDPOINTS
from portal.api.openapi import REQUEST_MODELS
from portal.api.openapi_builders import REF_TEMPLATE
from portal.extensions import db
from portal.services.audit import audit_log_exports, audit_log_schemas, log_streams
from portal.services.audit.log_streams import StreamSettings
from portal.services.delivery import webhooks
from portal.services.organizations import organization_domains
from portal.services.sso import connections
from portal.services.sso.connections import ConnectionSettings
from tests.environment import config_for
from tests.factories import make_directory, make_organization, make_sp_key_pair
from tests.peers.saml_idp import make_key_pair
from tests.scim.scim_client import provision_user_in_group

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
FLASK_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
DOCUMENT_URI = "urn:portal:openapi"
OVERSIZE_BODY = b" " * (1024 * 1024 + 1)
UNREADABLE_BODIES = [(b'{"name": ', "application/json"), (b"name=Acme", "text/plain")]


@pytest.fixture(scope="module")
def bare_app():
    """The app without a database: enough to serve the document and list the routes."""
    return create_app(config_for("sqlite://"))


@pytest.fixture(scope="module")
def document(bare_app):
    response = bare_app.test_client().get("/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


@pytest.fixture
def ids(app, tmp_path):
    """Path values: an organization with a verified and a pending domain, next to another."""
    org = make_organization(
        "Acme", domains=[("acme.com", "verified"), "pending.acme.com"], external_id="acme-1"
    )
    make_organization("Other", external_id="other-1")
    by_state = {domain.state: domain.id for domain in org.domains}
    endpoint = webhooks.create_endpoint(HOOK_URL, ["organization.created"])
    webhooks.create_endpoint(OTHER_HOOK_URL, ["organization.deleted"])
    directory, token = make_directory(org)
    user_id, group_id = provision_user_in_group(directory, token)
    return {
        "directory_id": directory.id,
        "user_id": user_id,
        "group_id": group_id,
        "organization_id": org.id,
        "external_id": "acme-1",
        "domain_id": by_state["pending"],
        "verified_domain_id": by_state["verified"],
        "endpoint_id": endpoint.id,
        **_connection_ids(org, tmp_path),
        **_audit_log_ids(org),
    }


def _audit_log_ids(org) -> dict:
    """An action whose schema wants a `user` target, a pending export, a Splunk log stream."""
    audit_log_schemas.create_schema(ACTION, {"targets": [{"type": "user"}]})
    log_streams.configure(org.id, StreamSettings("splunk", "https://1.1.1.1:8088", credential="t"))
    export = audit_log_exports.create_export(audit_log_exports.ExportRequest(org.id, *EXPORT_RANGE))
    return {"action_name": ACTION, "export_id": export.id}


def _connection_ids(org, folder) -> dict:
    """A SAML connection with two IdP certificates (so one may go), and a spare PEM."""
    pems = [make_key_pair(folder, f"idp{i}")[2] for i in range(3)]
    connection = connections.create_connection(
        org.id,
        ConnectionSettings(
            connection_type="OktaSAML",
            saml={
                "idp_entity_id": "https://idp.test",
                "idp_sso_url": "https://idp.test/sso",
                "idp_signing_certs": pems[:2],
            },
        ),
    )
    return {
        "connection_id": connection.id,
        "certificate_id": connection.certificates[0].id,
        "second_certificate": pems[2],
        "signing_certificate_id": make_sp_key_pair(connection, "signing").id,
        "encryption_certificate_id": make_sp_key_pair(connection, "encryption").id,
    }


def test_sp_certificates_answer_documented_201_409_and_400(api, document, ids):
    # A first signing pair (201), a third encryption pair (409), an OIDC connection (400).
    assert api.delete(fill(SP_SIGNING_ONE, ids)).status_code == 204
    created = api.post(fill(SP_SIGNING, ids))
    assert created.status_code == 201
    assert_matches_document(document, created, SP_SIGNING, "post")
    assert api.post(fill(SP_ENCRYPTION, ids)).status_code == 201
    too_many = api.post(fill(SP_ENCRYPTION, ids))
    assert too_many.status_code == 409
    assert_matches_document(document, too_many, SP_ENCRYPTION, "post")
    oidc = connections.create_connection(
        ids["organization_id"],
        ConnectionSettings(connection_type="GenericOIDC", oidc={"client_id": "c"}),
    )
    for path, method in operations(document):
        if path in SP_PATHS:
            url = fill(path, {**ids, "connection_id": oidc.id})
            response = api.open(url, method=method.upper())
            assert response.status_code == 400, (path, method)
            assert_matches_document(document, response, path, method)


def test_removing_the_last_certificate_of_a_live_connection_is_a_documented_409(api, document, ids):
    certificates = fill(CERTIFICATES, ids)
    for certificate in api.get(certificates).get_json()["data"][1:]:
        assert api.delete(f"{certificates}/{certificate['id']}").status_code == 204
    response = api.delete(fill(CERTIFICATE, ids))
    assert response.status_code == 409
    assert_matches_document(document, response, CERTIFICATE, "delete")


def test_restarting_a_domain_verified_elsewhere_is_a_documented_409(api, document, ids):
    rival = make_organization("Rival", domains=["pending.acme.com"]).domains[0]
    organization_domains.mark_verified(rival, strategy="dns")
    db.session.commit()
    response = api.post(fill(DOMAIN + "/verify", ids))
    assert response.status_code == 409
    assert_matches_document(document, response, DOMAIN + "/verify", "post")


def api_routes(app) -> dict[tuple[str, str], str]:
    """(OpenAPI path, method) -> endpoint, for every route of the `api` blueprint."""
    return {
        (FLASK_VARIABLE.sub(r"{\1}", rule.rule), method.lower()): rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def operations(document: dict) -> dict[tuple[str, str], dict]:
    return {
        (path, method): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }


def needs_key(operation: dict) -> bool:
    return operation.get("security") != []


def registry(document: dict) -> Registry:
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    return Registry().with_resource(DOCUMENT_URI, resource)


def json_pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def assert_matches_document(document: dict, response, path: str, method: str) -> None:
    """The status is documented for the operation, and the body has the documented shape."""
    status = str(response.status_code)
    documented = document["paths"][path][method]["responses"]
    assert status in documented, f"{method.upper()} {path} answered an undocumented {status}"
    if "content" not in documented[status]:
        assert response.data == b""
        return
    assert response.mimetype == "application/json"
    pointer = json_pointer(
        "paths", path, method, "responses", status, "content", "application/json", "schema"
    )
    validator = Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#{pointer}"},
        registry=registry(document),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(response.get_json())]
    assert not errors, f"{method.upper()} {path} {status}: {errors}"


def fill(path: str, values: dict) -> str:
    return re.sub(r"{(\w+)}", lambda match: values[match.group(1)], path)


# The document's structure


def test_every_api_route_is_documented_and_nothing_else(bare_app, document):
    assert set(operations(document)) == set(api_routes(bare_app))


def test_each_operation_is_named_after_its_view(bare_app, document):
    named = {key: f"api.{op['operationId']}" for key, op in operations(document).items()}
    assert named == api_routes(bare_app)


def test_only_the_public_endpoints_skip_the_api_key(document):
    assert document["components"]["securitySchemes"]["bearerAuth"]["type"] == "http"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]
    public = {
        f"api.{op['operationId']}" for op in operations(document).values() if not needs_key(op)
    }
    assert public == PUBLIC_ENDPOINTS
    for operation in operations(document).values():
        assert ("401" in operation["responses"]) == needs_key(operation)


def test_path_parameters_are_those_of_the_path(document):
    for path, item in document["paths"].items():
        for method in item.keys() & HTTP_METHODS:
            parameters = item.get("parameters", []) + item[method].get("parameters", [])
            declared = {p["name"] for p in parameters if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), f"{method} {path}"


def test_the_document_names_the_api_and_where_it_is_served(bare_app, document):
    assert document["info"]["title"] == "portal"
    assert document["info"]["version"] == version("portal")
    assert document["servers"] == [{"url": bare_app.config["PORTAL_PUBLIC_URL"]}]


def test_the_document_is_valid_openapi_3_1(document):
    assert re.fullmatch(r"3\.1\.\d+", document["openapi"])
    schemathesis.openapi.from_dict(copy.deepcopy(document)).validate()


def test_every_schema_is_valid_json_schema_2020_12(document):
    parameters = [
        parameter
        for item in document["paths"].values()
        for operation in [item, *(item[m] for m in item.keys() & HTTP_METHODS)]
        for parameter in operation.get("parameters", [])
    ]
    for schema in [*document["components"]["schemas"].values(), *(p["schema"] for p in parameters)]:
        Draft202012Validator.check_schema(schema)


def references(node) -> list[str]:
    """Every `$ref` in a JSON value."""
    if isinstance(node, list):
        return [ref for value in node for ref in references(value)]
    if not isinstance(node, dict):
        return []
    found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
    return found + references(list(node.values()))


def test_every_reference_resolves(document):
    resolver = registry(document).resolver(DOCUMENT_URI)
    assert references(document)
    for reference in references(document):
        resolver.lookup(reference)


def test_request_bodies_are_the_pydantic_models(document):
    components = document["components"]["schemas"]
    for model in REQUEST_MODELS:
        schema = model.model_json_schema(ref_template=REF_TEMPLATE)
        for name, definition in {**schema.pop("$defs", {}), model.__name__: schema}.items():
            assert components[name] == definition, name


# Real responses against the document


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # as documented
    status: int
    query: str = ""
    body: dict | None = None

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}{self.query} {self.status}"


ORGANIZATION = "/organizations/{organization_id}"
DOMAIN = "/organization_domains/{domain_id}"
ENDPOINT = "/webhook_endpoints/{endpoint_id}"
DIRECTORY = "/directories/{directory_id}"
CONNECTION = "/connections/{connection_id}"
CERTIFICATES = CONNECTION + "/saml_idp_signing_certs"
CERTIFICATE = CERTIFICATES + "/{certificate_id}"
SP_SIGNING = CONNECTION + "/saml_sp_signing_cert"
SP_SIGNING_ONE = SP_SIGNING + "/{signing_certificate_id}"
SP_ENCRYPTION = CONNECTION + "/saml_sp_encryption_certs"
SP_ENCRYPTION_ONE = SP_ENCRYPTION + "/{encryption_certificate_id}"
SP_PATHS = (SP_SIGNING, SP_SIGNING_ONE, SP_ENCRYPTION, SP_ENCRYPTION_ONE)
# Public addresses, so no DNS is needed and the outbound address rules accept them.
HOOK_URL = "https://1.1.1.1/hooks"
OTHER_HOOK_URL = "https://1.0.0.1/hooks"
MISSING = {
    "organization_id": "org_01M00000000000000000000000",
    "domain_id": "org_domain_01M00000000000000000000000",
    "external_id": "nobody",
    "endpoint_id": "we_01M00000000000000000000000",
    "directory_id": "directory_01M00000000000000000000000",
    "user_id": "directory_user_01M00000000000000000000000",
    "group_id": "directory_group_01M00000000000000000000000",
    "connection_id": "conn_01M00000000000000000000000",
    "certificate_id": "cert_01M00000000000000000000000",
    "signing_certificate_id": "sp_key_pair_01M00000000000000000000000",
    "encryption_certificate_id": "sp_key_pair_01M00000000000000000000000",
    "action_name": "nobody.did_this",
    "export_id": "audit_log_export_01M00000000000000000000000",
}
ACTION = "user.signed_in"
EXPORT_RANGE = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
AUDIT_EVENT = {
    "action": ACTION,
    "occurred_at": "2026-11-24T10:00:00.000Z",
    "actor": {"id": "user_1", "type": "user", "name": "Ada", "metadata": {"role": "admin"}},
    "targets": [{"id": "user_2", "type": "user"}],
    "context": {"location": "203.0.113.7", "user_agent": "Firefox"},
    "metadata": {"attempts": 1, "mfa": True},
}
EXPORT = {
    "organization_id": "{organization_id}",
    "range_start": "2026-01-01T00:00:00Z",
    "range_end": "2027-01-01T00:00:00Z",
    "actions": [ACTION],
}
ACTION_SCHEMAS = "/audit_logs/actions/{action_name}/schemas"
AUDIT_EXPORT = "/audit_logs/exports/{export_id}"
DOWNLOAD = AUDIT_EXPORT + "/download"
RETENTION = ORGANIZATION + "/audit_logs_retention"
HOOK = {"endpoint_url": "https://8.8.8.8/portal", "events": ["organization.created"]}
LINK = {"organization": "{organization_id}", "intent": "sso"}

CALLS = [
    Call("get", "/healthz", 200),
    Call("get", "/openapi.json", 200),
    Call("get", "/organizations", 200),
    Call("get", "/organizations", 200, "?limit=1&order=normal&domains=acme.com&search=ac"),
    Call("get", "/organizations", 422, "?limit=0"),
    Call("get", "/organizations", 422, "?domains=not_a_domain"),
    Call(
        "post",
        "/organizations",
        201,
        body={
            "name": "Globex",
            "domain_data": [{"domain": "globex.com", "state": "verified"}],
            "external_id": "globex-1",
            "metadata": {"tier": "gold"},
        },
    ),
    Call("post", "/organizations", 422, body={}),
    Call("post", "/organizations", 409, body={"name": "Again", "external_id": "acme-1"}),
    Call(
        "post", "/organizations", 409, body={"name": "B", "domain_data": [{"domain": "acme.com"}]}
    ),
    Call("get", ORGANIZATION, 200),
    Call("get", "/organizations/external_id/{external_id}", 200),
    Call("put", ORGANIZATION, 200, body={"name": "Acme Inc", "metadata": None}),
    Call("put", ORGANIZATION, 200, body={}),
    Call("put", ORGANIZATION, 409, body={"external_id": "other-1"}),
    Call("put", ORGANIZATION, 422, body={"metadata": {f"k{i}": "v" for i in range(11)}}),
    Call("delete", ORGANIZATION, 204),
    Call(
        "post",
        "/organization_domains",
        201,
        body={"organization_id": "{organization_id}", "domain": "new.acme.com"},
    ),
    Call(
        "post",
        "/organization_domains",
        409,
        body={"organization_id": "{organization_id}", "domain": "acme.com"},
    ),
    Call(
        "post",
        "/organization_domains",
        422,
        body={"organization_id": "{organization_id}", "domain": "a b"},
    ),
    Call(
        "post", "/organization_domains", 404, body={"organization_id": "org_x", "domain": "x.com"}
    ),
    Call("get", DOMAIN, 200),
    Call("post", DOMAIN + "/verify", 200),
    Call("delete", DOMAIN, 204),
    Call("post", "/portal/generate_link", 201, body={**LINK, "return_url": "https://a.test/b"}),
    Call("post", "/portal/generate_link", 404, body={**LINK, "organization": "org_x"}),
    Call("post", "/portal/generate_link", 422, body={**LINK, "intent": "everything"}),
    Call("post", "/portal/generate_link", 422, body={**LINK, "it_contact_emails": ["it@a.test"]}),
    Call(
        "post",
        "/portal/revoke_link",
        204,
        body={"organization": "{organization_id}", "external_user_id": "u1"},
    ),
    Call(
        "post", "/portal/revoke_link", 404, body={"organization": "org_x", "external_user_id": "u1"}
    ),
    Call("post", "/portal/revoke_link", 422, body={"organization": "{organization_id}"}),
    Call("get", "/events", 200),
    Call(
        "get",
        "/events",
        200,
        "?events=organization.created&range_start=2020-01-01T00:00:00Z&order=desc",
    ),
    Call("get", "/events", 422, "?events=organization.exploded"),
    Call("get", "/events", 422, "?range_end=yesterday"),
    Call("get", "/webhook_endpoints", 200),
    Call("get", "/webhook_endpoints", 200, "?limit=1&order=asc"),
    Call("get", "/webhook_endpoints", 422, "?limit=101"),
    Call("post", "/webhook_endpoints", 201, body=HOOK),
    Call("post", "/webhook_endpoints", 409, body={**HOOK, "endpoint_url": HOOK_URL}),
    Call("post", "/webhook_endpoints", 422, body={**HOOK, "endpoint_url": "http://10.0.0.1/"}),
    Call("post", "/webhook_endpoints", 422, body={**HOOK, "events": ["user.created"]}),
    Call("get", ENDPOINT, 200),
    Call("patch", ENDPOINT, 200, body={"status": "disabled", "events": ["organization.deleted"]}),
    Call("patch", ENDPOINT, 200, body={}),
    Call("patch", ENDPOINT, 409, body={"endpoint_url": OTHER_HOOK_URL}),
    Call("patch", ENDPOINT, 422, body={"status": "paused"}),
    Call("delete", ENDPOINT, 204),
    Call("get", "/directories", 200),
    Call("get", "/directories", 200, "?organization_id={organization_id}&search=acme&limit=1"),
    Call("get", "/directories", 422, "?limit=0"),
    Call("get", DIRECTORY, 200),
    Call("get", "/directory_users", 200, "?directory={directory_id}&group={group_id}"),
    Call("get", "/directory_users", 422, "?order=sideways"),
    Call("get", "/directory_users/{user_id}", 200),
    Call("get", "/directory_groups", 200, "?directory={directory_id}&user={user_id}"),
    Call("get", "/directory_groups", 422, "?limit=101"),
    Call("get", "/directory_groups/{group_id}", 200),
    Call("delete", DIRECTORY, 204),
    Call("get", "/connections", 200),
    Call(
        "get",
        "/connections",
        200,
        "?organization_id={organization_id}&connection_type=OktaSAML&domain=acme.com&limit=1",
    ),
    Call("get", "/connections", 422, "?limit=0"),
    Call(
        "post",
        "/connections",
        201,
        body={"organization_id": "{organization_id}", "connection_type": "GenericSAML"},
    ),
    Call("post", "/connections", 404, body={"organization_id": "org_x"}),
    Call(
        "post",
        "/connections",
        422,
        body={"organization_id": "{organization_id}", "connection_type": "FaxSAML"},
    ),
    Call("get", CONNECTION, 200),
    Call("patch", CONNECTION, 200, body={"name": "Renamed"}),
    Call("patch", CONNECTION, 409, body={"connection_type": "GenericOIDC"}),
    Call("patch", CONNECTION, 422, body={"attribute_maps": {"standard_attributes": {"x": "y"}}}),
    Call("delete", CONNECTION, 204),
    Call("get", CERTIFICATES, 200),
    Call("post", CERTIFICATES, 201, body={"value": "{second_certificate}"}),
    Call("post", CERTIFICATES, 422, body={"value": "not a certificate"}),
    Call("delete", CERTIFICATE, 204),
    Call("get", SP_SIGNING, 200),
    Call("post", SP_SIGNING, 409),
    Call("delete", SP_SIGNING_ONE, 204),
    Call("get", SP_ENCRYPTION, 200),
    Call("post", SP_ENCRYPTION, 201),
    Call("delete", SP_ENCRYPTION_ONE, 204),
    Call(
        "post",
        "/audit_logs/events",
        201,
        body={"organization_id": "{organization_id}", "event": AUDIT_EVENT},
    ),
    Call(
        "post", "/audit_logs/events", 404, body={"organization_id": "org_x", "event": AUDIT_EVENT}
    ),
    Call(
        "post",
        "/audit_logs/events",
        422,
        body={
            "organization_id": "{organization_id}",
            "event": {**AUDIT_EVENT, "targets": [{"id": "team_1", "type": "team"}]},
        },
    ),
    Call("get", "/audit_logs/actions", 200),
    Call("get", "/audit_logs/actions", 422, "?limit=0"),
    Call("get", ACTION_SCHEMAS, 200, "?order=asc"),
    Call("get", ACTION_SCHEMAS, 422, "?order=sideways"),
    Call(
        "post",
        ACTION_SCHEMAS,
        201,
        body={"targets": [{"type": "team", "metadata": {"plan": "string"}}], "metadata": {}},
    ),
    Call(
        "post",
        ACTION_SCHEMAS,
        422,
        body={"targets": [{"type": "team", "metadata": {"plan": "date"}}]},
    ),
    Call("post", "/audit_logs/exports", 201, body=EXPORT),
    Call("post", "/audit_logs/exports", 404, body={**EXPORT, "organization_id": "org_x"}),
    Call("post", "/audit_logs/exports", 422, body={**EXPORT, "range_end": "2025-01-01T00:00:00Z"}),
    Call("get", AUDIT_EXPORT, 200),
    Call("get", ORGANIZATION + "/audit_log_configuration", 200),
    Call("get", RETENTION, 200),
    Call("put", RETENTION, 200, body={"retention_period": "1_YEAR"}),
    Call("put", RETENTION, 422, body={"retention_period_in_days": 31}),
]
NOT_FOUND_CALLS = [
    Call(method, path, 404)
    for path, method in [
        (ORGANIZATION, "get"),
        (ORGANIZATION, "put"),
        (ORGANIZATION, "delete"),
        ("/organizations/external_id/{external_id}", "get"),
        (DOMAIN, "get"),
        (DOMAIN, "delete"),
        (DOMAIN + "/verify", "post"),
        (ENDPOINT, "get"),
        (ENDPOINT, "patch"),
        (ENDPOINT, "delete"),
        (DIRECTORY, "get"),
        (DIRECTORY, "delete"),
        ("/directory_users/{user_id}", "get"),
        ("/directory_groups/{group_id}", "get"),
        (CONNECTION, "get"),
        (CONNECTION, "patch"),
        (CONNECTION, "delete"),
        (CERTIFICATES, "get"),
        (CERTIFICATES, "post"),
        (CERTIFICATE, "delete"),
        (SP_SIGNING, "get"),
        (SP_SIGNING, "post"),
        (SP_SIGNING_ONE, "delete"),
        (SP_ENCRYPTION, "get"),
        (SP_ENCRYPTION, "post"),
        (SP_ENCRYPTION_ONE, "delete"),
        (ACTION_SCHEMAS, "get"),
        (AUDIT_EXPORT, "get"),
        (ORGANIZATION + "/audit_log_configuration", "get"),
        (RETENTION, "get"),
        (RETENTION, "put"),
    ]
]


def _filled_body(body: dict | None, ids: dict) -> dict | None:
    if body is None:
        return None
    return {
        key: value.format(**ids) if isinstance(value, str) else value for key, value in body.items()
    }


@pytest.mark.parametrize("call", CALLS, ids=str)
def test_real_responses_match_the_document(api, document, ids, call):
    url = fill(call.path + call.query, ids)
    response = api.open(url, method=call.method.upper(), json=_filled_body(call.body, ids))
    assert response.status_code == call.status, response.get_data(as_text=True)
    assert_matches_document(document, response, call.path, call.method)


@pytest.mark.parametrize("call", NOT_FOUND_CALLS, ids=str)
def test_unknown_ids_get_a_documented_404(api, document, call):
    body = {} if call.method in ("put", "post", "patch") else None
    response = api.open(fill(call.path, MISSING), method=call.method.upper(), json=body)
    assert response.status_code == 404
    assert_matches_document(document, response, call.path, call.method)


def test_verifying_a_verified_domain_is_a_documented_400(api, document, ids):
    path = DOMAIN + "/verify"
    response = api.post(fill(path, {"domain_id": ids["verified_domain_id"]}))
    assert response.status_code == 400
    assert_matches_document(document, response, path, "post")


def test_an_export_downloads_by_its_signed_url_and_a_bad_url_is_documented(
    api, client, document, ids
):
    audit_log_exports.build_export(ids["export_id"])
    url = api.get(fill(AUDIT_EXPORT, ids)).get_json()["url"]
    path = url.removeprefix(client.application.config["PORTAL_PUBLIC_URL"])
    documented = document["paths"][DOWNLOAD]["get"]["responses"]
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype in documented["200"]["content"]
    assert response.get_data(as_text=True).startswith("id,occurred_at,action")
    assert_matches_document(document, client.get(path + "x"), DOWNLOAD, "get")
    unknown_token = audit_log_exports._serializer().dumps(MISSING["export_id"])
    missing = client.get(fill(DOWNLOAD, MISSING) + f"?token={unknown_token}")
    assert missing.status_code == 404
    assert_matches_document(document, missing, DOWNLOAD, "get")


def test_every_operation_without_a_key_is_a_documented_401(client, document, ids):
    for (path, method), operation in operations(document).items():
        if needs_key(operation):
            response = client.open(fill(path, ids), method=method.upper())
            assert response.status_code == 401, f"{method} {path}"
            assert_matches_document(document, response, path, method)


def test_the_idempotency_key_is_documented_where_a_retry_is_replayed(api, document, ids):
    for call in CALLS:
        if call.method != "post" or call.status >= 300:
            continue
        url, body = fill(call.path, ids), _filled_body(call.body, ids)
        headers = {"Idempotency-Key": f"retry {call}"}
        api.post(url, json=body, headers=headers)
        retry = api.post(url, json=body, headers=headers)
        parameters = document["paths"][call.path]["post"].get("parameters", [])
        documented = {p["name"] for p in parameters if p["in"] == "header"}
        replayed = retry.headers.get("Idempotent-Replayed") == "true"
        assert replayed == ("Idempotency-Key" in documented), str(call)


def test_unreadable_and_oversize_bodies_are_documented_400_and_413(api, document, ids):
    for (path, method), operation in operations(document).items():
        if "requestBody" not in operation:
            continue
        for data, content_type in [*UNREADABLE_BODIES, (OVERSIZE_BODY, "application/json")]:
            response = api.open(
                fill(path, ids), method=method.upper(), data=data, content_type=content_type
            )
            assert response.status_code == (413 if data is OVERSIZE_BODY else 400)
            assert_matches_document(document, response, path, method)


def test_an_unhealthy_server_answers_a_documented_503(database_url, document):
    app = create_app(config_for(database_url, REDIS_URL="redis://127.0.0.1:1/0"))
    response = app.test_client().get("/healthz")
    with app.app_context():
        db.engine.dispose()
    assert response.status_code == 503
    assert_matches_document(document, response, "/healthz", "get")


def test_every_documented_status_is_exercised_here(document):
    exercised = {(c.path, c.method, str(c.status)) for c in CALLS + NOT_FOUND_CALLS}
    exercised |= {("/healthz", "get", "503"), (DOMAIN + "/verify", "post", "400")}
    exercised |= {(CERTIFICATE, "delete", "409"), (DOMAIN + "/verify", "post", "409")}
    exercised |= {(SP_SIGNING, "post", "201"), (SP_ENCRYPTION, "post", "409")}
    exercised |= {
        (path, method, "400") for path, method in operations(document) if path in SP_PATHS
    }
    exercised |= {(DOWNLOAD, "get", status) for status in ("200", "403", "404")}
    for (path, method), operation in operations(document).items():
        exercised |= {(path, method, "401")} if needs_key(operation) else set()
        if "requestBody" in operation:
            exercised |= {(path, method, "400"), (path, method, "413")}
    documented = {
        (path, method, status)
        for (path, method), operation in operations(document).items()
        for status in operation["responses"]
    }
    assert documented == exercised
