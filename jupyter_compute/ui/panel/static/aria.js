// What ipywidgets cannot say from Python, said by a small view placed in a "New" form (anywidget ESM, no build
// step; jupyter_compute/ui/panel/aria.py): a field with a problem is aria-invalid and described by its error
// line, the "Advanced" toggle has aria-expanded, and the form's result line (and an edit tab's outcome line) is a
// polite status. Python marks
// the state with classes (jupyter-compute-invalid on a field, ipywidgets' mod-active on a pressed toggle:
// ui/panel/form.py); this keeps the aria attributes in step with them, wherever the form is drawn (the lab's
// form tabs and edit tabs, a notebook's panel, Notebook 7, VS Code).

const HOSTS = '.jupyter-compute-form-tab, .jupyter-compute-edit-tab, .jupyter-compute-panel';
const RESULT_LINES = '.jupyter-compute-output, .jupyter-compute-edit-tab .jupyter-compute-tools-message';
let ids = 0;

/** Set the aria attributes of every field, toggle and result line under `root` from their classes. */
export function syncAria(root) {
  for (const field of root.querySelectorAll('.jupyter-compute-field')) {
    const error = field.querySelector('.jupyter-compute-field-error');
    if (!error) continue;
    if (!error.id) {
      ids += 1;
      error.id = `jupyter-compute-field-error-${ids}`;
    }
    const invalid = field.classList.contains('jupyter-compute-invalid');
    for (const control of field.querySelectorAll('input, select, textarea')) {
      if (invalid) {
        control.setAttribute('aria-invalid', 'true');
        control.setAttribute('aria-describedby', error.id);
      } else if (control.hasAttribute('aria-invalid')) {
        control.removeAttribute('aria-invalid');
        control.removeAttribute('aria-describedby');
      }
    }
  }
  for (const toggle of root.querySelectorAll('button.jupyter-compute-advanced-toggle')) {
    const expanded = String(toggle.classList.contains('mod-active'));
    if (toggle.getAttribute('aria-expanded') !== expanded) toggle.setAttribute('aria-expanded', expanded);
  }
  for (const line of root.querySelectorAll(RESULT_LINES)) {
    if (line.getAttribute('role') !== 'status') {
      line.setAttribute('role', 'status');
      line.setAttribute('aria-live', 'polite');
    }
  }
}

function render({ el }) {
  // A view is drawn before it is put in the page: wait for its form (one check a frame, until then).
  let observer = null;
  let frame = 0;
  const attach = () => {
    const root = el.closest(HOSTS);
    if (!root) {
      frame = requestAnimationFrame(attach);
      return;
    }
    syncAria(root);
    observer = new MutationObserver(() => syncAria(root));
    observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
  };
  attach();
  return () => {
    cancelAnimationFrame(frame);
    if (observer) observer.disconnect();
  };
}

export default { render };
