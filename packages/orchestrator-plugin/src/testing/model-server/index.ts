/**
 * A scripted model server for tests: real agent clients and SDKs talk to it on 127.0.0.1
 * as if it were Anthropic, OpenAI or Gemini, and it answers from a script.
 */
export { startModelServer, type ModelServer, type RecordedRequest } from './model-server';
export {
  createTurnSelector,
  matchesRequest,
  type Delivery,
  type ErrorTurn,
  type HangTurn,
  type MatchableRequest,
  type ModelScript,
  type ModelTurn,
  type RequestMatcher,
  type ScriptRule,
  type TextTurn,
  type ToolCallTurn,
  type TurnSelector,
  type TurnsPerKey,
} from './script';
export { DEFAULT_USAGE } from './send-turn';
export { type ScriptedClient, type WriteFileConversationOptions, writeFileConversation } from './write-file-conversation';
export type { Conversation, ModelApi, TokenUsage } from './wire-protocol';
