import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { readImageTag, setImageTag, valuesFileFor } from './valuesFile';

const chart = resolvePackagePath(
  '@devops-app/plugin-devops-app-backend',
  '../../charts/inference',
);

function changedLines(a: string, b: string) {
  const x = a.split('\n');
  const y = b.split('\n');
  expect(y).toHaveLength(x.length);
  return x.flatMap((line, i) => (line === y[i] ? [] : [[line, y[i]]]));
}

describe('values file editing', () => {
  it('names values.yaml for dev and values-<env>.yaml for the others', () => {
    expect(valuesFileFor('dev')).toBe('charts/inference/values.yaml');
    expect(valuesFileFor('pre-prod')).toBe(
      'charts/inference/values-pre-prod.yaml',
    );
    expect(valuesFileFor('load-test')).toBe(
      'charts/inference/values-load-test.yaml',
    );
  });

  it.each(['values.yaml', 'values-pre-prod.yaml', 'values-prod.yaml'])(
    'changes only the tag line of the chart’s %s',
    file => {
      const text = readFileSync(resolve(chart, file), 'utf8');
      const before = readImageTag(text);
      const edited = setImageTag(text, '1.2.3-rc.1');
      expect(edited.before).toBe(before);
      expect(readImageTag(edited.text)).toBe('1.2.3-rc.1');
      const changes = changedLines(text, edited.text);
      expect(changes).toHaveLength(1);
      expect(changes[0][1]).toMatch(/^\s+tag: "1\.2\.3-rc\.1"$/);
    },
  );

  it('keeps comments on the tag line, quote style and CRLF line ends', () => {
    const text =
      "# top\r\nimage:\r\n  repository: r # repo\r\n  tag: '0.1.0'   # the tag\r\nother: 1\r\n";
    const edited = setImageTag(text, '0.2.0');
    expect(edited.text).toBe(
      "# top\r\nimage:\r\n  repository: r # repo\r\n  tag: '0.2.0'   # the tag\r\nother: 1\r\n",
    );
  });

  it('quotes a plain tag so that 1.10 stays a string', () => {
    const edited = setImageTag('image:\n  tag: 1.0\n', '1.10');
    expect(edited.text).toBe('image:\n  tag: "1.10"\n');
    expect(readImageTag(edited.text)).toBe('1.10');
  });

  it('does not touch a nested tag key outside the top-level image block', () => {
    const text =
      'sidecar:\n  image:\n    tag: "9.9.9"\nimage:\n  repository: r\n  tag: "0.1.0"\n';
    const edited = setImageTag(text, '0.2.0');
    expect(edited.text).toBe(
      'sidecar:\n  image:\n    tag: "9.9.9"\nimage:\n  repository: r\n  tag: "0.2.0"\n',
    );
  });

  it('adds the tag when the image block or the whole key is missing', () => {
    expect(setImageTag('image:\n  repository: r\n', '0.2.0').text).toBe(
      'image:\n  tag: "0.2.0"\n  repository: r\n',
    );
    expect(setImageTag('# env\nenvironment: qa\n', '0.2.0').text).toBe(
      '# env\nenvironment: qa\nimage:\n  tag: "0.2.0"\n',
    );
  });

  it('refuses layouts it cannot edit line by line', () => {
    expect(() => setImageTag('image: {tag: "0.1.0"}\n', '0.2.0')).toThrow(
      /not a plain block mapping/,
    );
    expect(() => setImageTag('image: [\n', '0.2.0')).toThrow(/not valid YAML/);
  });
});
