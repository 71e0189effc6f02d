/** The clock of every timeout: performance.now(), in ms (monotonic). */
export const now = (): number => performance.now();

/** The deadline for a timeout in ms (Infinity for none; 0, try once, needs no clock). */
export function deadlineFor(timeout: number): number {
  if (timeout === Infinity || timeout === 0) return timeout;
  return now() + timeout;
}
