import { Entity } from '@backstage/catalog-model';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { screen, waitFor } from '@testing-library/react';
import { ArgoCdHistoryCard } from './ArgoCdHistoryCard';
import { argoCdApi, argoCdHistoryCard } from './index';

const service: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'inference-service',
    namespace: 'default',
    annotations: {
      'argocd/app-selector': 'devops-app.io/service=inference-service',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:default/ml-team',
    lifecycle: 'production',
  },
};

// An Argo CD ApplicationList as GET /api/v1/applications?selector= returns it (v1alpha1ApplicationList).
const applicationList = {
  metadata: {},
  items: [
    {
      metadata: {
        name: 'inference-dev',
        namespace: 'argocd',
        labels: { 'devops-app.io/service': 'inference-service' },
      },
      spec: {
        source: {
          repoURL: 'https://git.example/devops-app.git',
          path: 'charts/inference',
          targetRevision: 'main',
        },
        destination: {
          namespace: 'inference-dev',
          server: 'https://kubernetes.default.svc',
        },
        project: 'devops-app',
      },
      status: {
        sync: { status: 'Synced' },
        health: { status: 'Healthy' },
        operationState: {
          startedAt: '2026-11-25T10:00:00Z',
          finishedAt: '2026-11-25T10:01:00Z',
          phase: 'Succeeded',
          message: '',
        },
        history: [
          {
            id: 1,
            revision: 'aaaaaaa1111111111111111111111111111111111',
            deployedAt: '2026-11-24T09:00:00Z',
            deployStartedAt: '2026-11-24T08:59:00Z',
            source: {
              repoURL: 'https://git.example/devops-app.git',
              path: 'charts/inference',
              targetRevision: 'main',
            },
          },
          {
            id: 2,
            revision: 'bbbbbbb2222222222222222222222222222222222',
            deployedAt: '2026-11-25T10:01:00Z',
            deployStartedAt: '2026-11-25T10:00:00Z',
            source: {
              repoURL: 'https://git.example/devops-app.git',
              path: 'charts/inference',
              targetRevision: 'main',
            },
          },
        ],
      },
    },
  ],
};

describe('Argo CD history card (Roadie, wired with the app blueprints)', () => {
  const realFetch = global.fetch;
  afterEach(() => {
    global.fetch = realFetch;
  });

  it('shows on entities with Roadie annotations only', () => {
    const filter = createExtensionTester(argoCdHistoryCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    );
    expect(filter?.(service)).toBe(true);
    expect(
      filter?.({ ...service, metadata: { name: 'other', annotations: {} } }),
    ).toBe(false);
  });

  it('says which configuration it needs while Argo CD is not connected', async () => {
    global.fetch = jest.fn(() =>
      Promise.reject(new Error('no request expected')),
    );
    await renderInTestApp(
      <EntityProvider entity={service}>
        <ArgoCdHistoryCard />
      </EntityProvider>,
      { extensions: [argoCdApi] },
    );
    expect(
      await screen.findByText(
        /Argo CD is not connected/,
        {},
        { timeout: 60_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/argocd\.baseUrl/)).toBeInTheDocument();
    expect(
      screen.getByText(/devopsApp\.argocd\.instances/),
    ).toBeInTheDocument();
    expect(global.fetch).not.toHaveBeenCalled();
  });

  it("renders Roadie's history read through the devops-app backend (no proxy), newest deploy first, with each revision's commit", async () => {
    const urls: string[] = [];
    global.fetch = jest.fn(async (input: any) => {
      const url = String(input);
      urls.push(url);
      const json = (body: unknown) =>
        ({
          ok: true,
          status: 200,
          statusText: 'OK',
          json: async () => body,
        } as Response);
      if (url.includes('/argocd/api/applications?'))
        return json(applicationList);
      const revision = /revisions\/([0-9a-f]+)\/metadata/.exec(url)?.[1];
      if (revision) {
        return json({
          author: revision.startsWith('b')
            ? 'Grace <grace@example.com>'
            : 'Alan <alan@example.com>',
          date: '2026-11-25T09:58:00Z',
          message: revision.startsWith('b')
            ? 'deploy inference 1.4.2 to dev'
            : 'deploy inference 1.4.1 to dev',
        });
      }
      return {
        ok: false,
        status: 404,
        statusText: 'Not Found',
        json: async () => ({}),
      } as Response;
    }) as any;

    // revisionsToLoad is set as app-config.production.yaml sets it: Roadie's default (-1) is passed to
    // Array.slice(0, -1) and drops each application's oldest deploy.
    await renderInTestApp(
      <EntityProvider entity={service}>
        <ArgoCdHistoryCard />
      </EntityProvider>,
      {
        extensions: [argoCdApi],
        config: {
          backend: { baseUrl: 'http://localhost:7007' },
          argocd: { baseUrl: 'https://argocd.example', revisionsToLoad: 20 },
        },
      },
    );

    expect(
      await screen.findByText(
        'deploy inference 1.4.2 to dev',
        {},
        { timeout: 60_000 },
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('deploy inference 1.4.1 to dev'),
    ).toBeInTheDocument();
    const rows = screen.getAllByRole('row').map(r => r.textContent ?? '');
    const newer = rows.findIndex(r => r.includes('1.4.2'));
    const older = rows.findIndex(r => r.includes('1.4.1'));
    expect(newer).toBeGreaterThan(0);
    expect(newer).toBeLessThan(older);
    expect(rows[newer]).toContain('inference-dev');
    await waitFor(
      () =>
        expect(
          urls.some(u =>
            /\/api\/devops-app\/argocd\/api\/applications\?selector=devops-app\.io%2Fservice%3Dinference-service/.test(
              u,
            ),
          ),
        ).toBe(true),
      { timeout: 60_000 },
    );
    expect(urls.filter(u => u.includes('/proxy'))).toEqual([]);
    expect(
      urls.some(u =>
        u.includes(
          '/applications/inference-dev/revisions/bbbbbbb2222222222222222222222222222222222/metadata',
        ),
      ),
    ).toBe(true);
  });
});
