/**
 * anywidget's npm build is its classic-notebook bundle: an ES module whose body calls the page's global
 * `define(["@jupyter-widgets/base"], factory)` and exports nothing of the widget. `captureDefine` evaluates
 * such a bundle once with a `define` that keeps the factory, and always puts the page's own `define` back
 * (labextension/test/define.test.mjs checks both, on the compiled lib/define.js).
 */

type Factory<T> = (...dependencies: unknown[]) => T;
type Scope = { define?: unknown };

/** The factory the bundle that `load` evaluates hands to `define`; throws when it hands none. */
export async function captureDefine<T>(
  load: () => Promise<unknown>,
  scope: Scope = globalThis as Scope
): Promise<Factory<T>> {
  const before = scope.define;
  let factory: Factory<T> | undefined;
  scope.define = (_dependencies: string[], made: Factory<T>) => {
    factory = made;
  };
  try {
    await load();
  } finally {
    scope.define = before;
  }
  if (!factory) {
    throw new Error('the bundle did not define its module');
  }
  return factory;
}
