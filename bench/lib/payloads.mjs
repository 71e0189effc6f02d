// The items every scenario sends, made the same way on every side.

/** The small object: { id, name, payload: 64 chars }, a new one per call. */
export const smallObject = (i) => ({ id: i, name: `item-${i}`, payload: 'x'.repeat(64) });

const POOL = 128;

/**
 * A payload kind: `make(i)` gives item i. Byte payloads cycle through a pool
 * of distinct arrays (every path copies them; the pool is distinct so that a
 * batch sent by postMessage is not shrunk by the structured clone's
 * de-duplication of repeated references), unless `fresh` (a transferred
 * buffer is gone, so each item is a new one).
 */
export function payload(kind, fresh = false) {
  if (kind === 'small') return { codec: 'structured', make: smallObject };
  const n = kind === '1k' ? 1024 : 65536;
  if (fresh) return { codec: 'bytes', make: () => new Uint8Array(n) };
  const pool = Array.from({ length: POOL }, (_, i) => new Uint8Array(n).fill(i));
  return { codec: 'bytes', make: (i) => pool[i % POOL] };
}

/** Queue options sized for a payload: 1024 items, and bytes for enough of them. */
export function queueOptions(kind) {
  if (kind === 'small') return { maxsize: 1024, maxBytes: 1 << 20 };
  if (kind === '1k') return { maxsize: 1024, maxBytes: 2 << 20, codec: 'bytes' };
  return { maxsize: 1024, maxBytes: 8 << 20, codec: 'bytes' };
}

export const PAYLOAD_LABELS = { small: 'small object', '1k': '1 KiB Uint8Array', '64k': '64 KiB Uint8Array' };

/**
 * The n items of a run in the order they are sent: one at a time, or as
 * arrays of up to `batch` items. Producers on every side iterate this.
 */
export function* sends({ kind, n, batch, transfer }) {
  const { make } = payload(kind, transfer);
  if (!batch) {
    for (let i = 0; i < n; i++) yield make(i);
    return;
  }
  for (let i = 0; i < n; ) {
    const k = Math.min(batch, n - i);
    const b = new Array(k);
    for (let j = 0; j < k; j++) b[j] = make(i++);
    yield b;
  }
}
