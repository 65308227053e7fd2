"""A loopback https stand-in of the Microsoft identity platform's sign-in endpoints, for the real azure-identity
and MSAL code: the OpenID configuration, instance discovery, the device authorization (devicecode) and token
endpoints, in the shapes recorded in reference/recordings/more-2026-12/device-code-flow/.

Its certificate is signed by a certificate authority made here with ``cryptography`` (:func:`test_ca`), which
clients trust through ``REQUESTS_CA_BUNDLE``. A device code stays ``authorization_pending`` until the test
calls :meth:`SignInServer.approve` (the user signing in in a browser); then the token endpoint answers with
an access token (the one given to the server: the ARM stand-in's), a refresh token, an id token naming the
user, and MSAL's ``client_info``. Every request is recorded (method, path, form) so a test counts them.
"""

from __future__ import annotations

import base64
import datetime
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

TENANT = "72f988bf-0000-4000-8000-000000000001"
USER = "user@example.com"
USER_OID = "9a0b1c2d-0000-4000-8000-000000000002"
USER_CODE = "FRWQDE7YL"  # the recorded msal-node fixture's code
DEVICE_CODE = "FAQABAAEAAAAm-06blBE1TpVMil8KPQ414yBCo3ZKuMDP8Rw0c8"  # never shown to the user
REFRESH_TOKEN = "0.refresh-token-of-the-stand-in.7c1d"
VERIFICATION_URI = "https://microsoft.com/devicelogin"
OPENID = "/v2.0/.well-known/openid-configuration"


def test_ca(folder: Path) -> tuple[Path, Path, Path]:
    """A certificate authority and a certificate for 127.0.0.1 it signed: (ca.pem, cert.pem, key.pem)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jupyter-compute test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    form: dict[str, str]


@dataclass
class SignInServer:
    """The stand-in; ``url`` is its authority (``https://127.0.0.1:PORT``), ``access_token`` what it mints."""

    access_token: str
    ca: Path
    url: str = ""
    seen: list[Seen] = field(default_factory=list)
    approved: threading.Event = field(default_factory=threading.Event)
    declined: threading.Event = field(default_factory=threading.Event)
    interval: int = 1
    auto_approve: bool = False  # the user signs in at once (a notebook run by the suite has no one to)

    def decline(self) -> None:
        """The user declined the sign-in in the browser."""
        self.declined.set()

    def approve(self) -> None:
        """The user signed in in a browser with the code."""
        self.approved.set()

    def count(self, path_end: str, method: str = "POST", grant: str | None = None) -> int:
        return sum(
            1
            for s in self.seen
            if s.method == method and s.path.endswith(path_end) and (grant is None or s.form.get("grant_type") == grant)
        )

    def openid(self, tenant: str) -> dict[str, Any]:
        base = f"{self.url}/{tenant}"
        return {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{self.url}/{TENANT}/v2.0",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "tenant_region_scope": "WW",
            "cloud_instance_name": "microsoftonline.com",
        }

    def tokens(self, form: dict[str, str]) -> dict[str, Any]:
        now = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
        id_claims = {
            "aud": form.get("client_id", ""),
            "iss": f"{self.url}/{TENANT}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "name": "Test User",
            "oid": USER_OID,
            "preferred_username": USER,
            "sub": "subject-of-the-user",
            "tid": TENANT,
            "ver": "2.0",
        }
        return {
            "token_type": "Bearer",
            "scope": form.get("scope", "https://management.azure.com/.default"),
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": self.access_token,
            "refresh_token": REFRESH_TOKEN,
            "id_token": f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(id_claims)}.",
            "client_info": _b64({"uid": USER_OID, "utid": TENANT}),
        }


