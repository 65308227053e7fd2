"""What the user's sign-in can see: the subscriptions, then each one's Azure ML workspaces.

    account = Account()                          # Azure (the cloud's ARM endpoint, or the settings')
    found = account.workspaces()                 # every workspace, concurrently, partial failures kept
    Workspace.shared(account.ref(found.workspaces[0]))

``GET /subscriptions`` and each subscription's ``…/providers/Microsoft.MachineLearningServices/workspaces``
(both paged by ``nextLink``) go through the ARM client, at most :data:`CONCURRENT_LISTS` at once. A
subscription that refuses (403), is disabled, or cannot be reached is one :class:`Unlisted` line of the
answer, not a failure of the whole; an :class:`AuthenticationError` (no sign-in) is raised, since no
subscription can be listed without one.

Azure Resource Graph would answer in one query across subscriptions, but it is another service and API
(``Microsoft.ResourceGraph``, POST with a KQL body, its own throttling and its own permission model),
which the local workspace would have to emulate too; the ARM lists are what az CLI, azure-ai-ml and the
VS Code extension use, and with a bounded pool a user with a hundred subscriptions waits for about a
hundred small GETs spread over a few connections.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from .. import settings
from ..errors import AuthenticationError, ComputeError, ServiceError, UnexpectedAnswer, ValidationError
from ..model.directory import Directory, FoundWorkspace, Subscription, Unlisted, narrowed, subscription_of, workspace_of
from ..model.everywhere import AllWorkspaces, WorkspaceBill
from ..model.schema import Shape
from ..model.wire import API_VERSION
from ..text import one_line
from ..transport.clouds import cloud
from .prices import Lookup
from .ref import WorkspaceRef, config_path, write_config

if TYPE_CHECKING:
    from ..transport.arm import ArmClient

SUBSCRIPTIONS_API = "2022-12-01"  # of Microsoft.Resources' subscriptions list (as the recording, az CLI)
CONCURRENT_LISTS = 8  # subscriptions listed at once
SUBSCRIPTIONS = Shape("SubscriptionListResult")  # each page of a list, checked by the transport
WORKSPACES = Shape("WorkspaceListResult")
PROVIDER = "providers/Microsoft.MachineLearningServices"

Progress = Callable[[int, int], None]  # (subscriptions listed, subscriptions to list)


class Account:
    """The subscriptions and workspaces of a sign-in in ``cloud_name``, or (``local``) of the local workspace,
    which stands in for Azure offline. Thread-safe; one ARM client, made on first use."""

    def __init__(self, cloud_name: str | None = None, *, local: bool = False, concurrency: int = CONCURRENT_LISTS):
        self.cloud = cloud(cloud_name)
        self.local = local
        self.concurrency = max(1, concurrency)
        self._arm: ArmClient | None = None
        self._lock = threading.Lock()

    def _client(self) -> ArmClient:
        with self._lock:
            if self._arm is None:
                from ..transport.arm import connect

                endpoint = "" if self.local else settings.current().arm_endpoint or ""
                self._arm = connect(endpoint, self.cloud, local=self.local)
            return self._arm

    def subscriptions(self) -> builtins.list[Subscription]:
        url = f"/subscriptions?api-version={SUBSCRIPTIONS_API}"
        return [subscription_of(item) for item in self._client().list_all(url, expect=SUBSCRIPTIONS)]

    def workspaces(self, subscription: str | None = None, *, progress: Progress | None = None) -> Directory:
        """Every workspace of every readable subscription (``subscription``: only that one, by id or name)."""
        subscriptions = self.subscriptions()
        if subscription:
            chosen = narrowed(subscriptions, subscription)
            if not chosen:
                known = ", ".join(s.label for s in subscriptions) or "none"
                raise ValidationError.one(
                    "--subscription", f"{subscription!r} is not a subscription this sign-in sees; it sees: {known}"
                )
            subscriptions = chosen
        readable = [s for s in subscriptions if s.readable]
        unlisted = [
            Unlisted(s, f"the subscription is {s.state.lower() or 'not enabled'}")
            for s in subscriptions
            if not s.readable
        ]
        workspaces: builtins.list[FoundWorkspace] = []
        done = 0
        lock = threading.Lock()
        if progress is not None:
            progress(0, len(readable))

        def one(sub: Subscription) -> builtins.list[FoundWorkspace] | str:
            """The subscription's workspaces, or why they could not be listed (a sign-in failure is raised)."""
            nonlocal done
            try:
                result: builtins.list[FoundWorkspace] | str = self.workspaces_of(sub)
            except AuthenticationError:
                raise
            except UnexpectedAnswer as exc:  # answered, but not what we can read: not a refusal
                result = one_line(str(exc))
            except ServiceError as exc:
                result = f"refused ({exc.code}): {one_line(exc.message)}"
            except ComputeError as exc:
                result = f"could not be listed: {one_line(str(exc))}"
            with lock:
                done += 1
                count = done
            if progress is not None:
                progress(count, len(readable))
            return result

        if readable:
            workers = min(self.concurrency, len(readable))
            with ThreadPoolExecutor(workers, thread_name_prefix="jupyter-compute-list") as pool:
                for sub, result in zip(readable, pool.map(one, readable), strict=True):
                    if isinstance(result, str):
                        unlisted.append(Unlisted(sub, result))
                    else:
                        workspaces.extend(result)
        return Directory(workspaces, unlisted, list(subscriptions))

    def workspaces_of(self, sub: Subscription) -> builtins.list[FoundWorkspace]:
        from urllib.parse import quote

        url = f"/subscriptions/{quote(sub.id, safe='')}/{PROVIDER}/workspaces?api-version={API_VERSION}"
        found = self._client().list_all(url, expect=WORKSPACES)
        return [workspace_of(item, sub, local=self.local) for item in found]

    def ref(self, found: FoundWorkspace) -> WorkspaceRef:
        """Where a found workspace's requests go: the local workspace's server for one it lists, else Azure."""
        if found.local:
            return WorkspaceRef(found.subscription_id, found.resource_group, found.name, local=True, origin="explicit")
        return WorkspaceRef.azure(found.subscription_id, found.resource_group, found.name, cloud_name=self.cloud.name)

    def close(self) -> None:
        with self._lock:
            if self._arm is not None:
                self._arm.close()
                self._arm = None


