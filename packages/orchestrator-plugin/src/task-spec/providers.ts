import type { ProviderId } from './plugin-options';

/**
 * Environment variables that choose which model or endpoint a provider's client uses: part of
 * a task's cache key. Never keys or tokens: those select nothing about the answer.
 */
export const PROVIDER_SELECTING_ENV: Readonly<Record<ProviderId, readonly string[]>> = {
  'claude-code': ['ANTHROPIC_BASE_URL', 'ANTHROPIC_MODEL', 'ANTHROPIC_SMALL_FAST_MODEL', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX'],
  codex: ['OPENAI_BASE_URL'],
  gemini: ['GOOGLE_GEMINI_BASE_URL', 'GEMINI_MODEL', 'GOOGLE_GENAI_USE_VERTEXAI'],
  anthropic: ['ANTHROPIC_BASE_URL', 'ANTHROPIC_MODEL'],
  openai: ['OPENAI_BASE_URL', 'OPENAI_MODEL'],
  command: [],
  scripted: [],
};

/** The npm package of each provider's client: its version is part of the cache key where the workspace locks it. */
export const PROVIDER_PACKAGES: Readonly<Record<ProviderId, readonly string[]>> = {
  'claude-code': ['@anthropic-ai/claude-code'],
  codex: ['@openai/codex'],
  gemini: ['@google/gemini-cli'],
  anthropic: ['@anthropic-ai/sdk'],
  openai: ['openai'],
  command: [],
  scripted: [],
};
