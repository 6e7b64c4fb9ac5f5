// Type declarations for postgres.mjs, the throwaway PostgreSQL cluster of the service tests.

export interface PostgresCluster {
  /** postgres://doctor@127.0.0.1:PORT/doctor (trust authentication, loopback only) */
  url: string;
  port: number;
  dataDir: string;
  pid: number;
  dir: string;
}

export function postgresBinDir(): string | null;
export function startPostgres(options: { dir: string }): Promise<PostgresCluster>;
export function stopPostgres(dir: string): void;
