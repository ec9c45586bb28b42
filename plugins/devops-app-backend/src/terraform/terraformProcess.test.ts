import { findProcesses } from '@devops-app/e2e';
import { spawn } from 'node:child_process';
import { Redactor } from './Redactor';
import { GUARD_SCRIPT, runTerraformCommand } from './terraformProcess';

jest.setTimeout(60_000);

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise(r => setTimeout(r, 100));
  }
}

describe('the terraform guard', () => {
  it('passes the exit status through and reports a killed command by its signal', async () => {
    const base = {
      env: { PATH: process.env.PATH },
      timeoutMs: 30_000,
      redactor: new Redactor(),
    };
    const lines: string[] = [];
    const ok = await runTerraformCommand({
      ...base,
      binary: 'sh',
      args: ['-c', 'echo one; echo two >&2; exit 3'],
      onLine: (_, line) => lines.push(line),
    });
    expect(ok.exitCode).toBe(3);
    expect(lines.sort()).toEqual(['one', 'two']);
    const killed = await runTerraformCommand({
      ...base,
      binary: 'sh',
      args: ['-c', 'kill -KILL $$'],
    });
    expect(killed.killedBy).toBe('SIGKILL');
  });

  it('stops the command and its children on cancel', async () => {
    const marker = `guard-cancel-${process.pid}`;
    const controller = new AbortController();
    const running = runTerraformCommand({
      binary: 'sh',
      args: ['-c', 'sleep 300 & sleep 301'],
      env: { PATH: process.env.PATH, MARKER: marker },
      timeoutMs: 60_000,
      redactor: new Redactor(),
      signal: controller.signal,
    });
    await waitFor(
      () => findProcesses(marker),
      p => p.filter(x => x.args[0] === 'sleep').length === 2,
    );
    controller.abort();
    const result = await running;
    expect(result.cancelled).toBe(true);
    expect(
      await waitFor(
        () => findProcesses(marker),
        p => p.length === 0,
      ),
    ).toEqual([]);
  });

  it('kills the command and its children when the backend that started it is SIGKILLed', async () => {
    const marker = `guard-orphan-${process.pid}`;
    // A stand-in backend: a node process that starts the guard as the run service does, and is
    // then killed with SIGKILL (no handler of its runs).
    const backend = spawn(
      process.execPath,
      [
        '-e',
        `require('child_process').spawn('/bin/sh', ['-c', process.env.GUARD, 'guard', 'sh', '-c', 'sleep 300 & sleep 301'], { stdio: ['pipe', 'inherit', 'inherit'] }); setInterval(() => {}, 1000);`,
      ],
      {
        env: { PATH: process.env.PATH, GUARD: GUARD_SCRIPT, MARKER: marker },
        stdio: 'ignore',
      },
    );
    const before = await waitFor(
      () => findProcesses(marker),
      p => p.filter(x => x.args[0] === 'sleep').length === 2,
    );
    expect(before.filter(x => x.args[0] === 'sleep')).toHaveLength(2);
    backend.kill('SIGKILL');
    // Terraform's SIGTERM grace is 5 s; the processes go at once here (sleep dies of SIGTERM).
    expect(
      await waitFor(
        () => findProcesses(marker),
        p => p.length === 0,
      ),
    ).toEqual([]);
  });
});
