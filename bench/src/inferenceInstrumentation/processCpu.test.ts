import { processCpuSeconds } from './processCpu';

describe('processCpuSeconds', () => {
  it('reads a process CPU time that grows with work', () => {
    const before = processCpuSeconds(process.pid);
    expect(before).toBeGreaterThan(0);
    // Spin until Node's own account says 150 ms of CPU went by, however busy the machine is.
    const start = process.cpuUsage();
    let spins = 0;
    while (process.cpuUsage(start).user < 150_000) {
      spins++;
    }
    expect(spins).toBeGreaterThan(0);
    expect(processCpuSeconds(process.pid)! - before!).toBeGreaterThanOrEqual(
      0.1,
    );
  });

  it('is undefined for a process that does not exist', () => {
    expect(processCpuSeconds(2 ** 30)).toBeUndefined();
    expect(processCpuSeconds(undefined)).toBeUndefined();
  });
});
