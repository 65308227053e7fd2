// How the lab extension loads anywidget's classic bundle (src/define.ts, compiled to lib/define.js by the
// build): the factory is captured, the page's own `define` always comes back, and the real npm bundle still
// hands its factory to `define` (an anywidget upgrade that stops doing so fails here, not in the browser).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { captureDefine } from '../lib/define.js';

test('the factory handed to define is captured and the page keeps its define', async () => {
  const pages = () => 'the page define';
  const scope = { define: pages };
  const factory = await captureDefine(async () => {
    scope.define(['@jupyter-widgets/base'], base => ({ built: base }));
  }, scope);
  assert.equal(scope.define, pages);
  assert.deepEqual(factory('base'), { built: 'base' });
});

test('a bundle that fails or defines nothing leaves define as it was, and says so', async () => {
  const scope = {};
  await assert.rejects(
    captureDefine(async () => Promise.reject(new Error('no bundle')), scope),
    /no bundle/
  );
  assert.equal('define' in scope ? scope.define : undefined, undefined);
  await assert.rejects(
    captureDefine(async () => undefined, scope),
    /did not define its module/
  );
});

test("anywidget's npm bundle hands a factory of AnyModel and AnyView to define", async () => {
  const factory = await captureDefine(() => import('anywidget'));
  assert.equal(typeof factory, 'function');
  assert.equal(globalThis.define, undefined, 'no define left behind');
});
