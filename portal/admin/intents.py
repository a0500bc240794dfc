"""The portal's sections, one per intent, in the order the navigation shows them."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    intent: str
    endpoint: str
    title: str


SECTIONS = (
    Section("sso", "admin.sso", "Single sign-on"),
    Section("dsync", "admin.directory_sync", "Directory sync"),
    Section("domain_verification", "admin.domains", "Domains"),
    Section("audit_logs", "admin.audit_logs", "Audit logs"),
    Section("log_streams", "admin.log_streams_page", "Log streams"),
    Section("certificate_renewal", "admin.certificates", "Certificates"),
)
BY_INTENT = {section.intent: section for section in SECTIONS}


def sections_for(intents: list[str]) -> list[Section]:
    return [section for section in SECTIONS if section.intent in intents]
