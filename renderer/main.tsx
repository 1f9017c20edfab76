// Renderer entry. In dev, `?fake` renders against an in-memory fake engine for quick visual checks;
// production builds always use the real client (the fake is tree-shaken away).
// First import: must run before any zod schema is built (see zodJitless.ts).
import './zodJitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './features/layout/App';
import { setClient } from './api/client';
import { listenForOpenLinks } from './stores/urlState';
import './styles.css';

async function start() {
  if (import.meta.env.DEV && new URLSearchParams(location.search).has('fake')) {
    const { fakeClient } = await import('./dev/fakeApi');
    setClient(fakeClient());
  }
  // Before the first render: the desktop shell pushes a casefile:// link as soon as the page has loaded.
  listenForOpenLinks();
  createRoot(document.getElementById('root')!).render(<StrictMode><App /></StrictMode>);
}
void start();
