// What a TLS connection tells about the server's certificate (subject, issuer, SANs, expiry), read
// once per connection for the evidence, and a handshake that sends no HTTP to read the certificate
// of a server that failed verification.

import net from 'node:net';
import tls from 'node:tls';
import { bareHostname } from '../util/hostname.js';

export interface TlsFacts {
  protocol: string | null;
  subject: string | null;
  issuer: string | null;
  san: string[];
  notAfterUtc: string | null;
  daysRemaining: number | null;
}

const DAY_MS = 86_400_000;

/** Facts already read per connection: a keep-alive socket answers many requests with one certificate. */
const factsBySocket = new WeakMap<tls.TLSSocket, TlsFacts>();

/** Certificate facts from a TLS socket (read once per connection), or null for plain connections. */
export function tlsFacts(socket: unknown): TlsFacts | null {
  if (!(socket instanceof tls.TLSSocket)) return null;
  let facts = factsBySocket.get(socket);
  if (!facts) {
    facts = readTlsFacts(socket, Date.now());
    factsBySocket.set(socket, facts);
  }
  return facts;
}

function readTlsFacts(socket: tls.TLSSocket, now: number): TlsFacts {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0)
    return {
      protocol: socket.getProtocol(),
      subject: null,
      issuer: null,
      san: [],
      notAfterUtc: null,
      daysRemaining: null,
    };
  const notAfter = cert.valid_to ? new Date(cert.valid_to) : null;
  return {
    protocol: socket.getProtocol(),
    subject: formatName(cert.subject),
    issuer: formatName(cert.issuer),
    san: (cert.subjectaltname ?? '').split(/,\s*/).filter(Boolean),
    notAfterUtc: notAfter && !Number.isNaN(notAfter.getTime()) ? notAfter.toISOString() : null,
    daysRemaining: notAfter ? Math.floor((notAfter.getTime() - now) / DAY_MS) : null,
  };
}

function formatName(name: tls.Certificate | undefined): string | null {
  if (!name) return null;
  const parts = Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/** Handshake only (no HTTP sent) to read the certificate of a server that failed verification. */
export function inspectCertificate(url: URL, timeoutMs = 3000): Promise<TlsFacts | null> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: bareHostname(url.hostname),
      port: Number(url.port || 443),
      servername: net.isIP(url.hostname) ? undefined : url.hostname,
      rejectUnauthorized: false,
    });
    const done = (facts: TlsFacts | null): void => {
      socket.destroy();
      resolve(facts);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once('secureConnect', () => done(tlsFacts(socket)));
    socket.once('error', () => done(null));
  });
}
