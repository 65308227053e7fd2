// The Python the lab extension runs in the panel's kernel (src/entry.ts, compiled to lib/entry.js): one named
// entry point of jupyter_compute.panel, imported under a private name, called with literal arguments.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { callExpression, entryCode, importEntry } from '../lib/entry.js';

test('an entry point is imported under a private name and called with JSON literals', () => {
  assert.equal(
    entryCode('form_tab', 'cluster'),
    'from jupyter_compute.panel import form_tab as _jupyter_compute_form_tab\n_jupyter_compute_form_tab("cluster")'
  );
  assert.equal(
    entryCode('sidebar'),
    'from jupyter_compute.panel import sidebar as _jupyter_compute_sidebar\n_jupyter_compute_sidebar()'
  );
  assert.equal(importEntry('forms').code, 'from jupyter_compute.panel import forms as _jupyter_compute_forms');
  assert.equal(callExpression('forms'), '_jupyter_compute_forms()');
});

test('an argument stays one string literal, whatever it holds', () => {
  const tricky = 'x")\nimport os; os.system("boom")  # \\ \' \u00e9';
  const code = callExpression('close_form_tab', tricky);
  assert.equal(code, `_jupyter_compute_close_form_tab(${JSON.stringify(tricky)})`);
  assert.equal(code.split('\n').length, 1, 'no line break escapes the literal');
  assert.equal(callExpression('form_tab', true, 2), '_jupyter_compute_form_tab(True, 2)');
});
