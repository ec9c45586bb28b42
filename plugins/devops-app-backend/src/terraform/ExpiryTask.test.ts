import { mockServices } from '@backstage/backend-test-utils';
import {
  Environment,
  environmentFromEntity,
} from '@devops-app/plugin-devops-app-common';
import { environmentEntity } from '../__testUtils__/environmentEntities';
import { expireEnvironments } from './ExpiryTask';

const NOW = new Date('2026-12-02T12:00:00Z');

const environment = (name: string, annotations: Record<string, string>) =>
  environmentFromEntity(environmentEntity(name, { annotations }));

describe('expireEnvironments', () => {
  async function pass(all: Environment[], destroying: string[] = []) {
    const expired: string[] = [];
    const result = await expireEnvironments({
      environments: { all: async () => all },
      auth: mockServices.auth(),
      expire: async e => {
        expired.push(e.name);
      },
      destroying: async name => destroying.includes(name),
      logger: mockServices.logger.mock(),
      now: () => NOW,
    });
    return { expired, result };
  }

  it('tears down the expired environments only, and skips protected ones saying why', async () => {
    const { expired, result } = await pass([
      environment('old', {
        'devops-app.io/expires-at': '2026-12-02T11:59:59Z',
      }),
      environment('later', {
        'devops-app.io/expires-at': '2026-12-02T12:00:01Z',
      }),
      environment('forever', {}),
      environment('dev', {
        'devops-app.io/expires-at': '2026-12-01T00:00:00Z',
        'devops-app.io/protected': 'true',
      }),
      environment('broken', {
        'devops-app.io/expires-at': '2026-12-01T00:00:00Z',
        'devops-app.io/namespace': 'Not A Namespace',
      }),
    ]);
    expect(expired).toEqual(['old']);
    expect(result.removed).toEqual(['old']);
    expect(result.skipped).toEqual([
      {
        environment: 'dev',
        reason: 'it expired at 2026-12-01T00:00:00.000Z but is protected',
      },
      {
        environment: 'broken',
        reason: expect.stringContaining('devops-app.io/namespace'),
      },
    ]);
  });

  it('does not start a second teardown of an environment already being destroyed', async () => {
    const { expired, result } = await pass(
      [
        environment('old', {
          'devops-app.io/expires-at': '2026-12-01T00:00:00Z',
        }),
      ],
      ['old'],
    );
    expect(expired).toEqual([]);
    expect(result.skipped).toEqual([
      {
        environment: 'old',
        reason: 'a destroy run of it is queued or running',
      },
    ]);
  });
});
