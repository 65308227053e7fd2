// The panel's link check (safeHref in jupyter_compute/ui/panel/static/table.js) against the table the
// Python rule is tested with (tests/data/links.json). Run by `node --test tests/js/`, which
// tests/unit/test_links.py runs, so ./dev test and ./dev check run it too.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const here = new URL('.', import.meta.url);
const table = JSON.parse(readFileSync(new URL('../data/links.json', here), 'utf8'));
// table.js is an ES module without a package.json saying so: import its text as one.
const source = readFileSync(new URL('../../jupyter_compute/ui/panel/static/table.js', here), 'utf8');
const { safeHref } = await import(`data:text/javascript,${encodeURIComponent(source)}`);

const padded = ({ url, pad_to: padTo }) => (padTo ? url + 'a'.repeat(padTo - url.length) : url);

for (const row of table.cases) {
  test(`${JSON.stringify(row.url).slice(0, 80)}: ${row.kept ? 'kept' : 'dropped'} (${row.why})`, () => {
    const url = padded(row);
    assert.equal(safeHref(url), row.kept ? url : null);
  });
}
