"""Rippling: a custom app with SCIM provisioning."""

from portal.idp_guides import Guide

GUIDE = Guide(
    "rippling scim v2.0",
    "Rippling",
    (
        "In Rippling open App Shop, choose Custom App, and create an app with SCIM provisioning.",
        "SCIM Base URL: paste the base URL. Bearer token: paste the token.",
        "Choose which employees get the app under access rules, and which groups to push.",
        "Finish the set-up; Rippling then provisions the chosen employees.",
    ),
)
