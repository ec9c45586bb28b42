import express from 'express';
import request from 'supertest';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import { z } from 'zod';
import { parseBody, parseQuery, refusedField } from './parseRequest';
import { entityRefSchema } from './schemas';

/** The request layer on its own: what each kind of problem answers, through the backend's error handler. */
describe('parseBody and parseQuery', () => {
  const body = z
    .object({
      entityRef: entityRefSchema,
      files: z
        .object({ tfvars: z.object({ cluster: z.string() }).strict() })
        .strict()
        .optional(),
      mode: z.enum(['plan', 'apply']).optional(),
    })
    .strict();
  const query = z
    .object({
      query: refusedField('raw PromQL is not accepted; choose a panel'),
      entityRef: entityRefSchema,
    })
    .strict();

  const app = express();
  app.use(express.json());
  app.post('/body', (req, res) => {
    res.json(parseBody(body, req));
  });
  app.get('/query', (req, res) => {
    res.json(parseQuery(query, req));
  });
  const config = mockServices.rootConfig();
  app.use(
    MiddlewareFactory.create({
      config,
      logger: mockServices.logger.mock(),
    }).error(),
  );

  const message = (res: request.Response) => res.body.error.message;

  it('answers the parsed value, with the entityRef in its canonical form', async () => {
    const res = await request(app)
      .post('/body')
      .send({ entityRef: 'Component:Default/inference-service' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      entityRef: 'component:default/inference-service',
    });
  });

  it('names a nested field by its path, and unknown nested fields with what is allowed', async () => {
    const ref = 'component:default/x';
    let res = await request(app)
      .post('/body')
      .send({ entityRef: ref, files: { tfvars: { cluster: 1 } } });
    expect(message(res)).toBe(
      'files.tfvars.cluster: must be a string, not a number',
    );
    res = await request(app)
      .post('/body')
      .send({ entityRef: ref, files: { tfvars: { cluster: '', dns: '' } } });
    expect(message(res)).toBe(
      'files.tfvars: unknown field(s): dns (allowed: cluster)',
    );
    res = await request(app)
      .post('/body')
      .send({ entityRef: ref, foo: 1, bar: 2 });
    expect(message(res)).toBe(
      'unknown field(s): foo, bar (allowed: entityRef, files, mode)',
    );
    res = await request(app).post('/body').send({ entityRef: ref, mode: 'x' });
    expect(message(res)).toBe('mode: must be one of "plan", "apply"');
  });

  it('names what is wrong with an entityRef', async () => {
    const cases: [string, string][] = [
      ['component:', 'empty name'],
      [':x/y', 'empty kind'],
      ['component:/x', 'empty namespace'],
      ['inference-service', 'no kind'],
      ['component:default/b/c', 'name "b/c" is not an entity name'],
      ['comp onent:default/x', 'kind "comp onent" is not a kind'],
      ['component:Bad_NS/x', 'namespace "Bad_NS" is not a DNS label'],
      ['component:default/\u0441ervice', 'name "\\u0441ervice" is not'],
    ];
    for (const [entityRef, reason] of cases) {
      const res = await request(app).post('/body').send({ entityRef });
      expect(res.status).toBe(400);
      expect(message(res)).toMatch(/^entityRef: /);
      expect(message(res)).toContain(reason);
    }
    const missing = await request(app).post('/body').send({});
    expect(message(missing)).toMatch(/^entityRef: required/);
  });

  it('keeps the message of a refused field, and refuses names the query parser drops', async () => {
    let res = await request(app).get(
      '/query?entityRef=component:default/x&query=up',
    );
    expect(message(res)).toBe(
      'query: raw PromQL is not accepted; choose a panel',
    );
    res = await request(app).get(
      '/query?entityRef=component:default/x&__proto__=1',
    );
    expect(message(res)).toBe(
      'unknown field(s): __proto__ (allowed: entityRef)',
    );
  });

  it('refuses a body that is not JSON rather than reading it as empty', async () => {
    const res = await request(app)
      .post('/body')
      .set('Content-Type', 'text/plain')
      .send('entityRef=component:default/x');
    expect(res.status).toBe(400);
    expect(message(res)).toBe(
      'Content-Type: must be application/json, not "text/plain"',
    );
  });
});
