"""Which comm each "Comm not found" in the page is about (issue 29): a page-side log of every kernel connection's comms.

``INSTALL`` (a page function taken a kernel connection) wraps JupyterLab's ``KernelConnection`` prototype, so every
connection of the page (the notebook's and the panel's) records, by comm id: the connection's kernel, the comm's
target and its widget model (``_model_name`` and ``_dom_classes`` from the ``comm_open``'s state); each comm message
the page received for a comm it no longer (or never) had, with its msg_type; and each ``comm_close`` the page
itself sent, with the first frames of the stack that sent it. ``REPORT`` (given the
kernel-side record of the comms the notebook's kernel opened, id to model name and classes) returns the log's
summary: for every unknown-comm message, which widget it was and whether the page had closed that comm itself
before; and how many of the kernel's comm opens the page handled.
"""

from __future__ import annotations

INSTALL = """(kernel) => {
  const proto = Object.getPrototypeOf(kernel);
  if (proto.__commLog) return;
  proto.__commLog = true;
  const log = window.__commLog = {opened: {}, pageClosed: {}, unknown: []};
  const role = (c) => {
    const state = (c.data && c.data.state) || {};
    const classes = state._dom_classes || [];
    return [state._model_name || '', classes.join(' ')];
  };
  const open = proto._handleCommOpen;
  proto._handleCommOpen = function (msg) {
    const c = msg.content;
    log.opened[c.comm_id] = [this.id, c.target_name].concat(role(c));
    return open.call(this, msg);
  };
  for (const [name, type] of [['_handleCommClose', 'comm_close'], ['_handleCommMsg', 'comm_msg']]) {
    const handle = proto[name];
    proto[name] = function (msg) {
      const id = msg.content.comm_id;
      if (!this._comms.has(id)) {
        const method = (msg.content.data && msg.content.data.method) || '';
        log.unknown.push([id, this.id, type, method]);
      }
      return handle.call(this, msg);
    };
  }
  const send = proto._sendMessage;
  proto._sendMessage = function (msg, queue) {
    if (msg.header && msg.header.msg_type === 'comm_close') {
      const frames = (new Error().stack || '').split('\\n').slice(2, 7);
      const stack = frames.map(s => s.trim().replace(/\\(.*\\//, '(')).join(' < ');
      log.pageClosed[msg.content.comm_id] = stack;
    }
    return send.call(this, msg, queue);
  };
}"""

# A summary: {kinds: {"<msg_type> <method> | <kernel> <target> <model> <classes> | page closed it: <stack>": n}}.
REPORT = """({names, sent}) => {
  const log = window.__commLog;
  if (!log) return {};
  const handled = Object.keys(sent).filter(id => id in log.opened).length;
  const kinds = {};
  for (const [id, kernel, type, method] of log.unknown) {
    const o = log.opened[id];
    const what = o
      ? `${names[o[0]] || o[0]} ${o[1]} ${o[2]} [${o[3]}]`
      : `${names[kernel] || kernel} (its open never handled here; the kernel opened it as: ${sent[id] || '?'})`;
    const closed = id in log.pageClosed ? `page closed it first: ${log.pageClosed[id]}` : 'page had not closed it';
    const key = `${type} ${method} | ${what} | ${closed}`;
    kinds[key] = (kinds[key] || 0) + 1;
  }
  const pageClosed = {};
  for (const [id, stack] of Object.entries(log.pageClosed)) {
    const o = log.opened[id];
    const key = `${o ? (names[o[0]] || o[0]) + ' ' + o[2] + ' [' + o[3] + ']' : '?'} | ${stack}`;
    pageClosed[key] = (pageClosed[key] || 0) + 1;
  }
  return {unknown: kinds, pageClosed, sent: Object.keys(sent).length, handled};
}"""
