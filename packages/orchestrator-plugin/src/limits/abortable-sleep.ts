/** Resolves after `milliseconds`, or at once when `signal` aborts (the caller checks which). */
export function abortableSleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The error a wait ends with when the run is stopped (Ctrl-C, SIGTERM, a timeout). */
export function stoppedError(what: string): Error {
  const error = new Error(`stopped while ${what}`);
  error.name = 'AbortError';
  return error;
}
