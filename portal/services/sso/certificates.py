"""Reading an IdP's X.509 signing certificate: validity, subject, fingerprint."""

import base64
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from portal.errors import InvalidInput

PEM_BODY = re.compile(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", re.S)


@dataclass(frozen=True)
class CertificateDetails:
    pem: str
    subject: str
    not_before: datetime
    not_after: datetime
    sha256_fingerprint: str


def read_certificate(text: str, field: str = "certificate") -> CertificateDetails:
    """Parse a PEM (or bare base64) certificate; InvalidInput in plain words if it is not one."""
    body = PEM_BODY.search(text)
    raw = re.sub(r"\s+", "", body.group(1) if body else text)
    try:
        cert = x509.load_der_x509_certificate(base64.b64decode(raw, validate=True))
    except ValueError:
        raise InvalidInput(
            "This is not an X.509 certificate. Paste the PEM text that starts with "
            "-----BEGIN CERTIFICATE-----.",
            field=field,
        ) from None
    pem = (
        "-----BEGIN CERTIFICATE-----\n"
        + "\n".join(raw[i : i + 64] for i in range(0, len(raw), 64))
        + "\n-----END CERTIFICATE-----\n"
    )
    return CertificateDetails(
        pem=pem,
        subject=cert.subject.rfc4514_string(),
        not_before=cert.not_valid_before_utc.astimezone(UTC),
        not_after=cert.not_valid_after_utc.astimezone(UTC),
        sha256_fingerprint=cert.fingerprint(hashes.SHA256()).hex(":").upper(),
    )
