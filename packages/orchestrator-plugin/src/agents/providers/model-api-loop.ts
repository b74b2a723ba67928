import { AgentError, type AgentRunOutput, type AgentRunRequest } from '../agent-adapter';
import { priceTokens } from '../pricing';
import type { ModelApiSettings } from './model-api-settings';
import { describeToolCall, runFileTool, type ToolCall, type ToolOutcome } from './model-api-tools';

/** One model reply, read the same way for every API. */
export interface ModelReply {
  /** The reply's text (all text parts joined). */
  text: string;
  toolCalls: ToolCall[];
  /** Every prompt token of this request, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** Only where the server reports a cost (some OpenAI-compatible gateways do). */
  costUsd?: number;
  /** The model the server says answered. */
  model?: string;
  /** The reply stopped at the output token limit: its tool inputs may be incomplete. */
  truncated: boolean;
}

/** A conversation with one model API, kept by the provider in its own message format. */
export interface ModelConversation {
  /** Sends the conversation so far, streaming the reply, and adds the reply to the conversation. */
  send(): Promise<ModelReply>;
  /** Adds the outcomes of the last reply's tool calls, in call order. */
  addToolResults(results: ReadonlyArray<{ call: ToolCall; outcome: ToolOutcome }>): void;
}

/** What the loop needs besides the request. */
export interface ModelApiLoopOptions {
  conversation: ModelConversation;
  settings: ModelApiSettings;
  /** The model asked for, reported when the server names none. */
  model: string;
  /** Maps whatever a model call threw to an AgentError (see toModelApiError). */
  toAgentError: (error: unknown) => AgentError;
}

const TRUNCATED_CALL =
  'Error: your reply hit the output token limit, so this call arrived incomplete and was not run. Send smaller pieces (e.g. several edit_file calls).';

/**
 * The agent loop of a plain model API: send the conversation, run the tool calls of the reply
 * inside the workspace, send their results, until the model answers without tool calls (its
 * text is the summary) or `maxTurns` model requests have been made (a final failure), or the
 * request's `budget` is spent while the model still wants tools (a final failure too: the next
 * request would pass it). Before each request it waits out the provider's shared pause
 * (`beforeModelRequest`), so a rate limit another task met holds back every turn. Emits a
 * turn event per request, a tool event per call, a file event per file written and the
 * running token usage. Tokens add up over the turns.
 */
export async function runModelApiLoop(request: AgentRunRequest, options: ModelApiLoopOptions): Promise<AgentRunOutput> {
  const { conversation, settings } = options;
  const filesWritten: string[] = [];
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd: number | undefined;
  let model = options.model;
  let lastText = '';
  for (let turn = 1; ; turn++) {
    request.onEvent({ type: 'turn', turn });
    let reply: ModelReply;
    try {
      await request.beforeModelRequest?.();
      reply = await conversation.send();
    } catch (error) {
      // The turns before the failing one were paid for: the error carries them.
      const failure = options.toAgentError(error);
      failure.usage ??= { inputTokens, outputTokens, ...(costUsd !== undefined && { costUsd }), model };
      throw failure;
    }
    inputTokens += reply.inputTokens;
    outputTokens += reply.outputTokens;
    if (reply.costUsd !== undefined) costUsd = (costUsd ?? 0) + reply.costUsd;
    model = reply.model || model;
    request.onEvent({ type: 'usage', inputTokens, outputTokens });
    if (reply.text.trim() !== '') {
      lastText = reply.text.trim();
      request.onEvent({ type: 'text', text: lastText });
    }
    if (reply.toolCalls.length === 0) {
      if (reply.truncated) request.onEvent({ type: 'warning', warning: { type: 'other', message: 'the final answer stopped at the output token limit' } });
      const summary = reply.text.trim() || lastText || `The model finished after ${turn} turn${turn === 1 ? '' : 's'} without a final message.`;
      return { summary, model, turns: turn, inputTokens, outputTokens, ...(costUsd !== undefined && { costUsd }), filesWritten };
    }
    if (turn >= settings.maxTurns) {
      const asked = reply.toolCalls.map((call) => call.name).join(', ');
      throw new AgentError(
        `reached maxTurns (${settings.maxTurns}) while the model still wanted tools (${asked}); raise "maxTurns" in the profile or split the task`,
        { isRetryable: false, usage: { inputTokens, outputTokens, ...(costUsd !== undefined && { costUsd }), model } },
      );
    }
    const overBudget = budgetSpent(request.budget, { inputTokens, outputTokens, costUsd, model });
    if (overBudget) {
      throw new AgentError(`stopped after ${turn} turn${turn === 1 ? '' : 's'} at its budget: ${overBudget}; raise the task's limit or narrow the task`, {
        isRetryable: false,
        usage: { inputTokens, outputTokens, ...(costUsd !== undefined && { costUsd }), model },
      });
    }
    if (request.signal.aborted) throw options.toAgentError(new Error('aborted'));
    const results = reply.toolCalls.map((call) => {
      const detail = describeToolCall(call);
      request.onEvent({ type: 'tool', name: call.name, ...(detail !== undefined && { detail }) });
      const outcome: ToolOutcome = reply.truncated ? { content: TRUNCATED_CALL, isError: true } : runFileTool(call, request.cwd, settings.tools);
      if (outcome.fileWritten) {
        if (!filesWritten.includes(outcome.fileWritten)) filesWritten.push(outcome.fileWritten);
        request.onEvent({ type: 'file', path: outcome.fileWritten });
      } else if (outcome.isError) {
        request.onEvent({ type: 'status', message: `${call.name} failed: ${outcome.content.replace(/^Error: /, '').slice(0, 200)}` });
      }
      return { call, outcome };
    });
    conversation.addToolResults(results);
  }
}

/** Why the spend so far leaves no room for another request under `budget`, or undefined. The cost is the server's, else the price table's. */
function budgetSpent(
  budget: AgentRunRequest['budget'],
  spend: { inputTokens: number; outputTokens: number; costUsd?: number; model: string },
): string | undefined {
  if (!budget) return undefined;
  const tokens = spend.inputTokens + spend.outputTokens;
  if (budget.maxTokens !== undefined && tokens >= budget.maxTokens) return `${tokens} tokens used, its maxTokens allow ${budget.maxTokens}`;
  const cost = spend.costUsd ?? priceTokens(spend.model, spend.inputTokens, spend.outputTokens);
  if (budget.maxCostUsd !== undefined && cost !== undefined && cost >= budget.maxCostUsd) {
    return `$${cost.toFixed(4)} spent, its maxCost allows $${budget.maxCostUsd.toFixed(4)}`;
  }
  return undefined;
}
