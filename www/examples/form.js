import init from '../pkg/index.js';

await init();

// What the last submit carried (it came back to this page as a query).
const query = new URLSearchParams(window.location.search);
const submitted = query.getAll('attachmentIds');
document.getElementById('submitted').textContent =
  query.has('summary') ? `${query.get('summary')}: ${submitted.join(' ') || '(no files)'}` : '';

// The server has the files now; forget them here so the next bug starts empty.
if (submitted.length > 0) {
  document.querySelector('tracker-attachments').clear();
}
