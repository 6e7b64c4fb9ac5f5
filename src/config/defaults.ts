// The built-in defaults: the first configuration source, overridden by every other one.

export const DEFAULT_SOURCE = 'default';

export const BUILT_IN_DEFAULTS: Readonly<Record<string, string>> = {
  'OCI:TestRepository': 'library/alpine',
  'OCI:TestTag': 'latest',
  'OCI:PushTestRepository': 'stellaops/doctor-test',
  'OCI:SkipTlsVerify': 'false',
  'OCI:AllowInsecureCredentials': 'false',
};
