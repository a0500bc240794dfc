"""All models, imported here so Alembic and the app see every table."""

from portal.extensions import db
from portal.models.audit_log import (
    AuditLogAction,
    AuditLogEvent,
    AuditLogExport,
    AuditLogRetention,
    AuditLogSchema,
    AuditLogTarget,
    LogStream,
    LogStreamDelivery,
)
from portal.models.connection import (
    Connection,
    ConnectionSession,
    IdpCertificate,
    SignInGrant,
    SpKeyPair,
    UnsolicitedResponseCount,
)
from portal.models.credentials import ApiKey, DashboardUser, Environment
from portal.models.dashboard import DashboardSession, LoginAttempt, MailMessage
from portal.models.directory import (
    Deprovisioning,
    Directory,
    DirectoryGroup,
    DirectoryGroupMembership,
    DirectoryUser,
    DirectoryUserCount,
)
from portal.models.event import Event
from portal.models.idempotency import IdempotentRequest
from portal.models.organization import Organization, OrganizationDomain
from portal.models.portal_access import PortalLink, PortalSession
from portal.models.webhook import WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint

# Every table above: what Alembic compares the database with.
metadata = db.metadata

__all__ = [
    "ApiKey",
    "AuditLogAction",
    "AuditLogEvent",
    "AuditLogExport",
    "AuditLogRetention",
    "AuditLogSchema",
    "AuditLogTarget",
    "Connection",
    "ConnectionSession",
    "DashboardSession",
    "DashboardUser",
    "Deprovisioning",
    "Directory",
    "DirectoryGroup",
    "DirectoryGroupMembership",
    "DirectoryUser",
    "DirectoryUserCount",
    "Environment",
    "Event",
    "IdempotentRequest",
    "IdpCertificate",
    "LogStream",
    "LogStreamDelivery",
    "LoginAttempt",
    "MailMessage",
    "Organization",
    "OrganizationDomain",
    "PortalLink",
    "PortalSession",
    "SignInGrant",
    "SpKeyPair",
    "UnsolicitedResponseCount",
    "WebhookDelivery",
    "WebhookDeliveryAttempt",
    "WebhookEndpoint",
]
