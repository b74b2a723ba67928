import type { ErrorReply } from './wire-protocol';

const ERROR_KINDS: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

/** An error body in OpenAI's shape, shared by Chat Completions and Responses: `{error:{message,type,param,code}}`. */
export function openAiErrorBody(error: ErrorReply): unknown {
  const kind = ERROR_KINDS[error.status] ?? (error.status >= 500 ? { type: 'server_error', code: null } : ERROR_KINDS[400]);
  return { error: { message: error.message, type: error.errorType ?? kind.type, param: null, code: error.code ?? kind.code } };
}
