import {
  LogRow,
  LogsRequest,
  LogsResponse,
  NotConfiguredResponse,
} from '@devops-app/plugin-devops-app-common';
import { useEffect, useRef, useState } from 'react';

/** Rows of `next` not already in `rows` (a line at a page boundary can come twice). */
export function appendNew(rows: LogRow[], next: LogRow[]): LogRow[] {
  const seen = new Set(rows.map(r => r.id));
  const added: LogRow[] = [];
  for (const row of next) {
    if (!seen.has(row.id)) {
      seen.add(row.id);
      added.push(row);
    }
  }
  return added.length ? [...rows, ...added] : rows;
}

/**
 * The pages after the first: `loadMore` asks for the next page with Datadog's cursor, the same filters
 * and the first page's window, and appends its lines without duplicates. A new first page (other filters,
 * range, environment or a refresh) starts over.
 */
export function useOlderLogs(
  first: LogsResponse | NotConfiguredResponse | undefined,
  request: Omit<LogsRequest, 'range' | 'from' | 'to' | 'cursor'>,
  search: (
    request: LogsRequest,
  ) => Promise<LogsResponse | NotConfiguredResponse>,
) {
  const [pages, setPages] = useState<{
    base: LogsResponse;
    rows: LogRow[];
    nextCursor?: string;
  }>();
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<Error>();
  const current = useRef(first);
  current.current = first;
  // The filters of the first page: whatever changes them also brings a new first page.
  const filters = useRef(request);
  filters.current = request;

  useEffect(() => {
    setPages(undefined);
    setError(undefined);
    setLoading(false);
  }, [first]);

  const firstPage = first && first.configured ? first : undefined;
  const live = pages && pages.base === firstPage ? pages : undefined;
  const rows = live ? live.rows : firstPage?.rows ?? [];
  const nextCursor = live ? live.nextCursor : firstPage?.nextCursor;

  const loadMore = async () => {
    if (!firstPage || !nextCursor || !firstPage.from || !firstPage.to) return;
    setLoading(true);
    setError(undefined);
    try {
      const answer = await search({
        ...filters.current,
        cursor: nextCursor,
        from: firstPage.from,
        to: firstPage.to,
      });
      if (current.current !== firstPage) return;
      if (!answer.configured) throw new Error(answer.message);
      setPages({
        base: firstPage,
        rows: appendNew(rows, answer.rows),
        nextCursor: answer.nextCursor,
      });
    } catch (e) {
      if (current.current === firstPage) setError(e as Error);
    } finally {
      if (current.current === firstPage) setLoading(false);
    }
  };

  return { rows, nextCursor, loading, error, loadMore, extended: !!live };
}
