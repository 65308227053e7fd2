"""The magics in a real kernel: create, list and delete; a password prompt over the kernel's stdin channel;
and a notebook that attaches computes with secrets, executed with nbclient, saved without any secret."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from html_helpers import attribute, inert, read, visible
from kernel_helpers import kernel_env, running_kernel
from kinds import DBX_ID, PUBLIC_KEY, VM_ID

pytestmark = pytest.mark.kernel
VM_SECRET = "vm-pw-never-saved-3317"
DBX_SECRET = "dapi-never-saved-3317"


def test_create_list_delete_in_a_kernel(isolated_state: Path) -> None:
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="40") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        kernel.execute("op = %compute create cluster k-cl --max-instances 1\nop.wait(30)")
        listing = kernel.execute("%compute list")
        result = [m for m in kernel.outputs(listing) if m["msg_type"] == "execute_result"][0]["content"]["data"]
        assert "<table" in result["text/html"] and "k-cl" in result["text/html"] and "Succeeded" in result["text/html"]
        assert "k-cl" in result["text/plain"]
        kernel.execute("gone = %compute delete k-cl\ngone.wait(30)")
        after = kernel.execute(
            "print(gone.status, [c.name for c in (%compute list)])".replace(
                "(%compute list)", "get_ipython().run_line_magic('compute', 'list')"
            )
        )
        assert "Succeeded []" in kernel.text(after)


def test_show_an_instance_gives_its_links_and_ssh_command_in_a_kernel(isolated_state: Path) -> None:
    """Given an instance created with public SSH access in a real kernel, when ``%compute show`` displays it,
    then the notebook gets HTML with a link (new tab, no opener) per application and the ssh command as
    code, under "Connect"."""
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="40") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        kernel.execute(
            f"op = %compute create instance k-ci --ssh-public-access-enabled true --ssh-key-value '{PUBLIC_KEY}'\n"
            "op.wait(30)"
        )
        shown = kernel.execute("%compute show k-ci")
        result = [m for m in kernel.outputs(shown) if m["msg_type"] == "execute_result"][0]["content"]["data"]
        markup = result["text/html"]
        assert inert(markup) == []
        assert attribute(markup, "href") == [
            "https://k-ci.eastus.instances.azureml.ms/tree/",
            "https://k-ci.eastus.instances.azureml.ms/lab",
        ]
        assert attribute(markup, "target") == ["_blank", "_blank"]
        assert attribute(markup, "rel") == ["noopener noreferrer"] * 2
        assert "a" in read(markup).tags and "code" in read(markup).tags
        text = visible(markup)
        assert "Connect" in text and "Jupyter Lab" in text and "SSH: ssh -p 50000 azureuser@127.0.0.1" in text


def test_attach_asks_for_the_password_and_never_shows_it(isolated_state: Path) -> None:
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="40") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        reply = kernel.execute(
            f"op = %compute attach databricks k-dbx --resource-id {DBX_ID}\nop.wait(30)\nprint(op.status)",
            answers=[DBX_SECRET],
        )
        assert kernel.prompts and kernel.prompts[0]["password"] is True
        assert "Access token for k-dbx" in kernel.prompts[0]["prompt"]
        assert "Succeeded" in kernel.text(reply)
        assert DBX_SECRET not in json.dumps([m["content"] for m in kernel.messages], default=str)


def test_notebook_with_secrets_saves_none(isolated_state: Path, tmp_path: Path) -> None:
    cells = [
        "%load_ext jupyter_compute",
        f"vm = %compute attach vm nb-vm --resource-id {VM_ID} --admin-username azureuser --password-env VM_PASSWORD\n"
        "vm.wait(30)\nvm",
        f"dbx = %compute attach databricks nb-dbx --resource-id {DBX_ID} --access-token-env DBX_TOKEN\n"
        "dbx.wait(30)\ndbx",
        f"%compute attach databricks nb-dry --resource-id {DBX_ID} --access-token-env DBX_TOKEN --dry-run",
        "%compute show nb-vm -o json",
        "%compute list",
        "print(vm.result(), dbx.result())",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    env = kernel_env(isolated_state, JUPYTER_COMPUTE_SPEED="40", VM_PASSWORD=VM_SECRET, DBX_TOKEN=DBX_SECRET)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute(
        env=env  # the kernel's environment
    )
    path = tmp_path / "attach.ipynb"
    nbformat.write(nb, path)
    text = path.read_text()
    assert "nb-vm" in text and "nb-dbx" in text and "***" in text
    assert VM_SECRET not in text and DBX_SECRET not in text
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


def test_the_local_workspace_notice_is_a_quiet_display_not_a_stderr_box(isolated_state: Path) -> None:
    """Given no Azure workspace, when the first magic in a notebook kernel uses the local one, then the
    notice is a display (HTML with a plain-text fallback) once, and nothing goes to stderr."""
    with running_kernel(isolated_state, JUPYTER_COMPUTE_SPEED="40") as kernel:
        kernel.execute("%load_ext jupyter_compute")
        first = kernel.outputs(kernel.execute("%compute list"))
        second = kernel.outputs(kernel.execute("%compute list"))
    assert not [m for m in first if m["msg_type"] == "stream" and m["content"]["name"] == "stderr"]
    notices = [m["content"]["data"] for m in first if m["msg_type"] == "display_data"]
    assert [n["text/plain"] for n in notices] == [
        "jupyter-compute: no Azure workspace configured; using the local workspace (offline)."
    ]
    assert "using the local workspace (offline)." in notices[0]["text/html"]
    assert "jupyter-compute-notice" in notices[0]["text/html"]
    assert not [m for m in second if m["msg_type"] == "display_data"], "once per kernel"
