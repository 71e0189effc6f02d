/**
 * Not part of the package (package.json's `files` leaves `dist/internal.js`
 * out): the shared-memory layout, built for the white-box tests
 * (`test/helpers/layout.mjs`), so that they read every offset from the code
 * instead of copying it; and the codecs, for tests that need one without a
 * queue (a runtime with no SharedArrayBuffer).
 */
export * from './layout.js';
export { makeCodec } from './codec/index.js';
export { LOCK_SPIN, acquire, newSpinEstimate, nextSpinAverage, spinLimit } from './lock.js';
export { SLOT_SPIN, nextSlotSpinAverage, slotSpinMs } from './slot-wait.js';
