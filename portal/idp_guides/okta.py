"""Okta: an app integration with SCIM provisioning."""

from portal.idp_guides import Guide

GUIDE = Guide(
    "okta scim v2.0",
    "Okta",
    (
        "In the Okta Admin Console open Applications, then Applications, and select the app "
        "(or choose Browse App Catalog and add 'SCIM 2.0 Test App (OAuth Bearer Token)').",
        "On the General tab choose Edit, set Provisioning to SCIM, and save.",
        "Open the Provisioning tab, then Integration, and choose Edit.",
        "SCIM connector base URL: paste the base URL. Unique identifier field for users: userName.",
        "Supported provisioning actions: Push New Users, Push Profile Updates, Push Groups.",
        "Authentication Mode: HTTP Header. Authorization: paste the token, then choose Test "
        "Connector Configuration and Save.",
        "Under Provisioning, To App, enable Create Users, Update User Attributes and "
        "Deactivate Users.",
        "Assign people and groups on the Assignments tab, and groups to push on Push Groups.",
    ),
)
