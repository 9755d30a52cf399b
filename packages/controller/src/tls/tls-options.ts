// The TLS parameters of the controller's HTTPS server (agents, CLI, console):
// - TLS 1.2 and 1.3 only;
// - TLS 1.2: ECDHE key exchange (forward secrecy) with AEAD ciphers (AES-GCM, ChaCha20-Poly1305)
//   only — no CBC, no SHA-1 MAC, no static RSA. The ECDSA suites are the ones the controller's
//   own certificate (ECDSA P-256) can serve; the RSA ones are there for a certificate an operator
//   might bring, and cost nothing otherwise;
// - TLS 1.3: its three standard suites (all AEAD);
// - key exchange groups X25519, P-256, P-384 (in that order of preference);
// - the server's order wins, so a client offering a weaker suite first still gets the strongest.
import type { SecureContextOptions, TlsOptions } from "node:tls";

export const TLS12_CIPHERS = [
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-ECDSA-CHACHA20-POLY1305",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-RSA-CHACHA20-POLY1305",
] as const;

export const TLS13_CIPHERS = [
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
] as const;

export const ECDH_CURVES = "X25519:P-256:P-384";

/** Options for `https.createServer` besides the certificate and key. */
export const SERVER_TLS_OPTIONS: TlsOptions & SecureContextOptions = {
  minVersion: "TLSv1.2",
  // node hands the TLS_ names to OpenSSL's TLS 1.3 list and the rest to the TLS 1.2 list.
  ciphers: [...TLS13_CIPHERS, ...TLS12_CIPHERS].join(":"),
  ecdhCurve: ECDH_CURVES,
  honorCipherOrder: true,
};
