/**
 * A bounded, adaptive spin before a futex sleep. A quick function answers
 * (and a busy caller calls again) within microseconds, and a sleep plus
 * wake-up costs more than that. The budget doubles when the wait ended
 * during the spin and halves when it did not, so a slow peer, or a machine
 * with no core to spare, soon costs almost nothing.
 */
const MIN_SPIN = 64;
const MAX_SPIN = 1 << 14;

export class Spin {
  private budget = MIN_SPIN;

  /** Spins until `ready()` or the budget runs out; true if it became ready. */
  until(ready: () => boolean): boolean {
    const budget = this.budget;
    for (let i = 0; i < budget; i++) {
      if (ready()) {
        this.budget = Math.min(MAX_SPIN, budget * 2);
        return true;
      }
    }
    this.budget = Math.max(MIN_SPIN, budget >> 1);
    return false;
  }
}
