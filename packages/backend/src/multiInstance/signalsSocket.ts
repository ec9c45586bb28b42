/*
 * The browser side of the signals plugin, for tests that run real backends (started with
 * @devops-app/e2e's startPortal).
 */
export interface SignalsSocket {
  /** Every `{ channel, message }` frame received so far, in order. */
  received: Array<{ channel: string; message: any }>;
  /**
   * Resolves with the message of the first frame (already received or arriving within `timeoutMs`) on
   * `channel` that `match` accepts, else undefined.
   */
  waitFor(
    channel: string,
    match: (message: any) => boolean,
    timeoutMs: number,
  ): Promise<any | undefined>;
  close(): void;
}

/**
 * Opens the signals WebSocket as @backstage/plugin-signals' SignalClient does: the signals plugin's base
 * URL with ws:, the Backstage token as the WebSocket sub-protocol, then `{ action: 'subscribe', channel }`.
 */
export async function openSignals(
  baseUrl: string,
  token: string,
  channel: string,
): Promise<SignalsSocket> {
  const url = new URL(`${baseUrl}/api/signals`);
  url.protocol = 'ws:';
  const ws = new WebSocket(url.toString(), token);
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`signals WebSocket ${url} failed`));
  });
  const received: SignalsSocket['received'] = [];
  const waiters = new Set<() => void>();
  ws.onmessage = e => {
    received.push(JSON.parse(String(e.data)));
    waiters.forEach(w => w());
  };
  ws.send(JSON.stringify({ action: 'subscribe', channel }));
  return {
    received,
    waitFor(wanted, match, timeoutMs) {
      return new Promise(resolve => {
        const timer = setTimeout(() => done(undefined), timeoutMs);
        function done(value: any) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve(value);
        }
        function check() {
          const hit = received.find(
            m => m.channel === wanted && match(m.message),
          );
          if (hit) done(hit.message);
        }
        waiters.add(check);
        check();
      });
    },
    close: () => ws.close(1000),
  };
}
