"""`jupyter compute show` says how to connect to an instance (issue 13, point 9), as a subprocess on the local
workspace: given an instance created with public SSH access and a key, `show` prints its Jupyter and Jupyter
Lab links and the exact ssh command, plainly, under "Connect"; once stopped, the same with a note; `-o json`
carries the service's fields as they came. The local workspace's instance is a simulation: the section
says so and each link's label ends in "(emulated)" (issue 22, point 16)."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from jupyter_compute.render.connect import EMULATED

from conftest import Cli
from kinds import PUBLIC_KEY


def test_show_prints_the_links_and_the_ssh_command_of_an_instance(isolated_state: Path) -> None:
    cli = Cli(dict(os.environ), ["--local"])
    cli("create", "instance", "con-ci", "--ssh-public-access-enabled", "true", "--ssh-key-value", PUBLIC_KEY)
    shown = cli("show", "con-ci").stdout
    connect = shown.split("\n\n")[1].splitlines()
    assert connect == [
        f"Connect ({EMULATED})",
        "  Jupyter (emulated)      https://con-ci.eastus.instances.azureml.ms/tree/",
        "  Jupyter Lab (emulated)  https://con-ci.eastus.instances.azureml.ms/lab",
        "  SSH                     ssh -p 50000 azureuser@127.0.0.1",
    ]
    assert shlex.split(connect[-1].split(None, 1)[1]) == ["ssh", "-p", "50000", "azureuser@127.0.0.1"]

    body = cli.json("show", "con-ci")["properties"]["properties"]
    assert body["sshSettings"]["adminUserName"] == "azureuser" and body["sshSettings"]["sshPort"] == 50000
    assert [app["displayName"] for app in body["applications"]] == ["Jupyter", "Jupyter Lab"]

    cli("stop", "con-ci")
    stopped = cli("show", "con-ci").stdout.split("\n\n")[1].splitlines()
    assert stopped[0] == f"Connect (the instance is Stopped; start it to connect; {EMULATED})"
    assert stopped[1:] == connect[1:]  # the service still lists them for a stopped instance


def test_an_instance_without_ssh_says_so_and_a_cluster_has_no_connect_section(isolated_state: Path) -> None:
    cli = Cli(dict(os.environ), ["--local"])
    cli("create", "instance", "plain-ci")
    connect = cli("show", "plain-ci").stdout.split("\n\n")[1].splitlines()
    assert connect[-1].split(None, 1) == ["SSH", "public access not enabled"]
    assert "ssh -p" not in "\n".join(connect)
    cli("create", "cluster", "plain-cl", "--max-instances", "1")
    assert "Connect" not in cli("show", "plain-cl").stdout
