"""Request bodies of the API, as the WorkOS SDKs send them. Unknown fields are refused."""

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from portal.services.delivery.events import EVENT_TYPES
from portal.services.delivery.webhooks import STATUSES as WEBHOOK_ENDPOINT_STATUSES
from portal.services.infra.outbound import MAX_URL_LENGTH
from portal.services.onboarding.portal_links import INTENTS


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    def provided(self) -> set[str]:
        return set(self.model_fields_set)


class DomainData(Strict):
    domain: str = Field(max_length=253)
    state: Literal["pending", "verified"] = "pending"


class OrganizationFields(Strict):
    domain_data: list[DomainData] | None = Field(default=None, max_length=100)
    domains: list[str] | None = Field(
        default=None, max_length=100, description="Deprecated: use domain_data."
    )
    external_id: str | None = Field(default=None, max_length=64)
    metadata: dict[str, str] | None = None
    allow_profiles_outside_organization: bool | None = None
    stripe_customer_id: str | None = Field(default=None, max_length=255)


class CreateOrganization(OrganizationFields):
    name: str = Field(min_length=1, max_length=255)


class UpdateOrganization(OrganizationFields):
    name: str | None = Field(default=None, min_length=1, max_length=255)


class CreateOrganizationDomain(Strict):
    domain: str = Field(max_length=253)
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
    return_url: str | None = Field(default=None, max_length=2048)
    success_url: str | None = Field(default=None, max_length=2048)
    external_user_id: str | None = Field(default=None, max_length=255)
    intent_options: IntentOptions | None = None
    it_contact_emails: list[str] | None = Field(default=None, max_length=20)


class RevokeLink(Strict):
    organization: str = Field(max_length=64)
    external_user_id: str = Field(min_length=1, max_length=255)


WebhookEventType = Literal[tuple(sorted(EVENT_TYPES))]


class CreateWebhookEndpoint(Strict):
    endpoint_url: str = Field(min_length=1, max_length=MAX_URL_LENGTH)
    events: list[WebhookEventType] = Field(min_length=1, max_length=len(EVENT_TYPES))


class UpdateWebhookEndpoint(Strict):
    """Absent (or null) fields stay as they are."""

    endpoint_url: str | None = Field(default=None, min_length=1, max_length=MAX_URL_LENGTH)
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
    idp_metadata_url: str | None = Field(default=None, max_length=2048)
    idp_entity_id: str | None = Field(default=None, max_length=1024)
    idp_sso_url: str | None = Field(default=None, max_length=2048)
    idp_signing_certs: list[str] | None = Field(default=None, max_length=5)


class OidcOptions(Strict):
    discovery_endpoint: str | None = Field(default=None, max_length=2048)
    client_id: str | None = Field(default=None, max_length=255)
    client_secret: str | None = Field(default=None, max_length=1024)


class ConnectionFields(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    external_id: str | None = Field(default=None, max_length=255)
    connection_type: str | None = Field(default=None, max_length=64)
    attribute_maps: AttributeMaps | None = None
    saml_options: SamlOptions | None = None
    oidc_options: OidcOptions | None = None


class CreateConnection(ConnectionFields):
    organization_id: str = Field(max_length=64)


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
    action: str = Field(min_length=1, max_length=255, pattern=r"^\S+$")
    occurred_at: AwareDatetime = Field(strict=False)
    actor: AuditLogActor
    targets: list[AuditLogActor] = Field(max_length=50)
    context: AuditLogContext
    metadata: AuditLogMetadata | None = None
    version: int | None = Field(default=None, ge=1)


class CreateAuditLogEvent(Strict):
    organization_id: str = Field(max_length=64)
    event: AuditLogEventBody


class AuditLogSchemaTargetBody(Strict):
    type: ShortText
    metadata: dict[str, Any] | None = None


class AuditLogSchemaActorBody(Strict):
    metadata: dict[str, Any]


class CreateAuditLogSchema(Strict):
    targets: list[AuditLogSchemaTargetBody] = Field(min_length=1, max_length=50)
    actor: AuditLogSchemaActorBody | None = None
    metadata: dict[str, Any] | None = None


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


class UpdateAuditLogsRetention(Strict):
    retention_period_in_days: int | None = None
    retention_period: str | None = Field(default=None, max_length=16)
