"""CyberArk Identity: a custom SCIM app."""

from portal.idp_guides import Guide

GUIDE = Guide(
    "cyberark scim v2.0",
    "CyberArk",
    (
        "In the CyberArk Identity Admin Portal open Web Apps and add the 'Generic SCIM' app.",
        "On Provisioning, tick Enable provisioning for this application.",
        "SCIM Service URL: paste the base URL. Authorization Type: Authorization Header. "
        "Header type: Bearer Token. Bearer token: paste the token.",
        "Choose Verify, then map roles to groups under Role Mappings.",
        "Save, and start a sync from Settings, Users, Outbound Provisioning.",
    ),
)
