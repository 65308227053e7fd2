// A polite status region that stays in the page while its words change (anywidget ESM, no build step;
// jupyter_compute/ui/said.py): a screen reader says each new text once. Not shown.

function render({ model, el }) {
  el.classList.add('jupyter-compute-said');
  el.setAttribute('role', 'status');
  el.setAttribute('aria-live', 'polite');
  Object.assign(el.style, {
    position: 'absolute',
    width: '1px',
    height: '1px',
    overflow: 'hidden',
    clipPath: 'inset(50%)',
    whiteSpace: 'nowrap',
  });
  const say = () => {
    el.textContent = model.get('text') || '';
  };
  say();
  model.on('change:text', say);
  return () => model.off('change:text', say);
}

export default { render };
