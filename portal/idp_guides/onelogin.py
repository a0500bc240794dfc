"""OneLogin: the SCIM Provisioner with SAML (SCIM v2 Enterprise) app."""

from portal.idp_guides import Guide

GUIDE = Guide(
    "onelogin scim v2.0",
    "OneLogin",
    (
        "In OneLogin Administration open Applications, choose Add App, and add "
        "'SCIM Provisioner with SAML (SCIM v2 Enterprise)'.",
        "On the Configuration tab, SCIM Base URL: paste the base URL. SCIM Bearer Token: "
        "paste the token. Choose Enable under API Connection, then Save.",
        "On the Provisioning tab tick Enable provisioning and choose what happens when users "
        "are deleted or suspended.",
        "On the Parameters tab, tick Include in User Provisioning for Groups to send groups.",
        "Give users access under Users or through roles.",
    ),
)