class Choice:
    """A pick among the workspaces an :class:`Account` sees, for a front end to offer (a dropdown, a numbered
    prompt). :meth:`load` lists them (once; a front end calls it off the kernel's thread); :meth:`pick` makes
    one the session's workspace through ``choose``; :meth:`save` writes its config.json to ``save_to``."""

    def __init__(
        self,
        account: Account,
        choose: Callable[[WorkspaceRef], None],
        *,
        subscription: str | None = None,
        save_to: str | None = None,
        replace: bool = False,
    ) -> None:
        self.account = account
        self.subscription = subscription
        self.save_to = save_to
        self.replace = replace
        self._choose = choose
        self._lock = threading.Lock()
        self._directory: Directory | None = None

    def load(self, progress: Progress | None = None) -> Directory:
        with self._lock:
            if self._directory is None:
                self._directory = self.account.workspaces(self.subscription, progress=progress)
            return self._directory

    def pick(self, found: FoundWorkspace) -> WorkspaceRef:
        ref = self.account.ref(found)
        self._choose(ref)
        return ref

    def target(self) -> Path | None:
        """The file :meth:`save` would write (None: no ``save_to``)."""
        return config_path(self.save_to) if self.save_to else None

    def save(self, found: FoundWorkspace, *, replace: bool | None = None) -> Path:
        if not self.save_to:
            raise ValidationError.one("--save", "no path was given to save the config.json to")
        return write_config(self.account.ref(found), self.save_to, replace=self.replace if replace is None else replace)

    def __repr__(self) -> str:
        return "<workspace choice: run in a notebook for a dropdown, or in a terminal for a numbered prompt>"


class Survey:
    """Every compute in every workspace ``account`` sees (``subscription``: in that one only), and the bill:
    the workspaces are found (:meth:`Account.workspaces`), then each is listed and priced, at most
    ``concurrency`` at once (``kind``: only computes of that kind). A workspace that cannot be listed is
    one failure line. :meth:`run` blocks;
    front ends run it where it may (a thread in a notebook, the foreground in a terminal)."""

    def __init__(
        self,
        account: Account,
        subscription: str | None = None,
        *,
        kind: str | None = None,
        concurrency: int = CONCURRENT_LISTS,
    ):
        self.account = account
        self.subscription = subscription
        self.kind = kind
        self.concurrency = max(1, concurrency)

    def run(self, progress: Callable[[str, int, int], None] | None = None) -> AllWorkspaces:
        """``progress(stage, done, total)``: stage "subscriptions", then "workspaces"."""
        found = self.account.workspaces(
            self.subscription, progress=(lambda d, t: progress("subscriptions", d, t)) if progress else None
        )
        failures = [(u.subscription.label, u.reason) for u in found.unlisted]
        total = len(found.workspaces)
        done = 0
        prices = Lookup()  # one deadline for the whole command's prices, from the first workspace that asks
        lock = threading.Lock()
        if progress is not None:
            progress("workspaces", 0, total)

        def one(entry: FoundWorkspace) -> WorkspaceBill | str:
            nonlocal done
            from .workspace import Workspace

            try:
                ws = Workspace.shared(self.account.ref(entry))
                computes = ws.list(self.kind)
                result: WorkspaceBill | str = WorkspaceBill(
                    entry,
                    computes,
                    ws.costs(
                        listed=[c.body for c in computes], prices_deadline=prices.deadline() if computes else None
                    ),
                )
            except AuthenticationError:
                raise
            except ComputeError as exc:
                result = one_line(str(exc))
            with lock:
                done += 1
                count = done
            if progress is not None:
                progress("workspaces", count, total)
            return result

        bills: builtins.list[WorkspaceBill] = []
        if found.workspaces:
            with ThreadPoolExecutor(min(self.concurrency, total), thread_name_prefix="jupyter-compute-survey") as pool:
                for entry, result in zip(found.workspaces, pool.map(one, found.workspaces), strict=True):
                    if isinstance(result, str):
                        failures.append((f"{entry.name} ({entry.resource_group}, {entry.subscription_name})", result))
                    else:
                        bills.append(result)
        return AllWorkspaces(bills, failures)

    def __repr__(self) -> str:
        return "<every workspace's computes: run() lists them>"


def all_workspaces(subscription: str | None = None, *, cloud: str | None = None, local: bool = False) -> AllWorkspaces:
    """Every compute in every workspace your sign-in sees, the bill per hour in total and per workspace, and
    the instances left running unguarded anywhere (``local``: the local workspace's stand-in directory)."""
    account = Account(cloud, local=local)
    try:
        return Survey(account, subscription).run()
    finally:
        account.close()
