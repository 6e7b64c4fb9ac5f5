// Test certificates made with the openssl CLI: a test CA, server certificates for the good and the
// broken TLS cases (expiring soon, expired, wrong host name, untrusted) and the RSA key pair that
// signs registry tokens. Files already in the directory are reused while they still fit.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DAY_MS = 24 * 60 * 60 * 1000;
const LOCAL_SANS = 'DNS:localhost, IP:127.0.0.1, IP:::1';

const SERVER_EXTENSIONS = [
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature, keyEncipherment',
  'extendedKeyUsage = serverAuth',
  'subjectKeyIdentifier = hash',
];

/**
 * What to generate. `validFrom`/`validTo` are offsets from now in days; `fits` says whether an
 * existing certificate can be reused for the purpose (checked against its remaining lifetime).
 */
const CERTIFICATES = {
  server: {
    subject: 'Stella Test Registry',
    keyType: 'ec',
    validFrom: -1,
    validTo: 365,
    extensions: [...SERVER_EXTENSIONS, `subjectAltName = ${LOCAL_SANS}`],
    fits: (daysLeft) => daysLeft > 30,
  },
  expiringSoon: {
    subject: 'Stella Test Registry (expires in 5 days)',
    keyType: 'ec',
    validFrom: -1,
    validTo: 5,
    extensions: [...SERVER_EXTENSIONS, `subjectAltName = ${LOCAL_SANS}`],
    fits: (daysLeft) => daysLeft > 4.5 && daysLeft <= 5,
  },
  expired: {
    subject: 'Stella Test Registry (expired)',
    keyType: 'ec',
    validFrom: -30,
    validTo: -1,
    extensions: [...SERVER_EXTENSIONS, `subjectAltName = ${LOCAL_SANS}`],
    fits: (daysLeft) => daysLeft < 0,
  },
  wrongHost: {
    subject: 'wrong-host.example',
    keyType: 'ec',
    validFrom: -1,
    validTo: 365,
    extensions: [...SERVER_EXTENSIONS, 'subjectAltName = DNS:wrong-host.example'],
    fits: (daysLeft) => daysLeft > 30,
  },
  untrusted: {
    subject: 'Stella Test Registry (self-signed)',
    keyType: 'ec',
    selfSigned: true,
    validFrom: -1,
    validTo: 365,
    extensions: [...SERVER_EXTENSIONS, `subjectAltName = ${LOCAL_SANS}`],
    fits: (daysLeft) => daysLeft > 30,
  },
  tokenSigning: {
    subject: 'Stella Test Token Signer',
    keyType: 'rsa',
    selfSigned: true,
    validFrom: -1,
    validTo: 3650,
    extensions: ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature'],
    fits: (daysLeft) => daysLeft > 30,
  },
};

const CA = {
  subject: 'Stella Doctor Test CA',
  keyType: 'ec',
  selfSigned: true,
  validFrom: -1,
  validTo: 3650,
  extensions: [
    'basicConstraints = critical, CA:TRUE',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
  ],
  fits: (daysLeft) => daysLeft > 30,
};

/**
 * Generates (or reuses) every test certificate in `dir` and returns their paths.
 * `caCertDir` holds only `ca.crt`, the layout skopeo's `--cert-dir` expects.
 */
export async function generateCertificates(dir) {
  mkdirSync(dir, { recursive: true });
  const ca = { certPath: join(dir, 'ca.crt'), keyPath: join(dir, 'ca.key') };
  const caRenewed = await ensureCertificate(ca, CA, null, false);

  const entries = await Promise.all(
    Object.entries(CERTIFICATES).map(async ([name, spec]) => {
      const files = { certPath: join(dir, `${name}.crt`), keyPath: join(dir, `${name}.key`) };
      await ensureCertificate(files, spec, spec.selfSigned ? null : ca, caRenewed);
      return [name, files];
    }),
  );

  const caCertDir = join(dir, 'trust');
  mkdirSync(caCertDir, { recursive: true });
  copyFileSync(ca.certPath, join(caCertDir, 'ca.crt'));

  return { dir, caCertPath: ca.certPath, caKeyPath: ca.keyPath, caCertDir, ...Object.fromEntries(entries) };
}

/** Creates the certificate unless a fitting one exists; returns true when it wrote a new one. */
async function ensureCertificate(files, spec, issuer, issuerRenewed) {
  if (!issuerRenewed && existsSync(files.keyPath) && existsSync(files.certPath)) {
    const cert = new X509Certificate(readFileSync(files.certPath));
    const daysLeft = (Date.parse(cert.validTo) - Date.now()) / DAY_MS;
    if (spec.fits(daysLeft)) return false;
  }
  await generateKey(files.keyPath, spec.keyType);
  await signCertificate(files, spec, issuer);
  return true;
}

async function generateKey(keyPath, keyType) {
  const options =
    keyType === 'rsa'
      ? ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']
      : ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  await openssl(['genpkey', ...options, '-out', keyPath]);
}

/**
 * Issues the certificate with `openssl ca`, the one openssl 3.0 command that takes explicit start
 * and end dates (needed for the expired certificate). Each call gets its own throwaway CA database
 * so certificates can be signed in parallel. `issuer` null means self-signed.
 */
async function signCertificate(files, spec, issuer) {
  const work = mkdtempSync(join(files.certPath + '.'));
  try {
    const configPath = join(work, 'ca.cnf');
    const csrPath = join(work, 'request.csr');
    writeFileSync(join(work, 'index.txt'), '');
    writeFileSync(
      configPath,
      [
        '[ ca ]',
        'default_ca = test_ca',
        '[ test_ca ]',
        `database = ${join(work, 'index.txt')}`,
        `new_certs_dir = ${work}`,
        'rand_serial = yes',
        'default_md = sha256',
        'policy = any_policy',
        'unique_subject = no',
        'email_in_dn = no',
        '[ any_policy ]',
        'commonName = supplied',
        '[ extensions ]',
        ...spec.extensions,
        '',
      ].join('\n'),
    );
    await openssl(['req', '-new', '-key', files.keyPath, '-subj', `/CN=${spec.subject}`, '-out', csrPath]);
    const signer = issuer
      ? ['-cert', issuer.certPath, '-keyfile', issuer.keyPath]
      : ['-selfsign', '-keyfile', files.keyPath];
    await openssl([
      'ca',
      '-batch',
      '-notext',
      '-config',
      configPath,
      '-extensions',
      'extensions',
      ...signer,
      '-startdate',
      asn1Time(spec.validFrom),
      '-enddate',
      asn1Time(spec.validTo),
      '-in',
      csrPath,
      '-out',
      files.certPath,
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** An offset from now in days as ASN.1 UTCTime (YYMMDDHHMMSSZ). */
function asn1Time(daysFromNow) {
  const iso = new Date(Date.now() + daysFromNow * DAY_MS).toISOString();
  return iso.slice(2, 19).replace(/[-T:]/g, '') + 'Z';
}

async function openssl(args) {
  try {
    await run('openssl', args);
  } catch (error) {
    throw new Error(`openssl ${args[0]} failed: ${error.stderr || error.message}`);
  }
}
