// Imitates a registry behind a load balancer that accepts TCP connections and never answers
// (a hung backend, a firewall that swallows traffic after the handshake).

import net from 'node:net';
import { listenLocal, type Running } from './listen.js';

export async function startHungRegistry(): Promise<Running & { connections: () => number }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  const running = await listenLocal(server);
  return {
    ...running,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await running.close();
    },
  };
}
