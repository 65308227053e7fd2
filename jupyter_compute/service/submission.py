"""How a long verb is submitted: at once, with its checks and request in the operation's background.

:class:`Submissions` runs each submission in a workspace's pool, in the order of the calls for one
compute (a delete right after a create checks after the create's PUT), and the reads a submission
makes beside it (the existence check, a region's sizes) in a pool of their own. :func:`checked` and
:func:`accepted` are the first and last steps every submission shares: read the compute it acts on,
and hand the accepted request to the strategy its response chose.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import NotFound, UntrustedLink
from ..model.resource import Compute
from ..transport import lro
from .connection import Connection
from .operation import Operation, State, Updater

if TYPE_CHECKING:
    from ..transport.arm import Response

SUBMISSIONS = 8  # submissions of one workspace under way at once (more wait their turn, already shown)
READS = 8  # a submission's reads under way at once (they wait on nothing: a pool of their own cannot deadlock)

log = logging.getLogger(__name__)
T = TypeVar("T")
Work = Callable[[Updater], None]


class Submissions:
    """One workspace's submissions under way, and the pools they run in."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._under_way: set[Updater] = set()  # operations whose checks and request are under way
        self._pool: ThreadPoolExecutor | None = None
        self._reads: ThreadPoolExecutor | None = None

    def launch(self, updates: Updater, work: Work, track: Callable[[Updater], object]) -> Operation:
        """``track`` the operation from now (it is in flight at once) and run ``work`` in its background:
        the checks that need the service, then the request, ending with :func:`accepted`. What ``work``
        raises ends it refused; it must raise before the request, so that nothing is half-done. Submissions
        for one compute go in the order of the calls."""
        target = updates.operation.target.lower()
        with self._lock:
            earlier = [u for u in self._under_way if u.operation.target.lower() == target]
            self._under_way.add(updates)

        def in_turn(updates: Updater) -> None:
            for before in earlier:
                if not before.settled.is_set():
                    updates.phase(f"Waiting for the {before.operation.action} of {before.operation.target}")
                    before.settled.wait()
                    updates.phase("Checking")
            work(updates)

        def over() -> None:
            with self._lock:
                self._under_way.discard(updates)

        track(updates)
        return updates.submit(in_turn, over, runner=self._submitter().submit)

    def wait_for(self, name: str) -> None:
        """Wait until no request for compute ``name`` is being submitted here."""
        with self._lock:
            pending = [u for u in self._under_way if u.operation.target.lower() == name.lower()]
        for updates in pending:
            updates.settled.wait()

    def later(self, job: Callable[..., object], *args: Any) -> bool:
        """Run ``job(*args)`` in the submissions' pool, after what is queued; False when the interpreter is
        exiting (concurrent.futures takes no new work then) and it was not run."""
        try:
            self._submitter().submit(job, *args)
        except RuntimeError:  # "cannot schedule new futures after (interpreter) shutdown"
            return False
        return True

    def beside(self, read: Callable[..., T], *args: Any) -> Future[T]:
        """``read(*args)`` on the reader pool, beside the caller; at interpreter exit, when concurrent.futures
        takes no new work, here and now (a script that ends right after its creates still sends them)."""
        try:
            return self._reader().submit(read, *args)
        except RuntimeError:
            done: Future[T] = Future()
            try:
                done.set_result(read(*args))
            except Exception as exc:
                done.set_exception(exc)
            return done

    def _submitter(self) -> ThreadPoolExecutor:
        """The pool submissions run in: its idle threads take the next one at once (starting a thread
        waits for it to run, which a busy process can make slow). Its threads are not daemons: the
        interpreter finishes their requests before it exits."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(SUBMISSIONS, thread_name_prefix="jupyter-compute-submit")
            return self._pool

    def _reader(self) -> ThreadPoolExecutor:
        """The pool a submission's reads run in beside it: its jobs wait on nothing, so a submission may
        wait on them."""
        with self._lock:
            if self._reads is None:
                self._reads = ThreadPoolExecutor(READS, thread_name_prefix="jupyter-compute-read")
            return self._reads


def checked(connection: Connection, updates: Updater, name: str) -> Compute:
    """The compute an operation acts on, read in its background. None by that name refuses it (NotFound,
    found before its request: "no compute named NAME in WORKSPACE", never "no longer exists")."""
    try:
        compute = connection.get(name)
    except NotFound as exc:
        raise NotFound(
            exc.code,
            f"no compute named {name} in {connection.ref.short()}",
            status=exc.status,
            request_id=exc.request_id,
            by_client=True,
        ) from None
    updates.retarget(
        compute_type=compute.compute_type,
        typical=connection.typical(updates.operation.action, compute.compute_type),
        resource=compute.body,
    )
    return compute


def accepted(connection: Connection, updates: Updater, response: Response, resource: Mapping[str, Any] | None) -> None:
    """The service accepted the request: follow it by the strategy its response chose. A status URL off
    the ARM endpoint ends it at once, Failed (the token is not sent there)."""
    op = updates.operation
    strategy = lro.choose(response.headers, op.resource_url)
    updates.accept(strategy, resource)
    try:
        connection.client().check_link(strategy.url, strategy.link)
    except UntrustedLink as exc:
        updates.noted(f"The {op.action} was accepted and may go on in the service: 'show {op.target}' tells how it is.")
        updates.finish(State.FAILED, exc)
