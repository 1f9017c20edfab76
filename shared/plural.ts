// A count with its noun in the right number ("1 bundle", "3 bundles"), not "bundle(s)".

export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
