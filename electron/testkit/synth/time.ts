// Timestamp renderers for every Enrich format. Pure arithmetic (no Date.now, no locale) so output is reproducible.

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
const pad3 = (n: number): string => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/** Days since 1970-01-01 to civil y/m/d (Howard Hinnant's algorithm). */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

interface Parts { date: string; time: string; ms: number; compact: string }

/** Wall-clock pieces of an instant shifted by offMin minutes. */
function parts(epochMs: number, offMin: number): Parts {
  const local = epochMs + offMin * 60000;
  const days = Math.floor(local / 86400000);
  let rest = local - days * 86400000;
  const h = Math.floor(rest / 3600000); rest -= h * 3600000;
  const mi = Math.floor(rest / 60000); rest -= mi * 60000;
  const s = Math.floor(rest / 1000);
  const ms = Math.floor(rest - s * 1000);
  const [y, mo, d] = civil(days);
  const date = `${y}-${pad2(mo)}-${pad2(d)}`;
  const time = `${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
  return { date, time, ms, compact: `${y}${pad2(mo)}${pad2(d)}-${pad2(h)}${pad2(mi)}${pad2(s)}` };
}

function offsetText(offMin: number, colon: boolean): string {
  const sign = offMin < 0 ? '-' : '+';
  const a = Math.abs(offMin);
  return `${sign}${pad2(Math.floor(a / 60))}${colon ? ':' : ''}${pad2(a % 60)}`;
}

/** Resolves a zone ('Asia/Kolkata', '+05:30', 'UTC') to its UTC offset at an instant, cached per hour. */
export class SiteZone {
  private readonly fixed: number | null;
  private readonly fmt: Intl.DateTimeFormat | null;
  private readonly cache = new Map<number, number>();

  constructor(readonly zone: string) {
    const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
    if (m) {
      this.fixed = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
      this.fmt = null;
    } else {
      this.fixed = null;
      this.fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    }
  }

  offsetMinutes(epochMs: number): number {
    if (this.fixed !== null) return this.fixed;
    const hour = Math.floor(epochMs / 3600000);
    const hit = this.cache.get(hour);
    if (hit !== undefined) return hit;
    const name = this.fmt!.formatToParts(new Date(hour * 3600000)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
    const off = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
    this.cache.set(hour, off);
    return off;
  }

  /** System/TaskBlade `asctime` and Celery: "2023-07-30 00:13:45,400" (naive, site-local). */
  naiveComma(ms: number): string {
    const p = parts(ms, this.offsetMinutes(ms));
    return `${p.date} ${p.time},${pad3(p.ms)}`;
  }

  /** Jupyter: "2021-04-09 11:01:43.064" (naive, site-local). */
  naiveDot(ms: number): string {
    const p = parts(ms, this.offsetMinutes(ms));
    return `${p.date} ${p.time}.${pad3(p.ms)}`;
  }

  /** Pipeline `asctime`: "2023-03-09T12:04:48+0530". */
  isoCompact(ms: number): string {
    const off = this.offsetMinutes(ms);
    const p = parts(ms, off);
    return `${p.date}T${p.time}${offsetText(off, false)}`;
  }

  /** Pipeline `ts`: "2023-03-09T12:04:48+05:30". */
  isoColon(ms: number): string {
    const off = this.offsetMinutes(ms);
    const p = parts(ms, off);
    return `${p.date}T${p.time}${offsetText(off, true)}`;
  }

  /** Prefect: "2022-12-08 08:12:53+0530". */
  prefect(ms: number): string {
    const off = this.offsetMinutes(ms);
    const p = parts(ms, off);
    return `${p.date} ${p.time}${offsetText(off, false)}`;
  }

  /** Gunicorn dashboard: "2023-07-20 10:27:01 +0530". */
  spaced(ms: number): string {
    const off = this.offsetMinutes(ms);
    const p = parts(ms, off);
    return `${p.date} ${p.time} ${offsetText(off, false)}`;
  }

  /** Run ids and file stamps: "20230309-120433" (site-local). */
  stamp(ms: number): string {
    return parts(ms, this.offsetMinutes(ms)).compact;
  }

  /** Site-local calendar date "2023-07-30". */
  localDate(ms: number): string {
    return parts(ms, this.offsetMinutes(ms)).date;
  }
}

/** Doodle runs in UTC: "2023-04-06 02:25:01 +0000". */
export function utcSpaced(ms: number): string {
  const p = parts(ms, 0);
  return `${p.date} ${p.time} +0000`;
}

export function isoUtc(ms: number): string {
  const p = parts(ms, 0);
  return `${p.date}T${p.time}.${pad3(p.ms)}Z`;
}

/** Python's repr of time.time(): seconds with up to 7 decimals, trailing zeros dropped. */
export function pyEpoch(ms: number, subMs: number): string {
  const sec = Math.floor(ms / 1000);
  const frac = (pad3(ms - sec * 1000) + String(subMs).padStart(4, '0')).replace(/0+$/, '');
  return `${sec}.${frac === '' ? '0' : frac}`;
}
