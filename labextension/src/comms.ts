/**
 * A closed comm of ours is let go (issue 29): the page does not keep every bar's widget models for the life
 * of the kernel connection.
 *
 * @jupyterlab/services 7.x's `CommHandler` constructor connects an arrow function to its kernel connection's
 * `statusChanged` (to clean its subshell ids on a restart) and its `dispose()` never disconnects it
 * (lib/kernel/comm.js, the constructor; reported upstream, see /work/notes/heap2.md). That slot holds the
 * comm, the comm its `onClose`/`onMsg` callbacks, and those the widget model: every comm the kernel ever
 * opened stays reachable from the connection, closed or not. A bar opens two comms an operation, so a long
 * session kept thousands.
 *
 * The slot is anonymous, so it is caught where it is made: while a `comm_open` for one of our widgets (a
 * `jupyter-compute…` class in the state it opens with) builds its `CommHandler`, the connection's
 * `statusChanged.connect` records the slots connected, and that comm's `dispose()` disconnects them. Nothing
 * else changes: other comms are left as JupyterLab makes them, and a disposed comm has no subshell left to
 * clean on a restart. If JupyterLab's internals differ (another version), this does nothing.
 */
import { KernelConnection } from '@jupyterlab/services';

/** The class prefix our widgets open with (`_dom_classes` in the comm_open's state). */
export const OURS = 'jupyter-compute';

type Slot = (...args: unknown[]) => void;
interface ISignalLike {
  connect(slot: Slot, thisArg?: unknown): boolean;
  disconnect(slot: Slot, thisArg?: unknown): boolean;
}
interface ICommLike {
  dispose(): void;
}
interface IConnectionInternals {
  statusChanged: ISignalLike;
  _comms?: Map<string, ICommLike>;
  _handleCommOpen?: (msg: ICommOpenLike) => Promise<void>;
}
interface ICommOpenLike {
  content?: { comm_id?: string; data?: { state?: { _dom_classes?: unknown } } };
}

/** Whether a `comm_open` opens one of our widgets. */
export function isOurs(msg: ICommOpenLike): boolean {
  const classes = msg.content?.data?.state?._dom_classes;
  return Array.isArray(classes) && classes.some(c => typeof c === 'string' && c.startsWith(OURS));
}

const MENDED = Symbol.for('jupyter-compute:comms-let-go');

/** Mend `KernelConnection` (once per page) so that our comms' status slots are disconnected on dispose. */
export function letClosedCommsGo(connection: unknown = KernelConnection.prototype): boolean {
  const proto = connection as IConnectionInternals & { [MENDED]?: boolean };
  const open = proto._handleCommOpen;
  if (proto[MENDED] || typeof open !== 'function') {
    return false;
  }
  proto[MENDED] = true;
  proto._handleCommOpen = function (this: IConnectionInternals, msg: ICommOpenLike): Promise<void> {
    const signal = this.statusChanged;
    const id = msg.content?.comm_id;
    if (!isOurs(msg) || !id || !signal || typeof signal.connect !== 'function') {
      return open.call(this, msg);
    }
    const slots: [Slot, unknown][] = [];
    const connect = signal.connect;
    // The comm is built before the handler's first await: the slots connected meanwhile are its own.
    signal.connect = function (this: ISignalLike, slot: Slot, thisArg?: unknown): boolean {
      slots.push([slot, thisArg]);
      return connect.call(this, slot, thisArg);
    };
    let result: Promise<void>;
    try {
      result = open.call(this, msg);
    } finally {
      delete (signal as Partial<ISignalLike>).connect; // back to the prototype's
      if (signal.connect !== connect) {
        signal.connect = connect;
      }
    }
    const comm = this._comms?.get(id);
    if (comm && slots.length) {
      const dispose = comm.dispose;
      comm.dispose = function (this: ICommLike): void {
        slots.splice(0).forEach(([slot, thisArg]) => signal.disconnect(slot, thisArg));
        dispose.call(this);
      };
    }
    return result;
  };
  return true;
}
