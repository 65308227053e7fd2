// The panel's link check (safeHref in jupyter_compute/ui/panel/static/table.js) against the one table the
// Python rule (jupyter_compute/model/links.py) is tested with: tests/data/links.json (tests/unit/test_links.py
// runs it in Python; tests/unit/test_js.py runs this under `node --test`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { safeHref } from '../../jupyter_compute/ui/panel/static/table.js';

const table = JSON.parse(readFileSync(new URL('../../tests/data/links.json', import.meta.url), 'utf8'));
const padded = ({ url, pad_to: padTo }) => (padTo ? url + 'a'.repeat(padTo - url.length) : url);

for (const row of table.cases) {
  test(`${JSON.stringify(row.url).slice(0, 80)}: ${row.kept ? 'kept' : 'dropped'} (${row.why})`, () => {
    const url = padded(row);
    assert.equal(safeHref(url), row.kept ? url : null);
  });
}
