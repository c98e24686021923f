import init from '../pkg/index.js';

await init();

for (const widget of document.querySelectorAll('tracker-attachments')) {
  const output = document.querySelector(`[data-example="${widget.id}-ids"]`);
  const show = () => { output.textContent = widget.attachmentIds.join(' '); };
  widget.addEventListener('attachments-change', show);
  show();
}
