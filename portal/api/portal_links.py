"""`/portal/generate_link` and `/portal/revoke_link`: magic links for the IT admin."""

from portal.api import bp
from portal.api.idempotency import idempotent
from portal.api.parsing import json_body
from portal.api.schemas import GenerateLink, RevokeLink
from portal.errors import InvalidInput, SecretUnreadable
from portal.services.infra import encryption
from portal.services.onboarding import portal_links


def _with_sealed_link(body: dict) -> dict:
    return {**body, "link": encryption.encrypt(body["link"])}


def _with_opened_link(body: dict) -> dict:
    """A replay answers with the same link, opened from its sealed copy; `""` if the key
    that sealed it is gone (the link, 5 minutes long, has expired by then anyway)."""
    try:
        return {**body, "link": encryption.decrypt(body.get("link", ""))}
    except SecretUnreadable:
        return {**body, "link": ""}


@bp.post("/portal/generate_link")
@idempotent(scrub=_with_sealed_link, restore=_with_opened_link)
def generate_link():
    body = json_body(GenerateLink)
    if body.it_contact_emails:
        raise InvalidInput(
            "it_contact_emails is not supported by this portal: send the returned link to the "
            "IT contact yourself.",
            field="it_contact_emails",
            code="unsupported",
        )
    options = body.intent_options.model_dump(exclude_none=True) if body.intent_options else {}
    _, url = portal_links.create_api_link(
        body.organization,
        body.intent,
        return_url=body.return_url,
        success_url=body.success_url,
        external_user_id=body.external_user_id,
        intent_options=options,
    )
    return {"link": url}, 201


@bp.post("/portal/revoke_link")
@idempotent
def revoke_link():
    body = json_body(RevokeLink)
    portal_links.revoke_for_external_user(body.organization, body.external_user_id)
    return "", 204
