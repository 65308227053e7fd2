// `%compute login`'s card (an anywidget: this file is its front end). Python sets the traits from the
// sign-in's own thread: the link and code once the sign-in service gave them, then who signed in.
// DOM from textContent only; the link is followed only if it is https.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render({ model, el: root }) {
  root.classList.add('jupyter-compute-signin');
  const draw = () => {
    root.replaceChildren();
    root.dataset.state = model.get('state');
    const link = model.get('link');
    const code = model.get('code');
    if (model.get('state') === 'waiting' && link && code) {
      const line = root.appendChild(el('div', 'jupyter-compute-signin-step'));
      line.append('Open ');
      const a = line.appendChild(el('a', 'jupyter-compute-signin-link', link));
      if (link.startsWith('https://')) {
        a.href = link;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
      }
      line.append(' and enter the code ');
      line.appendChild(el('code', 'jupyter-compute-signin-code', code));
      const copy = line.appendChild(
        el('button', 'jupyter-widgets jupyter-button widget-button jupyter-compute-signin-copy', 'Copy code'),
      );
      copy.style.width = 'auto';
      copy.style.marginLeft = '6px';
      const said = line.appendChild(el('span', 'jupyter-compute-signin-copied'));
      said.setAttribute('role', 'status');
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(code);
          said.textContent = ' copied';
        } catch (_reason) {
          said.textContent = ' select the code to copy it';
        }
      });
    }
    const message = model.get('message');
    if (message) root.appendChild(el('div', 'jupyter-compute-signin-message', message));
  };
  draw();
  for (const name of ['state', 'link', 'code', 'message']) model.on(`change:${name}`, draw);
  return () => {
    for (const name of ['state', 'link', 'code', 'message']) model.off(`change:${name}`, draw);
  };
}

export default { render };
