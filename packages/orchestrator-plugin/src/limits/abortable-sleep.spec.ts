import { abortableSleep } from './abortable-sleep';

describe('abortableSleep', () => {
  it.each<[string, (controller: AbortController) => void, number, [number, number]]>([
    ['waits the full time without an abort', () => undefined, 40, [35, 1_000]],
    ['returns at once when already aborted', (controller) => controller.abort(), 60_000, [0, 1_000]],
    ['returns early when aborted while waiting', (controller) => setTimeout(() => controller.abort(), 10), 60_000, [5, 1_000]],
  ])('%s', async (_name, arrange, milliseconds, [minimum, maximum]) => {
    const controller = new AbortController();
    arrange(controller);
    const started = Date.now();
    await abortableSleep(milliseconds, controller.signal);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(minimum);
    expect(elapsed).toBeLessThan(maximum);
  });
});
