/** `1 packet`, `2 packets`: a count with its noun, singular for exactly one. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
