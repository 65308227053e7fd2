"""How to connect to an instance, read from the body the service sends (issue 13, point 9).

Given a compute instance's body as the service recorded it (or as an attacker could craft it), when it is
read (:meth:`Compute.links`, :meth:`Compute.ssh_command`, :meth:`Compute.row`) and shown (``show``'s text
and notebook HTML), then the links are the service's http(s) applications and the ssh command names its
user, address and port; nothing else becomes a link or a word of the command."""

from __future__ import annotations

import json
import shlex
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from jupyter_compute.model.resource import Compute
from jupyter_compute.render.connect import connect_html, connect_text
from jupyter_compute.render.tables import computes_html, computes_text

# The inner properties of `jiajicompute1` as GET answered in 2024 (recordings/azure-powershell/
# Get-AzMLWorkspaceCompute.Recording.json), with SSH as the spec's example gives it when enabled.
RECORDED_APPS = [
    {"displayName": "Jupyter", "endpointUri": "https://jiajicompute1.eastus.instances.azureml.ms/tree/"},
    {"displayName": "Jupyter Lab", "endpointUri": "https://jiajicompute1.eastus.instances.azureml.ms/lab"},
]
RECORDED_ENDPOINTS = {"publicIpAddress": "13.92.83.21", "privateIpAddress": "10.0.0.4"}


def instance(state: str = "Running", **inner: Any) -> Compute:
    properties: dict[str, Any] = {
        "vmSize": "STANDARD_DS3_V2",
        "state": state,
        "applications": RECORDED_APPS,
        "connectivityEndpoints": RECORDED_ENDPOINTS,
        "sshSettings": {"sshPublicAccess": "Enabled", "adminUserName": "azureuser", "sshPort": 50000},
        **inner,
    }
    body = {
        "name": "jiajicompute1",
        "location": "eastus",
        "properties": {"computeType": "ComputeInstance", "provisioningState": "Succeeded", "properties": properties},
    }
    return Compute(body)


def test_links_are_the_services_applications_in_its_order() -> None:
    assert instance().links() == [
        {"label": "Jupyter", "url": "https://jiajicompute1.eastus.instances.azureml.ms/tree/"},
        {"label": "Jupyter Lab", "url": "https://jiajicompute1.eastus.instances.azureml.ms/lab"},
    ]


def test_the_ssh_command_names_the_user_the_public_address_and_the_port() -> None:
    assert instance().ssh_command() == "ssh -p 50000 azureuser@13.92.83.21"


def test_without_a_public_address_ssh_goes_to_the_private_one() -> None:
    compute = instance(connectivityEndpoints={"publicIpAddress": None, "privateIpAddress": "10.0.0.4"})
    assert compute.ssh_command() == "ssh -p 50000 azureuser@10.0.0.4"


@pytest.mark.parametrize(
    "inner",
    [
        # As recorded for every instance created without SSH: a user and a port, but access Disabled.
        {"sshSettings": {"sshPublicAccess": "Disabled", "adminUserName": "azureuser", "sshPort": 4001}},
        {"sshSettings": None},  # a Creating instance, as recorded
        {"connectivityEndpoints": {"publicIpAddress": None, "privateIpAddress": None}},
        {"connectivityEndpoints": None},
        {"sshSettings": {"sshPublicAccess": "Enabled", "adminUserName": "azureuser"}},  # no port yet
        {"sshSettings": {"sshPublicAccess": "Enabled", "sshPort": 22}},  # no user yet
    ],
)
def test_no_ssh_command_without_public_access_a_user_a_port_and_an_address(inner: dict[str, Any]) -> None:
    assert instance(**inner).ssh_command() == ""


def test_a_recorded_creating_instance_has_nothing_to_connect_to() -> None:
    # recordings/azure-cli-extensions/test_compute_compute_instance.yaml, GET while Creating
    compute = instance(
        "Creating", applications=[], connectivityEndpoints={"publicIpAddress": None, "privateIpAddress": None}
    )
    compute.body["properties"]["properties"]["sshSettings"] = None
    assert (compute.links(), compute.ssh_command()) == ([], "")
    assert connect_text(compute) == "Connect (nothing yet: the instance is Creating)\n  SSH  public access not enabled"


def test_the_row_carries_links_and_ssh_and_the_table_keeps_its_columns() -> None:
    compute = instance()
    row = compute.row()
    assert (row["links"], row["ssh"]) == (compute.links(), compute.ssh_command())
    assert list(row)[:6] == ["name", "kind", "size", "state", "nodes", "created"]
    header = computes_text([compute]).splitlines()[0].split()
    assert header == ["NAME", "KIND", "SIZE", "STATE", "NODES", "CREATED"]


