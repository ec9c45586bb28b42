import {
  linePath,
  nearestIndex,
  niceStep,
  timeTicks,
  valueAxis,
} from './chartScale';

describe('chartScale', () => {
  it('rounds a step to 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(0.013)).toBe(0.02);
    expect(niceStep(0.3)).toBe(0.5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(1)).toBe(1);
    expect(niceStep(0)).toBe(1);
  });

  it('puts the top of the value axis on a round tick above the largest value', () => {
    expect(valueAxis(0.53, 1)).toEqual({
      top: 0.6,
      ticks: [0, 0.2, 0.4, 0.6],
    });
    expect(valueAxis(900, 1).top).toBeGreaterThanOrEqual(990);
    expect(valueAxis(900, 1).ticks).toEqual([0, 500, 1000]);
    // Every value 0: the floor is the scale, not a flat line on the top edge.
    expect(valueAxis(0, 0.05)).toEqual({
      top: 0.06,
      ticks: [0, 0.02, 0.04, 0.06],
    });
  });

  it('places time ticks on round local times inside the range', () => {
    const from = new Date(2026, 11, 3, 10, 7, 30).getTime();
    const to = from + 60 * 60_000;
    const ticks = timeTicks(from, to);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(6);
    for (const t of ticks) {
      expect(t).toBeGreaterThanOrEqual(from);
      expect(t).toBeLessThanOrEqual(to);
      const d = new Date(t);
      expect(d.getSeconds()).toBe(0);
      expect(d.getMinutes() % 10).toBe(0);
    }
    const week = timeTicks(from, from + 7 * 24 * 3600_000);
    expect(week.every(t => new Date(t).getHours() === 0)).toBe(true);
    expect(timeTicks(to, from)).toEqual([]);
  });

  it('draws a series in the square, breaking the line at a gap', () => {
    expect(
      linePath(
        [
          [0, 0],
          [50, 1],
          [100, null],
          [150, 0.5],
          [200, null],
        ],
        0,
        200,
        1,
      ),
    ).toBe('M0.0 1000.0L250.0 0.0M750.0 500.0h0');
    expect(linePath([[0, null]], 0, 10, 1)).toBe('');
  });

  it('finds the time nearest the pointer', () => {
    const times = [0, 10, 20, 30];
    expect(nearestIndex(times, -5)).toBe(0);
    expect(nearestIndex(times, 14)).toBe(1);
    expect(nearestIndex(times, 16)).toBe(2);
    expect(nearestIndex(times, 99)).toBe(3);
    expect(nearestIndex([], 3)).toBe(-1);
  });
});
