// Verification results for the open case: the audit chain (audit.verify) and the evidence (case.verify).
import { create } from 'zustand';
import type { AuditVerifyResult, IntegrityResult } from '../../shared/audit';
import { call } from '../api/client';
import { useApp, errorText } from './app';

interface IntegrityState {
  caseId: string | null;
  audit: AuditVerifyResult | null;
  evidence: IntegrityResult | null;
  auditBusy: boolean;
  evidenceBusy: boolean;
  error: string | null;
  verifyAudit(): Promise<void>;
  verifyCase(): Promise<void>;
  reset(caseId: string | null): void;
}

export const useIntegrity = create<IntegrityState>((set, get) => ({
  caseId: null, audit: null, evidence: null, auditBusy: false, evidenceBusy: false, error: null,
  reset(caseId) { set({ caseId, audit: null, evidence: null, error: null }); },
  async verifyAudit() {
    const caseId = useApp.getState().current?.id;
    if (!caseId) return;
    set({ auditBusy: true });
    try {
      const audit = await call('audit.verify', { caseId });
      if (get().caseId === caseId) set({ audit, auditBusy: false, error: null });
    } catch (e) { set({ auditBusy: false, error: errorText(e) }); }
  },
  async verifyCase() {
    const caseId = useApp.getState().current?.id;
    if (!caseId) return;
    set({ evidenceBusy: true });
    try {
      const evidence = await call('case.verify', { caseId });
      if (get().caseId === caseId) set({ evidence, evidenceBusy: false, error: null });
    } catch (e) { set({ evidenceBusy: false, error: errorText(e) }); }
  },
}));
