// Entry of the engine utility process (forked by main.ts): owns the Engine and its DuckDB connections so long
// queries and imports never block the window. Talks to main only through process.parentPort.
import { Engine } from '../engine/engine';
import { serveEngine, type FromHost } from './engineRelay';
import { hostClient, SAFE_STORAGE_ENV } from './hostServices';

const parentPort = process.parentPort;
const post = (msg: FromHost) => parentPort.postMessage(msg);

// safeStorage and the clipboard live in main: the engine asks for them over this same port.
const services = hostClient(post, process.env[SAFE_STORAGE_ENV] === '1');
parentPort.on('message', (e) => { services.handleReply(e.data); });

const engine = (async () => {
  // CASEFILE_HOME and CASEFILE_RESOURCES arrive in the environment main gives this process.
  const e = await Engine.create({ via: 'electron', host: services.host });
  let defaultCaseId: string | null = null;
  try {
    defaultCaseId = await e.openDefaultCase(process.env.CASEFILE_CASE_DIR || undefined);
  } catch (err) {
    // The app still opens (with the case list) when the demo or the requested case cannot be opened.
    console.error(`casefile engine: could not open the default case: ${err instanceof Error ? err.message : String(err)}`);
  }
  post({ t: 'ready', defaultCaseId });
  return e;
})();
engine.catch((err: unknown) => post({ t: 'fatal', message: err instanceof Error ? err.message : String(err) }));

serveEngine(engine, { post, onMessage: (cb) => parentPort.on('message', (e) => cb(e.data)) });

// Quitting the app stops the engine as `casefile serve`'s Ctrl-C does: running jobs cancelled (an export removes its
// partial extract, an import records its cancel), then the cases close. Before, it waited for them until main's limit
// killed it, leaving a partial extract and a killed import for the next open to find.
const shutdown = () => {
  void engine.then((e) => e.quit()).finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
parentPort.on('message', (e) => {
  if ((e.data as { t?: string } | null)?.t === 'shutdown') shutdown();
});
