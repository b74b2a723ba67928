import {
  type Conversation,
  type ErrorReply,
  type ModelReply,
  type TokenUsage,
  type WireProtocol,
  isRecord,
  promptTokenCount,
  randomIdentifier,
  splitIntoChunks,
  textOf,
} from './wire-protocol';

/** `/v1beta/models/<model>:<method>`; also v1 and v1alpha. */
const GEMINI_PATH = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(\w+)$/;

const STATUSES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

type Part = Record<string, unknown>;

function partsOf(content: unknown): Part[] {
  return isRecord(content) && Array.isArray(content.parts) ? content.parts.filter(isRecord) : [];
}

function readConversation(body: Record<string, unknown>): Conversation {
  const system = textOf(partsOf(body.systemInstruction ?? body.system_instruction));
  const conversation: Conversation = { system, userTexts: [], toolResults: [], endsWithToolResult: false };
  const contents = Array.isArray(body.contents) ? body.contents.filter(isRecord) : [];
  for (const content of contents) {
    if (content.role === 'model') continue;
    const parts = partsOf(content);
    const text = textOf(parts.filter((part) => typeof part.text === 'string'));
    if (text !== '') conversation.userTexts.push(text);
    for (const part of parts) if (part.functionResponse !== undefined) conversation.toolResults.push(JSON.stringify(part.functionResponse));
  }
  conversation.endsWithToolResult = partsOf(contents.at(-1)).some((part) => part.functionResponse !== undefined);
  return conversation;
}

function usageOf(usage: TokenUsage): Record<string, unknown> {
  const promptTokens = promptTokenCount(usage);
  return {
    promptTokenCount: promptTokens,
    candidatesTokenCount: usage.outputTokens,
    totalTokenCount: promptTokens + usage.outputTokens,
    ...(usage.cacheReadInputTokens > 0 && { cachedContentTokenCount: usage.cacheReadInputTokens }),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
  };
}

function replyParts(reply: ModelReply): Part[] {
  const parts: Part[] = [];
  if (reply.text !== undefined && (reply.text !== '' || !reply.toolCall)) parts.push({ text: reply.text });
  if (reply.toolCall) parts.push({ functionCall: { name: reply.toolCall.name, args: reply.toolCall.input } });
  return parts;
}

function chunk(parts: Part[], finished: boolean, usage: Record<string, unknown>, model: string, responseId: string): Part {
  const candidate = { content: { role: 'model', parts }, ...(finished && { finishReason: 'STOP' }), index: 0 };
  return { candidates: [candidate], usageMetadata: usage, modelVersion: model, responseId };
}

/** Gemini `generateContent` / `streamGenerateContent?alt=sse` (what gemini-cli speaks). */
export const geminiWire: WireProtocol = {
  api: 'gemini',
  requestIdHeader: 'x-goog-request-id',

  readRequest(body, path) {
    const [, model = 'gemini-scripted', method = ''] = GEMINI_PATH.exec(path) ?? [];
    return { model, stream: method === 'streamGenerateContent', conversation: readConversation(body), body };
  },

  renderJson(reply, request) {
    return chunk(replyParts(reply), true, usageOf(reply.usage), request.model, randomIdentifier('', 22));
  },

  renderStream(reply, request) {
    const responseId = randomIdentifier('', 22);
    const promptOnly = usageOf({ ...reply.usage, outputTokens: 0 });
    const pieces: Part[] = splitIntoChunks(reply.text ?? '').map((text) => ({ text }));
    pieces.push(...replyParts(reply).filter((part) => part.functionCall));
    if (pieces.length === 0) pieces.push({ text: '' });
    return pieces.map((part, index) => {
      const finished = index === pieces.length - 1;
      const payload = chunk([part], finished, finished ? usageOf(reply.usage) : promptOnly, request.model, responseId);
      return `data: ${JSON.stringify(payload)}\r\n\r\n`;
    });
  },

  renderError(error: ErrorReply) {
    const status = error.errorType ?? STATUSES[error.status] ?? (error.status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
    return { error: { code: error.status, message: error.message, status } };
  },
};

/** The model named in a Gemini path and the method called on it, or `undefined` for other paths. */
export function parseGeminiPath(path: string): { model: string; method: string } | undefined {
  const match = GEMINI_PATH.exec(path);
  return match ? { model: match[1], method: match[2] } : undefined;
}
