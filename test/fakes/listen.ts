// Starts a test server on 127.0.0.1 (never any other address) on a free port.

import type { Server } from 'node:net';

export interface Running {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function listenLocal(server: Server, scheme: 'http' | 'https' = 'http'): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
