"""One workspace's connection: its ARM client (made on first use), its region (read once), and the reads
every verb shares (a compute, the listing, the workspace's own resource).

The workspace, its submissions and its tracker all go through it; nothing here renders or follows.
"""

from __future__ import annotations

import builtins
import threading
from typing import TYPE_CHECKING, Any

from .. import settings
from ..errors import NotFound
from ..model.progress import typical_duration
from ..model.resource import Compute
from ..model.schema import Shape
from ..model.wire import ArmRequest
from ..transport import lro
from .ref import WorkspaceRef

if TYPE_CHECKING:
    from ..transport.arm import ArmClient, Response

# A preview reads the workspace's region once, without the transport's retries: a dry run must not wait
# through minutes of backoff for a workspace it cannot reach.
PREVIEW_TIMEOUT = 10.0
THE_WORKSPACE = Shape("Workspace")  # the workspace's GET (its region)
COMPUTE = Shape("ComputeResource")  # a compute's GET
WRITTEN = Shape("ComputeResource", may_be_empty=True)  # a PUT's or PATCH's answer
COMPUTES = Shape("PaginatedComputeResourcesList")


class Connection:
    """The ARM client of the workspace ``ref`` and what it reads once (its region)."""

    def __init__(self, ref: WorkspaceRef) -> None:
        self.ref = ref
        self._arm: ArmClient | None = None
        self._location: str | None = None
        self._lock = threading.Lock()

    def client(self) -> ArmClient:
        """The workspace's ARM client, connected on first use."""
        with self._lock:
            if self._arm is None:
                from ..transport.arm import connect

                self._arm = connect(self.ref.base_url(), self.ref.cloud, local=self.ref.local)
            return self._arm

    @property
    def connected(self) -> bool:
        """Whether the client was made (a request was sent, or is about to be)."""
        return self._arm is not None

    def send(self, request: ArmRequest, *, expect: Shape | None = None) -> Response:
        return self.client().send(request, expect=expect)

    def pace(self) -> float:
        """How many times slower to poll: what the service said is left of the subscription's reads."""
        arm = self._arm
        return arm.rates.pace() if arm is not None else 1.0

    def speed(self) -> float:
        """How many times faster than Azure things happen (the local workspace's setting; 1 for Azure)."""
        return settings.current().speed if self.ref.local else 1.0

    def typical(self, action: str, compute_type: str, min_nodes: int = 0) -> float:
        """Seconds ``action`` on a ``compute_type`` typically takes here."""
        from ..data import catalogue

        return typical_duration(action, compute_type, catalogue.durations(), min_nodes) / self.speed()

    # --- the workspace's region ----------------------------------------------------------------------

    @property
    def known_location(self) -> str | None:
        """The region if it was read already (None: not yet)."""
        return self._location

    def location(self, *, quick: bool = False) -> str:
        """The workspace's region, read once and kept ("" if the workspace names none).

        ``quick``: one try with a short timeout and no retries (for previews); the error of that one
        try is raised as usual (TransportError, AuthenticationError, ServiceError)."""
        if self._location is None:
            if quick:
                from ..transport.arm import connect

                ref = self.ref
                client = connect(ref.base_url(), ref.cloud, local=ref.local, timeout=PREVIEW_TIMEOUT, retries=0)
                try:
                    body = client.get(ref.workspace_url(), expect=THE_WORKSPACE).body or {}
                finally:
                    client.close()
            else:
                body = self.client().get(self.ref.workspace_url(), expect=THE_WORKSPACE).body or {}
            self._location = str(body.get("location") or "")
        return self._location

    def details(self) -> dict[str, Any]:
        """The workspace's ARM resource as the service reports it now; its region is kept."""
        body: dict[str, Any] = dict(self.client().get(self.ref.workspace_url(), expect=THE_WORKSPACE).body or {})
        if self._location is None:
            self._location = str(body.get("location") or "")
        return body

    # --- computes ---------------------------------------------------------------------------------------

    def list_computes(self) -> builtins.list[dict[str, Any]]:
        """Every compute of the workspace as the service lists them (all pages)."""
        return list(self.client().list_all(self.ref.computes_url(), expect=COMPUTES))

    def get(self, name: str) -> Compute:
        """The compute ``name`` (NotFound when there is none)."""
        return Compute(self.client().get(self.ref.compute_url(name), expect=COMPUTE).body, emulated=self.ref.local)

    def find(self, name: str) -> dict[str, Any] | None:
        """The body of the compute ``name``, or None when there is none."""
        try:
            body: dict[str, Any] = self.client().get(self.ref.compute_url(name), expect=COMPUTE).body
            return body
        except NotFound:
            return None


class TrackerSource:
    """What the tracker may ask of a workspace (:class:`~jupyter_compute.service.tracker.Source`)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def list_computes(self) -> builtins.list[dict[str, Any]]:
        return self.connection.list_computes()

    def get(self, url: str, link: str) -> Response:
        return self.connection.client().get(url, link=link, expect=lro.ANSWERS.get(link))
