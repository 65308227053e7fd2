"""Azure clouds: ARM endpoint, token scope and sign-in authority, by name."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ValidationError


@dataclass(frozen=True)
class Cloud:
    name: str
    arm_endpoint: str
    authority_host: str

    @property
    def scope(self) -> str:
        return self.arm_endpoint.rstrip("/") + "/.default"


CLOUDS = {
    c.name.lower(): c
    for c in (
        Cloud("AzureCloud", "https://management.azure.com", "login.microsoftonline.com"),
        Cloud("AzureChinaCloud", "https://management.chinacloudapi.cn", "login.chinacloudapi.cn"),
        Cloud("AzureUSGovernment", "https://management.usgovcloudapi.net", "login.microsoftonline.us"),
    )
}
ALIASES = {
    "public": "azurecloud",
    "china": "azurechinacloud",
    "usgov": "azureusgovernment",
    "usgovernment": "azureusgovernment",
}


def cloud(name: str | None) -> Cloud:
    key = (name or "AzureCloud").strip().lower()
    key = ALIASES.get(key, key)
    if key not in CLOUDS:
        allowed = ", ".join(c.name for c in CLOUDS.values())
        raise ValidationError.one("cloud", f"{name!r} is not a known cloud; allowed: {allowed}")
    return CLOUDS[key]
