import { createServer, Server } from 'node:http';

/**
 * A stand-in for the Datadog agent's trace intake: it accepts what dd-trace sends and answers as the
 * agent does, so the "on" side pays the real cost of encoding and shipping traces. It keeps nothing.
 */
export interface StandInAgent {
  port: number;
  /** Trace payloads received (one per dd-trace flush). */
  tracePayloads(): number;
  close(): Promise<void>;
}

export async function startStandInAgent(): Promise<StandInAgent> {
  let payloads = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url?.includes('/traces')) {
        payloads++;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"rate_by_service":{}}');
        return;
      }
      res.writeHead(404);
      res.end();
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    tracePayloads: () => payloads,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
