import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { AgentError } from '../agent-adapter';
import { toModelApiError } from './model-api-errors';

const SECRET = 'sk-secret-value-123';
const context = { provider: 'Svc', keyVariable: 'SVC_API_KEY', baseUrl: 'http://127.0.0.1:9/v1', signal: new AbortController().signal, secrets: [SECRET] };

const anthropicBody = (type: string, message: string) => ({ type: 'error', error: { type, message } });
const openAiBody = (message: string) => ({ error: { message, type: 'invalid_request_error', param: null, code: null } });
const cause = (error: Error, inner: unknown) => Object.assign(error, { cause: inner });

describe('toModelApiError', () => {
  it.each([
    {
      name: 'Anthropic 429 with retry-after',
      error: Anthropic.APIError.generate(429, anthropicBody('rate_limit_error', 'slow down'), undefined, new Headers({ 'retry-after': '7' })),
      expected: { isRetryable: true, statusCode: 429, retryAfterMs: 7_000, message: 'Svc rate limit (HTTP 429): slow down' },
    },
    {
      name: 'OpenAI 429 with retry-after-ms',
      error: OpenAI.APIError.generate(429, openAiBody('Rate limit reached'), undefined, new Headers({ 'retry-after-ms': '1500' })),
      expected: { isRetryable: true, statusCode: 429, retryAfterMs: 1_500, message: 'Svc rate limit (HTTP 429): Rate limit reached' },
    },
    {
      name: 'Anthropic 529 overloaded',
      error: Anthropic.APIError.generate(529, anthropicBody('overloaded_error', 'Overloaded'), undefined, new Headers()),
      expected: { isRetryable: true, statusCode: 529, message: 'Svc is overloaded (HTTP 529): Overloaded' },
    },
    {
      name: 'OpenAI 408 and 409',
      error: OpenAI.APIError.generate(409, openAiBody('conflict'), undefined, new Headers()),
      expected: { isRetryable: true, statusCode: 409 },
    },
    {
      name: 'Anthropic 401, whose body echoes the key',
      error: Anthropic.APIError.generate(401, anthropicBody('authentication_error', `invalid x-api-key ${SECRET}`), undefined, new Headers()),
      expected: { isRetryable: false, statusCode: 401, message: 'Svc rejected the credentials (HTTP 401): check SVC_API_KEY: invalid x-api-key ***' },
    },
    {
      name: 'OpenAI 403',
      error: OpenAI.APIError.generate(403, openAiBody('no access'), undefined, new Headers()),
      expected: { isRetryable: false, statusCode: 403 },
    },
    {
      name: 'OpenAI 404 for a model',
      error: OpenAI.APIError.generate(404, openAiBody('The model `x` does not exist'), undefined, new Headers()),
      expected: { isRetryable: false, statusCode: 404, message: 'Svc answered HTTP 404: check the model name and the base URL: The model `x` does not exist' },
    },
    {
      name: 'a 500 the server says not to retry',
      error: OpenAI.APIError.generate(500, openAiBody('bad'), undefined, new Headers({ 'x-should-retry': 'false' })),
      expected: { isRetryable: false, statusCode: 500 },
    },
    {
      name: 'a 400 the server says to retry',
      error: Anthropic.APIError.generate(400, anthropicBody('invalid_request_error', 'try again'), undefined, new Headers({ 'x-should-retry': 'true' })),
      expected: { isRetryable: true, statusCode: 400 },
    },
    {
      name: 'Anthropic timeout',
      error: new Anthropic.APIConnectionTimeoutError(),
      expected: { isRetryable: true, message: 'Svc request to http://127.0.0.1:9/v1 timed out' },
    },
    {
      name: 'OpenAI timeout as jest surfaces it: a plain connection error',
      error: new OpenAI.APIConnectionError({ cause: new Error('{}') }),
      expected: { isRetryable: true, message: 'could not reach Svc at http://127.0.0.1:9/v1: check the base URL and that the server is running' },
    },
    {
      name: 'connection refused',
      error: new OpenAI.APIConnectionError({
        cause: cause(new TypeError('fetch failed'), Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      }),
      expected: {
        isRetryable: true,
        message: 'could not reach Svc at http://127.0.0.1:9/v1 (ECONNREFUSED): check the base URL and that the server is running',
      },
    },
    {
      name: 'Anthropic stream cut (the SDK wraps undici)',
      error: new Anthropic.AnthropicError('TypeError: terminated'),
      expected: { isRetryable: true, message: 'Svc response from http://127.0.0.1:9/v1 was cut off part-way (TypeError: terminated)' },
    },
    {
      name: 'OpenAI stream cut (undici socket error)',
      error: cause(new TypeError('terminated'), Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })),
      expected: { isRetryable: true },
    },
    {
      name: 'a stream that ended cleanly before the reply finished',
      error: new Error('stream ended without a finish_reason'),
      expected: { isRetryable: true },
    },
    {
      name: 'anything else',
      error: new TypeError('Cannot read properties of undefined'),
      expected: { isRetryable: false, message: 'Svc request failed: Cannot read properties of undefined' },
    },
  ])('$name', ({ error, expected }) => {
    const mapped = toModelApiError(error, context);
    expect(mapped).toBeInstanceOf(AgentError);
    expect(mapped).toMatchObject(expected);
    expect(mapped.message).not.toContain(SECRET);
    expect(mapped.cause).toBe(error);
  });

  it.each([
    { name: 'Anthropic abort', error: new Anthropic.APIUserAbortError() },
    { name: 'OpenAI abort', error: new OpenAI.APIUserAbortError() },
    { name: 'a DOM AbortError', error: Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }) },
  ])('$name is final', ({ error }) => {
    expect(toModelApiError(error, context)).toMatchObject({ isRetryable: false, message: 'Svc request stopped: the run was aborted' });
  });

  it('treats anything after the run was aborted as final, even a connection error', () => {
    const controller = new AbortController();
    controller.abort();
    expect(toModelApiError(new OpenAI.APIConnectionError({}), { ...context, signal: controller.signal })).toMatchObject({ isRetryable: false });
  });

  it('passes AgentErrors through', () => {
    const error = new AgentError('x', { isRetryable: false });
    expect(toModelApiError(error, context)).toBe(error);
  });
});
