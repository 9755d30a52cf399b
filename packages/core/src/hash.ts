// A small, fast, pure content hash: FNV-1a 64-bit computed as two 32-bit halves with Math.imul.
// Not cryptographic: it names content (RuleSet.hash, set names), it does not authenticate it.

const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
// FNV-64 prime 0x100000001b3 = 2^40 + 0x1b3: hi gets lo<<8 (the 2^40 part) plus hi*0x1b3.
const PRIME_LO = 0x1b3;

/** FNV-1a 64 over the UTF-16 code units of `text`, as 16 hex digits. */
export function hash64(text: string): string {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  for (let i = 0; i < text.length; i++) {
    lo = (lo ^ text.charCodeAt(i)) >>> 0;
    // (hi:lo) * (2^40 + 0x1b3) mod 2^64
    const loMul = lo * PRIME_LO; // < 2^41, exact in a double
    const carry = Math.floor(loMul / 0x100000000);
    const newLo = loMul >>> 0;
    hi = (Math.imul(hi, PRIME_LO) + (lo << 8) + carry) >>> 0;
    lo = newLo;
  }
  return hex8(hi) + hex8(lo);
}

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}
