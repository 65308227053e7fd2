"""Every JSON answer body in the reference recordings, with the spec root its reader expects."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOTS = (
    (r"/computes/[^/]+/listNodes$", "POST", "AmlComputeNodesInformation"),
    (r"/computes$", "GET", "PaginatedComputeResourcesList"),
    (r"/computes/[^/]+$", "GET", "ComputeResource"),
    (r"/computes/[^/]+$", "PUT", "ComputeResource"),
    (r"/computeOperationsStatus/", "GET", "OperationStatus"),
    (r"/vmSizes$", "GET", "VirtualMachineSizeListResult"),
    (r"/usages$", "GET", "ListUsagesResult"),
    (r"/workspaces/[^/]+$", "GET", "Workspace"),
    (r"/workspaces$", "GET", "WorkspaceListResult"),
    (r"^/subscriptions$", "GET", "SubscriptionListResult"),
)


def recorded(recordings: Path) -> list[tuple[str, str, Any]]:
    raw: list[tuple[str, str, str]] = []
    for f in sorted(recordings.glob("azure-cli-extensions/*.yaml")):
        for i in yaml.safe_load(f.read_text(encoding="utf-8"))["interactions"]:
            raw.append((i["request"]["method"], i["request"]["uri"], i["response"]["body"]["string"]))
    for f in sorted([*recordings.glob("azure-powershell/*.json"), *recordings.glob("more-2026-12/listnodes/*.json")]):
        for entry in json.loads(f.read_text(encoding="utf-8")).values():
            if isinstance(entry, dict) and "Response" in entry:
                raw.append((entry["Request"]["Method"], entry["Request"]["RequestUri"], entry["Response"]["Content"]))
    for f in sorted(recordings.glob("azure-sdk-assets/*.json")):
        for e in json.loads(f.read_text(encoding="utf-8"))["Entries"]:
            body = e["ResponseBody"]
            raw.append((e["RequestMethod"], e["RequestUri"], body if isinstance(body, str) else json.dumps(body)))
    listed = recordings / "more-2026-12" / "subscriptions-workspaces"
    for f in sorted(listed.glob("*.entry.json")) + sorted(listed.glob("*.excerpt.json")):
        e = json.loads(f.read_text(encoding="utf-8"))
        body = e["ResponseBody"]
        if isinstance(body, dict) and isinstance(body.get("value"), list):  # an excerpt marks elided items by a note
            body = {**body, "value": [v for v in body["value"] if not str(v).startswith("...")]}
        raw.append((e["RequestMethod"], e["RequestUri"], json.dumps(body)))
    for f in sorted(listed.glob("*.workspace-lists.json")):
        for key, entry in json.loads(f.read_text(encoding="utf-8")).items():
            if key.startswith("GET ") and isinstance(entry, dict) and isinstance(entry.get("Content"), (dict, str)):
                body = entry["Content"]
                raw.append(("GET", "https://x" + key.split()[1], body if isinstance(body, str) else json.dumps(body)))
    found = []
    for method, uri, text in raw:
        path = urlsplit(uri).path
        try:
            body = json.loads(text) if text else None
        except ValueError:
            continue
        if body is None or (isinstance(body, dict) and "error" in body):
            continue
        root = next((r for pattern, m, r in ROOTS if m == method and re.search(pattern, path)), None)
        if root is not None:
            found.append((root, f"{method} {path}", body))
    return found
