import { FreezeNotice } from '@devops-app/plugin-devops-app-common';

/**
 * Freeze windows (`devopsApp.promotion.freezes`): named periods in which deploys, promotions and
 * rollbacks into an environment are refused (409 naming the window and its end), unless a production
 * deployer breaks glass. A window is either a date range (ISO instants) or a weekly recurrence (days
 * of the week, a start and end time of day, in an IANA time zone). Every window's start is inclusive
 * and its end exclusive.
 */

export const WEEKDAYS = [
  'sun',
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const WEEKDAY_NAMES = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];

/** Every week on `days`, from `start` to `end` (HH:MM wall-clock time in `timeZone`). */
export interface WeeklyFreeze {
  /** The days the window starts on. */
  days: Weekday[];
  /** Minutes after midnight, local time. */
  startMinute: number;
  /** Minutes after midnight; at or before `startMinute`: the window ends the next day. */
  endMinute: number;
  timeZone: string;
}

export interface FreezeWindow {
  name: string;
  /** Environment names it applies to; undefined: every environment. */
  environments?: string[];
  /** Shown with the refusal, e.g. why the freeze is there. */
  description?: string;
  /** A date range: from `start` (inclusive) to `end` (exclusive), epoch milliseconds. */
  range?: { start: number; end: number };
  weekly?: WeeklyFreeze;
}

/** A window in force at an instant, with when it ends (ISO). */
export type ActiveFreeze = FreezeWindow & { until: string };

const MINUTES_PER_DAY = 1440;

/** The wall-clock date and time of `at` in `timeZone` (Intl's tz database; no library). */
function wallClock(at: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const get = (type: string) =>
    Number(parts.find(p => p.type === type)?.value ?? 0);
  const year = get('year');
  const month = get('month');
  const day = get('day');
  const wall = Date.UTC(
    year,
    month - 1,
    day,
    get('hour'),
    get('minute'),
    get('second'),
  );
  // Sub-second precision kept, so that an end exactly at `at` is reached (exclusive).
  const ms = at - Math.floor(at / 1000) * 1000;
  return { year, month, day, wall: wall + ms };
}

/** The UTC offset of `timeZone` at `at`, in milliseconds (wall clock minus UTC). */
function offsetMs(at: number, timeZone: string): number {
  return wallClock(at, timeZone).wall - at;
}

/**
 * The instant a wall-clock time in `timeZone` names, as Temporal's `compatible` disambiguation: a
 * time that does not exist on a DST day (the hour skipped in spring) is read with the offset before
 * the jump (02:30 becomes 03:30 summer time); a time that exists twice (autumn) is its first occurrence.
 */
export function zonedInstant(wallUtcMs: number, timeZone: string): number {
  const before = offsetMs(wallUtcMs - 86_400_000, timeZone);
  const after = offsetMs(wallUtcMs + 86_400_000, timeZone);
  const exact = [wallUtcMs - before, wallUtcMs - after]
    .filter(t => wallClock(t, timeZone).wall === wallUtcMs)
    .sort((a, b) => a - b);
  return exact[0] ?? wallUtcMs - before;
}

/** When the weekly window active at `at` ends, or undefined when none of its occurrences holds `at`. */
function weeklyEnd(weekly: WeeklyFreeze, at: number): number | undefined {
  const local = wallClock(at, weekly.timeZone);
  const midnight = Date.UTC(local.year, local.month - 1, local.day);
  const minute = (local.wall - midnight) / 60_000;
  const weekday = new Date(midnight).getUTCDay();
  const length =
    weekly.endMinute > weekly.startMinute
      ? weekly.endMinute - weekly.startMinute
      : weekly.endMinute + MINUTES_PER_DAY - weekly.startMinute;
  // An occurrence that started today, or yesterday and crosses midnight.
  for (const daysAgo of [0, 1]) {
    const startDay = WEEKDAYS[(weekday - daysAgo + 7) % 7];
    if (!weekly.days.includes(startDay)) continue;
    const start = weekly.startMinute - daysAgo * MINUTES_PER_DAY;
    const end = start + length;
    if (minute >= start && minute < end) {
      return zonedInstant(midnight + end * 60_000, weekly.timeZone);
    }
  }
  return undefined;
}

/** When `window` in force at `at` ends; undefined when it is not in force then. */
export function freezeEnd(
  window: FreezeWindow,
  at: number,
): number | undefined {
  if (window.range) {
    return at >= window.range.start && at < window.range.end
      ? window.range.end
      : undefined;
  }
  return window.weekly ? weeklyEnd(window.weekly, at) : undefined;
}

/**
 * The freeze window in force for `environment` at `at`, with its end; when several are, the one that
 * ends last (the environment stays frozen until then, unless a later window starts in between).
 */
