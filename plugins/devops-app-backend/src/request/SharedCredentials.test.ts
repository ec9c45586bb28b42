import {
  BackstageCredentials,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { AuthenticationError } from '@backstage/errors';
import { Request } from 'express';
import {
  SharedCredentials,
  sharedCredentialsFromConfig,
} from './SharedCredentials';

/** An httpAuth that verifies "Bearer <user>[:<expires in ms>]" and counts its verifications. */
function counting(now: () => number) {
  const calls: string[] = [];
  const httpAuth: HttpAuthService = {
    credentials: (async (req: Request, options?: { allow?: string[] }) => {
      const header = req.headers.authorization ?? '';
      calls.push(header);
      const match = header.match(/^Bearer (\w+)(?::(\d+))?$/);
      if (!match || match[1] === 'invalid') {
        throw new AuthenticationError('Invalid token');
      }
      if (options?.allow && !options.allow.includes('user')) {
        throw new AuthenticationError(
          "This endpoint does not allow 'user' credentials",
        );
      }
      return {
        $$type: '@backstage/BackstageCredentials',
        principal: { type: 'user', userEntityRef: `user:default/${match[1]}` },
        expiresAt: match[2] ? new Date(now() + Number(match[2])) : undefined,
      } as BackstageCredentials;
    }) as HttpAuthService['credentials'],
    issueUserCookie: async () => ({ expiresAt: new Date() }),
  };
  return { httpAuth, calls };
}

const req = (authorization?: string) =>
  ({ headers: authorization ? { authorization } : {} } as Request);

describe('SharedCredentials', () => {
  let time = 1_000_000;
  const now = () => time;

  it('verifies a header once within the window, and each different header on its own', async () => {
    const { httpAuth, calls } = counting(now);
    const shared = new SharedCredentials(httpAuth, { shareMs: 2000, now });
    const [a1, a2] = await Promise.all([
      shared.credentials(req('Bearer ana'), { allow: ['user'] }),
      shared.credentials(req('Bearer ana'), { allow: ['user'] }),
    ]);
    expect(a1).toBe(a2);
    const pat = await shared.credentials(req('Bearer pat'), {
      allow: ['user'],
    });
    expect((pat.principal as any).userEntityRef).toBe('user:default/pat');
    expect((a1.principal as any).userEntityRef).toBe('user:default/ana');
    expect(calls).toEqual(['Bearer ana', 'Bearer pat']);

    time += 1999;
    await shared.credentials(req('Bearer ana'), { allow: ['user'] });
    expect(calls).toHaveLength(2);
    time += 1;
    await shared.credentials(req('Bearer ana'), { allow: ['user'] });
    expect(calls).toEqual(['Bearer ana', 'Bearer pat', 'Bearer ana']);
  });

  it('never keeps a verification past the token expiry', async () => {
    const { httpAuth, calls } = counting(now);
    const shared = new SharedCredentials(httpAuth, { shareMs: 2000, now });
    await shared.credentials(req('Bearer ana:500'));
    time += 499;
    await shared.credentials(req('Bearer ana:500'));
    expect(calls).toHaveLength(1);
    time += 1;
    await shared.credentials(req('Bearer ana:500'));
    expect(calls).toHaveLength(2);
  });

  it('keeps no failed verification, and asks with other options on its own', async () => {
    const { httpAuth, calls } = counting(now);
    const shared = new SharedCredentials(httpAuth, { shareMs: 2000, now });
    await expect(shared.credentials(req('Bearer invalid'))).rejects.toThrow(
      'Invalid token',
    );
    await expect(shared.credentials(req('Bearer invalid'))).rejects.toThrow(
      'Invalid token',
    );
    expect(calls).toHaveLength(2);
    expect(shared.size).toBe(0);

    await shared.credentials(req('Bearer ana'), { allow: ['user'] });
    // A route that refuses users is asked again and refuses, though the token was just verified.
    await expect(
      shared.credentials(req('Bearer ana'), { allow: ['service'] as any }),
    ).rejects.toThrow("does not allow 'user'");
    // No `allow` (any principal) and `allow: []` (none) are different questions too.
    await shared.credentials(req('Bearer ana'));
    await expect(
      shared.credentials(req('Bearer ana'), { allow: [] }),
    ).rejects.toThrow();
    expect(calls).toHaveLength(6);
  });

  it('passes requests without a bearer token straight through', async () => {
    const { httpAuth, calls } = counting(now);
    const shared = new SharedCredentials(httpAuth, { shareMs: 2000, now });
    for (let i = 0; i < 2; i++) {
      await expect(shared.credentials(req())).rejects.toThrow();
      await expect(
        shared.credentials(req('Basic YW5hOnNlY3JldA==')),
      ).rejects.toThrow();
    }
    expect(calls).toHaveLength(4);
    expect(shared.size).toBe(0);
  });

  it('keeps at most maxEntries headers', async () => {
    const { httpAuth } = counting(now);
    const shared = new SharedCredentials(httpAuth, {
      shareMs: 2000,
      now,
      maxEntries: 3,
    });
    for (const user of ['a', 'b', 'c', 'd', 'e']) {
      await shared.credentials(req(`Bearer ${user}`));
    }
    expect(shared.size).toBeLessThanOrEqual(3);
  });

  it('is the plain httpAuth with devopsApp.readShareMs 0', () => {
    const httpAuth = mockServices.httpAuth();
    expect(
      sharedCredentialsFromConfig(
        mockServices.rootConfig({ data: { devopsApp: { readShareMs: 0 } } }),
        httpAuth,
      ),
    ).toBe(httpAuth);
    expect(
      sharedCredentialsFromConfig(mockServices.rootConfig(), httpAuth),
    ).toBeInstanceOf(SharedCredentials);
  });
});
