/*
 * Signals reach the browsers of every backend instance. Three real backends (this package's `start`,
 * the repository's app-config.yaml) share one throwaway PostgreSQL, as production's replicas do:
 *   A and B: events.useEventBus always, as app-config.production.yaml sets it: the events service posts
 *            what it publishes to the events backend's bus (stored in PostgreSQL) and long-polls it for
 *            what the other instances published;
 *   C:       events.useEventBus never: the in-process events service the backend had before the events
 *            backend was installed (the negative control: this is what fails without the bus).
 * A browser-like signals WebSocket on B and one on C subscribe to the entity's deployments channel; a
 * sync on A (no Argo CD configured: it fails, is audited and signalled) must reach B, not C.
 */
import path from 'node:path';
import { Client } from 'pg';
import {
  guestToken,
  RunningPortal,
  startPortal,
  startPostgres,
} from '@devops-app/e2e';
import { openSignals, SignalsSocket } from './signalsSocket';

type BackendInstance = RunningPortal & { name: string };

const ENTITY = 'component:default/inference-service';
const CHANNEL = `devops-app:deployments:${ENTITY}`;
const START_TIMEOUT_MS = 300_000;

jest.setTimeout(15 * 60_000);

describe('signals across backend instances (events backend on PostgreSQL)', () => {
  let pg: Awaited<ReturnType<typeof startPostgres>> | undefined;
  const backends: BackendInstance[] = [];
  const sockets: SignalsSocket[] = [];
  let a: BackendInstance;
  let b: BackendInstance;
  let c: BackendInstance;
  const logDir = path.resolve(
    process.cwd(),
    '../../test-results/backend-multi-instance',
  );

  beforeAll(async () => {
    // Three backends, each with a pool per plugin database: more than the default 100 connections.
    pg = await startPostgres({ maxConnections: 300 });
    const env = (useEventBus: 'always' | 'never') => ({
      APP_CONFIG_backend_database: JSON.stringify({
        client: 'pg',
        // No `database`: each plugin gets its own (backstage_plugin_<id>), as in production.
        connection: { ...pg!.connection, database: undefined },
      }),
      APP_CONFIG_events_useEventBus: JSON.stringify(useEventBus),
    });
    const start = async (name: string, useEventBus: 'always' | 'never') => {
      const backend = {
        name,
        ...(await startPortal({
          logFile: path.join(logDir, `backend-${name}.log`),
          env: env(useEventBus),
          timeoutMs: START_TIMEOUT_MS,
        })),
      };
      backends.push(backend);
      return backend;
    };
    // A alone first: it creates the plugin databases and runs the migrations; B and C then start
    // together against the migrated databases.
    let t0 = Date.now();
    a = await start('a', 'always');
    console.log(`backend a ready in ${Date.now() - t0} ms`);
    t0 = Date.now();
    [b, c] = await Promise.all([start('b', 'always'), start('c', 'never')]);
    console.log(`backends b and c ready in ${Date.now() - t0} ms`);
  });

  afterAll(async () => {
    sockets.forEach(s => s.close());
    await Promise.allSettled(backends.map(x => x.stop()));
    await pg?.stop();
  });

  async function waitForEntity(baseUrl: string, token: string) {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      const res = await fetch(
        `${baseUrl}/api/catalog/entities/by-name/component/default/inference-service`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      if (res.ok) return;
      await new Promise(r => setTimeout(r, 2000));
    }
    throw new Error(`${ENTITY} never showed up in the catalog of ${baseUrl}`);
  }

  async function sync(baseUrl: string, environment: string) {
    const token = await guestToken(baseUrl);
    await waitForEntity(baseUrl, token);
    const res = await fetch(`${baseUrl}/api/devops-app/deployments/sync`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ entityRef: ENTITY, environment }),
    });
    // No Argo CD is configured: the sync fails, but it is audited and signalled all the same.
    return { status: res.status, body: await res.text() };
  }

  it('delivers a signal published on one instance to a WebSocket on another, only through the event bus', async () => {
    const onB = await openSignals(
      b.baseUrl,
      await guestToken(b.baseUrl),
      CHANNEL,
    );
    const onC = await openSignals(
      c.baseUrl,
      await guestToken(c.baseUrl),
      CHANNEL,
    );
    sockets.push(onB, onC);
    // The subscribe frame has no reply; let the servers read it before anything is published.
    await new Promise(r => setTimeout(r, 1000));

    const syncOnA = await sync(a.baseUrl, 'dev');
    expect(syncOnA.status).toBeGreaterThanOrEqual(400);
    const fromA = (m: any) => m.environment === 'dev' && m.action === 'sync';

    const t0 = Date.now();
    const onBMessage = await onB.waitFor(CHANNEL, fromA, 20_000);
    if (onBMessage) {
      console.log(
        `B received A's signal ${Date.now() - t0} ms after the sync answered`,
      );
    }
    expect(onBMessage).toEqual({
      entityRef: ENTITY,
      environment: 'dev',
      action: 'sync',
      result: 'failure',
      auditId: expect.any(Number),
    });

    // The event went through the bus stored in PostgreSQL (not some other path between the processes).
    const db = new Client({
      ...pg!.connection,
      database: 'backstage_plugin_events',
    });
    await db.connect();
    try {
      const { rows } = await db.query(
        `SELECT topic, data_json FROM event_bus_events WHERE topic = 'signals'`,
      );
      expect(
        rows.some(
          r =>
            JSON.parse(r.data_json).payload?.channel === CHANNEL &&
            JSON.parse(r.data_json).payload?.message?.auditId ===
              onBMessage.auditId,
        ),
      ).toBe(true);
    } finally {
      await db.end();
    }

    // Negative control: C (events.useEventBus never, the in-process events service) does not hear it.
    expect(await onC.waitFor(CHANNEL, fromA, 5_000)).toBeUndefined();

    // C's socket works: C hears its own sync (in-process delivery), and B does not (C never posts to the bus).
    const syncOnC = await sync(c.baseUrl, 'pre-prod');
    expect(syncOnC.status).toBeGreaterThanOrEqual(400);
    const fromC = (m: any) =>
      m.environment === 'pre-prod' && m.action === 'sync';
    expect(await onC.waitFor(CHANNEL, fromC, 10_000)).toMatchObject({
      entityRef: ENTITY,
      environment: 'pre-prod',
      action: 'sync',
    });
    expect(await onB.waitFor(CHANNEL, fromC, 5_000)).toBeUndefined();
  });
});
