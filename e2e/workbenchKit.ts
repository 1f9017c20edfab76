// Helpers the workbench specs share: engine calls beside the page, the demo case opened and settled.
import type { Page } from '@playwright/test';
import { expect, type Casefile } from './fixtures';

export function api<T>(casefile: Casefile, name: string, input: unknown): Promise<T> {
  return casefile.engine.invoke(name, input) as Promise<T>;
}
export const num = (s: string | null) => Number((s ?? '').replace(/[^\d]/g, ''));
export const eventsTotal = async (page: Page) => num(await page.getByTestId('events-total').textContent());

/** The total a text search shows is what the histogram counts (timed lanes plus untimed matches). */
export async function histogramTotal(casefile: Casefile, caseId: string, word: string): Promise<number> {
  const h = await api<{ lanes: { total: number }[]; untimed: number }>(casefile, 'events.histogram', { caseId, filter: { text: word }, buckets: 50 });
  return h.lanes.reduce((a, l) => a + l.total, 0) + h.untimed;
}

/** Opens the demo case and waits until the timeline has drawn its range and the table its total. */
export async function openDemo(app: { page: Page; goto(p?: string): Promise<void> }, casefile: Casefile): Promise<string> {
  await app.goto();
  const caseId = casefile.defaultCaseId!;
  await expect(app.page.getByTestId('timeline-range')).toContainText('→');
  const all = await api<{ total: number }>(casefile, 'events.page', { caseId, filter: {}, limit: 1 });
  await expect.poll(() => eventsTotal(app.page)).toBe(all.total);
  return caseId;
}

/** The page's address for one case in one view (the link an operator shares), with any other view state given. */
export function caseLink(casefile: Casefile, caseId: string, view: string, extra: Record<string, string> = {}): string {
  const link = new URL(casefile.server.url);
  link.searchParams.set('case', caseId);
  link.searchParams.set('view', view);
  for (const [k, v] of Object.entries(extra)) link.searchParams.set(k, v);
  return link.toString();
}
