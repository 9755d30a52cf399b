// CA fingerprints as printed and pinned: SHA-256 of the certificate's DER encoding. The canonical
// form is 64 lower-case hex digits; users may paste it with colons or in upper case (as openssl
// prints it), so both sides normalize before comparing.

/** Lower-case hex without separators, or undefined when `text` is not a SHA-256 fingerprint. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^sha256:/i, "")
    .replace(/[:\s]/g, "")
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/** `AB:CD:…`, the form openssl prints (for display next to the canonical form). */
export function colonFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{2}/g) ?? []).join(":");
}

export function sameFingerprint(a: string, b: string): boolean {
  const x = normalizeFingerprint(a);
  return x !== undefined && x === normalizeFingerprint(b);
}
