// A canonical text for a value, so two values can be compared as strings in a
// browser: types, -0, NaN, holes, Map/Set order, typed arrays and shared or
// cyclic references (as back-references by first-visit number).
export function describeValue(root) {
  const seen = new Map();
  const walk = (v) => {
    if (v === undefined) return 'undefined';
    if (typeof v === 'number') return Object.is(v, -0) ? 'num:-0' : `num:${v}`;
    if (typeof v === 'bigint') return `big:${v}`;
    if (typeof v === 'string') return `str:${JSON.stringify(v)}`;
    if (typeof v !== 'object' || v === null) return String(v);
    if (seen.has(v)) return `ref:${seen.get(v)}`;
    seen.set(v, seen.size);
    const tag = Object.prototype.toString.call(v);
    if (Array.isArray(v)) return `[${Array.from({ length: v.length }, (_, i) => (i in v ? walk(v[i]) : 'hole')).join(',')}]`;
    if (v instanceof Date) return `date:${v.getTime()}`;
    if (v instanceof RegExp) return `re:${v.source}/${v.flags}`;
    if (v instanceof Map) return `map{${[...v].map(([k, x]) => `${walk(k)}=>${walk(x)}`).join(',')}}`;
    if (v instanceof Set) return `set{${[...v].map(walk).join(',')}}`;
    if (v instanceof ArrayBuffer) return `ab:${[...new Uint8Array(v)]}`;
    if (ArrayBuffer.isView(v)) return `${tag}:${v.byteOffset}:${v.byteLength}:${walk(v.buffer)}`;
    if (v instanceof Error) return `${v.name}:${v.message}`;
    return `{${Object.keys(v).map((k) => `${k}:${walk(v[k])}`).join(',')}}`;
  };
  return walk(root);
}

export function richValue() {
  const shared = { s: 1 };
  const cyclic = { name: 'c' };
  cyclic.self = cyclic;
  const buf = new ArrayBuffer(8);
  new Uint8Array(buf).set([1, 2, 3, 4, 5, 6, 7, 8]);
  return {
    nums: [0, -0, NaN, Infinity, -1.5, 2 ** 40],
    big: [0n, -(2n ** 70n)],
    str: ['', 'ü😀', 'lone \ud800'],
    misc: [undefined, null, true],
    holes: [1, , 3], // eslint-disable-line no-sparse-arrays
    date: new Date(1700000000000),
    re: /a+b/gi,
    map: new Map([[1, shared], ['k', [shared]]]),
    set: new Set([1, 'two', shared]),
    views: [new Uint8Array(buf, 2, 4), new Float64Array([Math.PI]), new BigInt64Array([-3n]), new DataView(buf, 1, 2)],
    err: new TypeError('bad'),
    cyclic,
    shared,
  };
}
