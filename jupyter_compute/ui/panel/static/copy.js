// The panel form's "Copy as magic" / "Copy as YAML" buttons (an anywidget: this file is its front end).
// The texts are kept up to date by Python while the form is valid, so a click copies at once, inside
// the click's user activation. Empty text: the form has a problem; Python is told and marks the fields.
// DOM from textContent only.

async function writeText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (_reason) {
    // No clipboard API here (an insecure origin, a denied permission): the old way, a selected textarea.
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    let done = false;
    try {
      done = document.execCommand('copy');
    } catch (_ignored) {
      done = false;
    }
    area.remove();
    return done;
  }
}

function render({ model, el }) {
  el.classList.add('jupyter-compute-copy');
  el.style.display = 'inline-flex';
  el.style.flexWrap = 'wrap';
  el.style.alignItems = 'center';
  const status = document.createElement('span');
  status.className = 'jupyter-compute-copy-status';
  status.setAttribute('role', 'status');
  status.style.margin = '0 6px';
  const buttons = [];
  for (const [which, label] of [
    ['magic', 'Copy as magic'],
    ['yaml', 'Copy as YAML'],
  ]) {
    const button = document.createElement('button');
    button.className = 'jupyter-widgets jupyter-button widget-button jupyter-compute-copy-as-' + which;
    button.textContent = label;
    button.title = which === 'magic' ? 'Copy the %compute line to the clipboard' : 'Copy a %%compute cell with YAML';
    button.style.width = 'auto';
    button.addEventListener('click', async () => {
      const text = model.get(which);
      if (!text) {
        status.textContent = '';
        model.send({ event: 'invalid', which });
        return;
      }
      const copied = await writeText(text);
      // The one place a copy is said (next to its button, at once); Python clears the form's older line.
      const what = which === 'magic' ? 'the %compute line' : 'the cell';
      status.textContent = copied ? `Copied ${what} to the clipboard` : 'Could not copy: select the text below';
      model.send({ event: copied ? 'copied' : 'failed', which });
    });
    buttons.push(button);
  }
  // data-ready: the form is valid and its texts are here (what a click copies now).
  const clear = () => {
    status.textContent = '';
    el.dataset.ready = model.get('magic') ? 'yes' : 'no';
  };
  clear();
  model.on('change:magic', clear);
  el.append(...buttons, status);
  return () => model.off('change:magic', clear);
}

export default { render };
