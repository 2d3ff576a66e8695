// Polymath hub web pages. The API token lives in this tab's sessionStorage and goes only in the
// Authorization header. Text from the hub is put into the page with textContent, never as HTML, except
// the dataset card, which the server renders from Markdown with everything escaped.
'use strict';

const tokenKey = 'polymath-hub-token';
const token = () => sessionStorage.getItem(tokenKey);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) e.append(c instanceof Node ? c : document.createTextNode(c ?? ''));
  return e;
}

async function api(path, options = {}) {
  const headers = Object.assign({}, options.headers || {});
  if (token()) headers.Authorization = 'Bearer ' + token();
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (!response.ok) {
    let detail = response.statusText;
    try { detail = (await response.json()).detail || detail; } catch { /* not JSON */ }
    const error = new Error(detail);
    error.status = response.status;
    throw error;
  }
  return response;
}
const json = async (path) => (await api(path)).json();

function showError(e) {
  const box = document.getElementById('error');
  box.textContent = e.message;
  box.hidden = false;
}

function setMain(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children);
}

const short = (id) => id.slice(0, 12);
const when = (t) => t.slice(0, 19).replace('T', ' ');
const bytes = (n) => n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`;

async function whoAmI() {
  const who = document.getElementById('who');
  const signin = document.getElementById('signin-link');
  const signout = document.getElementById('signout');
  if (!token()) return;
  try {
    const me = await json('/api/whoami');
    who.textContent = 'signed in as ' + me.user;
    signin.hidden = true;
    signout.hidden = false;
  } catch (e) {
    sessionStorage.removeItem(tokenKey);
    who.textContent = 'token refused: ' + e.message;
  }
}

async function listPage() {
  const query = new URLSearchParams(location.search).get('q') || '';
  const input = el('input', { id: 'search', type: 'search', name: 'q', value: query, placeholder: 'search datasets and models', 'aria-label': 'search' });
  const form = el('form', { id: 'search-form', action: '/', method: 'get' }, input, el('button', { type: 'submit' }, 'Search'));
  const repos = await json('/api/repos' + (query ? '?q=' + encodeURIComponent(query) : ''));
  const items = repos.map(r => el('li', { class: 'repo' },
    el('a', { href: `/${r.owner}/${r.name}` }, r.fullName), ' ',
    el('span', { class: 'badge' }, r.kind), r.private ? el('span', { class: 'badge private' }, 'private') : '',
    el('div', { class: 'muted' }, r.description)));
  setMain(el('h1', {}, 'Repositories'), form,
    items.length ? el('ul', { id: 'repos' }, items) : el('p', { id: 'repos-empty', class: 'muted' }, query ? 'No repository matches.' : 'No repositories yet.'));
}

function signinPage() {
  const input = el('input', { id: 'token', type: 'password', autocomplete: 'off', placeholder: 'pmh_…', 'aria-label': 'API token' });
  const message = el('p', { id: 'signin-message', class: 'muted' }, 'Paste an API token. It is kept in this tab only and sent in the Authorization header.');
  const form = el('form', { id: 'signin-form', onsubmit: async (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(tokenKey, input.value.trim());
    try {
      const me = await json('/api/whoami');
      location.assign('/');
      message.textContent = 'signed in as ' + me.user;
    } catch (e) {
      sessionStorage.removeItem(tokenKey);
      message.textContent = 'Sign-in failed: ' + e.message;
      message.className = 'problem';
    }
  } }, input, el('button', { type: 'submit', id: 'signin' }, 'Sign in'));
  setMain(el('h1', {}, 'Sign in'), form, message);
}

async function download(owner, name, commit, path) {
  const blob = await (await api(`/api/repos/${owner}/${name}/files/${path.split('/').map(encodeURIComponent).join('/')}?rev=${commit}`)).blob();
  const a = el('a', { href: URL.createObjectURL(blob), download: path.split('/').pop() });
  document.body.append(a);
  a.click();
  a.remove();
}

async function repoPage(owner, name) {
  const params = new URLSearchParams(location.search);
  const rev = params.get('rev');
  const base = `/api/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
  const repo = await json(base);
  const sections = [el('h1', {}, repo.fullName, ' ', el('span', { class: 'badge' }, repo.kind), repo.private ? el('span', { class: 'badge private' }, 'private') : ''),
    el('p', { class: 'muted', id: 'description' }, repo.description)];

  const card = el('section', { id: 'card' }, el('h2', {}, 'Card'));
  try {
    const html = await (await api(base + '/card?format=html')).text();
    const body = el('div', { class: 'markdown' });
    body.innerHTML = html; // rendered and escaped by the server (MarkdownLite)
    card.append(body);
  } catch (e) { card.append(el('p', { class: 'muted' }, e.status === 404 ? 'No card yet.' : e.message)); }
  sections.push(card);

  const meta = el('section', { id: 'metadata' }, el('h2', {}, 'Metadata'));
  try {
    const m = await json(base + '/metadata');
    const rows = [['Title', m.title], ['Description', m.description], ['Creators', (m.creators || []).map(c => c.name).join('; ')],
      ['License', m.license], ['Keywords', (m.keywords || []).join(', ')], ['Domain', m.domain], ['Version', m.version], ['Citation', m.citation], ['DOI', m.doi]]
      .filter(r => r[1]);
    meta.append(el('dl', {}, rows.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
  } catch (e) { meta.append(el('p', { class: 'muted' }, e.status === 404 ? 'No metadata yet.' : e.message)); }
  sections.push(meta);

  let log = [];
  try { log = await json(base + '/commits?limit=100' + (rev ? '&rev=' + encodeURIComponent(rev) : '')); } catch (e) { if (e.status !== 404) throw e; }
  const files = el('section', { id: 'files' }, el('h2', {}, 'Files'));
  if (log.length === 0) files.append(el('p', { class: 'muted' }, 'No versions yet.'));
  else {
    const tree = await json(base + '/tree?rev=' + log[0].id);
    files.append(el('p', { class: 'muted' }, `version ${short(tree.commit)}`),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'path'), el('th', {}, 'size'), el('th', {}, 'sha256'), el('th', {}, ''))),
        el('tbody', {}, tree.files.map(f => el('tr', {}, el('td', { class: 'path' }, f.path), el('td', {}, bytes(f.size)), el('td', { class: 'hash' }, short(f.sha256)),
          el('td', {}, el('button', { class: 'download', onclick: () => download(owner, name, tree.commit, f.path).catch(showError) }, 'download')))))));
  }
  sections.push(files);

  const versions = el('section', { id: 'versions' }, el('h2', {}, 'Versions'));
  if (log.length > 0) {
    const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'from'), el('th', {}, 'to'), el('th', {}, 'commit'), el('th', {}, 'message'), el('th', {}, 'author'), el('th', {}, 'time'))),
      el('tbody', {}, log.map((c, i) => el('tr', {},
        el('td', {}, el('input', { type: 'radio', name: 'from', value: c.id, checked: i === 1 || (log.length === 1 && i === 0), 'aria-label': 'from ' + short(c.id) })),
        el('td', {}, el('input', { type: 'radio', name: 'to', value: c.id, checked: i === 0, 'aria-label': 'to ' + short(c.id) })),
        el('td', { class: 'hash' }, el('a', { href: `/${owner}/${name}?rev=${c.id}` }, short(c.id))), el('td', {}, c.message), el('td', {}, c.author), el('td', {}, when(c.time))))));
    const diffOut = el('div', { id: 'diff' });
    const button = el('button', { id: 'show-diff', onclick: async () => {
      const from = document.querySelector('input[name=from]:checked').value;
      const to = document.querySelector('input[name=to]:checked').value;
      try {
        const d = await json(`${base}/diff?from=${from}&to=${to}`);
        const rows = [...d.added.map(f => ['A', f.path, bytes(f.size)]), ...d.removed.map(f => ['D', f.path, bytes(f.size)]),
          ...d.modified.map(f => ['M', f.path, `${bytes(f.oldSize)} → ${bytes(f.newSize)}`])];
        diffOut.replaceChildren(el('p', { class: 'muted' }, `${short(d.from)} → ${short(d.to)}: ${rows.length} files changed`),
          el('table', {}, el('tbody', {}, rows.map(r => el('tr', { class: 'change-' + r[0] }, el('td', {}, r[0]), el('td', { class: 'path' }, r[1]), el('td', {}, r[2]))))));
      } catch (e) { showError(e); }
    } }, 'Compare');
    versions.append(table, button, diffOut);
  }
  sections.push(versions);

  const notes = el('section', { id: 'annotations' }, el('h2', {}, 'Annotations'));
  const annotations = await json(base + '/annotations');
  notes.append(annotations.length === 0 ? el('p', { class: 'muted' }, 'No annotations yet.') :
    el('table', {}, el('thead', {}, el('tr', {}, ['path', 'record', 'key', 'value', 'author', 'version'].map(h => el('th', {}, h)))),
      el('tbody', {}, annotations.map(a => el('tr', {}, el('td', { class: 'path' }, a.path), el('td', {}, a.record || ''), el('td', {}, a.key), el('td', {}, a.value), el('td', {}, a.author), el('td', { class: 'hash' }, short(a.commit)))))));
  sections.push(notes);
  setMain(...sections);
  document.title = repo.fullName + ' · Polymath hub';
}

async function route() {
  document.getElementById('signout').addEventListener('click', () => { sessionStorage.removeItem(tokenKey); location.assign('/'); });
  await whoAmI();
  const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  try {
    if (parts.length === 0) await listPage();
    else if (parts.length === 1 && parts[0] === 'signin') signinPage();
    else if (parts.length === 2) await repoPage(parts[0], parts[1]);
    else setMain(el('p', {}, 'No such page.'));
  } catch (e) {
    setMain(el('h1', {}, e.status === 404 ? 'Not found' : 'Error'), el('p', { class: 'problem', id: 'problem' }, e.message));
  }
  document.body.dataset.ready = 'true';
}

document.addEventListener('DOMContentLoaded', route);
