import {
  activeFreeze,
  FreezeWindow,
  freezeMessage,
  parseFreezeWindow,
  zonedInstant,
} from './freezes';

const at = (iso: string) => new Date(iso);

const yearEnd = parseFreezeWindow(
  {
    name: 'Year-end freeze',
    environments: ['prod'],
    start: '2026-12-20T00:00:00Z',
    end: '2027-01-04T08:00:00+01:00',
  },
  'devopsApp.promotion.freezes[0]',
);

describe('activeFreeze: date ranges', () => {
  it('holds from its start (inclusive) to its end (exclusive)', () => {
    expect(
      activeFreeze([yearEnd], 'prod', at('2026-12-19T23:59:59.999Z')),
    ).toBe(undefined);
    expect(activeFreeze([yearEnd], 'prod', at('2026-12-20T00:00:00Z'))).toEqual(
      expect.objectContaining({
        name: 'Year-end freeze',
        until: '2027-01-04T07:00:00.000Z',
      }),
    );
    expect(
      activeFreeze([yearEnd], 'prod', at('2027-01-04T06:59:59.999Z'))?.name,
    ).toBe('Year-end freeze');
    expect(activeFreeze([yearEnd], 'prod', at('2027-01-04T07:00:00Z'))).toBe(
      undefined,
    );
  });

  it('applies only to its environments; without a list, to every environment', () => {
    const moment = at('2026-12-24T12:00:00Z');
    expect(activeFreeze([yearEnd], 'dev', moment)).toBe(undefined);
    const everywhere = { ...yearEnd, environments: undefined };
    expect(activeFreeze([everywhere], 'dev', moment)?.name).toBe(
      'Year-end freeze',
    );
  });

  it('of two windows in force, names the one that ends last', () => {
    const short: FreezeWindow = {
      name: 'Christmas',
      range: {
        start: Date.parse('2026-12-24T00:00:00Z'),
        end: Date.parse('2026-12-27T00:00:00Z'),
      },
    };
    const found = activeFreeze(
      [short, yearEnd],
      'prod',
      at('2026-12-25T00:00:00Z'),
    );
    expect(found?.name).toBe('Year-end freeze');
  });
});

describe('activeFreeze: weekly recurrence', () => {
  const fridays = parseFreezeWindow(
    {
      name: 'Friday afternoons',
      weekly: {
        days: ['fri'],
        start: '15:00',
        end: '18:00',
        timeZone: 'Europe/Berlin',
      },
    },
    'devopsApp.promotion.freezes[1]',
  );

  it('holds on its day from the start time (inclusive) to the end time (exclusive), local time', () => {
    // Friday 2026-12-04, Berlin is UTC+1 in winter: 15:00 local is 14:00Z.
    expect(activeFreeze([fridays], 'prod', at('2026-12-04T13:59:59Z'))).toBe(
      undefined,
    );
    expect(activeFreeze([fridays], 'prod', at('2026-12-04T14:00:00Z'))).toEqual(
      expect.objectContaining({ until: '2026-12-04T17:00:00.000Z' }),
    );
    expect(activeFreeze([fridays], 'prod', at('2026-12-04T16:59:59Z'))).toEqual(
      expect.objectContaining({ until: '2026-12-04T17:00:00.000Z' }),
    );
    expect(activeFreeze([fridays], 'prod', at('2026-12-04T17:00:00Z'))).toBe(
      undefined,
    );
    // Thursday at the same time: not its day.
    expect(activeFreeze([fridays], 'prod', at('2026-12-03T15:00:00Z'))).toBe(
      undefined,
    );
    // In summer Berlin is UTC+2: 15:00 local is 13:00Z.
    expect(
      activeFreeze([fridays], 'prod', at('2026-07-03T13:00:00Z'))?.until,
    ).toBe('2026-07-03T16:00:00.000Z');
  });

  it('crosses midnight when the end time is before the start time (ends the next day)', () => {
    const nights = parseFreezeWindow(
      {
        name: 'Saturday night',
        weekly: {
          days: ['sat'],
          start: '22:00',
          end: '06:00',
          timeZone: 'UTC',
        },
      },
      'f',
    );
    expect(activeFreeze([nights], 'prod', at('2026-12-05T21:59:59Z'))).toBe(
      undefined,
    );
    expect(
      activeFreeze([nights], 'prod', at('2026-12-05T22:00:00Z'))?.until,
    ).toBe('2026-12-06T06:00:00.000Z');
    // Sunday 03:00 belongs to Saturday's occurrence.
    expect(
      activeFreeze([nights], 'prod', at('2026-12-06T03:00:00Z'))?.until,
    ).toBe('2026-12-06T06:00:00.000Z');
    expect(activeFreeze([nights], 'prod', at('2026-12-06T06:00:00Z'))).toBe(
      undefined,
    );
    // Sunday 22:00 is not an occurrence: the window starts on Saturdays only.
    expect(activeFreeze([nights], 'prod', at('2026-12-06T22:30:00Z'))).toBe(
      undefined,
    );
  });

  it('ends at the local end time on a DST day (an hour shorter in spring, longer in autumn)', () => {
    const sundays = parseFreezeWindow(
      {
        name: 'Sunday maintenance',
        weekly: {
          days: ['sun'],
          start: '01:00',
          end: '04:00',
          timeZone: 'Europe/Berlin',
        },
      },
      'f',
    );
    // 2026-03-29: clocks go from 02:00 CET to 03:00 CEST. 01:00 CET is 00:00Z, 04:00 CEST is 02:00Z.
    expect(activeFreeze([sundays], 'dev', at('2026-03-28T23:59:59Z'))).toBe(
      undefined,
    );
    expect(
      activeFreeze([sundays], 'dev', at('2026-03-29T00:00:00Z'))?.until,
    ).toBe('2026-03-29T02:00:00.000Z');
    expect(
      activeFreeze([sundays], 'dev', at('2026-03-29T01:30:00Z'))?.until,
    ).toBe('2026-03-29T02:00:00.000Z');
    expect(activeFreeze([sundays], 'dev', at('2026-03-29T02:00:00Z'))).toBe(
      undefined,
    );
    // 2026-10-25: 03:00 CEST goes back to 02:00 CET. 01:00 CEST is 23:00Z, 04:00 CET is 03:00Z.
    expect(
      activeFreeze([sundays], 'dev', at('2026-10-24T23:00:00Z'))?.until,
    ).toBe('2026-10-25T03:00:00.000Z');
    expect(
      activeFreeze([sundays], 'dev', at('2026-10-25T02:59:59Z'))?.name,
    ).toBe('Sunday maintenance');
    expect(activeFreeze([sundays], 'dev', at('2026-10-25T03:00:00Z'))).toBe(
      undefined,
    );
  });
});

