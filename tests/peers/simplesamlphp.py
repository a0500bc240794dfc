"""SimpleSAMLphp (Debian's package) as a second, independent SAML IdP, served by `php -S`.

Its configuration is written to a folder of the test's own (SIMPLESAMLPHP_CONFIG_DIR): one
user, `jane` / `password`, and our SP read from its metadata XML file as we serve it, so what
SimpleSAMLphp trusts (our signing and encryption certificates) is what our metadata says.
It requires signed AuthnRequests and encrypts every assertion, as strict IdPs do.
"""

import shutil
import socket
import subprocess
import time
from http.client import HTTPConnection
from pathlib import Path

from tests.peers.saml_idp import make_key_pair

SSP_WWW = Path("/usr/share/simplesamlphp/www")
ENTITY_ID = "https://ssp.example.test/idp"
USER, PASSWORD = "jane", "password"
RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def available() -> bool:
    return SSP_WWW.is_dir() and shutil.which("php") is not None


class SimpleSamlPhp:
    """A running SimpleSAMLphp IdP; `sp_metadata_file` is where it reads our SP metadata."""

    def __init__(self, folder: Path):
        self.folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.sso_url = f"{self.url}/saml2/idp/SSOService.php"
        self.sp_metadata_file = folder / "sp-metadata.xml"
        self.sp_metadata_file.write_text(
            '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>'
        )
        key, cert, self.certificate = make_key_pair(folder, "ssp-idp")
        self._write_config(key, cert)
        self._log = (folder / "php.log").open("w")
        self._process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(SSP_WWW)],
            env={"SIMPLESAMLPHP_CONFIG_DIR": str(folder / "config"), "PATH": "/usr/bin:/bin"},
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        self._wait_until_serving()

    def trust_service_provider(self, metadata_xml: bytes) -> None:
        self.sp_metadata_file.write_bytes(metadata_xml)

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=10)
        self._log.close()

    def log(self) -> str:
        return (self.folder / "php.log").read_text(errors="replace")

    def _wait_until_serving(self) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                http = HTTPConnection("127.0.0.1", self.port, timeout=2)
                http.request("GET", "/saml2/idp/metadata.php")
                http.getresponse().read()
                http.close()
                return
            except OSError:
                if self._process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"SimpleSAMLphp did not start:\n{self.log()}")

    def _write_config(self, key: Path, cert: Path) -> None:
        config, metadata = self.folder / "config", self.folder / "metadata"
        for sub in (config, metadata, self.folder / "sessions", self.folder / "data"):
            sub.mkdir(parents=True, exist_ok=True)
        (config / "config.php").write_text(
            _php(
                {
                    "baseurlpath": f"{self.url}/",
                    "certdir": f"{self.folder}/",
                    "loggingdir": f"{self.folder}/",
                    "datadir": f"{self.folder}/data/",
                    "tempdir": f"{self.folder}/scratch",
                    "secretsalt": "tests-only-salt-not-secret",
                    "auth.adminpassword": "tests-only-admin",
                    "technicalcontact_name": "tests",
                    "technicalcontact_email": "tests@example.test",
                    "timezone": "UTC",
                    "logging.handler": "errorlog",
                    "enable.saml20-idp": True,
                    "module.enable": {"exampleauth": True, "core": True, "saml": True},
                    "store.type": "phpsession",
                    "session.phpsession.savepath": f"{self.folder}/sessions",
                    "session.cookie.secure": False,
                    "language.default": "en",
                    "metadata.sources": [
                        {"type": "flatfile", "directory": f"{metadata}"},
                        {"type": "xml", "file": f"{self.sp_metadata_file}"},
                    ],
                }
            )
        )
        user = {
            "email": ["jane@acme.test"],
            "firstName": ["Jane"],
            "lastName": ["Doe"],
        }
        (config / "authsources.php").write_text(
            _php(
                {
                    "admin": ["core:AdminPassword"],
                    "users": {0: "exampleauth:UserPass", f"{USER}:{PASSWORD}": user},
                }
            )
        )
        hosted = {
            "host": "__DEFAULT__",
            "privatekey": str(key),
            "certificate": str(cert),
            "auth": "users",
            "signature.algorithm": RSA_SHA256,
            "NameIDFormat": "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
            "validate.authnrequest": True,
            "assertion.encryption": True,
            "saml20.sign.response": True,
            "saml20.sign.assertion": True,
        }
        (metadata / "saml20-idp-hosted.php").write_text(
            f"<?php\n$metadata[{_literal(ENTITY_ID)}] = {_literal(hosted)};\n"
        )


def _php(config: dict) -> str:
    return f"<?php\n$config = {_literal(config)};\n"


def _literal(value) -> str:
    """A PHP literal of a Python value (dicts and lists as arrays)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, dict):
        items = ", ".join(f"{_literal(k)} => {_literal(v)}" for k, v in value.items())
        return f"[{items}]"
    return "[" + ", ".join(_literal(v) for v in value) + "]"
