// The panel list's pure functions (jupyter_compute/ui/panel/static/table.js), with Node's own test runner:
// `node --test labextension/test/` (tests/unit/test_js.py runs it in ./dev check and ./dev test).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { applyPatch, arrange, markParts, safeHref } from '../../jupyter_compute/ui/panel/static/table.js';

const ROWS = [
  { name: 'gpu-b', kind: 'cluster', state: 'Succeeded', created: '2026-12-02' },
  { name: 'cpu-a', kind: 'cluster', state: 'Resizing', created: '2026-12-03' },
  { name: 'ci-1', kind: 'instance', state: 'Running', created: '2026-12-01' },
  { name: 'ci-2', kind: 'instance', state: 'Stopped', created: '2026-12-03' }
];
const names = rows => rows.map(row => row.name);

test('arrange sorts by name by default and leaves its input alone', () => {
  const before = names(ROWS);
  assert.deepEqual(names(arrange(ROWS)), ['ci-1', 'ci-2', 'cpu-a', 'gpu-b']);
  assert.deepEqual(names(ROWS), before);
});

test('arrange searches names, case and spaces aside, and filters by kind and state', () => {
  assert.deepEqual(names(arrange(ROWS, { search: '  CI-' })), ['ci-1', 'ci-2']);
  assert.deepEqual(names(arrange(ROWS, { kind: 'cluster' })), ['cpu-a', 'gpu-b']);
  assert.deepEqual(names(arrange(ROWS, { kind: 'instance', state: 'Running' })), ['ci-1']);
  assert.deepEqual(names(arrange(ROWS, { search: 'nothing' })), []);
});

test('arrange sorts by state, and newest first, ties by name', () => {
  assert.deepEqual(names(arrange(ROWS, { sort: 'state' })), ['cpu-a', 'ci-1', 'ci-2', 'gpu-b']);
  assert.deepEqual(names(arrange(ROWS, { sort: 'created' })), ['ci-2', 'cpu-a', 'gpu-b', 'ci-1']);
  assert.deepEqual(names(arrange(ROWS, { sort: 'no such sort' })), names(arrange(ROWS)));
});

test('safeHref keeps https links and the local workspace, and drops the rest', () => {
  assert.equal(
    safeHref('https://ci-1.eastus.instances.azureml.ms/lab'),
    'https://ci-1.eastus.instances.azureml.ms/lab'
  );
  assert.equal(safeHref('http://127.0.0.1:8888/tree'), 'http://127.0.0.1:8888/tree');
  for (const bad of ['javascript:alert(1)', 'http://example.net/', 'data:text/html,x', '', null, undefined]) {
    assert.equal(safeHref(bad), null, String(bad));
  }
});

test('markParts puts attention and the image on the line, a stop under it, and drops unknown kinds', () => {
  const row = {
    marks: [
      { kind: 'warning', text: '⚠ 1', title: 'ci-1 runs with neither idle shutdown nor a stop schedule.' },
      { kind: 'stop', text: 'stops at 19:00 by schedule, in 25 min', title: 'stops at 19:00 by schedule, in 25 min' },
      { kind: 'image', text: 'old OS', title: 'OS image 25.11.01, not the latest (26.01.15).' },
      { kind: 'x onclick=alert(1)', text: 'no', title: 'no' },
      null
    ]
  };
  const parts = markParts(row);
  assert.deepEqual(
    parts.badges.map(m => m.kind),
    ['warning', 'image']
  );
  assert.deepEqual(parts.notes, ['stops at 19:00 by schedule, in 25 min']);
  assert.deepEqual(markParts({}), { badges: [], notes: [] });
});

test('applyPatch puts the changed rows in place, in the patch order, and is the same applied twice', () => {
  const patch = {
    patch: [{ name: 'cpu-a', kind: 'cluster', state: 'Succeeded', created: '2026-12-03' }],
    order: ['gpu-b', 'cpu-a', 'ci-2']
  };
  const once = applyPatch(ROWS, patch);
  assert.deepEqual(names(once), ['gpu-b', 'cpu-a', 'ci-2']);
  assert.equal(once[1].state, 'Succeeded');
  assert.equal(once[0], ROWS[0]); // unchanged rows are the same objects: the view keeps their nodes
  assert.deepEqual(applyPatch(once, patch), once);
});
