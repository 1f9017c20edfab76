// `casefile://open?case=…&event=…` links from the OS (first launch argv, a second instance's argv on Windows/Linux,
// macOS open-url). Each link is checked (shared/viewLink.ts), its case looked up in this installation's registry, and
// only the checked place (never the raw text) is pushed to our window, once its page has loaded.
import { checkLinkCase, LINK_SCHEME, parseDeepLink, ViewLink, type ParsedDeepLink } from '../../shared/viewLink';
import { EVENT_CHANNEL } from './channels';
import { isAppUrl, type PushTarget } from './ipc';

/** A whole argument in our scheme (the OS passes the link as one argument); anything else in argv is not a link. */
export function linkFromArgv(argv: readonly string[]): string | undefined {
  const prefix = `${LINK_SCHEME}:`;
  return argv.find((a) => typeof a === 'string' && a.slice(0, prefix.length).toLowerCase() === prefix);
}

export interface LinkWindow extends PushTarget {
  getURL(): string;
}

export interface DeepLinkDeps {
  /** Ids of the cases this installation knows (the engine's cases.list). */
  knownCaseIds(): Promise<readonly string[]>;
  /** Our window's contents when there is one. */
  window(): LinkWindow | null;
  /** Says why a link was not opened (the reason only: a link is not logged). */
  log(message: string): void;
}

export class DeepLinkRouter {
  private loaded = false;
  private pending: ViewLink | null = null;

  constructor(private readonly deps: DeepLinkDeps) {}

  /** Checks a link and opens it in the window now, or when its page has loaded. Resolves to what was decided. */
  async open(raw: unknown): Promise<ParsedDeepLink> {
    const parsed = parseDeepLink(raw);
    if (!parsed.ok) return this.refuse(parsed.reason);
    let known: readonly string[];
    try { known = await this.deps.knownCaseIds(); } catch { return this.refuse('the case list could not be read'); }
    const checked = checkLinkCase(parsed.link, known);
    if (!checked.ok) return this.refuse(checked.reason);
    // Re-validated as the push's contract payload: only the schema's members go to the page.
    const link = ViewLink.parse(checked.link);
    this.pending = link;
    this.flush();
    return { ok: true, link };
  }

  /** The window's page finished loading (its listeners are in place): deliver what waited. */
  windowLoaded(): void {
    this.loaded = true;
    this.flush();
  }

  /** The window is gone or navigating: hold links until it has loaded again. */
  windowUnloaded(): void {
    this.loaded = false;
  }

  private flush(): void {
    const w = this.deps.window();
    if (!this.pending || !this.loaded || !w || w.isDestroyed() || !isAppUrl(w.getURL())) return;
    w.send(EVENT_CHANNEL, 'app.openLink', this.pending);
    this.pending = null;
  }

  private refuse(reason: string): ParsedDeepLink {
    this.deps.log(`casefile: a link was not opened: ${reason}.`);
    return { ok: false, reason };
  }
}
