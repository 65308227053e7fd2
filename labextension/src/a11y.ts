/**
 * What ipywidgets cannot say from Python, said on the panel's and the forms' own nodes: a field with a
 * problem is `aria-invalid` and described by its error line, the "Advanced" toggle has `aria-expanded`, and
 * a form's result line is a polite status. Python marks the state with classes (`jupyter-compute-invalid`
 * on a field, ipywidgets' `mod-active` on a pressed toggle: jupyter_compute/ui/panel/form.py); this keeps
 * the aria attributes in step with them.
 */

const FIELD = '.jupyter-compute-field';
const CONTROLS = 'input, select, textarea';
let ids = 0;

/** Set the aria attributes of every field, toggle and result line under `root` from their classes. */
export function syncAria(root: HTMLElement): void {
  for (const field of Array.from(root.querySelectorAll<HTMLElement>(FIELD))) {
    const error = field.querySelector<HTMLElement>('.jupyter-compute-field-error');
    if (!error) {
      continue;
    }
    if (!error.id) {
      error.id = `jupyter-compute-field-error-${++ids}`;
    }
    const invalid = field.classList.contains('jupyter-compute-invalid');
    for (const control of Array.from(field.querySelectorAll<HTMLElement>(CONTROLS))) {
      if (invalid) {
        control.setAttribute('aria-invalid', 'true');
        control.setAttribute('aria-describedby', error.id);
      } else if (control.hasAttribute('aria-invalid')) {
        control.removeAttribute('aria-invalid');
        control.removeAttribute('aria-describedby');
      }
    }
  }
  for (const toggle of Array.from(root.querySelectorAll<HTMLElement>('button.jupyter-compute-advanced-toggle'))) {
    const expanded = String(toggle.classList.contains('mod-active'));
    if (toggle.getAttribute('aria-expanded') !== expanded) {
      toggle.setAttribute('aria-expanded', expanded);
    }
  }
  for (const line of Array.from(root.querySelectorAll<HTMLElement>('.jupyter-compute-output'))) {
    if (line.getAttribute('role') !== 'status') {
      line.setAttribute('role', 'status');
      line.setAttribute('aria-live', 'polite');
    }
  }
}

/** Keep `root`'s aria attributes in step with its classes from now on (until `root` goes). */
export function watchAria(root: HTMLElement): MutationObserver {
  syncAria(root);
  const observer = new MutationObserver(() => syncAria(root));
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
  return observer;
}

/** Resolve with the first element under `root` that matches `selector` (null after `ms`). */
export function whenFound(root: HTMLElement, selector: string, ms: number): Promise<HTMLElement | null> {
  const found = root.querySelector<HTMLElement>(selector);
  if (found) {
    return Promise.resolve(found);
  }
  return new Promise(resolve => {
    const done = (element: HTMLElement | null): void => {
      observer.disconnect();
      clearTimeout(timer);
      resolve(element);
    };
    const observer = new MutationObserver(() => {
      const now = root.querySelector<HTMLElement>(selector);
      if (now) {
        done(now);
      }
    });
    const timer = setTimeout(() => done(null), ms);
    observer.observe(root, { subtree: true, childList: true });
  });
}
