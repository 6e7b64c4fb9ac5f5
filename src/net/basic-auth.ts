// The one builder of HTTP Basic credentials (RFC 7617), for registries, token services and proxies.

/** `Basic base64(user:password)`. */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}
