// The keys the OCI checks read (SPEC 3), in one table: what each means, the keys it falls back to,
// and its built-in default. Settings resolution, the built-in defaults, `--help` and `config`
// all read this table, so a key cannot be documented in one place and missing in another.

export interface KeySpec {
  key: string;
  /** Read in order when the key itself is not set: older `Registry:*` keys, environment variables. */
  fallbacks: readonly string[];
  /** The built-in default, when the key has one. */
  default?: string;
  help: string;
}

export const OCI_KEYS = [
  {
    key: 'OCI:RegistryUrl',
    fallbacks: ['Registry:Url'],
    help: 'the registry to check (https:// is assumed without a scheme)',
  },
  { key: 'OCI:Username', fallbacks: ['Registry:Username'], help: 'registry username' },
  { key: 'OCI:Password', fallbacks: ['Registry:Password'], help: 'registry password' },
  { key: 'OCI:Token', fallbacks: ['Registry:Token'], help: 'a bearer token instead of a username and password' },
  {
    key: 'OCI:TestRepository',
    fallbacks: ['Registry:TestRepository'],
    default: 'library/alpine',
    help: 'the repository the pull checks read',
  },
  {
    key: 'OCI:TestTag',
    fallbacks: ['Registry:TestTag'],
    default: 'latest',
    help: 'the tag or digest of the test image',
  },
  {
    key: 'OCI:PushTestRepository',
    fallbacks: ['OCI:TestRepository'],
    default: 'stellaops/doctor-test',
    help: 'the repository the push probe opens (and cancels) an upload in',
  },
  { key: 'OCI:CaCertificatePath', fallbacks: ['NODE_EXTRA_CA_CERTS'], help: "a PEM file with the registry's CA" },
  {
    key: 'OCI:SkipTlsVerify',
    fallbacks: [],
    default: 'false',
    help: 'true to skip TLS verification (reported as a warning)',
  },
  {
    key: 'OCI:AllowInsecureCredentials',
    fallbacks: [],
    default: 'false',
    help: 'true to send credentials over plain HTTP to a remote host',
  },
  {
    key: 'OCI:DockerConfigPath',
    fallbacks: [],
    help: "docker's config.json as a credential source (true: the default location)",
  },
] as const satisfies readonly KeySpec[];

export type OciKey = (typeof OCI_KEYS)[number]['key'];

const BY_KEY = new Map<string, KeySpec>(OCI_KEYS.map((spec) => [spec.key, spec]));

/** The key and its fallbacks, in the order they are read. */
export function keyChain(key: OciKey): string[] {
  const spec = BY_KEY.get(key)!;
  return [spec.key, ...spec.fallbacks];
}
