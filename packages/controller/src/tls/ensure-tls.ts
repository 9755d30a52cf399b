// The controller's own PKI, made on first start under DATA/tls/:
//   ca.pem, ca.key (0600)          ECDSA P-256 CA, 10 years; agents pin SHA-256(DER of ca.pem)
//   server.pem, server.key (0600)  ECDSA P-256 leaf signed by the CA, re-issued at every start so
//                                  its SANs always match the current --listen and --san names
// The CA never changes once made (agents pinned it); deleting DATA/tls makes a new one and every
// agent must be given the new fingerprint.
//
// Replicas on a shared store (PostgreSQL) present one CA: it lives in the store's shared secret
// "tls-ca" (certificate and key PEM), made by the first replica (under the start lock, main.ts)
// from its DATA/tls/ca.* when it has them (so a controller that was alone keeps its agents' pin),
// else new. Every replica copies it to DATA/tls/ca.*; a replica whose own CA differs is refused
// (MSEG_CA_MISMATCH) rather than silently changing the CA its agents pinned.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import { MicrosegError } from "@microseg/core";
import type { SharedSecretRepo } from "@microseg/store";
import * as x509 from "@peculiar/x509";

type CryptoKey = webcrypto.CryptoKey;
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 86_400_000;

export interface TlsMaterial {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** SHA-256 of the CA certificate's DER, lower-case hex. */
  readonly caFingerprint: string;
}

/** The shared secret that holds the replicas' CA: JSON {cert, key}, both PEM. */
export const SHARED_CA = "tls-ca";

/**
 * Loads the CA (making it on first start; from the store's shared secret when `shared` is given)
 * and issues a fresh server certificate for `names`.
 */
export async function ensureTls(
  dataDir: string,
  names: readonly string[],
  shared?: SharedSecretRepo,
): Promise<TlsMaterial> {
  const dir = join(dataDir, "tls");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const local = existsSync(join(dir, "ca.key")) ? await loadCa(dir) : undefined;
  const ca =
    shared === undefined ? (local ?? (await createCa(dir))) : await sharedCa(dir, shared, local);
  const leafKeys = await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: "CN=microseg controller",
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 825 * DAY_MS),
    signingAlgorithm: ALG,
    publicKey: leafKeys.publicKey,
    signingKey: ca.key,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(sanEntries(names)),
    ],
  });
  const certPem = leaf.toString("pem");
  const keyPem = await privatePem(leafKeys.privateKey);
  writeFileSync(join(dir, "server.pem"), certPem, { mode: 0o644 });
  writeFileSync(join(dir, "server.key"), keyPem, { mode: 0o600 });
  return { caPem: ca.pem, certPem, keyPem, caFingerprint: await fingerprintOf(ca.cert) };
}

/** SHA-256 of a PEM certificate's DER, lower-case hex (what agents pin). */
export async function fingerprintOfPem(pem: string): Promise<string> {
  return fingerprintOf(new x509.X509Certificate(pem));
}

async function fingerprintOf(cert: x509.X509Certificate): Promise<string> {
  return Buffer.from(await cert.getThumbprint("SHA-256")).toString("hex");
}

interface Ca {
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
  readonly pem: string;
  readonly keyPem: string;
}

async function sharedCa(
  dir: string,
  secrets: SharedSecretRepo,
  local: Ca | undefined,
): Promise<Ca> {
  let stored = await secrets.get(SHARED_CA);
  if (stored === undefined) {
    const offer = local ?? (await newCa());
    stored = await secrets.create(
      SHARED_CA,
      JSON.stringify({ cert: offer.pem, key: offer.keyPem }),
    );
  }
  const { cert, key } = JSON.parse(stored.value) as { cert: string; key: string };
  if (local !== undefined && local.pem.trim() !== cert.trim()) {
    throw new MicrosegError(
      "MSEG_CA_MISMATCH",
      `${join(dir, "ca.pem")} is not the CA the other controllers on this database present (fingerprint ${await fingerprintOfPem(cert)}); agents pinned to it would be refused. Move ${dir} aside to take the shared CA, or point this controller at its own database`,
    );
  }
  const ca = await caFromPem(cert, key);
  if (local === undefined) writeCa(dir, ca);
  return ca;
}

async function createCa(dir: string): Promise<Ca> {
  const ca = await newCa();
  writeCa(dir, ca);
  return ca;
}

async function newCa(): Promise<Ca> {
  const keys = await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: "CN=microseg controller CA",
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    ],
  });
  const keyPem = await privatePem(keys.privateKey);
  return { cert, key: keys.privateKey, pem: cert.toString("pem"), keyPem };
}

function writeCa(dir: string, ca: Ca): void {
  // Key first: a crash in between leaves no ca.pem without its key (the next start remakes both).
  writeFileSync(join(dir, "ca.key"), ca.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, "ca.pem"), ca.pem, { mode: 0o644 });
}

async function loadCa(dir: string): Promise<Ca> {
  return caFromPem(
    readFileSync(join(dir, "ca.pem"), "utf8"),
    readFileSync(join(dir, "ca.key"), "utf8"),
  );
}

async function caFromPem(pem: string, keyPem: string): Promise<Ca> {
  const der = Buffer.from(keyPem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
  const key = await webcrypto.subtle.importKey("pkcs8", der, ALG, false, ["sign"]);
  return { cert: new x509.X509Certificate(pem), key, pem, keyPem };
}

async function privatePem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key));
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

function sanEntries(names: readonly string[]): x509.JsonGeneralName[] {
  const unique = [...new Set(["localhost", "127.0.0.1", "::1", ...names])].filter((n) => n !== "");
  return unique.map((n) => (isIP(n) ? { type: "ip", value: n } : { type: "dns", value: n }));
}

function randomSerial(): string {
  // Positive (first byte < 0x80), 16 random bytes.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return Buffer.from(bytes).toString("hex");
}
