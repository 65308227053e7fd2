"""After creation (issue 26), end to end against the local workspace through its real HTTP server: ``doctor``
of one compute and of the workspace, the OS image (``osImageMetadata`` in show and list -o json, ``list
--outdated``, the note of a start, a newer image published by ``/_emulator/images``), the jobs on a cluster's
nodes (``/_emulator/jobs``, the nodes table, show), and the panel's row marks."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from test_cli_verbs import run_inprocess

from jupyter_compute.model.specs import AmlComputeSpec, ComputeInstanceSpec
from jupyter_compute.model.wire import ArmRequest
from jupyter_compute.service.operation import Operation
from jupyter_compute.service.workspace import Workspace
from jupyter_compute.ui.rows import row_of


def done(op: Operation) -> Operation:
    op.wait(60)
    assert op.status == "Succeeded", op.error
    return op


def cli(*words: str) -> str:
    result = run_inprocess(list(words))
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


@pytest.fixture
def ws() -> Workspace:
    return Workspace.local()


def test_a_newer_image_makes_an_instance_outdated_everywhere_it_shows(ws: Workspace) -> None:
    done(ws.create(ComputeInstanceSpec.from_keywords(name="ci1", idle_time_before_shutdown_minutes=30)))
    listed = json.loads(cli("list", "-o", "json"))
    image = listed[0]["properties"]["properties"]["osImageMetadata"]
    assert image["isLatestOsImageVersion"] is True and image["currentImageVersion"] == image["latestImageVersion"]
    assert cli("list", "--outdated").strip() == "No computes in this workspace."
    assert "OS image 25.11.01, the latest." in cli("show", "ci1")

    assert ws.simulate_new_image("26.01.15") == "26.01.15"
    shown = json.loads(cli("show", "ci1", "-o", "json"))["properties"]["properties"]["osImageMetadata"]
    assert shown == {
        "currentImageVersion": "25.11.01",
        "latestImageVersion": "26.01.15",
        "isLatestOsImageVersion": False,
    }
    assert [c["name"] for c in json.loads(cli("list", "--outdated", "-o", "json"))] == ["ci1"]
    assert "not the latest (26.01.15)" in cli("show", "ci1")
    doctor = cli("doctor", "ci1")
    assert "runs OS image 25.11.01; the latest is 26.01.15" in doctor and "does not update" in doctor

    done(ws.stop("ci1"))
    started = done(ws.start("ci1"))
    assert "not the latest (26.01.15); a start keeps its image" in started.note
    assert ws.get("ci1").os_image["currentImageVersion"] == "25.11.01"  # type: ignore[index]
    # A new instance gets the new image.
    done(ws.create(ComputeInstanceSpec.from_keywords(name="ci2", idle_time_before_shutdown_minutes=30)))
    assert ws.get("ci2").os_image == {
        "currentImageVersion": "26.01.15",
        "latestImageVersion": "26.01.15",
        "isLatestOsImageVersion": True,
    }
    assert [c.name for c in ws.list(outdated=True)] == ["ci1"]
    marks = row_of(ws.get("ci1"))["marks"]
    assert [m["kind"] for m in marks] == ["image"] and "26.01.15" in marks[0]["title"]
    assert row_of(ws.get("ci2"))["marks"] == []


def test_an_image_version_in_another_form_is_refused(ws: Workspace) -> None:
    from jupyter_compute.errors import ServiceError, ValidationError

    with pytest.raises(ServiceError, match="YY.MM.DD"):
        ws.simulate_new_image("latest")
    # The control endpoint itself, as a tool would call it (with the token): a body that is not an object.
    with pytest.raises(ServiceError, match="JSON object"):
        ws._client().send(ArmRequest("POST", f"{ws.ref.base_url()}/_emulator/jobs", ["not", "an", "object"]))
    azure = Workspace.azure("00000000-0000-0000-0000-000000000000", "group1", "workspace1")
    with pytest.raises(ValidationError, match="only the local workspace simulates"):
        azure.simulate_job("cl1", "run-1")


def test_jobs_marked_on_a_clusters_nodes_show_in_nodes_show_and_doctor(ws: Workspace) -> None:
    done(ws.create(AmlComputeSpec.from_keywords(name="cl1", min_instances=3, max_instances=4)))
    ws.wait("cl1", 60)
    nodes = ws.simulate_job("cl1", "run-7", nodes=2)
    assert [n.get("runId") for n in nodes] == ["run-7", "run-7", None]
    assert "runId" not in nodes[2]  # the service leaves the key out on an idle node (recording)
    listed = json.loads(cli("nodes", "cl1", "-o", "json"))
    assert [(n["nodeState"], n.get("runId")) for n in listed] == [
        ("running", "run-7"),
        ("running", "run-7"),
        ("idle", None),
    ]
    table = cli("nodes", "cl1")
    assert "JOB" in table.splitlines()[0] and table.count("run-7") == 2
    assert "2 of 3 nodes busy: run-7 on 2 nodes" in cli("show", "cl1")
    counts = ws.get("cl1").node_counts
    assert (counts.busy, counts.states["idle"]) == (2, 1)
    assert "2 of cl1's 3 nodes run jobs: run-7" in cli("doctor", "cl1")
    cleared = ws.simulate_job("cl1", None)
    assert [n["nodeState"] for n in cleared] == ["idle"] * 3
    assert "0 of 3 nodes busy" in cli("show", "cl1")


def test_more_jobs_than_idle_nodes_are_refused(ws: Workspace) -> None:
    from jupyter_compute.errors import ServiceError

    done(ws.create(AmlComputeSpec.from_keywords(name="cl1", min_instances=1, max_instances=2)))
    ws.wait("cl1", 60)
    with pytest.raises(ServiceError, match="1 idle nodes; cannot run a job on 2"):
        ws.simulate_job("cl1", "r", nodes=2)


def test_doctor_of_the_workspace_lists_what_needs_attention(ws: Workspace) -> None:
    done(ws.create(ComputeInstanceSpec.from_keywords(name="bare")))
    done(ws.create(ComputeInstanceSpec.from_keywords(name="tidy", idle_time_before_shutdown_minutes=30)))
    text = cli("doctor")
    assert "bare (instance, Running)" in text and "neither idle shutdown nor a stop schedule" in text
    assert "tidy" not in text
    assert text.strip().endswith("2 computes checked; 1 needs attention.")
    data = json.loads(cli("doctor", "-o", "json"))
    assert {d["name"]: [f["rule"] for f in d["findings"]] for d in data} == {"bare": ["runs-unguarded"], "tidy": []}
    row = row_of(ws.get("bare"))
    assert row["marks"][0]["kind"] == "warning" and "neither idle shutdown" in row["marks"][0]["title"]
    missing = run_inprocess(["doctor", "nope"])
    assert missing.returncode == 1 and "nope was not found" in missing.stderr


def test_the_panel_row_says_a_stop_within_the_hour(ws: Workspace) -> None:
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    stop_at = now + timedelta(minutes=25)
    stop = {"action": "stop", "trigger": {"type": "cron", "expression": f"{stop_at.minute} {stop_at.hour} * * *"}}
    done(ws.create(ComputeInstanceSpec.from_keywords(name="ci1", schedules=[stop])))
    marks = row_of(ws.get("ci1"), now=now, tz=timezone.utc)["marks"]
    assert marks == [
        {"kind": "stop", "text": f"stops at {stop_at:%H:%M} by schedule, in 25 min", "title": marks[0]["title"]}
    ]
    assert row_of(ws.get("ci1"), now=now - timedelta(hours=2), tz=timezone.utc)["marks"] == []


def test_the_panels_details_say_what_doctor_says_and_which_jobs_run(ws: Workspace) -> None:
    from jupyter_compute.render.doctor import busy_line
    from jupyter_compute.ui.panel.tools import ComputeTools

    done(ws.create(ComputeInstanceSpec.from_keywords(name="ci1")))
    instance = ComputeTools(ws, ws.get("ci1"), "details", on_done=lambda: None)
    assert "neither idle shutdown nor a stop schedule" in instance.details.value
    assert "OS image 25.11.01, the latest." in instance.details.value and "name: ci1" in instance.details.value
    done(ws.create(AmlComputeSpec.from_keywords(name="cl1", min_instances=2, max_instances=2)))
    ws.wait("cl1", 60)
    ws.simulate_job("cl1", "train-<1>")
    tools = ComputeTools(ws, ws.get("cl1"), "details", on_done=lambda: None)
    assert "1 of 2 nodes busy (`nodes cl1` lists their jobs)" in str(busy_line(ws.get("cl1")))  # from the body
    tools.nodes_loaded.join(30)
    assert "1 of 2 nodes busy: train-&lt;1&gt; on 1 node" in tools.details.value  # escaped


def test_custom_applications_are_replaced_and_removed_after_creation(ws: Workspace) -> None:
    from jupyter_compute.errors import ServiceError

    app = {
        "name": "rstudio",
        "image": {"reference": "ghcr.io/azure/rstudio-workbench:latest"},
        "endpoints": [{"target": 8787, "published": 8787}],
    }
    done(ws.create(ComputeInstanceSpec.from_keywords(name="ci1", idle_time_before_shutdown_minutes=30)))
    done(ws.update("ci1", custom_applications=[app]))
    services = ws.get("ci1").body["properties"]["properties"]["customServices"]
    assert [s["name"] for s in services] == ["rstudio"] and services[0]["endpoints"][0]["target"] == 8787
    assert ws.get("ci1").spec.custom_applications[0].name == "rstudio"  # type: ignore[attr-defined]
    doctor = cli("doctor", "ci1")
    assert "custom applications (rstudio)" in doctor and "may never fire" in doctor
    done(ws.update("ci1", custom_applications=[]))
    assert ws.get("ci1").body["properties"]["properties"]["customServices"] == []
    # The local workspace checks what it is sent as the spec describes CustomService.
    url = ws.ref.compute_url("ci1", "customServices", **{"api-version": "2024-10-01-preview"})
    with pytest.raises(ServiceError, match=r"customServices\[0\]"):
        ws._client().send(ArmRequest("POST", url, [{"name": "x", "image": "not an object"}]))


def test_doctor_reads_the_list_once_and_the_quota_only_for_clusters(ws: Workspace) -> None:
    def served() -> list[str]:
        log = ws._client().get(f"{ws.ref.base_url()}/_emulator/requests").body
        return [f"{e['method']} {e['path'].rsplit('/', 1)[-1]}" for e in log if not e["path"].startswith("/_emulator/")]

    done(ws.create(ComputeInstanceSpec.from_keywords(name="ci1", idle_time_before_shutdown_minutes=30)))
    before = len(served())
    ws.doctor()
    assert served()[before:] == ["GET computes"]  # instances only: no quota read
    done(ws.create(AmlComputeSpec.from_keywords(name="cl1", min_instances=0, max_instances=2)))
    before = len(served())
    ws.doctor()
    assert sorted(served()[before:]) == ["GET computes", "GET usages", "GET vmSizes"]
    before = len(served())
    ws.doctor("cl1")
    assert sorted(served()[before:]) == ["GET cl1", "GET usages", "GET vmSizes", "POST listNodes"]


def test_outdated_is_refused_with_all_workspaces() -> None:
    refused = run_inprocess(["list", "--outdated", "--all-workspaces"])
    assert refused.returncode == 2 and "--outdated lists one workspace's instances" in refused.stderr


def test_single_sign_on_off_and_on_after_creation_by_its_own_route(ws: Workspace) -> None:
    """``update --disable-sso`` / ``--enable-sso`` through the CLI and ``Workspace.update(enable_sso=…)``: one POST
    enableSso each (counted at the local workspace: no PUT of the instance), ``show`` and ``show -o json`` then
    say what the service reports; a cluster and a change with other fields are refused with nothing sent."""

    def served() -> list[str]:
        log = ws._client().get(f"{ws.ref.base_url()}/_emulator/requests").body
        return [
            f"{e['method']} {e['path'].rsplit('/', 1)[-1]}"
            for e in log
            if not e["path"].startswith("/_emulator/") and e["method"] != "GET"
        ]

    done(ws.create(ComputeInstanceSpec.from_keywords(name="ci1", idle_time_before_shutdown_minutes=30)))
    done(ws.create(AmlComputeSpec.from_keywords(name="cl1", min_instances=0, max_instances=1)))
    assert "Single sign-on: on (`update ci1 --disable-sso` turns it off)." in cli("show", "ci1")
    before = len(served())
    assert "update instance ci1: done" in cli("update", "ci1", "--disable-sso", "--wait")
    assert served()[before:] == ["POST enableSso"]
    assert json.loads(cli("show", "ci1", "-o", "json"))["properties"]["properties"]["enableSSO"] is False
    assert "Single sign-on: off (`update ci1 --enable-sso` turns it on)." in cli("show", "ci1")

    before = len(served())
    done(ws.update("ci1", enable_sso=True))
    assert served()[before:] == ["POST enableSso"] and ws.get("ci1").sso_enabled is True

    before = len(served())
    together = run_inprocess(["update", "ci1", "--enable-sso", "false", "--idle-shutdown", "45"])
    assert together.returncode == 2 and "single sign-on changes by a request of its own" in together.stderr
    on_cluster = run_inprocess(["update", "cl1", "--disable-sso", "--wait"])
    assert on_cluster.returncode != 0 and "cl1 is a cluster, which has none" in on_cluster.stderr
    assert "Nothing was sent" in on_cluster.stderr
    assert served()[before:] == [] and ws.get("ci1").sso_enabled is True
