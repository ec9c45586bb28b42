import { MetricsTimeRange } from '@devops-app/plugin-devops-app-common';
import Box from '@material-ui/core/Box';
import Paper from '@material-ui/core/Paper';
import { useTheme } from '@material-ui/core/styles';
import Typography from '@material-ui/core/Typography';
import {
  KeyboardEvent,
  MouseEvent,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import {
  hasLongTimeLabels,
  linePath,
  nearestIndex,
  pointLabel,
  tickLabel,
  timeTicks,
  valueAxis,
  VIEW,
} from './chartScale';

/** One line of a chart. */
export interface ChartLine {
  name: string;
  colour: string;
  points: Array<[number, number | null]>;
}

export interface LineChartProps {
  /** Read by assistive technology: what the chart shows. */
  label: string;
  lines: ChartLine[];
  /** The time axis, epoch ms: the range asked for, so a gap at either end shows as a gap. */
  from: number;
  to: number;
  range: MetricsTimeRange;
  /** Top of the value axis when every value is 0. */
  floor: number;
  formatValue: (v: number | null) => string;
  unitLabel: string;
  height: number;
}

const AXIS_WIDTH = 76;
const TICK_ROW = 20;
/** Room per time label ("01:10 AM", "Dec 4, 01 AM" at 11 px) and the most labels an axis carries. */
const LABEL_ROOM = { short: 64, long: 92 };
const MAX_TIME_TICKS = 6;

/** How many time labels fit along a plot `width` px wide (all of them before it is laid out). */
export function timeTickCount(
  width: number | undefined,
  range: MetricsTimeRange,
): number {
  if (!width) return MAX_TIME_TICKS;
  const room = hasLongTimeLabels(range) ? LABEL_ROOM.long : LABEL_ROOM.short;
  return Math.max(2, Math.min(MAX_TIME_TICKS, Math.floor(width / room)));
}

/** Where a label sits along an axis, kept inside the box at both ends. */
function along(percent: number): string {
  if (percent < 4) return 'translateX(0)';
  if (percent > 96) return 'translateX(-100%)';
  return 'translateX(-50%)';
}

/**
 * A time-series line chart drawn as one SVG the browser stretches to its box, with the axes'
 * labels laid out by the browser around it. It reads one thing, the plot's width (before the first
 * paint, then on resize), to put no more time labels on the axis than fit; so it draws in the same
 * frame as its data arrives, at any width, and its cost grows with the points, not with a charting
 * library's layout passes. The pointer (or the arrow keys, once focused) moves a readout of every
 * line's value at the nearest time.
 */
export function LineChart(props: LineChartProps) {
  const { lines, from, to, range, floor, height } = props;
  const theme = useTheme();
  const [hover, setHover] = useState<number | null>(null);
  const plotRef = useRef<HTMLDivElement>(null);
  const [plotWidth, setPlotWidth] = useState<number | undefined>(undefined);
  useLayoutEffect(() => {
    const plot = plotRef.current;
    if (!plot) return undefined;
    const read = () => setPlotWidth(plot.getBoundingClientRect().width);
    read();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(read);
    observer.observe(plot);
    return () => observer.disconnect();
  }, []);
  const tickCount = timeTickCount(plotWidth, range);

  const { times, axis, paths, xTicks } = useMemo(() => {
    const all = new Set<number>();
    let max = 0;
    for (const l of lines) {
      for (const [t, v] of l.points) {
        all.add(t);
        if (v !== null && Number.isFinite(v) && v > max) max = v;
      }
    }
    const a = valueAxis(max, floor);
    return {
      times: [...all].sort((x, y) => x - y),
      axis: a,
      paths: lines.map(l => linePath(l.points, from, to, a.top)),
      xTicks: timeTicks(from, to, tickCount),
    };
  }, [lines, from, to, floor, tickCount]);

  const xPercent = (t: number) => ((t - from) / (to - from || 1)) * 100;
  const yPercent = (v: number) => 100 - (v / (axis.top || 1)) * 100;

  const onMove = (e: MouseEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    if (rect.width <= 0) return;
    const t = from + ((e.clientX - rect.left) / rect.width) * (to - from);
    setHover(nearestIndex(times, t));
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (times.length === 0) return;
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      e.preventDefault();
      const step = e.key === 'ArrowLeft' ? -1 : 1;
      // Without a readout yet, the first press starts at the newest point.
      setHover(h =>
        h === null
          ? times.length - 1
          : Math.min(times.length - 1, Math.max(0, h + step)),
      );
    } else if (e.key === 'Escape') {
      setHover(null);
    }
  };

  const hoverTime = hover !== null && hover >= 0 ? times[hover] : undefined;
  const grid = theme.palette.divider;
  const text = theme.palette.text.secondary;
  const tickStyle = {
    position: 'absolute' as const,
    fontSize: 11,
    lineHeight: '14px',
    color: text,
    whiteSpace: 'nowrap' as const,
  };

  return (
    <Box>
      <Box display="flex" height={height - TICK_ROW}>
        <Box
          width={AXIS_WIDTH}
          flexShrink={0}
          position="relative"
          aria-hidden="true"
        >
          <span
            style={{
              ...tickStyle,
              left: 0,
              top: '50%',
              transform: 'translate(-35%, -50%) rotate(-90deg)',
            }}
          >
            {props.unitLabel}
          </span>
          {axis.ticks.map(v => (
            <span
              key={v}
              style={{
                ...tickStyle,
                right: 6,
                top: `${yPercent(v)}%`,
                transform: 'translateY(-50%)',
              }}
            >
              {props.formatValue(v)}
            </span>
          ))}
        </Box>
        <Box
          flex={1}
          minWidth={0}
          position="relative"
          tabIndex={0}
          role="img"
          aria-label={props.label}
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
          onKeyDown={onKey}
          onBlur={() => setHover(null)}
          style={{ outlineOffset: 2, cursor: 'crosshair' }}
        >
          {/* The plot's box, measured for the time labels (MUI 4's Box takes no ref). */}
          <div
            ref={plotRef}
            aria-hidden="true"
            style={{
              position: 'absolute',
              inset: 0,
              pointerEvents: 'none',
            }}
          />
          <svg
            width="100%"
            height="100%"
            viewBox={`0 0 ${VIEW} ${VIEW}`}
            preserveAspectRatio="none"
            style={{ display: 'block', overflow: 'hidden' }}
          >
            {axis.ticks.map(v => (
              <line
                key={`y${v}`}
                x1={0}
                x2={VIEW}
                y1={(yPercent(v) / 100) * VIEW}
                y2={(yPercent(v) / 100) * VIEW}
                stroke={grid}
                strokeDasharray="3 3"
                vectorEffect="non-scaling-stroke"
              />
            ))}
            {xTicks.map(t => (
              <line
                key={`x${t}`}
                y1={0}
                y2={VIEW}
                x1={(xPercent(t) / 100) * VIEW}
                x2={(xPercent(t) / 100) * VIEW}
                stroke={grid}
                strokeDasharray="3 3"
                vectorEffect="non-scaling-stroke"
              />
            ))}
            {lines.map((l, i) => (
              <path
                key={l.name}
                className="devops-chart-line"
                data-series={l.name}
                d={paths[i]}
                fill="none"
                stroke={l.colour}
                strokeWidth={2}
                strokeLinejoin="round"
                strokeLinecap="round"
                vectorEffect="non-scaling-stroke"
              />
            ))}
          </svg>
          {hoverTime !== undefined ? (
            <>
              <div
                style={{
                  position: 'absolute',
                  top: 0,
                  bottom: 0,
                  left: `${xPercent(hoverTime)}%`,
                  borderLeft: `1px solid ${text}`,
                  pointerEvents: 'none',
                }}
              />
              <Paper
                elevation={3}
                data-testid="chart-readout"
                style={{
                  position: 'absolute',
                  top: 4,
                  left: `${xPercent(hoverTime)}%`,
                  transform:
                    xPercent(hoverTime) > 55
                      ? 'translateX(calc(-100% - 8px))'
                      : 'translateX(8px)',
                  padding: '4px 8px',
                  pointerEvents: 'none',
                  whiteSpace: 'nowrap',
                  zIndex: 1,
                }}
              >
                <Typography variant="caption" display="block">
                  {pointLabel(hoverTime)}
                </Typography>
                {lines.map(l => {
                  const p = l.points.find(([t]) => t === hoverTime);
                  return (
                    <Typography key={l.name} variant="caption" display="block">
                      <span style={{ color: l.colour }}>■</span> {l.name}:{' '}
                      {props.formatValue(p ? p[1] : null)}
                    </Typography>
                  );
                })}
              </Paper>
            </>
          ) : null}
        </Box>
      </Box>
      <Box
        position="relative"
        height={TICK_ROW}
        ml={`${AXIS_WIDTH}px`}
        aria-hidden="true"
      >
        {xTicks.map(t => (
          <span
            key={t}
            style={{
              ...tickStyle,
              top: 4,
              left: `${xPercent(t)}%`,
              transform: along(xPercent(t)),
            }}
          >
            {tickLabel(range, t)}
          </span>
        ))}
      </Box>
      {lines.length > 1 ? (
        <Box
          display="flex"
          flexWrap="wrap"
          justifyContent="center"
          mt={0.5}
          style={{ gap: 12 }}
        >
          {lines.map(l => (
            <Typography key={l.name} variant="caption">
              <span style={{ color: l.colour }}>■</span> {l.name}
            </Typography>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
