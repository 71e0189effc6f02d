/**
 * Not part of the package (package.json's `files` leaves `dist/internal.js`
 * out): the shared-memory layout, built for the white-box tests
 * (`test/helpers/layout.mjs`), so that they read every offset from the code
 * instead of copying it.
 */
export * from './layout.js';