class _Handler(BaseHTTPRequestHandler):
    stand_in: SignInServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store, no-cache")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        self.stand_in.seen.append(Seen("GET", split.path, {k: v[0] for k, v in parse_qs(split.query).items()}))
        parts = split.path.strip("/").split("/")
        if split.path.endswith(OPENID):
            self._answer(200, self.stand_in.openid(parts[0]))
        elif split.path.endswith("/discovery/instance"):
            self._answer(
                200,
                {
                    "tenant_discovery_endpoint": f"{self.stand_in.url}/{parts[0]}{OPENID}",
                    "api-version": "1.1",
                    "metadata": [],
                },
            )
        else:
            self._answer(404, {"error": "not_found", "error_description": f"no such endpoint: {split.path}"})

    def do_POST(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.stand_in.seen.append(Seen("POST", split.path, form))
        if split.path.endswith("/oauth2/v2.0/devicecode"):
            self._answer(
                200,
                {
                    "user_code": USER_CODE,
                    "device_code": DEVICE_CODE,
                    "verification_uri": VERIFICATION_URI,
                    "expires_in": 900,
                    "interval": self.stand_in.interval,
                    "message": f"To sign in, use a web browser to open the page {VERIFICATION_URI} and enter the code "
                    f"{USER_CODE} to authenticate.",
                },
            )
        elif split.path.endswith("/oauth2/v2.0/token"):
            grant = form.get("grant_type", "")
            if grant == "urn:ietf:params:oauth:grant-type:device_code" and form.get("device_code") == DEVICE_CODE:
                if self.stand_in.declined.is_set():
                    self._answer(
                        400,
                        {
                            "error": "authorization_declined",
                            "error_description": "AADSTS70000: the user declined to sign in.",
                            "error_codes": [70000],
                        },
                    )
                elif not self.stand_in.approved.is_set() and not self.stand_in.auto_approve:
                    self._answer(
                        400,
                        {
                            "error": "authorization_pending",
                            "error_description": "AADSTS70016: OAuth 2.0 "
                            "device flow error. Authorization is pending. Continue polling.",
                            "error_codes": [70016],
                        },
                    )
                else:
                    self._answer(200, self.stand_in.tokens(form))
            elif grant == "refresh_token" and form.get("refresh_token") == REFRESH_TOKEN:
                self._answer(200, self.stand_in.tokens(form))
            else:
                self._answer(
                    400, {"error": "invalid_grant", "error_description": "AADSTS70000: the grant is not valid."}
                )
        else:
            self._answer(404, {"error": "not_found", "error_description": f"no such endpoint: {split.path}"})


@contextmanager
def sign_in_server(folder: Path, access_token: str, *, auto_approve: bool = False) -> Iterator[SignInServer]:
    """The stand-in on 127.0.0.1 (https, a certificate of a CA made in ``folder``), until the block ends."""
    ca, cert, key = test_ca(folder)
    stand_in = SignInServer(access_token, ca, auto_approve=auto_approve)
    handler = type("Handler", (_Handler,), {"stand_in": stand_in})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    stand_in.url = f"https://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, name="sign-in-stand-in", daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def azure_stand_ins(folder: Path) -> Iterator[dict[str, str]]:
    """Azure for a process the test starts: the local workspace as the ARM endpoint (its directory of
    subscriptions and workspaces) and this sign-in stand-in, which mints that server's token and signs the
    user in at once. Yields the variables to give the process (HOME too: azure-identity's cache lives there)."""
    from jupyter_compute.local.server import LocalServer

    home = folder / "user-home"
    home.mkdir(parents=True, exist_ok=True)
    azure = LocalServer(home=folder / "azure").start()
    try:
        with sign_in_server(folder / "ca", azure.token, auto_approve=True) as stand_in:
            yield {
                "HOME": str(home),
                "REQUESTS_CA_BUNDLE": str(stand_in.ca),
                "AZURE_AUTHORITY_HOST": stand_in.url,
                "JUPYTER_COMPUTE_ARM_ENDPOINT": azure.url,
                "IDENTITY_ENDPOINT": "http://127.0.0.1:9",
                "MSI_ENDPOINT": "http://127.0.0.1:9",
            }
    finally:
        azure.stop()
