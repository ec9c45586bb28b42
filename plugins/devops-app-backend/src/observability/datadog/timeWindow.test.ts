import { resolveDatadogWindow } from './timeWindow';

describe('resolveDatadogWindow', () => {
  const now = Date.parse('2026-11-25T14:00:00.000Z');

  it('ends a preset at now, 1h by default', () => {
    expect(resolveDatadogWindow({}, now)).toEqual({
      fromMs: now - 3_600_000,
      toMs: now,
    });
    expect(resolveDatadogWindow({ range: '7d' }, now)).toEqual({
      fromMs: now - 7 * 86_400_000,
      toMs: now,
    });
  });

  it('reads ISO 8601 with a zone and epoch milliseconds', () => {
    expect(
      resolveDatadogWindow(
        { from: '2026-11-25T13:00:00+01:00', to: String(now - 1000) },
        now,
      ),
    ).toEqual({ fromMs: Date.parse('2026-11-25T12:00:00Z'), toMs: now - 1000 });
    expect(
      resolveDatadogWindow(
        { from: '2026-11-24', to: '2026-11-25T13:59:59.5Z' },
        now,
      ),
    ).toEqual({
      fromMs: Date.parse('2026-11-24T00:00:00Z'),
      toMs: now - 500,
    });
  });

  it('allows a minute of clock skew and exactly 30 days, not more', () => {
    expect(() =>
      resolveDatadogWindow(
        { from: String(now - 1000), to: String(now + 60_000) },
        now,
      ),
    ).not.toThrow();
    expect(() =>
      resolveDatadogWindow(
        { from: String(now - 1000), to: String(now + 60_001) },
        now,
      ),
    ).toThrow(/^to: .* is in the future/);
    expect(() =>
      resolveDatadogWindow(
        { from: String(now - 30 * 86_400_000), to: String(now) },
        now,
      ),
    ).not.toThrow();
    expect(() =>
      resolveDatadogWindow(
        { from: String(now - 30 * 86_400_000 - 1000), to: String(now) },
        now,
      ),
    ).toThrow(/^from: range at most 30 days/);
  });

  it('refuses a local time without a zone and dates that do not exist', () => {
    expect(() =>
      resolveDatadogWindow(
        { from: '2026-11-25T13:00:00', to: String(now) },
        now,
      ),
    ).toThrow(/^from: must be ISO 8601/);
    expect(() =>
      resolveDatadogWindow(
        { from: '2026-02-31T13:00:00Z', to: String(now) },
        now,
      ),
    ).toThrow(/^from: must be ISO 8601/);
  });
});
