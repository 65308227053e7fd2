/**
 * The Python the lab extension runs in the panel's kernel, built in this one place: a call of one of the
 * named entry points of `jupyter_compute.panel` (its `__all__`; tests/unit/test_row_contract.py checks the
 * names), with JSON arguments (JSON literals of strings, numbers and lists are Python literals too).
 */

/** The entry points the lab extension calls (jupyter_compute/panel.py). */
export type EntryPoint = 'sidebar' | 'form_tab' | 'edit_tab' | 'close_form_tab' | 'forms' | 'sidebar_shown';
type Argument = string | number | boolean;

const MODULE = 'jupyter_compute.panel';

/** The code that imports `entry` under a private name and binds it (nothing else enters the namespace). */
export function importEntry(entry: EntryPoint): { code: string; name: string } {
  const name = `_jupyter_compute_${entry}`;
  return { code: `from ${MODULE} import ${entry} as ${name}`, name };
}

/** The expression that calls `entry` with `args` (after `importEntry(entry).code` has run). */
export function callExpression(entry: EntryPoint, ...args: Argument[]): string {
  // JSON's true/false are not Python's: booleans are written as Python's.
  const literal = (arg: Argument): string =>
    typeof arg === 'boolean' ? (arg ? 'True' : 'False') : JSON.stringify(arg);
  return `${importEntry(entry).name}(${args.map(literal).join(', ')})`;
}

/** Code that calls `entry` with `args` and shows what it returns (the last line of an executed cell). */
export function entryCode(entry: EntryPoint, ...args: Argument[]): string {
  return `${importEntry(entry).code}\n${callExpression(entry, ...args)}`;
}