export function activeFreeze(
  freezes: FreezeWindow[],
  environment: string,
  at: Date,
): ActiveFreeze | undefined {
  const t = at.getTime();
  let found: ActiveFreeze | undefined;
  let foundEnd = -Infinity;
  for (const window of freezes) {
    if (window.environments && !window.environments.includes(environment)) {
      continue;
    }
    const end = freezeEnd(window, t);
    if (end !== undefined && end > foundEnd) {
      foundEnd = end;
      found = { ...window, until: new Date(end).toISOString() };
    }
  }
  return found;
}

/** What the UI and the refusal say of an active window. */
export function freezeNotice(freeze: ActiveFreeze): FreezeNotice {
  return {
    name: freeze.name,
    until: freeze.until,
    description: freeze.description,
  };
}

/** The refusal's words: "<env> is frozen by <name> until <ISO>[: <description>]". */
export function freezeMessage(
  environment: string,
  freeze: FreezeNotice,
): string {
  return `${environment} is frozen by freeze window "${freeze.name}" until ${
    freeze.until
  }${freeze.description ? `: ${freeze.description}` : ''}`;
}

const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minuteOf(value: string, key: string): number {
  const m = TIME_PATTERN.exec(value);
  if (!m) {
    throw new Error(
      `${key} must be a time of day HH:MM (00:00 to 23:59), got "${value}"`,
    );
  }
  return Number(m[1]) * 60 + Number(m[2]);
}

/** An ISO 8601 instant with its offset or Z (a local time without a zone is ambiguous: refused). */
const INSTANT_PATTERN =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function instantOf(value: string, key: string): number {
  const t = Date.parse(value);
  if (!INSTANT_PATTERN.test(value) || !Number.isFinite(t)) {
    throw new Error(
      `${key} must be an ISO 8601 date and time with Z or an offset (e.g. 2026-12-20T00:00:00Z), got "${value}"`,
    );
  }
  return t;
}

/** One window as written in config, before it is checked. */
export interface FreezeWindowConfig {
  name: string;
  environments?: string[];
  description?: string;
  start?: string;
  end?: string;
  weekly?: { days: string[]; start: string; end: string; timeZone: string };
}

/** Checks one configured window; errors name the key (`path`) and what is wrong with it. */
export function parseFreezeWindow(
  raw: FreezeWindowConfig,
  path: string,
): FreezeWindow {
  const window: FreezeWindow = {
    name: raw.name,
    environments: raw.environments,
    description: raw.description,
  };
  if (!raw.name.trim()) throw new Error(`${path}.name must not be empty`);
  const hasRange = raw.start !== undefined || raw.end !== undefined;
  if (hasRange === Boolean(raw.weekly)) {
    throw new Error(
      `${path} ("${raw.name}") must have either start and end (a date range) or weekly, not both or neither`,
    );
  }
  if (hasRange) {
    if (raw.start === undefined || raw.end === undefined) {
      throw new Error(`${path} ("${raw.name}") needs both start and end`);
    }
    const start = instantOf(raw.start, `${path}.start`);
    const end = instantOf(raw.end, `${path}.end`);
    if (end <= start) {
      throw new Error(`${path}.end must be after ${path}.start`);
    }
    window.range = { start, end };
    return window;
  }
  const weekly = raw.weekly!;
  const days = weekly.days.map((d, i) => {
    const lower = d.toLowerCase();
    const day = lower.slice(0, 3) as Weekday;
    const full = WEEKDAY_NAMES[WEEKDAYS.indexOf(day)];
    if (!WEEKDAYS.includes(day) || (lower !== day && lower !== full)) {
      throw new Error(
        `${path}.weekly.days[${i}] must be a day of the week (mon, tue, ... sun), got "${d}"`,
      );
    }
    return day;
  });
  if (days.length === 0) {
    throw new Error(`${path}.weekly.days must name at least one day`);
  }
  try {
    Intl.DateTimeFormat('en-US', {
      timeZone: weekly.timeZone,
    }).resolvedOptions();
  } catch {
    throw new Error(
      `${path}.weekly.timeZone must be an IANA time zone (e.g. Europe/Berlin), got "${weekly.timeZone}"`,
    );
  }
  const startMinute = minuteOf(weekly.start, `${path}.weekly.start`);
  const endMinute = minuteOf(weekly.end, `${path}.weekly.end`);
  if (startMinute === endMinute) {
    throw new Error(
      `${path}.weekly.end must differ from its start (a whole day: 00:00 to 23:59 on each day)`,
    );
  }
  window.weekly = { days, startMinute, endMinute, timeZone: weekly.timeZone };
  return window;
}
