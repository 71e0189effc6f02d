// Custom codecs the tests use, by name, so a worker can be given the same one.
export const CODECS = {
  upper: {
    encode: (s) => new TextEncoder().encode(String(s).toUpperCase()),
    decode: (b) => new TextDecoder().decode(b),
  },
};
