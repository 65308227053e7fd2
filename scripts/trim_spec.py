"""Write the trimmed wire schema that the package ships (jupyter_compute/data/compute-2025-12-01.json).

Sources, all under ../shared/reference/azure-ml-rest (copies of Azure/azure-rest-api-specs, MIT):
- machineLearningServices.json, stable 2025-12-01, classic layout (commit fd33125a): every definition;
- openapi.json 2025-12-01, TypeSpec layout (commit 20273ef8): ComputeInstanceProperties and
  ComputeInstanceState replace the classic ones (they add enableSSO, idleTimeBeforeShutdown, Resizing);
- common-types/resource-management/v3 (Resource, ProxyResource, systemData, Sku, ErrorResponse,
  ManagedServiceIdentity), written out below because the reference folder does not carry them;
- the computeName pattern of the TypeSpec file.

Run: python scripts/trim_spec.py [REFERENCE_DIR]
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "azure-ml-rest"
OUTPUT = ROOT / "jupyter_compute" / "data" / "compute-2025-12-01.json"
OVERLAID = ("ComputeInstanceProperties", "ComputeInstanceState")

COMMON_TYPES: dict[str, Any] = {
    "Resource": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "name": {"type": "string", "readOnly": True},
            "type": {"type": "string", "readOnly": True},
            "systemData": {"$ref": "#/definitions/systemData", "readOnly": True},
        },
        "x-ms-azure-resource": True,
    },
    "ProxyResource": {"type": "object", "allOf": [{"$ref": "#/definitions/Resource"}]},
    "systemData": {
        "type": "object",
        "readOnly": True,
        "properties": {
            "createdBy": {"type": "string"},
            "createdByType": {"type": "string", "enum": ["User", "Application", "ManagedIdentity", "Key"]},
            "createdAt": {"type": "string", "format": "date-time"},
            "lastModifiedBy": {"type": "string"},
            "lastModifiedByType": {"type": "string", "enum": ["User", "Application", "ManagedIdentity", "Key"]},
            "lastModifiedAt": {"type": "string", "format": "date-time"},
        },
    },
    "Sku": {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tier": {"type": "string", "enum": ["Free", "Basic", "Standard", "Premium"]},
            "size": {"type": "string"},
            "family": {"type": "string"},
            "capacity": {"type": "integer", "format": "int32"},
        },
        "required": ["name"],
    },
    "ErrorResponse": {"type": "object", "properties": {"error": {"$ref": "#/definitions/ErrorDetail"}}},
    "ErrorDetail": {
        "type": "object",
        "properties": {
            "code": {"type": "string", "readOnly": True},
            "message": {"type": "string", "readOnly": True},
            "target": {"type": "string", "readOnly": True},
            "details": {"type": "array", "items": {"$ref": "#/definitions/ErrorDetail"}, "readOnly": True},
            "additionalInfo": {
                "type": "array",
                "items": {"$ref": "#/definitions/ErrorAdditionalInfo"},
                "readOnly": True,
            },
        },
    },
    "ErrorAdditionalInfo": {
        "type": "object",
        "properties": {"type": {"type": "string", "readOnly": True}, "info": {"type": "object", "readOnly": True}},
    },
    "ManagedServiceIdentity": {
        "type": "object",
        "properties": {
            "principalId": {"type": "string", "format": "uuid", "readOnly": True},
            "tenantId": {"type": "string", "format": "uuid", "readOnly": True},
            "type": {
                "type": "string",
                "enum": ["None", "SystemAssigned", "UserAssigned", "SystemAssigned,UserAssigned"],
            },
            "userAssignedIdentities": {
                "type": "object",
                "additionalProperties": {"$ref": "#/definitions/UserAssignedIdentity"},
            },
        },
        "required": ["type"],
    },
    "UserAssignedIdentity": {
        "type": "object",
        "properties": {
            "principalId": {"type": "string", "format": "uuid", "readOnly": True},
            "clientId": {"type": "string", "format": "uuid", "readOnly": True},
        },
    },
}


def _local_refs(node: Any) -> Any:
    """Point common-types references at the local copies above."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and not value.startswith("#/"):
                value = "#/definitions/" + value.rsplit("/", 1)[-1]
            out[key] = _local_refs(value)
        return out
    if isinstance(node, list):
        return [_local_refs(v) for v in node]
    return node


def build(reference: Path) -> dict[str, Any]:
    classic = json.loads((reference / "machineLearningServices.json").read_text())
    typespec = json.loads(
        "{" + (reference / "openapi.2025-12-01.compute-instance-definitions.excerpt.txt").read_text() + "}"
    )
    paths = json.loads("{" + (reference / "openapi.2025-12-01.compute-paths.excerpt.txt").read_text() + "}")
    definitions = dict(classic["definitions"])
    for name in OVERLAID:
        definitions[name] = typespec[name]
    definitions.update(COMMON_TYPES)
    definitions = _local_refs(definitions)
    missing = sorted(set(re.findall(r'"\$ref": "#/definitions/([^"]+)"', json.dumps(definitions))) - set(definitions))
    if missing:
        raise SystemExit(f"unresolved references: {missing}")
    name_pattern = next(
        p["pattern"]
        for item in paths.values()
        for op in item.values()
        if isinstance(op, dict)
        for p in op.get("parameters", [])
        if isinstance(p, dict) and p.get("name") == "computeName"
    )
    return {
        "source": "Azure/azure-rest-api-specs Microsoft.MachineLearningServices stable 2025-12-01 "
        "(classic machineLearningServices.json @ fd33125a, with ComputeInstanceProperties and "
        "ComputeInstanceState from the TypeSpec openapi.json @ 20273ef8; common-types v3). "
        "Written by scripts/trim_spec.py.",
        "apiVersion": classic["info"]["version"],
        "computeNamePattern": name_pattern,
        "definitions": definitions,
    }


def main() -> None:
    reference = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REFERENCE
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(build(reference), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
