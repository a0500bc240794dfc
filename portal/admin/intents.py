"""The portal's sections, one per intent, in the order the navigation shows them, and the view
modules whose pages make up each; admin/guard.py opens a section's pages only to a session
whose link granted its intent."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    intent: str
    endpoint: str
    title: str
    modules: tuple[str, ...]  # modules of portal.admin holding the section's views


SECTIONS = (
    Section("sso", "admin.sso", "Single sign-on", ("sso", "sso_sign_ins", "sign_in_results")),
    Section(
        "dsync", "admin.directory_sync", "Directory sync", ("directory_sync", "directory_manage")
    ),
    Section("domain_verification", "admin.domains", "Domains", ("domains",)),
    Section("audit_logs", "admin.audit_logs", "Audit logs", ("audit_logs",)),
    Section("log_streams", "admin.log_streams_page", "Log streams", ("log_streams",)),
    Section(
        "certificate_renewal",
        "admin.certificates",
        "Certificates",
        ("certificates", "sign_in_results"),
    ),
)
# Pages of no section that every live session opens: its home and signing out.
SHELL_MODULES = ("launch",)


def sections_for(intents: list[str]) -> list[Section]:
    return [section for section in SECTIONS if section.intent in intents]


def sections_holding(module: str) -> list[Section]:
    """The sections a view module's pages belong to (a page may serve two)."""
    return [section for section in SECTIONS if module in section.modules]
