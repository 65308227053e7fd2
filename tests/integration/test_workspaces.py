"""Finding and picking a workspace: `workspaces` lists every workspace a sign-in sees (subscriptions, then each
one's workspaces, paged, at most a few at once, a refusing or disabled subscription one line), and
`workspace --pick` chooses one, `--save` writing its config.json and never replacing one unasked. Against
the local workspace addressed as Azure (JUPYTER_COMPUTE_ARM_ENDPOINT with its token), and a scripted ARM
server where the count of requests in flight is what is checked."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute import settings
from jupyter_compute.frontends.command import Session
from jupyter_compute.frontends.grammar import parse
from jupyter_compute.frontends.verbs import execute
from jupyter_compute.local.server import LocalServer
from jupyter_compute.service.account import Account, Choice
from jupyter_compute.service.ref import WorkspaceRef, resolve

from arm_script import Reply, Seen, scripted
from conftest import Cli, until

RESEARCH = "10000000-0000-4000-8000-000000000001"
PROVIDER = "providers/Microsoft.MachineLearningServices"
EXPECTED = {
    ("Local subscription", "local", "local", "eastus", "Default"),
    ("Research (local)", "forecast", "forecasting", "eastus2", "Default"),
    ("Research (local)", "forecast", "forecasting-dev", "eastus2", "Default"),
    ("Research (local)", "nlp", "nlp-lab", "swedencentral", "Default"),
    ("Research (local)", "vision", "vision-hub", "westeurope", "Hub"),
    ("Research (local)", "vision", "vision-project", "westeurope", "Project"),
}


def subscriptions_reply(ids: list[str]) -> Reply:
    """``GET /subscriptions`` of a scripted Azure: each id enabled, named S0, S1 …"""
    return Reply(
        200, {"value": [{"subscriptionId": s, "displayName": f"S{n}", "state": "Enabled"} for n, s in enumerate(ids)]}
    )


def workspace_item(sub: str, name: str) -> dict[str, Any]:
    """A workspace list item of a scripted Azure (resource group rg, eastus)."""
    return {
        "id": f"/subscriptions/{sub}/resourceGroups/rg/{PROVIDER}/workspaces/{name}",
        "name": name,
        "location": "eastus",
        "kind": "Default",
    }


def script_directory(server: Any, subs: dict[str, list[str]]) -> None:
    """A scripted Azure's subscriptions (S0, S1 …), each one's workspaces (resource group rg), and their GETs."""
    server.on("GET", r"^/subscriptions$", subscriptions_reply(list(subs)))
    for sub, names in subs.items():
        server.on(
            "GET",
            rf"^/subscriptions/{sub}/{PROVIDER}/workspaces$",
            Reply(200, {"value": [workspace_item(sub, n) for n in names]}),
        )
    server.on(
        "GET",
        rf"^/subscriptions/[^/]+/resourceGroups/rg/{PROVIDER}/workspaces/[^/]+$",
        Reply(200, {"location": "eastus"}),
    )


@pytest.fixture
def azure(isolated_state: Path) -> Iterator[LocalServer]:
    """The local workspace as the Azure endpoint, two items a page (so every list pages)."""
    paged = settings.current().replace(local_page_size=2)
    server = LocalServer(home=isolated_state / "azure", settings=paged).start()
    with settings.override(arm_endpoint=server.url, access_token=server.token):
        yield server
    server.stop()


@pytest.fixture
def cli(azure: LocalServer) -> Cli:
    import os

    return Cli({**os.environ, "JUPYTER_COMPUTE_ARM_ENDPOINT": azure.url, "JUPYTER_COMPUTE_ACCESS_TOKEN": azure.token})


def test_workspaces_lists_every_subscriptions_workspaces_and_says_which_were_not_listed(
    cli: Cli, azure: LocalServer
) -> None:
    result = cli("workspaces")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["SUBSCRIPTION", "RESOURCE", "GROUP", "WORKSPACE", "REGION", "KIND"]
    assert len([line for line in lines[1:] if not line.startswith("not listed")]) == len(EXPECTED)
    for row in EXPECTED:
        assert any(re.search(r"\s+".join(map(re.escape, row)), line) for line in lines), row
    unlisted = [line for line in lines if line.startswith("not listed")]
    assert len(unlisted) == 2
    assert any("Finance (local, no access)" in line and "refused (AuthorizationFailed)" in line for line in unlisted)
    assert any("Archive (local)" in line and "disabled" in line for line in unlisted)
    paths = [entry.path.split("?")[0] for entry in azure.request_log]
    assert paths.count("/subscriptions") == 2  # 4 subscriptions, 2 a page
    assert paths.count(f"/subscriptions/{RESEARCH}/{PROVIDER}/workspaces") == 3  # 5 workspaces, 2 a page
    assert not any("10000000-0000-4000-8000-000000000003" in p for p in paths)  # the disabled one is not asked
    data = cli.json("workspaces")
    assert {
        (w["subscription_name"], w["resource_group"], w["name"], w["location"], w["kind"]) for w in data["workspaces"]
    } == (EXPECTED)
    assert {u["subscription"] for u in data["unlisted"]} == {"Finance (local, no access)", "Archive (local)"}


def test_subscription_narrows_the_list_by_id_or_name_and_an_unknown_one_is_one_paragraph(
    cli: Cli, azure: LocalServer
) -> None:
    by_name = cli.json("workspaces", "--subscription", "research (LOCAL)")
    assert {w["subscription_id"] for w in by_name["workspaces"]} == {RESEARCH}
    assert len(by_name["workspaces"]) == 5 and by_name["unlisted"] == []
    assert cli.json("workspaces", "--subscription", RESEARCH) == by_name
    wrong = cli("workspaces", "--subscription", "nope", code=2)
    assert "--subscription" in wrong.stderr and "Research (local)" in wrong.stderr
    assert not any(
        "/workspaces" in entry.path and "00000000-0000-0000-0000-000000000000" in entry.path
        for entry in azure.request_log
    )


def test_subscriptions_are_listed_a_few_at_once_never_more(tmp_path: Path) -> None:
    """Twelve subscriptions, at most three lists in flight: each list waits until three are in flight (or
    none remain to start), so the count is reached whenever it can be, and exceeding it would show."""
    total, bound = 12, 3
    subs = [f"20000000-0000-4000-8000-{n:012d}" for n in range(total)]
    lock = threading.Lock()
    state = {"in_flight": 0, "most": 0, "started": 0}
    reached = threading.Condition(lock)

    def workspaces(seen: Seen) -> Reply:
        sub = seen.path.split("/")[2]
        with lock:
            state["in_flight"] += 1
            state["started"] += 1
            state["most"] = max(state["most"], state["in_flight"])
            reached.notify_all()
            ok = reached.wait_for(lambda: state["in_flight"] >= bound or state["started"] == total, timeout=20)
        item = workspace_item(sub, f"ws-{sub[-2:]}")
        with lock:
            state["in_flight"] -= 1
        return Reply(200 if ok else 500, {"value": [item]})

    with scripted("127.0.0.1") as server:
        server.on("GET", r"^/subscriptions$", subscriptions_reply(subs))
        server.on("GET", rf"^/subscriptions/[^/]+/{PROVIDER}/workspaces$", workspaces)
        with settings.override(arm_endpoint=server.url, access_token="t"):
            found = Account(concurrency=bound).workspaces()
    assert state["most"] == bound
    assert len(found.workspaces) == total and found.unlisted == []


def test_pick_in_a_terminal_sets_the_workspace_and_saves_config_json_asking_before_replacing(
    cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    picked = cli.run(["workspace", "--pick", "--save", str(folder)])
    # No answer (stdin is not a terminal and empty): nothing chosen, nothing written.
    assert picked.returncode == 0 and not (folder / "config.json").exists(), picked.stderr
    listing = picked.stdout.splitlines()
    number = next(line.split()[0] for line in listing if " vision-project " in f" {line} ")
    chose = _run_with_input(cli, ["workspace", "--pick", "--save", str(folder)], f"{number}\n")
    assert chose.returncode == 0, chose.stderr
    saved = json.loads((folder / "config.json").read_text())
    assert saved == {"subscription_id": RESEARCH, "resource_group": "vision", "workspace_name": "vision-project"}
    assert resolve(start=folder) == WorkspaceRef.azure(RESEARCH, "vision", "vision-project", origin="config")
    other = next(line.split()[0] for line in listing if " nlp-lab " in f" {line} ")
    again = _run_with_input(cli, ["workspace", "--pick", "--save", str(folder)], f"{other}\ny\n")
    assert "left as it is" in again.stderr  # not a terminal: not asked, not replaced
    assert json.loads((folder / "config.json").read_text())["workspace_name"] == "vision-project"
    forced = _run_with_input(cli, ["workspace", "--pick", "--save", str(folder), "--yes"], f"{other}\n")
    assert forced.returncode == 0 and json.loads((folder / "config.json").read_text())["workspace_name"] == "nlp-lab"
    bad = _run_with_input(cli, ["workspace", "--pick"], "99\n")
    assert bad.returncode == 2 and "99" in bad.stderr


def _run_with_input(cli: Cli, words: list[str], answer: str) -> Any:
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "jupyter_compute.frontends.cli", *words],
        input=answer,
        capture_output=True,
        text=True,
        env=cli.env,
        timeout=120,
    )


def test_save_writes_the_current_workspace_and_never_replaces_unasked(tmp_path: Path) -> None:
    session = Session()
    target = tmp_path / "config.json"
    words = f"workspace --subscription {RESEARCH} --resource-group vision --workspace vision-hub --save {target}"
    execute(parse(words), session)
    assert json.loads(target.read_text())["workspace_name"] == "vision-hub"
    assert session.workspace == WorkspaceRef.azure(RESEARCH, "vision", "vision-hub")
    target.write_text("{}")
    with pytest.raises(Exception, match="exists; it was left as it is"):
        execute(parse(words), session)
    assert target.read_text() == "{}"
    with pytest.raises(Exception, match="needs no config.json"):
        execute(parse(f"workspace --local --save {tmp_path / 'other.json'}"), session)


def test_the_dropdown_shows_at_once_fills_in_the_background_and_saves_only_when_told(
    azure: LocalServer, tmp_path: Path
) -> None:
    from jupyter_compute.ui.deferred import LOADING, WorkspacePicker

    chosen: list[WorkspaceRef] = []
    target = tmp_path / "config.json"
    gate = threading.Event()
    real = Account.workspaces

    def held(self: Account, *args: Any, **kwargs: Any) -> Any:
        gate.wait(20)
        return real(self, *args, **kwargs)

    account = Account()
    account.workspaces = held.__get__(account)  # type: ignore[method-assign]
    picker = WorkspacePicker(Choice(account, chosen.append, save_to=str(target)))
    assert LOADING in picker.status.value and picker.dropdown.disabled  # shown before any list arrived
    gate.set()
    until(picker.loaded.is_set)
    labels = [label for label, _ in picker.dropdown.options]
    assert len(labels) == 1 + len(EXPECTED) and "not listed: Finance (local, no access)" in picker.status.value
    hub = next(value for label, value in picker.dropdown.options if value is not None and value.name == "vision-hub")
    picker.dropdown.value = hub
    assert chosen == [WorkspaceRef.azure(RESEARCH, "vision", "vision-hub")]
    picker.save_button.click()
    assert json.loads(target.read_text())["workspace_name"] == "vision-hub"
    target.write_text("{}")
    picker.save_button.click()
    assert target.read_text() == "{}" and picker.replace_button.layout.display != "none"
    picker.replace_button.click()
    assert json.loads(target.read_text())["workspace_name"] == "vision-hub"


def test_the_panels_menu_finds_the_workspaces_in_the_background_switches_and_saves_config_json(
    azure: LocalServer, isolated_state: Path
) -> None:
    from jupyter_compute import Workspace
    from jupyter_compute.ui.panel import FIND, ComputePanel

    panel = ComputePanel(Workspace.local())
    try:
        assert panel.save_config_button.layout.display == "none"  # the local workspace needs no config.json
        assert (("find my Azure workspaces…", FIND)) in panel.workspace_choice.options
        panel.workspace_choice.value = FIND
        until(lambda: "workspaces found" in panel.message.value)
        found = [label for label, _ in panel.workspace_choice.options if " · " in label]  # name (group) · where
        assert len(found) == len(EXPECTED)
        assert panel.search.layout.display == "none"  # six read well in a menu
        assert "not listed: Finance (local, no access)" in panel.message.value
        labels = dict(panel.workspace_choice.options)
        hub = "vision-hub (vision) · Research (local), westeurope"
        assert hub in labels and FIND not in labels.values()
        panel.workspace_choice.value = labels[hub]
        assert panel.ws.ref == WorkspaceRef.azure(RESEARCH, "vision", "vision-hub")
        assert panel.save_config_button.layout.display != "none"
        target = Path.cwd() / "config.json"
        assert panel.save_config() == target
        assert json.loads(target.read_text())["workspace_name"] == "vision-hub"
        target.write_text("{}")
        assert panel.save_config() is None and "exists" in panel.message.value and target.read_text() == "{}"
        assert panel.save_config() == target  # the second click, after the warning, replaces it
        assert json.loads(target.read_text())["workspace_name"] == "vision-hub"
    finally:
        panel.close()


# --- every workspace at once -----------------------------------------------------------------------


def _two_workspaces_with_computes(azure: LocalServer) -> None:
    """An instance left running unguarded in vision-hub, a cluster in forecasting (made through the client)."""
    from jupyter_compute import AmlComputeSpec, ComputeInstanceSpec, Workspace

    hub = Workspace.azure(RESEARCH, "vision", "vision-hub")
    forecasting = Workspace.azure(RESEARCH, "forecast", "forecasting")
    ops = [
        hub.create(ComputeInstanceSpec.from_keywords(name="ci-left-on", size="Standard_DS3_v2")),
        forecasting.create(AmlComputeSpec.from_keywords(name="cpu-cl", size="Standard_DS3_v2", max_instances=2)),
    ]
    for op in ops:
        assert op.wait(120).status == "Succeeded", op.error


def test_list_and_costs_of_every_workspace_name_the_workspace_flag_the_unguarded_and_list_failures(
    cli: Cli, azure: LocalServer
) -> None:
    _two_workspaces_with_computes(azure)
    listed = cli("list", "--all-workspaces")
    rows = [line.split() for line in listed.stdout.splitlines() if line and not line.startswith("not listed")]
    assert rows[0][:2] == ["WORKSPACE", "NAME"]
    assert {(r[0], r[1]) for r in rows[1:]} == {("vision-hub", "ci-left-on"), ("forecasting", "cpu-cl")}
    assert "not listed: Finance (local, no access)" in listed.stdout
    assert "Listing the computes of 6 workspaces: 6/6" in listed.stderr  # the progress line
    bill = cli("costs", "--all-workspaces")
    assert "across 6 workspaces" in bill.stdout
    flagged = [line for line in bill.stdout.splitlines() if "neither idle shutdown nor a stop schedule" in line]
    assert len(flagged) == 1 and flagged[0].startswith("vision-hub: ! ci-left-on")
    data = cli.json("costs", "--all-workspaces", "--subscription", RESEARCH)
    assert {w["workspace"] for w in data["workspaces"]} == {w for _, _, w, _, _ in EXPECTED if w != "local"}
    assert data["flagged"] == [{"workspace": "vision-hub", "name": "ci-left-on"}]
    only = cli.json("list", "--all-workspaces", "--type", "cluster")
    assert [c["name"] for w in only["workspaces"] for c in w["computes"]] == ["cpu-cl"]
    refused = cli("list", "--all-workspaces", "--workspace", "x", code=2)
    assert "--all-workspaces" in refused.stderr


def test_the_python_function_and_the_notebook_view_give_the_same_and_a_failing_workspace_is_one_line(
    tmp_path: Path,
) -> None:
    """A scripted Azure: two subscriptions, three workspaces, one of which refuses its compute list."""
    import jupyter_compute
    from jupyter_compute.service.account import Survey
    from jupyter_compute.ui.deferred import SurveyView

    subs = {"30000000-0000-4000-8000-000000000001": ["ws-a", "ws-b"], "30000000-0000-4000-8000-000000000002": ["ws-c"]}

    with scripted("127.0.0.1") as server:
        script_directory(server, subs)
        server.on(
            "GET",
            rf"^/subscriptions/[^/]+/resourceGroups/rg/{PROVIDER}/workspaces/ws-[ac]/computes$",
            Reply(200, {"value": []}),
        )
        server.on(
            "GET",
            rf"^/subscriptions/[^/]+/resourceGroups/rg/{PROVIDER}/workspaces/ws-b/computes$",
            Reply(403, {"error": {"code": "AuthorizationFailed", "message": "no computes for you"}}),
        )
        with settings.override(arm_endpoint=server.url, access_token="t"):
            found = jupyter_compute.all_workspaces()
            view = SurveyView(Survey(Account()), costs=True)
            until(view.done.is_set)
    assert [b.workspace.name for b in found.bills] == ["ws-a", "ws-c"]
    assert [what for what, _ in found.failures] == ["ws-b (rg, S0)"]
    assert "AuthorizationFailed: no computes for you" in found.failures[0][1]
    assert view.result is not None
    assert view.result.to_dict()["workspaces"] == found.to_dict()["workspaces"]
    assert [what for what, _ in view.result.failures] == ["ws-b (rg, S0)"]
    assert "not listed: ws-b (rg, S0)" in view.html.value and "across 2 workspaces" in view.html.value


def test_the_panels_all_workspaces_view_lists_every_compute_and_the_bill_read_only(azure: LocalServer) -> None:
    from jupyter_compute import Workspace
    from jupyter_compute.ui.panel import ALL, ComputePanel

    _two_workspaces_with_computes(azure)
    panel = ComputePanel(Workspace.local())
    try:
        panel.workspace_choice.value = ALL
        assert panel.workspace_choice.value == "local" and panel.ws.ref.is_default_local  # it switches nothing
        view, close = panel.everywhere_box.children
        until(lambda: "across 6 workspaces" in view.value)
        assert "ci-left-on" in view.value and "cpu-cl" in view.value and "vision-hub: ! ci-left-on" in view.value
        assert "<button" not in view.value  # read-only: nothing there acts on another workspace
        close.click()
        assert panel.everywhere_box.children == ()
    finally:
        panel.close()


def test_a_long_list_of_found_workspaces_gets_a_search_box_that_switches_the_panel() -> None:
    from jupyter_compute import Workspace
    from jupyter_compute.ui.panel import FIND, SEARCH_FROM, ComputePanel

    sub = "40000000-0000-4000-8000-000000000001"
    names = [f"team-{n:02d}" for n in range(SEARCH_FROM + 2)]
    with scripted("127.0.0.1") as server:
        script_directory(server, {sub: names})
        server.on(
            "GET",
            rf"^/subscriptions/{sub}/resourceGroups/rg/{PROVIDER}/workspaces/[^/]+/computes$",
            Reply(200, {"value": []}),
        )
        with settings.override(arm_endpoint=server.url, access_token="t"):
            panel = ComputePanel(Workspace.local())
            try:
                panel.workspace_choice.value = FIND
                until(lambda: "workspaces found" in panel.message.value)
                assert panel.search.layout.display != "none"
                teams = [o for o in panel.search.options if " · S0" in o]  # every workspace of the menu, these too
                assert len(teams) == len(names) and "local (offline)" in panel.search.options
                panel.search.value = next(o for o in panel.search.options if o.startswith("team-07 "))
                assert panel.ws.ref == WorkspaceRef.azure(sub, "rg", "team-07") and panel.search.value == ""
            finally:
                panel.close()


def test_costs_of_every_workspace_has_one_price_deadline_for_the_whole_command() -> None:
    """Two workspaces, one after the other, with computes in the same region whose prices trickle past the
    deadline: the first asks and gives up at the deadline; the second, after it, is told "price unknown"
    without asking again (not a deadline of its own per workspace)."""
    from jupyter_compute.service.account import Survey

    from arm_script import compute
    from prices_server import trickling

    subs = {"30000000-0000-4000-8000-000000000001": ["ws-a", "ws-b"]}
    with scripted("127.0.0.1") as server, trickling() as prices:
        script_directory(server, subs)
        server.on(
            "GET",
            rf"^/subscriptions/[^/]+/resourceGroups/rg/{PROVIDER}/workspaces/ws-[ab]/computes$",
            Reply(200, {"value": [compute("c1", currentNodeCount=1, targetNodeCount=1)]}),
        )
        with settings.override(
            arm_endpoint=server.url, access_token="t", prices_url=prices.endpoint, prices_deadline=1.0
        ):
            found = Survey(Account(), concurrency=1).run()
        asked = list(prices.asked)
    assert [b.workspace.name for b in found.bills] == ["ws-a", "ws-b"]
    assert asked == ["westeurope"]
    for bill in found.bills:
        assert bill.costs.unknown == 1
        assert "did not arrive in time" in bill.costs.computes[0].price_problem
