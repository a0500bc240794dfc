"""Request bodies of the API, as the WorkOS SDKs send them. Unknown fields are refused."""

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.api.input_forms import (
    ENDPOINT_URL_FORM,
    IDP_URL_FORM,
    NO_WHITESPACE,
    NOT_BLANK,
    REDIRECT_URL_FORM,
    WHOLE_NUMBER,
    DomainName,
    MetadataSchema,
    OrganizationMetadata,
    UpdatedName,
)
from portal.services.audit.audit_log_events import RETENTION_DAYS, RETENTION_PERIODS
from portal.services.delivery.events import EVENT_TYPES
from portal.services.delivery.webhooks import STATUSES as WEBHOOK_ENDPOINT_STATUSES
from portal.services.infra.outbound import MAX_URL_LENGTH
from portal.services.onboarding.portal_links import INTENTS
from portal.services.organizations.organizations import EXTERNAL_ID_MAX
from portal.services.sso.connections import OIDC_TYPES, SAML_TYPES


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    def provided(self) -> set[str]:
        return set(self.model_fields_set)


class DomainData(Strict):
    domain: DomainName
    state: Literal["pending", "verified"] = "pending"


class OrganizationFields(Strict):
    domain_data: list[DomainData] | None = Field(default=None, max_length=100)
    domains: list[DomainName] | None = Field(
        default=None, max_length=100, description="Deprecated: use domain_data."
    )
    external_id: str | None = Field(default=None, min_length=1, max_length=EXTERNAL_ID_MAX)
    metadata: OrganizationMetadata | None = None
    allow_profiles_outside_organization: bool | None = None
    stripe_customer_id: str | None = Field(default=None, max_length=255)


class CreateOrganization(OrganizationFields):
    name: str = Field(min_length=1, max_length=255, json_schema_extra={"pattern": NOT_BLANK})


class UpdateOrganization(OrganizationFields):
    """`name` may be left out, not cleared: null is refused."""

    name: UpdatedName = None


class CreateOrganizationDomain(Strict):
    domain: DomainName
    organization_id: str = Field(max_length=64)


class SsoIntentOptions(Strict):
    bookmark_slug: str | None = Field(default=None, max_length=255)
    provider_type: str | None = Field(default=None, max_length=64)


class DomainVerificationIntentOptions(Strict):
    domain_name: str | None = Field(default=None, max_length=253)


class IntentOptions(Strict):
    sso: SsoIntentOptions | None = None
    domain_verification: DomainVerificationIntentOptions | None = None


class GenerateLink(Strict):
    organization: str = Field(max_length=64)
    intent: Literal[INTENTS]
    return_url: str | None = Field(
        default=None, max_length=2048, json_schema_extra=REDIRECT_URL_FORM
    )
    success_url: str | None = Field(
        default=None, max_length=2048, json_schema_extra=REDIRECT_URL_FORM
    )
    external_user_id: str | None = Field(default=None, max_length=255)
    intent_options: IntentOptions | None = None
    it_contact_emails: list[str] | None = Field(
        default=None,
        max_length=20,
        description="Not supported: send the returned link to the IT contact yourself.",
        json_schema_extra={"maxItems": 0},
    )


class RevokeLink(Strict):
    organization: str = Field(max_length=64)
    external_user_id: str = Field(min_length=1, max_length=255)


WebhookEventType = Literal[tuple(sorted(EVENT_TYPES))]


class CreateWebhookEndpoint(Strict):
    endpoint_url: str = Field(
        min_length=1, max_length=MAX_URL_LENGTH, json_schema_extra=ENDPOINT_URL_FORM
    )
    events: list[WebhookEventType] = Field(min_length=1, max_length=len(EVENT_TYPES))


class UpdateWebhookEndpoint(Strict):
    """Absent (or null) fields stay as they are."""

    endpoint_url: str | None = Field(
        default=None, min_length=1, max_length=MAX_URL_LENGTH, json_schema_extra=ENDPOINT_URL_FORM
    )
    status: Literal[WEBHOOK_ENDPOINT_STATUSES] | None = None
    events: list[WebhookEventType] | None = Field(
        default=None, min_length=1, max_length=len(EVENT_TYPES)
    )


class StandardAttributes(Strict):
    idp_id: str | None = Field(default=None, max_length=255)
    email: str | None = Field(default=None, max_length=255)
    first_name: str | None = Field(default=None, max_length=255)
    last_name: str | None = Field(default=None, max_length=255)
    name: str | None = Field(default=None, max_length=255)
    groups: str | None = Field(default=None, max_length=255)


class AttributeMaps(Strict):
    standard_attributes: StandardAttributes | None = None
    custom_attributes: dict[str, str] | None = None


class SamlOptions(Strict):
    idp_metadata_url: str | None = Field(
        default=None, max_length=2048, json_schema_extra=IDP_URL_FORM
    )
    idp_entity_id: str | None = Field(default=None, max_length=1024)
    idp_sso_url: str | None = Field(default=None, max_length=2048, json_schema_extra=IDP_URL_FORM)
    idp_signing_certs: list[str] | None = Field(default=None, max_length=5)
    idp_initiated_enabled: bool | None = Field(
        default=None,
        description="portal's own: accept IdP-initiated sign-ins (off by default: login CSRF); "
        "they land on the default redirect URI. See docs/api-compatibility.md.",
    )
    # portal's additions (WorkOS has no such fields): see docs/sso.md, "SP certificates".
    request_binding: Literal["HTTP-Redirect", "HTTP-POST"] | None = None
    require_encrypted_assertions: bool | None = None


