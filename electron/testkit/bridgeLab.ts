// A real Engine behind a real browser-mode HTTP bridge, in a data home of its own: the bridge's tests call it as the
// page does (token header, JSON in and out) and read the status and the contract's answer.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../engine/engine';
import { startServer, type RunningServer } from '../serve/server';
import { removeDir, tempDir } from './tmp';

export interface BridgeAnswer { status: number; body: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }

export interface BridgeLab {
  /** A temp folder for the test's own files; the data home is its `home`. */
  root: string;
  engine: Engine;
  srv: RunningServer;
  post(name: string, input: unknown): Promise<BridgeAnswer>;
  /** Stops the server and the engine, restores CASEFILE_HOME and removes the folder. */
  close(): Promise<void>;
}

export async function startBridgeLab(): Promise<BridgeLab> {
  const home = process.env.CASEFILE_HOME;
  const root = tempDir();
  process.env.CASEFILE_HOME = path.join(root, 'home');
  mkdirSync(path.join(root, 'renderer'));
  writeFileSync(path.join(root, 'renderer', 'index.html'), '<!doctype html>');
  const engine = await Engine.create({ via: 'browser' });
  const srv = await startServer({ engine, rendererDir: path.join(root, 'renderer') });
  return {
    root, engine, srv,
    async post(name, input) {
      const res = await fetch(`${srv.origin}/api/${name}`, {
        method: 'POST', body: JSON.stringify(input), headers: { 'content-type': 'application/json', 'x-casefile-token': srv.token },
      });
      return { status: res.status, body: await res.json() as BridgeAnswer['body'] };
    },
    async close() {
      await srv.close();
      await engine.close();
      if (home === undefined) delete process.env.CASEFILE_HOME; else process.env.CASEFILE_HOME = home;
      removeDir(root);
    },
  };
}
