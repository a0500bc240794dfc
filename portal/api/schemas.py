"""Request bodies of the API, as the WorkOS SDKs send them. Unknown fields are refused."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from portal.services.portal_links import INTENTS


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
