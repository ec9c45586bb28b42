import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { IMAGE_TAG_PATTERN, validateImageTag } from './deployments';

describe('image tag grammar', () => {
  it('is the chart schema’s imageTag pattern', () => {
    const schema = JSON.parse(
      readFileSync(
        resolve(process.cwd(), '../../charts/inference/values.schema.json'),
        'utf8',
      ),
    );
    expect(IMAGE_TAG_PATTERN.source).toBe(schema.definitions.imageTag.pattern);
  });

  it.each(['0.1.0', 'v1.2.3-rc.1', 'sha-3f9c2a1', 'a', `a${'b'.repeat(61)}c`])(
    'accepts %s',
    tag => {
      expect(validateImageTag(tag)).toBeUndefined();
    },
  );

  it.each([
    ['', 'is empty'],
    ['1.0 0', 'may only hold'],
    ['1.0;rm', 'may only hold'],
    ['1.0\n2', 'may only hold'],
    ['-1.0', 'may only hold'],
    ['1.0.', 'may only hold'],
    ['a'.repeat(64), 'longer than 63'],
    ['a'.repeat(200), 'longer than 63'],
  ])('refuses %j', (tag, reason) => {
    expect(validateImageTag(tag)).toContain(reason);
  });
});