class KeyPair(Strict):
    key: str = Field(min_length=1, max_length=20_000)
    cert: str = Field(min_length=1, max_length=20_000)


class CreateSamlOptions(SamlOptions):
    """On create only, as in WorkOS: the developer's own SP key pairs (else portal makes them
    when first needed)."""

    sp_signing_key_pair: KeyPair | None = None
    sp_encryption_key_pairs: list[KeyPair] | None = Field(default=None, max_length=2)


class OidcOptions(Strict):
    discovery_endpoint: str | None = Field(
        default=None, max_length=2048, json_schema_extra=IDP_URL_FORM
    )
    client_id: str | None = Field(default=None, max_length=255)
    client_secret: str | None = Field(default=None, max_length=1024)


def _options_match_type(schema: dict) -> None:
    """SAML options go with a SAML type, OIDC options with an OIDC type; without a type, OIDC
    options make a GenericOIDC connection and anything else a GenericSAML one. Options count
    as sent when one of their fields is not null."""
    unset = {
        "anyOf": [{"type": "null"}, {"type": "object", "additionalProperties": {"type": "null"}}]
    }
    schema["anyOf"] = [
        {"properties": {"connection_type": {"enum": [None, *types]}, other: unset}}
        for types, other in ((SAML_TYPES, "oidc_options"), (OIDC_TYPES, "saml_options"))
    ]


class ConnectionFields(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    external_id: str | None = Field(default=None, max_length=255)
    connection_type: str | None = Field(
        default=None, max_length=64, json_schema_extra={"enum": [*SAML_TYPES, *OIDC_TYPES, None]}
    )
    attribute_maps: AttributeMaps | None = None
    saml_options: SamlOptions | None = None
    oidc_options: OidcOptions | None = None


class CreateConnection(ConnectionFields):
    """Options of the other protocol than the connection's type are refused."""

    model_config = ConfigDict(json_schema_extra=_options_match_type)

    organization_id: str = Field(max_length=64)
    saml_options: CreateSamlOptions | None = None


class UpdateConnection(ConnectionFields):
    pass


class CreateIdpCertificate(Strict):
    value: str = Field(min_length=1, max_length=20_000)


AuditLogMetadata = dict[str, str | int | float | bool]
ShortText = Annotated[str, Field(min_length=1, max_length=255)]


class AuditLogActor(Strict):
    id: ShortText
    type: ShortText
    name: str | None = Field(default=None, max_length=255)
    metadata: AuditLogMetadata | None = None


class AuditLogContext(Strict):
    location: ShortText
    user_agent: str | None = Field(default=None, max_length=2048)


class AuditLogEventBody(Strict):
    action: str = Field(min_length=1, max_length=255, pattern=NO_WHITESPACE)
    occurred_at: AwareDatetime = Field(strict=False)
    actor: AuditLogActor
    targets: list[AuditLogActor] = Field(max_length=50)
    context: AuditLogContext
    metadata: AuditLogMetadata | None = None
    version: Annotated[int, Field(ge=1, le=2**31 - 1), WHOLE_NUMBER] | None = None


class CreateAuditLogEvent(Strict):
    organization_id: str = Field(max_length=64)
    event: AuditLogEventBody


class AuditLogSchemaTargetBody(Strict):
    type: ShortText
    metadata: MetadataSchema | None = None


class AuditLogSchemaActorBody(Strict):
    metadata: MetadataSchema


class CreateAuditLogSchema(Strict):
    targets: list[AuditLogSchemaTargetBody] = Field(min_length=1, max_length=50)
    actor: AuditLogSchemaActorBody | None = None
    metadata: MetadataSchema | None = None


FilterList = list[Annotated[str, Field(max_length=255)]] | None


class CreateAuditLogExport(Strict):
    organization_id: str = Field(max_length=64)
    range_start: AwareDatetime = Field(strict=False)
    range_end: AwareDatetime = Field(strict=False)
    actions: FilterList = Field(default=None, max_length=100)
    actors: FilterList = Field(
        default=None, max_length=100, description="Deprecated: use actor_names."
    )
    actor_names: FilterList = Field(default=None, max_length=100)
    actor_ids: FilterList = Field(default=None, max_length=100)
    targets: FilterList = Field(default=None, max_length=100)


def _exactly_one_retention(schema: dict) -> None:
    """Either field, one of its allowed values, and the other absent or null."""
    days = {"enum": list(RETENTION_DAYS)}
    period = {"enum": list(RETENTION_PERIODS)}
    schema["oneOf"] = [
        {
            "required": [given],
            "properties": {given: allowed, other: {"type": "null"}},
        }
        for given, allowed, other in (
            ("retention_period_in_days", days, "retention_period"),
            ("retention_period", period, "retention_period_in_days"),
        )
    ]


class UpdateAuditLogsRetention(Strict):
    """Exactly one of the two; the service names the values allowed in its refusal."""

    model_config = ConfigDict(json_schema_extra=_exactly_one_retention)

    retention_period_in_days: Annotated[int, WHOLE_NUMBER] | None = None
    retention_period: str | None = Field(default=None, max_length=16)
