import { useCallback, useEffect, useRef, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { retryAfterSeconds } from '../api';

function pageVisible(): boolean {
  return (
    typeof document === 'undefined' || document.visibilityState !== 'hidden'
  );
}

/** Whether the page is visible (`document.visibilityState`), following its changes. */
export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(pageVisible);
  useEffect(() => {
    const onChange = () => setVisible(pageVisible());
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return visible;
}

/** What a live view knows of its last read. */
export interface LiveReadState<T> {
  /** The last good read of the current key (kept while a refresh runs and after one fails). */
  value?: T;
  /** The last read of the current key failed. */
  error?: Error;
}

/** The poll period after a read, in ms; null: no poll (signals or the user read again). */
export type LiveInterval<T> =
  | number
  | null
  | ((state: LiveReadState<T>) => number | null);

export interface LiveDataOptions<T> {
  /** Poll period after each read ends; a function of the last read (e.g. faster while a sync runs). */
  intervalMs: LiveInterval<T>;
  /** Read nothing while false (e.g. no entity yet). Default true. */
  enabled?: boolean;
}

export interface LiveData<T> extends LiveReadState<T> {
  /** The first read of the current key is under way: nothing to show yet. */
  loading: boolean;
  /** A read of the current key is under way (first or refresh). */
  reading: boolean;
  /** When `value` was read. */
  lastUpdated?: Date;
  /** When the read that produced `error` ended. */
  failedAt?: Date;
  /** Seconds the backend asked to wait (HTTP 429 Retry-After); the next read comes after exactly that. */
  retryAfterSeconds?: number;
  /** The error as the view shows it: "<message> — retrying in N s" after a 429. */
  errorMessage?: string;
  /** Read again now; asked during a read, it reads once more right after that read. */
  refresh(): void;
}

type Outcome<T> =
  | { key: string; ok: true; value: T; at: Date }
  | { key: string; ok: false; error: Error; at: Date };

/** The message of an error as a live view shows it. */
export function liveErrorMessage(error: Error): string {
  // A ResponseError says "Request failed with 503 …"; the backend's own words (which upstream, which
  // field, what to set) are in its cause.
  const cause = (error as { cause?: unknown }).cause;
  const message =
    cause instanceof Error && cause.message ? cause.message : error.message;
  const seconds = retryAfterSeconds(error);
  return seconds === undefined
    ? message
    : `${message} — retrying in ${seconds} s`;
}

/**
 * The one live-data hook of the plugin (model: community-plugins' Argo CD `useApplications`,
 * `useAsyncRetry` + `useInterval`). Reads `load()` for `key` and keeps it live:
 * - again `intervalMs` after each read ends, only while the page is visible, and at once when the page
 *   becomes visible again (when it polls at all);
 * - after a 429 whose error carries `retryAfterSeconds` (the backend's Retry-After), again after
 *   exactly that many seconds instead of the normal interval, whatever the interval is;
 * - never two reads at a time: a `refresh()` during a read is one more read right after it;
 * - the last good value of the key stays while a refresh runs and after a failed one; a new key starts
 *   empty (another entity's or panel's value never shows for this one).
 */
export function useLiveData<T>(
  key: string,
  load: () => Promise<T>,
  options: LiveDataOptions<T>,
): LiveData<T> {
  const enabled = options.enabled ?? true;
  const visible = usePageVisible();
  const loadRef = useRef(load);
  loadRef.current = load;

  const read = useAsyncRetry(async (): Promise<Outcome<T> | undefined> => {
    if (!enabled) return undefined;
    try {
      const value = await loadRef.current();
      return { key, ok: true, value, at: new Date() };
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      return { key, ok: false, error, at: new Date() };
    }
  }, [key, enabled]);

  const outcome = read.value?.key === key ? read.value : undefined;
  // The last good read of this key; idempotent, so safe during render.
  const good = useRef<Extract<Outcome<T>, { ok: true }>>();
  if (outcome?.ok) good.current = outcome;
  if (good.current && good.current.key !== key) good.current = undefined;
  const last = good.current;
  const error = outcome && !outcome.ok ? outcome.error : undefined;

  const loadingRef = useRef(read.loading);
  loadingRef.current = read.loading;
  const retryRef = useRef(read.retry);
  retryRef.current = read.retry;
  const pending = useRef(false);
  const refresh = useCallback(() => {
    if (loadingRef.current) pending.current = true;
    else retryRef.current();
  }, []);
  useEffect(() => {
    if (!read.loading && pending.current) {
      pending.current = false;
      retryRef.current();
    }
  }, [read.loading]);

  const waitSeconds = error ? retryAfterSeconds(error) : undefined;
  const interval = options.intervalMs;
  const normal =
    typeof interval === 'function'
      ? interval({ value: last?.value, error })
      : interval;
  const delay = waitSeconds !== undefined ? waitSeconds * 1000 : normal;
  // Null while a read runs, so each wait counts from the end of the last read.
  useInterval(
    refresh,
    enabled && visible && !read.loading && delay !== null ? delay : null,
  );

  const polls = enabled && delay !== null;
  const wasVisible = useRef(visible);
  useEffect(() => {
    if (visible && !wasVisible.current && polls) refresh();
    wasVisible.current = visible;
  }, [visible, polls, refresh]);

  return {
    value: last?.value,
    error,
    loading: enabled && !last && !error,
    reading: enabled && read.loading,
    lastUpdated: last?.at,
    failedAt: error ? outcome?.at : undefined,
    retryAfterSeconds: waitSeconds,
    errorMessage: error ? liveErrorMessage(error) : undefined,
    refresh,
  };
}
