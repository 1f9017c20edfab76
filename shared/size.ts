// "50MB" / "1GB" / "512KB" / "1000000" -> bytes (decimal units, as disk sizes are quoted). Shared: the CLI and the app read sizes alike.
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?i?b?)?\s*$/i.exec(text);
  if (!m) throw new Error(`not a size: ${text}`);
  const unit = (m[2] ?? '').toLowerCase().replace(/b$/, '');
  const mult: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3 };
  const f = mult[unit];
  if (f === undefined) throw new Error(`unknown size unit in ${text}`);
  return Math.round(Number(m[1]) * f);
}

export function formatSize(bytes: number): string {
  if (bytes >= 1e9 && bytes % 1e9 === 0) return `${bytes / 1e9}GB`;
  if (bytes >= 1e6 && bytes % 1e6 === 0) return `${bytes / 1e6}MB`;
  if (bytes >= 1e3 && bytes % 1e3 === 0) return `${bytes / 1e3}KB`;
  return `${bytes}B`;
}
