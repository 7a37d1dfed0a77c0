/**
 * The console shell: sign-in, navigation and hash routes (`#/log`, `#/user`, `#/licenses`,
 * `#/reports`). Every route is a real link, so pages work with the keyboard, the back button
 * and bookmarks; after each navigation focus moves to the page heading.
 */
import { ApiError, clearCache, get, primeSites, signIn, signOut, token, whenUnauthorized, type Site } from './api.js';
import { h, mount, type Child } from './dom.js';
import { loadCatalogue } from './reasons.js';
import { renderLicenses } from './pages/licenses.js';
import { renderReports } from './pages/reports.js';
import { renderSyncLog } from './pages/sync-log.js';
import { renderUser } from './pages/user.js';

/** A page: builds its content from the route's query parameters. */
type Page = (params: URLSearchParams) => Promise<Child[]>;

const ROUTES: Record<string, { title: string; page: Page }> = {
  log: { title: 'Sync log', page: renderSyncLog },
  user: { title: 'Users', page: renderUser },
  licenses: { title: 'Licenses', page: renderLicenses },
  reports: { title: 'Reports', page: renderReports },
};

const header = document.getElementById('top') as HTMLElement;
const main = document.getElementById('main') as HTMLElement;

function route(): { name: string; params: URLSearchParams } {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const name = q >= 0 ? raw.slice(0, q) : raw;
  return { name: ROUTES[name] ? name : 'log', params: new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '') };
}

function renderHeader(signedIn: boolean, current: string): void {
  mount(header,
    h('p', { class: 'brand' }, 'rolegate', h('span', null, ' administrators\u2019 console')),
    signedIn && h('nav', { 'aria-label': 'Console' }, h('ul', null, Object.entries(ROUTES).map(([name, r]) =>
      h('li', null, h('a', { href: `#/${name}`, 'aria-current': name === current ? 'page' : null }, r.title))))),
    signedIn && h('button', { type: 'button', class: 'signout', on: { click: () => { signOut(); clearCache(); showSignIn('You are signed out.'); } } }, 'Sign out'));
}

function showSignIn(notice?: string): void {
  renderHeader(false, '');
  document.title = 'Sign in · rolegate console';
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', 'aria-describedby': 'token-help' });
  const status = h('p', { id: 'signin-status', role: 'status' }, notice ?? '');
  const form = h('form', { class: 'signin', on: { submit: (ev) => {
    ev.preventDefault();
    const t = input.value.trim();
    status.textContent = 'Checking the token…';
    get<{ sites: Site[] }>('sites', {}, t).then((r) => {
      signIn(t);
      primeSites(r.sites);
      if (!location.hash) location.hash = '#/log';
      void render();
    }, (e: unknown) => {
      status.textContent = e instanceof ApiError && e.status === 401 ? `The token was refused: ${e.message}` : `Could not sign in: ${(e as Error).message}`;
      input.focus();
    });
  } } },
  h('label', { for: 'token' }, 'Admin API token'),
  input,
  h('p', { id: 'token-help', class: 'help' }, 'A tenant-admin, site-admin or auditor token of the admin API. It is kept in this tab only (sessionStorage) and sent as a bearer token.'),
  h('button', { type: 'submit' }, 'Sign in'),
  status);
  mount(main, h('h1', { tabindex: -1 }, 'Sign in'), form);
  input.focus();
}

let renderCount = 0;

async function render(): Promise<void> {
  if (!token()) return showSignIn();
  const { name, params } = route();
  const r = ROUTES[name]!;
  renderHeader(true, name);
  document.title = `${r.title} · rolegate console`;
  const mine = ++renderCount;
  main.setAttribute('aria-busy', 'true');
  mount(main, h('p', null, 'Loading…'));
  let content: Child[];
  try {
    content = await r.page(params);
  } catch (e) {
    content = [h('h1', { tabindex: -1 }, r.title), h('p', { role: 'alert', class: 'error' }, `Error: ${(e as Error).message}`)];
  }
  // A newer navigation (or a sign-out) superseded this one while it loaded.
  if (mine !== renderCount || !token()) return;
  mount(main, content);
  main.removeAttribute('aria-busy');
  const focusTarget = main.querySelector<HTMLElement>('[data-focus]') ?? main.querySelector<HTMLElement>('h1');
  focusTarget?.focus();
}

whenUnauthorized((message) => { clearCache(); showSignIn(message); });
window.addEventListener('hashchange', () => void render());
document.getElementById('skip')?.addEventListener('click', (ev) => { ev.preventDefault(); main.querySelector<HTMLElement>('h1')?.focus(); });
void loadCatalogue().finally(() => void render());
