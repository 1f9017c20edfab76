// The keys' lock state from the engine (`keys.state` answer, then its event), with a local countdown between events.
import { useEffect, useState } from 'react';
import type { CallOutput } from '../../../shared/contract';
import { call, getClient } from '../../api/client';

type KeysState = CallOutput<'keys.state'>;

export function useKeysState(): { state: KeysState | null; secondsLeft(fingerprint: string): number | null } {
  const [state, setState] = useState<KeysState | null>(null);
  const [at, setAt] = useState(Date.now());
  const [, tick] = useState(0);
  useEffect(() => {
    let live = true;
    void call('keys.state', {}).then((s) => { if (live) { setState(s); setAt(Date.now()); } }).catch(() => undefined);
    const off = getClient().on('keys.state', (s) => { setState(s); setAt(Date.now()); });
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => { live = false; off(); clearInterval(t); };
  }, []);
  return {
    state,
    secondsLeft(fingerprint) {
      const k = state?.keys.find((x) => x.fingerprint === fingerprint);
      return k ? Math.max(0, k.secondsLeft - Math.floor((Date.now() - at) / 1000)) : null;
    },
  };
}
