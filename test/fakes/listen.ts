// Starts a test server on a loopback address (127.0.0.1 by default; 127.0.0.2 stands for "another
// host") on a free port. Never any other address.

import type { Server, Socket } from 'node:net';

export interface Running {
  port: number;
  url: string;
  close(): Promise<void>;
}

export type LoopbackAddress = '127.0.0.1' | '127.0.0.2';

/** Listens; `close` also ends every connection still open (raw sockets included), so it never waits on a client. */
export async function listenLocal(
  server: Server,
  scheme: 'http' | 'https' = 'http',
  host: LoopbackAddress = '127.0.0.1',
): Promise<Running> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `${scheme}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
