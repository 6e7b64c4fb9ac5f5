// A URL's hostname as sockets, TLS and host comparisons want it: WHATWG URLs keep an IPv6
// literal's brackets (`[::1]`), which net.connect and NO_PROXY entries do not use.

export function bareHostname(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '');
}
