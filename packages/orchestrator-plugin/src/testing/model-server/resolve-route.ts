import { anthropicWire } from './anthropic-wire';
import { geminiWire, parseGeminiPath } from './gemini-wire';
import { openAiChatWire } from './openai-chat-wire';
import { openAiResponsesWire } from './openai-responses-wire';
import type { WireProtocol } from './wire-protocol';

/** What the server does with a request. */
export type Route =
  | { kind: 'generate'; wire: WireProtocol }
  | { kind: 'count-tokens'; wire: WireProtocol }
  | { kind: 'health' }
  /** `wire` is set where the path shows whose error shape the client expects. */
  | { kind: 'not-found'; wire?: WireProtocol };

const GENERATE_PATHS: Record<string, WireProtocol> = {
  '/v1/messages': anthropicWire,
  '/v1/chat/completions': openAiChatWire,
  '/v1/responses': openAiResponsesWire,
};

const HEALTH_PATHS = new Set(['/', '/health', '/healthz']);

/** Routes a request by method and path (query string removed). */
export function resolveRoute(method: string, path: string): Route {
  if (method === 'HEAD' || (method === 'GET' && HEALTH_PATHS.has(path))) return { kind: 'health' };
  const gemini = parseGeminiPath(path);
  if (method === 'POST') {
    if (GENERATE_PATHS[path]) return { kind: 'generate', wire: GENERATE_PATHS[path] };
    if (path === '/v1/messages/count_tokens') return { kind: 'count-tokens', wire: anthropicWire };
    if (gemini?.method === 'generateContent' || gemini?.method === 'streamGenerateContent') return { kind: 'generate', wire: geminiWire };
    if (gemini?.method === 'countTokens') return { kind: 'count-tokens', wire: geminiWire };
  }
  return { kind: 'not-found', wire: /^\/v1(beta|alpha)\//.test(path) ? geminiWire : undefined };
}
