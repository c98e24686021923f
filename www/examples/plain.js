import init from '../pkg/index.js';

await init();

const widget = document.getElementById('files');
const ids = document.getElementById('ids');
const lastEvent = document.getElementById('last-event');

widget.addEventListener('attachments-change', (event) => {
  ids.textContent = event.detail.attachmentIds.join(' ');
});
for (const name of ['upload-success', 'upload-error', 'attached']) {
  widget.addEventListener(name, (event) => {
    const file = event.detail.file ? ` ${event.detail.file.name}` : '';
    lastEvent.textContent = `${name}${file}`;
  });
}
ids.textContent = widget.attachmentIds.join(' ');
