import { AgentError } from './agent-adapter';
import { describeStatus, httpAgentError, isRetryableStatus, parseRetryAfter } from './http-errors';

const NOW = Date.parse('2025-06-01T12:00:00Z');

describe('isRetryableStatus', () => {
  it.each<[number | undefined, boolean]>([
    [undefined, false],
    [200, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [408, true],
    [409, true],
    [413, false],
    [422, false],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [529, true],
  ])('%s -> %s', (status, expected) => expect(isRetryableStatus(status)).toBe(expected));
});

describe('parseRetryAfter', () => {
  it.each<[string, Record<string, string | undefined>, number | undefined]>([
    ['nothing sent', {}, undefined],
    ['seconds', { 'retry-after': '30' }, 30_000],
    ['fractional seconds', { 'retry-after': '1.5' }, 1_500],
    ['zero seconds', { 'retry-after': '0' }, 0],
    ['an HTTP date in the future', { 'retry-after': 'Sun, 01 Jun 2025 12:00:45 GMT' }, 45_000],
    ['an HTTP date in the past waits nothing', { 'retry-after': 'Sun, 01 Jun 2025 11:00:00 GMT' }, 0],
    ['garbage', { 'retry-after': 'soon' }, undefined],
    ['retry-after-ms wins over retry-after', { 'retry-after-ms': '250', 'retry-after': '30' }, 250],
    ['retry-after-ms alone', { 'retry-after-ms': '1200' }, 1_200],
    ['an unusable retry-after-ms falls back to retry-after', { 'retry-after-ms': 'x', 'retry-after': '2' }, 2_000],
    ['a negative retry-after-ms falls back to retry-after', { 'retry-after-ms': '-5', 'retry-after': '2' }, 2_000],
    ['an empty retry-after-ms falls back to retry-after', { 'retry-after-ms': '', 'retry-after': '2' }, 2_000],
    ['an empty retry-after is no value', { 'retry-after': '' }, undefined],
  ])('%s', (_name, headers, expected) => {
    expect(parseRetryAfter(headers, NOW)).toBe(expected);
    // The same through a fetch Headers object, as the SDKs hand them over.
    const fetchHeaders = new Headers(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
    expect(parseRetryAfter(fetchHeaders, NOW)).toBe(expected);
  });

  it('reads a Headers object case-insensitively', () => {
    expect(parseRetryAfter(new Headers({ 'Retry-After': '3' }), NOW)).toBe(3_000);
  });
});

describe('describeStatus', () => {
  it.each<[number, string]>([
    [401, 'anthropic rejected the credentials (HTTP 401): check ANTHROPIC_API_KEY'],
    [403, 'anthropic refused the request (HTTP 403): the key lacks access to this model or feature'],
    [404, 'anthropic answered HTTP 404: check the model name and the base URL'],
    [429, 'anthropic rate limit (HTTP 429)'],
    [503, 'anthropic is overloaded (HTTP 503)'],
    [529, 'anthropic is overloaded (HTTP 529)'],
    [500, 'anthropic server error (HTTP 500)'],
    [400, 'anthropic rejected the request (HTTP 400)'],
  ])('%s', (status, expected) => expect(describeStatus(status, 'anthropic', 'ANTHROPIC_API_KEY')).toBe(expected));
});

describe('httpAgentError', () => {
  it.each<[string, number, string, number | undefined, { message: string; isRetryable: boolean }]>([
    ['a rate limit is retryable and keeps its retry-after', 429, 'slow down', 5_000, { message: 'openai rate limit (HTTP 429): slow down', isRetryable: true }],
    [
      'bad credentials are not retryable',
      401,
      'invalid x-api-key',
      undefined,
      { message: 'openai rejected the credentials (HTTP 401): check OPENAI_API_KEY: invalid x-api-key', isRetryable: false },
    ],
    ['no detail, no trailing colon', 500, '', undefined, { message: 'openai server error (HTTP 500)', isRetryable: true }],
  ])('%s', (_name, status, detail, retryAfterMs, expected) => {
    const cause = new Error('underlying');
    const error = httpAgentError(status, detail, { provider: 'openai', keyVariable: 'OPENAI_API_KEY', retryAfterMs, cause });
    expect(error).toBeInstanceOf(AgentError);
    expect({ message: error.message, isRetryable: error.isRetryable }).toEqual(expected);
    expect(error.statusCode).toBe(status);
    expect(error.retryAfterMs).toBe(retryAfterMs);
    expect(error.cause).toBe(cause);
  });
});
