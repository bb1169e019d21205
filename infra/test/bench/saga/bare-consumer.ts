import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The least an HTTP consumer can be: reads the delivered CloudEvent's body and answers 200 with
 * nothing. Run as a child by the bench's hop floor (`floor.ts`) so its CPU is its own process's,
 * like a function's. It ends when the bench disconnects.
 */
const server = createServer((request, response) => {
  request.on('data', () => undefined);
  request.on('end', () => {
    response.writeHead(200, { 'content-length': '0' });
    response.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => {
  server.close();
  server.closeAllConnections();
});
