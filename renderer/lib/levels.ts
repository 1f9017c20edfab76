// Level vocabulary for colouring and "error or worse" navigation; the order is the contract's LEVELS plus "other".
import { LEVELS, type Level } from '../../shared/domain';

export const LANE_LEVELS = [...LEVELS, 'OTHER'] as const;

/** CSS variable per level: ERROR/CRITICAL red, WARNING amber, INFO blue, DEBUG/TRACE grey. */
export function levelColor(level: string | null | undefined): string {
  switch ((level ?? '').toUpperCase()) {
    case 'CRITICAL': return 'var(--lvl-critical)';
    case 'ERROR': return 'var(--lvl-error)';
    case 'WARNING': return 'var(--lvl-warning)';
    case 'INFO': return 'var(--lvl-info)';
    case 'DEBUG': return 'var(--lvl-debug)';
    case 'TRACE': return 'var(--lvl-trace)';
    default: return 'var(--lvl-other)';
  }
}

export const SEVERE: Level[] = ['ERROR', 'CRITICAL'];

export function isSevere(level: string | null | undefined): boolean {
  return level === 'ERROR' || level === 'CRITICAL';
}
