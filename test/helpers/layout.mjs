// The shared-memory layout for white-box tests and fixtures, read from the
// build: dist/internal.js is src/layout.ts as built (it is not shipped).
// Every test that reads or writes words of a queue's buffer takes its
// offsets from here, so a change of the layout moves them too, instead of
// leaving a hand-made copy that silently points at the wrong word.
import { ARENA_OFFSET, SLOT_BASE, SLOT_WORDS } from '../../dist/internal.js';

export * from '../../dist/internal.js';

/** The word index of `field` (S_STATE, S_NEXT, …; S_STATE by default) of waiter slot `s`. */
export const slotWord = (s, field = 0) => SLOT_BASE + s * SLOT_WORDS + field;

/** The word index of the i32 at byte `byte` (R_SIZE, R_LEN, …) of the record at arena offset `off`, in the first arena half. */
export const recordWord = (off, byte = 0) => (ARENA_OFFSET + off + byte) >> 2;
