// A private CA and a serving certificate for the webhook. Keys come from Node's crypto (native,
// fast); node-forge builds and signs the X.509 certificates.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { dayMs, projectName, webhookService } from '../facts.js';

export interface CertificateRequest {
  /** DNS subject alternative names; the first is also the common name. */
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  /** Validity of the serving certificate; the CA lives twice as long. */
  readonly days: number;
  /** The clock is read by the caller: this module stays deterministic but for randomness. */
  readonly now: Date;
}

export interface CertificateSet {
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

/** The names the API server uses to reach a webhook Service, short to fully qualified. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  const svc = `${service}.${namespace}.svc`;
  return [service, `${service}.${namespace}`, svc, `${svc}.cluster.local`];
}

/** Names a local run and an in-cluster run of the default install are reached by. */
export const defaultServingNames = {
  dnsNames: [...serviceDnsNames(webhookService.name, webhookService.namespace), 'localhost'],
  ipAddresses: ['127.0.0.1', '::1'],
} as const;

/** Backdating absorbs clock skew between this host and the API server. */
const clockSkewMs = 5 * 60 * 1000;

export function generateCertificates(request: CertificateRequest): CertificateSet {
  const caKeys = newKeyPair();
  const ca = newCertificate(caKeys.publicKey, request.now, request.days * 2);
  const caName = [{ name: 'commonName', value: 'eci-admission CA' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const servingKeys = newKeyPair();
  const serving = newCertificate(servingKeys.publicKey, request.now, request.days);
  serving.setSubject([{ name: 'commonName', value: request.dnsNames[0] ?? projectName }]);
  serving.setIssuer(caName);
  serving.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        ...request.dnsNames.map((value) => ({ type: 2, value })),
        ...request.ipAddresses.map((ip) => ({ type: 7, ip })),
      ],
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  serving.sign(caKeys.privateKey, forge.md.sha256.create());

  return {
    caCert: forge.pki.certificateToPem(ca),
    cert: forge.pki.certificateToPem(serving),
    key: forge.pki.privateKeyToPem(servingKeys.privateKey),
  };
}

function newKeyPair(): forge.pki.rsa.KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function newCertificate(publicKey: forge.pki.PublicKey, now: Date, days: number): forge.pki.Certificate {
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  // A positive serial: the top bit cleared keeps the DER integer from reading as negative.
  certificate.serialNumber =
    (randomBytes(16).readUInt8(0) & 0x7f).toString(16).padStart(2, '0') + randomBytes(15).toString('hex');
  certificate.validity.notBefore = new Date(now.getTime() - clockSkewMs);
  certificate.validity.notAfter = new Date(now.getTime() + days * dayMs);
  return certificate;
}
