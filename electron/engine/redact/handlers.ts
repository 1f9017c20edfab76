// redact.test (what the rules would change in sample lines), the check of rules being edited, and the case's client rules.
import { RedactionRules } from '../../../shared/redaction';
import type { AreaHandlers } from '../api';
import { clientRulesFor, profileRules } from '../export/clientRules';
import { rulesWarnings } from '../export/rulesWarnings';
import { redactionSetupFor } from '../export/run';
import { buildSelection } from '../export/select';
import { Detectors } from './detect';
import { Pseudonymizer } from './pseudonym';
import { Redactor } from './redactor';
import { patternNotes } from './rulesCheck';

export const redactHandlers: AreaHandlers<'redact'> = {
  'redact.test': async (ctx, input) => {
    const h = input.caseId ? ctx.getCase(input.caseId) : null;
    const opts = { ...(input.profile ? { profile: input.profile } : {}), ...(input.rules ? { rules: input.rules } : {}) };
    // with a case: the setup of a whole-case export, the users only a /home/ path or URL userinfo names included (the
    // tester showed them unreplaced where the export replaces them)
    const setup = h
      ? await redactionSetupFor(h, (await clientRulesFor(h, opts)).rules, await buildSelection(h.db, {}))
      : { rules: RedactionRules.parse(await profileRules(input.profile, input.rules)), idPatterns: [], harvest: [] };
    const r = new Redactor(new Detectors({ rules: setup.rules, idPatterns: setup.idPatterns, harvest: setup.harvest }), new Pseudonymizer(Pseudonymizer.randomKey()));
    return { lines: input.lines.map((l) => r.redact(l)), warnings: await rulesWarnings(h, setup.rules) };
  },
  // The draft's own rules, without the profile's merged in: the editor asks about what it shows.
  'redact.rules.check': async (ctx, input) => {
    const patterns = patternNotes(input.rules, input.sample ?? []);
    const said = (level: 'error' | 'warning') => patterns.filter((n) => n.level === level).map((n) => n.message);
    return {
      errors: said('error'),
      warnings: [...await rulesWarnings(input.caseId ? ctx.getCase(input.caseId) : null, input.rules), ...said('warning')],
      patterns,
    };
  },
  'redact.rules.get': async (ctx, input) => RedactionRules.parse(ctx.getCase(input.caseId).meta.redaction ?? {}),
  'redact.rules.save': async (ctx, input) => {
    const h = ctx.getCase(input.caseId);
    // compile before saving: a bad pattern is refused with its reason, nothing is written
    new Detectors({ rules: input.rules });
    await h.saveMeta({ redaction: input.rules });
    return input.rules;
  },
};
