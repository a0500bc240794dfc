"""Microsoft Entra ID: an enterprise application with automatic provisioning."""

from portal.idp_guides import Guide

GUIDE = Guide(
    "azure scim v2.0",
    "Microsoft Entra ID",
    (
        "In the Microsoft Entra admin center open Enterprise applications and choose New "
        "application, then Create your own application (non-gallery).",
        "Open Provisioning, choose Get started, and set Provisioning Mode to Automatic.",
        "Tenant URL: paste the base URL. Secret Token: paste the token.",
        "Choose Test Connection, then Save.",
        "Under Mappings, keep the user and group mappings you want to send.",
        "Assign users and groups under Users and groups.",
        "Back in Provisioning, set Provisioning Status to On and Save. Entra ID syncs about "
        "every 40 minutes; Provision on demand sends one user at once.",
    ),
)
