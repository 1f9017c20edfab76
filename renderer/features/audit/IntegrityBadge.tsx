// Header badge: is the evidence what was received (case.verify) and is the audit chain intact (audit.verify)?
import { useIntegrity } from '../../stores/integrity';
import { useApp } from '../../stores/app';
import { incompleteText } from '../../../shared/audit';
import { printable } from '../../../shared/printable';

export function IntegrityBadge() {
  const { audit, evidence, auditBusy, evidenceBusy, verifyCase, verifyAudit } = useIntegrity();
  const setView = useApp((s) => s.setView);
  const busy = auditBusy || evidenceBusy;
  // Evidence whose custody or chains are still being written (an import of the case running) has not failed.
  const bad = (audit && !audit.ok) || (evidence && !evidence.ok && !evidence.notYet);
  const good = audit?.ok && evidence?.ok;
  const label = busy ? 'verifying…' : bad ? 'integrity FAILED' : good ? 'verified' : evidence?.notYet ? 'not verified yet' : 'not verified';
  const title = [
    audit ? `audit chain: ${audit.ok ? 'intact' : 'BROKEN'} (${audit.entries} entries, head ${audit.headHash?.slice(0, 16) ?? '—'})` : 'audit chain: not checked',
    evidence ? `evidence: ${evidence.ok ? 'matches manifests' : evidence.notYet ? 'parts still being written by an import (not failed): verify again when it is done' : `${evidence.problems.length} problems`} (${evidence.filesChecked} files)` : 'evidence: not checked',
    ...(evidence?.incomplete ?? []).map((b) => printable(incompleteText(b))),
    'Click to verify again; the Audit view has details.',
  ].join('\n');
  return (
    <button className={`integrity ${bad ? 'bad' : good ? 'good' : ''}`} data-testid="integrity-badge" data-state={bad ? 'bad' : good ? 'ok' : 'unknown'}
      title={title} onClick={() => { void verifyAudit(); void verifyCase(); setView('audit'); }}>
      {bad ? '✖' : good ? '✔' : '○'} {label}
    </button>
  );
}
