"""The SCIM schemas portal serves (RFC 7643 and 7644 section 4), built from scim2-models on
first use: the discovery documents and the User attributes an attribute map may name.

scim2-models builds its pydantic models when it is imported, which was 40% of portal's start-up
(every `portal` command, every web and worker process): it is imported here, inside the
functions, the first time one of them is called."""

from functools import cache

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


@cache
def schemas() -> dict[str, dict]:
    """Schema id -> its Schema resource, without meta."""
    from scim2_models import EnterpriseUser, Group, User

    built = (User.to_schema(), EnterpriseUser.to_schema(), Group.to_schema())
    return {s.id: s.model_dump(mode="json", exclude_none=True) for s in built}


@cache
def resource_types() -> dict[str, dict]:
    """Resource type id -> its ResourceType resource, without meta."""
    from scim2_models import EnterpriseUser, Group, ResourceType, User

    types = (ResourceType.from_resource(User[EnterpriseUser]), ResourceType.from_resource(Group))
    return {t.id: t.model_dump(mode="json", exclude_none=True) for t in types}


@cache
def service_provider_config(max_results: int) -> dict:
    from scim2_models import (
        AuthenticationScheme,
        Bulk,
        ChangePassword,
        ETag,
        Filter,
        Patch,
        ServiceProviderConfig,
        Sort,
    )

    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=max_results),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="The directory's SCIM token, shown once when it was issued.",
                primary=True,
            )
        ],
    )
    return config.model_dump(mode="json", exclude_none=True)


@cache
def user_attributes(exclude: frozenset[str]) -> dict[str | None, list]:
    """Schema (None: core User, else the enterprise URN) -> its attribute definitions."""
    from scim2_models import EnterpriseUser, User

    return {
        schema: [a for a in model.to_schema().attributes if a.name not in exclude]
        for schema, model in ((None, User), (ENTERPRISE, EnterpriseUser))
    }
