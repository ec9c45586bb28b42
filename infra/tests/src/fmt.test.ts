import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultInfraRoot } from './infraTree';
import { runTerraform, terraformEnv } from './terraform/cli';

const env = terraformEnv();

describe('terraform fmt', () => {
  it('finds nothing to reformat under infra/', async () => {
    const result = await runTerraform(
      ['fmt', '-check', '-recursive', '-diff', '-no-color', defaultInfraRoot()],
      env,
    );
    expect({
      code: result.code,
      diff: result.stdout,
      stderr: result.stderr,
    }).toEqual({
      code: 0,
      diff: '',
      stderr: '',
    });
  });

  it('would report a badly formatted file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'infra-fmt-'));
    try {
      await fs.mkdir(path.join(dir, 'stack'));
      await fs.writeFile(
        path.join(dir, 'stack', 'main.tf'),
        'variable "x" {\n  type = string\n  description = "misaligned"\n}\n',
      );
      const result = await runTerraform(
        ['fmt', '-check', '-recursive', '-no-color', dir],
        env,
      );
      expect(result.code).not.toBe(0);
      expect(result.stdout).toContain(path.join('stack', 'main.tf'));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
