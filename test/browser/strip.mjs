// Imported first by the page and by its workers: with `?no-waitasync` in the
// page's (or worker's) URL, removes Atomics.waitAsync before the package
// loads, so the whole run takes the polling fallback (as in Firefox before
// 145 and older Safari).
if (new URLSearchParams(globalThis.location.search).has('no-waitasync')) {
  delete Atomics.waitAsync;
  if (typeof Atomics.waitAsync !== 'undefined') throw new Error('could not remove Atomics.waitAsync');
}
