// Which certificates a TLS connection trusts: the configured CA alone first (cheap), the system
// roots added for a host that needed them, or nothing verified when verification is switched off.
// One keep-alive pool per trust.

import https from 'node:https';
import tls from 'node:tls';

export interface TlsTrustSettings {
  /** Extra trusted CA certificates (PEM), added to the system roots. */
  caPem?: string;
  /** The system roots (default: Node's bundled Mozilla roots, see `bundledRootsWhereNeeded`). */
  systemRoots?: readonly string[];
  skipTlsVerify?: boolean;
}

export interface TlsSetup {
  options: tls.ConnectionOptions;
  agent: https.Agent;
}

/**
 * Node's bundled roots where a context must name them itself, else undefined (Node's default
 * context already trusts exactly these). The `stella` command runs Node with --use-openssl-ca and
 * an empty OpenSSL store (see bin/stella), which spares the ~20 ms Node 20 spends building a store
 * of its bundled roots with the first TLS context, needed or not. There, a context without `ca`
 * would trust nothing, so it is given the bundled roots: the trust is the same either way. (Plain
 * `node bin/stella.cjs` with --use-openssl-ca in NODE_OPTIONS, which execArgv does not show, keeps
 * that user's choice of OpenSSL's store.)
 */
function bundledRootsWhereNeeded(): readonly string[] | undefined {
  return process.execArgv.includes('--use-openssl-ca') ? tls.rootCertificates : undefined;
}

export class TlsTrust {
  /** TLS setups by trust: the extra CA alone, or the system roots plus the extra CA. */
  private readonly setups = new Map<'ca-only' | 'roots', TlsSetup>();
  /** Hosts whose certificate needed the system roots (a public token realm next to a private registry). */
  private readonly hostsNeedingRoots = new Set<string>();

  constructor(private readonly settings: TlsTrustSettings) {}

  /** Which trust a host's connections use: the extra CA alone, until that host needed the roots. */
  private trustFor(host: string): 'ca-only' | 'roots' {
    return this.settings.caPem && !this.hostsNeedingRoots.has(host) ? 'ca-only' : 'roots';
  }

  /**
   * The certificates a context of this trust names (undefined: Node's default trust). With an
   * extra CA, the trust is the system roots plus that CA. A chain that verifies against the CA
   * alone verifies against both, so the CA alone is tried first: passing the ~145 system roots as
   * `ca` parses them into the secure context, blocking the event loop for ~20 ms, which a private
   * registry never needs. A host whose certificate fails against the CA alone is retried once with
   * the roots added — the handshake failed before any HTTP was sent — and remembered.
   */
  private trustedCertificates(trust: 'ca-only' | 'roots'): string[] | undefined {
    const roots = this.settings.systemRoots ?? bundledRootsWhereNeeded();
    if (!this.settings.caPem) return roots && [...roots];
    if (trust === 'ca-only') return [this.settings.caPem];
    return [...(roots ?? tls.rootCertificates), this.settings.caPem];
  }

  /** The TLS settings and pool for a host, built on first use. */
  setupFor(host: string): TlsSetup {
    const trust = this.trustFor(host);
    let setup = this.setups.get(trust);
    if (!setup) {
      const ca = this.trustedCertificates(trust);
      const options: tls.ConnectionOptions = {
        rejectUnauthorized: !this.settings.skipTlsVerify,
        ...(ca ? { secureContext: tls.createSecureContext({ ca }) } : {}),
      };
      setup = { options, agent: new https.Agent({ keepAlive: true, maxSockets: 8, ...options }) };
      this.setups.set(trust, setup);
    }
    return setup;
  }

  /**
   * After an untrusted certificate: whether the host was tried against the CA alone and now gets the
   * system roots too (retry once), or had the widest trust already (the verdict stands).
   */
  widenFor(host: string): boolean {
    if (this.settings.skipTlsVerify || this.trustFor(host) !== 'ca-only') return false;
    this.hostsNeedingRoots.add(host);
    return true;
  }

  close(): void {
    for (const setup of this.setups.values()) setup.agent.destroy();
  }
}
