"""What the SAML path reads of a connection, as one type: `SamlConnection`.

Three things pass as a connection there, and each is a `SamlConnection`:
- the ORM row, `portal.models.Connection` (it fits the protocol as it is);
- `ConnectionView`, the same values read as plain rows: the ACS reads an attempt's connection
  this way (`sign_in_attempts`), because ORM objects cost more than the query on every sign-in;
- a portal test's view of the connection with its pending IdP settings or the one new
  certificate under test (`pending_idp.saml_connection_for`), also a `ConnectionView`.

`saml_sp`, `profiles`, `pending_idp` and `sign_in` take a `SamlConnection` and read nothing
else of it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

from portal.models.connection import protocol_of


@runtime_checkable
class SigningCertificate(Protocol):
    """An IdP signing certificate: its id (None for one in settings waiting for a test)."""

    @property
    def id(self) -> str | None: ...

    @property
    def value(self) -> str: ...


@runtime_checkable
class SamlConnection(Protocol):
    """The attributes of a connection the SAML sign-in path reads."""

    @property
    def id(self) -> str: ...

    @property
    def organization_id(self) -> str: ...

    @property
    def connection_type(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def protocol(self) -> str: ...

    @property
    def attribute_map(self) -> dict | None: ...

    @property
    def saml_idp_entity_id(self) -> str | None: ...

    @property
    def saml_idp_sso_url(self) -> str | None: ...

    @property
    def pending_idp(self) -> dict | None: ...

    @property
    def saml_sign_requests(self) -> bool: ...

    @property
    def saml_request_binding(self) -> str: ...

    @property
    def saml_require_encrypted_assertions(self) -> bool: ...

    @property
    def certificates(self) -> Sequence[SigningCertificate]: ...


class Certificate(NamedTuple):
    id: str | None
    value: str


# slots: its fields then stand in for the protocol's read-only properties.
@dataclass(frozen=True, slots=True)
class ConnectionView(SamlConnection):
    """A connection's values as the SAML path reads them (OIDC settings need the model)."""

    id: str
    organization_id: str
    connection_type: str
    state: str
    attribute_map: dict
    saml_idp_entity_id: str | None
    saml_idp_sso_url: str | None
    pending_idp: dict | None
    saml_sign_requests: bool
    saml_request_binding: str
    saml_require_encrypted_assertions: bool
    certificates: tuple[Certificate, ...]

    @property
    def protocol(self) -> str:
        return protocol_of(self.connection_type)
