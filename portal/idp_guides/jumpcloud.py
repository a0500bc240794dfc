"""JumpCloud: an SSO application with Identity Management (SCIM)."""

from portal.idp_guides import Guide

GUIDE = Guide(
    "jump cloud scim v2.0",
    "JumpCloud",
    (
        "In the JumpCloud Admin Portal open SSO Applications and choose Add New Application "
        "(Custom Application).",
        "Open the Identity Management tab and choose SCIM 2.0 as the API type.",
        "Base URL: paste the base URL. Token Key: paste the token.",
        "Choose Test Connection, then Activate and Save.",
        "Bind user groups to the application on its User Groups tab.",
    ),
)