describe('zonedInstant', () => {
  const wall = (iso: string) => Date.parse(`${iso}Z`);
  it('reads a skipped time with the offset before the jump, a doubled one as its first occurrence', () => {
    expect(
      new Date(
        zonedInstant(wall('2026-03-29T02:30:00'), 'Europe/Berlin'),
      ).toISOString(),
    ).toBe('2026-03-29T01:30:00.000Z');
    expect(
      new Date(
        zonedInstant(wall('2026-10-25T02:30:00'), 'Europe/Berlin'),
      ).toISOString(),
    ).toBe('2026-10-25T00:30:00.000Z');
    expect(
      new Date(
        zonedInstant(wall('2026-12-04T15:00:00'), 'America/New_York'),
      ).toISOString(),
    ).toBe('2026-12-04T20:00:00.000Z');
  });
});

describe('parseFreezeWindow', () => {
  const parse = (raw: object) =>
    parseFreezeWindow(
      { name: 'w', ...raw } as Parameters<typeof parseFreezeWindow>[0],
      'devopsApp.promotion.freezes[2]',
    );
  it('refuses a window that is neither or both of a range and a weekly recurrence', () => {
    expect(() => parse({})).toThrow(/either start and end .* or weekly/);
    expect(() =>
      parse({
        start: '2026-12-20T00:00:00Z',
        end: '2026-12-21T00:00:00Z',
        weekly: {
          days: ['mon'],
          start: '10:00',
          end: '11:00',
          timeZone: 'UTC',
        },
      }),
    ).toThrow(/not both/);
  });
  it('names the key of a bad date, time, day or time zone', () => {
    expect(() =>
      parse({ start: '2026-12-20', end: '2026-12-21T00:00:00Z' }),
    ).toThrow(/freezes\[2\]\.start must be an ISO 8601 date and time with Z/);
    expect(() =>
      parse({ start: '2026-12-21T00:00:00Z', end: '2026-12-20T00:00:00Z' }),
    ).toThrow(/freezes\[2\]\.end must be after/);
    expect(() =>
      parse({
        weekly: {
          days: ['funday'],
          start: '10:00',
          end: '11:00',
          timeZone: 'UTC',
        },
      }),
    ).toThrow(/weekly\.days\[0\] must be a day of the week/);
    expect(() =>
      parse({
        weekly: {
          days: ['mon'],
          start: '24:00',
          end: '11:00',
          timeZone: 'UTC',
        },
      }),
    ).toThrow(/weekly\.start must be a time of day HH:MM/);
    expect(() =>
      parse({
        weekly: {
          days: ['mon'],
          start: '10:00',
          end: '11:00',
          timeZone: 'Mars/Olympus',
        },
      }),
    ).toThrow(/weekly\.timeZone must be an IANA time zone/);
  });
  it('accepts full day names', () => {
    expect(
      parse({
        weekly: {
          days: ['Friday'],
          start: '10:00',
          end: '11:00',
          timeZone: 'UTC',
        },
      }).weekly?.days,
    ).toEqual(['fri']);
  });
});

describe('freezeMessage', () => {
  it('names the window and when it ends', () => {
    expect(
      freezeMessage('prod', {
        name: 'Year-end freeze',
        until: '2027-01-04T07:00:00.000Z',
        description: 'no changes over the holidays',
      }),
    ).toBe(
      'prod is frozen by freeze window "Year-end freeze" until 2027-01-04T07:00:00.000Z: no changes over the holidays',
    );
  });
});
