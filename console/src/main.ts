// The console's entry point: a hash router over four pages. Each page renders into #app and
// returns a cleanup (closing its live stream) that runs when the user navigates away.
import './style.css';
import { renderEditor } from './pages/editor';
import { renderExecution } from './pages/execution';
import { renderMachine } from './pages/machine';
import { renderMachines } from './pages/machines';
import { h } from './dom';

type Cleanup = (() => void) | void;
let cleanup: Cleanup;

async function route(): Promise<void> {
  if (cleanup) cleanup();
  cleanup = undefined;
  const app = document.getElementById('app')!;
  app.replaceChildren();
  const [page, ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const arg = rest.length ? decodeURIComponent(rest.join('/')) : undefined;
  try {
    if (page === 'machine' && arg) cleanup = await renderMachine(app, arg);
    else if (page === 'execution' && arg) cleanup = await renderExecution(app, arg);
    else if (page === 'editor') cleanup = await renderEditor(app, arg);
    else cleanup = await renderMachines(app);
  } catch (error) {
    app.append(h('p', { class: 'error' }, String((error as Error).message ?? error)));
  }
}

window.addEventListener('hashchange', route);
route();