def test_a_cluster_has_no_links_no_ssh_and_no_connect_section() -> None:
    body = {"name": "cpu", "properties": {"computeType": "AmlCompute", "provisioningState": "Succeeded"}}
    cluster = Compute(body)
    assert (cluster.links(), cluster.ssh_command()) == ([], "")
    assert "Connect" not in computes_text(cluster) and "Connect" not in str(computes_html(cluster))


def test_show_text_puts_the_urls_and_the_command_under_connect() -> None:
    text = computes_text(instance())
    assert text.split("\n\n")[1].splitlines() == [
        "Connect",
        "  Jupyter      https://jiajicompute1.eastus.instances.azureml.ms/tree/",
        "  Jupyter Lab  https://jiajicompute1.eastus.instances.azureml.ms/lab",
        "  SSH          ssh -p 50000 azureuser@13.92.83.21",
    ]


def test_a_stopped_instance_keeps_its_links_and_says_to_start_it() -> None:
    assert connect_text(instance("Stopped")).splitlines()[0] == "Connect (the instance is Stopped; start it to connect)"


class Anchors(HTMLParser):
    """The anchors of a piece of HTML (href and text), and every attribute, as a browser would parse them."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.anchors: list[tuple[str, str]] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.code: list[str] = []
        self._in: str | None = None
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [(tag, k, v) for k, v in attrs]
        if tag == "a":
            self.anchors.append((dict(attrs).get("href") or "", ""))
        self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "a":
            self.anchors[-1] = (self.anchors[-1][0], self.anchors[-1][1] + data)
        elif self._in == "code":
            self.code.append(data)


def test_show_html_links_each_application_in_a_new_tab_and_gives_the_command_as_code() -> None:
    parsed = Anchors(str(computes_html(instance())))
    assert parsed.anchors == [
        ("https://jiajicompute1.eastus.instances.azureml.ms/tree/", "Jupyter"),
        ("https://jiajicompute1.eastus.instances.azureml.ms/lab", "Jupyter Lab"),
    ]
    assert ("a", "rel", "noopener noreferrer") in parsed.attributes
    assert parsed.code == ["ssh -p 50000 azureuser@13.92.83.21"]


# --- an attacker's answer -----------------------------------------------------------------------

HOSTILE_URLS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "\x01javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "vscode://ms-toolsai.vscode-ai-remote/connect?x=1",
    "//evil.example/lab",
    "https:evil.example",
    "https://",
    "https://trusted.azureml.ms@evil.example/lab",
    "https://evil.example/lab' onmouseover='alert(1)",
    'https://evil.example/"><script>alert(1)</script>',
    "https://evil.example/lab\nSet-Cookie: x",
    "https://evil.example:99999/",
    "https://evil.example/" + "a" * 3000,
    None,
    42,
    ["https://evil.example/"],
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_a_link_that_is_not_a_plain_web_address_is_dropped(url: Any) -> None:
    compute = instance(applications=[{"displayName": "Jupyter Lab", "endpointUri": url}])
    assert compute.links() == []
    markup = str(computes_html(compute))
    assert Anchors(markup).anchors == [] and "javascript:" not in markup.lower()
    assert "<script" not in markup


def test_labels_lose_their_markup_power_and_their_escape_codes() -> None:
    label = "<img src=x onerror=alert(1)>\x1b]0;pwned\x07\x1b[2J Lab\nnext"
    compute = instance(
        applications=[{"displayName": label, "endpointUri": "https://ci.eastus.instances.azureml.ms/lab"}]
    )
    (link,) = compute.links()
    assert "\x1b" not in link["label"] and "\n" not in link["label"] and "\x07" not in link["label"]
    parsed = Anchors(str(computes_html(compute)))
    assert [tag for tag, _, _ in parsed.attributes if tag == "img"] == []
    assert parsed.anchors[0][1] == link["label"]  # shown as text, exactly
    text = computes_text(compute)
    assert "\x1b" not in text and "\x07" not in text and "<img src=x onerror=alert(1)>" in text


def test_a_label_that_is_only_controls_falls_back_to_the_host() -> None:
    compute = instance(
        applications=[{"displayName": "\x1b[2J", "endpointUri": "https://ci.eastus.instances.azureml.ms/"}]
    )
    assert compute.links() == [
        {"label": "ci.eastus.instances.azureml.ms", "url": "https://ci.eastus.instances.azureml.ms/"}
    ]


def test_malformed_applications_are_skipped_not_fatal() -> None:
    good = {"displayName": "Jupyter", "endpointUri": "https://ci.eastus.instances.azureml.ms/tree/"}
    compute = instance(applications=[None, "https://x.example/", {"displayName": 5}, good])
    assert compute.links() == [{"label": "Jupyter", "url": good["endpointUri"]}]
    assert instance(applications={"Jupyter": "https://x.example/"}).links() == []


HOSTILE_SSH = [
    {"adminUserName": "azure user"},
    {"adminUserName": "azureuser; rm -rf ~"},
    {"adminUserName": "$(reboot)"},
    {"adminUserName": "-oProxyCommand=touch /tmp/pwned"},
    {"adminUserName": "azureuser\x1b[2J"},
    {"adminUserName": "a" * 65},
    {"adminUserName": ""},
    {"adminUserName": 7},
    {"sshPort": "22; reboot"},
    {"sshPort": "-1"},
    {"sshPort": 0},
    {"sshPort": 70000},
    {"sshPort": True},
    {"sshPort": 22.5},
    {"sshPort": "２２"},  # full-width digits: str.isdigit() says yes
]


@pytest.mark.parametrize("change", HOSTILE_SSH)
def test_a_user_or_port_that_is_not_one_plain_word_gives_no_command(change: dict[str, Any]) -> None:
    ssh = {"sshPublicAccess": "Enabled", "adminUserName": "azureuser", "sshPort": 50000, **change}
    compute = instance(sshSettings=ssh)
    assert compute.ssh_command() == ""
    assert connect_text(compute).splitlines()[-1].split(None, 1) == [
        "SSH",
        "public access enabled; no user, address and port to use yet",
    ]


@pytest.mark.parametrize(
    "address", ["13.92.83.21; reboot", "$(reboot)", "-oProxyCommand=x", "evil.example", "13.92.83.21 -R 1:x:1", ""]
)
def test_an_address_that_is_not_an_ip_gives_no_command(address: str) -> None:
    compute = instance(connectivityEndpoints={"publicIpAddress": address, "privateIpAddress": None})
    assert compute.ssh_command() == ""


def test_every_command_it_gives_splits_into_exactly_the_four_words() -> None:
    for address in ("13.92.83.21", "fe80::1", "::ffff:10.0.0.4"):
        compute = instance(connectivityEndpoints={"publicIpAddress": address})
        words = shlex.split(compute.ssh_command())
        assert words[:3] == ["ssh", "-p", "50000"] and len(words) == 4 and words[3].startswith("azureuser@")


def test_connect_html_escapes_everything_it_is_given() -> None:
    compute = instance("<b>Running</b>")
    markup = str(connect_html(compute))
    assert "<b>" not in markup and "&lt;b&gt;Running&lt;/b&gt;" in markup


# --- the recording itself ------------------------------------------------------------------------


def test_the_recorded_get_reads_as_two_links_and_no_ssh(reference: Path) -> None:
    recording = reference / "recordings" / "azure-powershell" / "Get-AzMLWorkspaceCompute.Recording.json"
    entries = json.loads(recording.read_text(encoding="utf-8"))
    (get,) = [e for key, e in entries.items() if "+Get+" in key]
    compute = Compute(json.loads(get["Response"]["Content"]))
    assert [link["label"] for link in compute.links()] == ["Jupyter", "Jupyter Lab"]
    assert compute.ssh_command() == ""  # recorded: sshPublicAccess Disabled (user and port still given)
    enabled = dict(compute.body)
    enabled["properties"]["properties"]["sshSettings"]["sshPublicAccess"] = "Enabled"
    assert Compute(enabled).ssh_command() == "ssh -p 50000 azureuser@13.92.83.21"


def test_an_emulated_instance_says_its_links_go_nowhere_in_text_html_and_the_panel_row() -> None:
    """Given an instance of the local workspace (a simulation: nothing answers at its addresses), when it is
    shown, then the Connect section says it is emulated and every link's label ends in "(emulated)", in the
    text, the notebook HTML and the panel's row; the same instance from Azure says neither (issue 22, point 16)."""
    from jupyter_compute.render.connect import EMULATED
    from jupyter_compute.ui.rows import row_of

    emulated = Compute(instance().body, emulated=True)
    text = connect_text(emulated).splitlines()
    assert text[0] == f"Connect ({EMULATED})"
    assert [line.split("  https")[0].strip() for line in text[1:3]] == ["Jupyter (emulated)", "Jupyter Lab (emulated)"]
    markup = connect_html(emulated)
    assert EMULATED in markup and ">Jupyter Lab (emulated)</a>" in markup
    assert [link["label"] for link in row_of(emulated)["links"]] == ["Jupyter (emulated)", "Jupyter Lab (emulated)"]
    assert [link["url"] for link in row_of(emulated)["links"]] == [app["endpointUri"] for app in RECORDED_APPS]
    real = instance()
    assert "emulated" not in connect_text(real) and "emulated" not in connect_html(real)
    assert [link["label"] for link in row_of(real)["links"]] == ["Jupyter", "Jupyter Lab"]
