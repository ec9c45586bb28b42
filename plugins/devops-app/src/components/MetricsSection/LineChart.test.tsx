import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen, within } from '@testing-library/react';
import { LineChart, timeTickCount } from './LineChart';

const from = new Date(2026, 11, 3, 10, 0, 0).getTime();
const to = from + 60 * 60_000;
const at = (minutes: number) => from + minutes * 60_000;

async function render() {
  await renderInTestApp(
    <LineChart
      label="Latency for dev, last 1h"
      lines={[
        {
          name: 'p95',
          colour: '#123456',
          points: [
            [at(0), 0.2],
            [at(30), 0.4],
            [at(60), null],
          ],
        },
        {
          name: 'p99',
          colour: '#654321',
          points: [
            [at(0), 0.5],
            [at(30), 0.9],
            [at(60), 1.5],
          ],
        },
      ]}
      from={from}
      to={to}
      range="1h"
      floor={1}
      formatValue={v => (v === null ? '—' : `${v} s`)}
      unitLabel="seconds"
      height={220}
    />,
  );
  return screen.getByRole('img', { name: 'Latency for dev, last 1h' });
}

describe('LineChart', () => {
  it('draws each line, the value axis to a round top and the time axis on round minutes', async () => {
    const plot = await render();
    const paths = plot.querySelectorAll('path.devops-chart-line');
    expect([...paths].map(p => p.getAttribute('data-series'))).toEqual([
      'p95',
      'p99',
    ]);
    // p95 stops at its gap; p99 reaches 1.5 s at the right edge, under the axis' top of 2 s.
    expect(paths[0].getAttribute('d')).toBe('M0.0 900.0L500.0 800.0');
    expect(paths[1].getAttribute('d')).toBe(
      'M0.0 750.0L500.0 550.0L1000.0 250.0',
    );
    expect(paths[1].getAttribute('stroke')).toBe('#654321');
    for (const tick of ['0 s', '0.5 s', '1 s', '1.5 s', '2 s']) {
      expect(screen.getByText(tick)).toBeInTheDocument();
    }
    expect(screen.getByText('seconds')).toBeInTheDocument();
    // A legend when there is more than one line.
    expect(screen.getAllByText(/p95|p99/).length).toBeGreaterThanOrEqual(2);
    expect(screen.queryByTestId('chart-readout')).not.toBeInTheDocument();
  });

  it('shows every line at the time under the pointer, and moves with the arrow keys', async () => {
    const plot = await render();
    plot.getBoundingClientRect = () =>
      ({ left: 100, width: 400, top: 0, height: 200 } as DOMRect);
    // Just past the middle: the point at 30 minutes is nearest.
    fireEvent.mouseMove(plot, { clientX: 310 });
    let readout = screen.getByTestId('chart-readout');
    expect(within(readout).getByText(/p95: 0.4 s/)).toBeInTheDocument();
    expect(within(readout).getByText(/p99: 0.9 s/)).toBeInTheDocument();
    fireEvent.keyDown(plot, { key: 'ArrowRight' });
    readout = screen.getByTestId('chart-readout');
    // At the last time p95 had no sample: the readout says so rather than repeating a value.
    expect(within(readout).getByText(/p95: —/)).toBeInTheDocument();
    expect(within(readout).getByText(/p99: 1.5 s/)).toBeInTheDocument();
    fireEvent.keyDown(plot, { key: 'ArrowRight' });
    expect(
      within(screen.getByTestId('chart-readout')).getByText(/p99: 1.5 s/),
    ).toBeInTheDocument();
    fireEvent.mouseLeave(plot);
    expect(screen.queryByTestId('chart-readout')).not.toBeInTheDocument();
    fireEvent.keyDown(plot, { key: 'ArrowLeft' });
    expect(
      within(screen.getByTestId('chart-readout')).getByText(/p99: 1.5 s/),
    ).toBeInTheDocument();
    fireEvent.keyDown(plot, { key: 'Escape' });
    expect(screen.queryByTestId('chart-readout')).not.toBeInTheDocument();
  });

  /** The time labels the chart draws when its plot is laid out `width` px wide. */
  async function timeLabelsAt(width: number) {
    const original = HTMLElement.prototype.getBoundingClientRect;
    HTMLElement.prototype.getBoundingClientRect = () =>
      ({ left: 0, top: 0, width, height: 200 } as DOMRect);
    try {
      await render();
      return screen.getAllByText(/^\d\d:\d\d/).map(e => e.textContent);
    } finally {
      HTMLElement.prototype.getBoundingClientRect = original;
    }
  }

  it('puts no more time labels on the axis than its width holds', async () => {
    // 10:00 to 11:00 on a wide plot (the 1920 px layout): six labels at most, so every 15 minutes
    // (10 minutes apart would be seven with both ends).
    expect(await timeLabelsAt(560)).toEqual([
      '10:00 AM',
      '10:15 AM',
      '10:30 AM',
      '10:45 AM',
      '11:00 AM',
    ]);
  });

  it('thins the time labels on a narrow plot (a panel at 1280 px)', async () => {
    // Three fit 220 px: every 30 minutes, 10:00 to 11:00, none overlapping.
    expect(await timeLabelsAt(220)).toHaveLength(3);
  });

  it('sizes the label count to the range: longer labels for a day or a week', () => {
    expect(timeTickCount(undefined, '1h')).toBe(6);
    expect(timeTickCount(0, '1h')).toBe(6);
    expect(timeTickCount(220, '1h')).toBe(3);
    expect(timeTickCount(220, '24h')).toBe(2);
    expect(timeTickCount(100, '15m')).toBe(2);
    expect(timeTickCount(2000, '7d')).toBe(6);
  });
});
