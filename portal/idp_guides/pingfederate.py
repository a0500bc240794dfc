"""PingFederate: an SP connection with outbound provisioning."""

from portal.idp_guides import Guide

GUIDE = Guide(
    "pingfederate scim v2.0",
    "PingFederate",
    (
        "In PingFederate open Applications, then SP Connections, and create (or edit) the "
        "connection; tick Outbound Provisioning with type SCIM Connector.",
        "On Outbound Provisioning, Configure Provisioning, Target: SCIM URL: paste the base "
        "URL. SCIM Version: 2.0. Authentication Method: OAuth 2 Bearer Token. Access Token: "
        "paste the token.",
        "Create a channel with your user store as source, map userName, emails, name and "
        "active, and choose which users and groups to send.",
        "Activate the channel and the connection, then Save.",
    ),
)
