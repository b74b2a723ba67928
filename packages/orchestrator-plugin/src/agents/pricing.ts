/** USD per million tokens, for clients that report usage but not cost. Matched by model-name prefix. */
const PRICES: ReadonlyArray<{ prefix: string; input: number; output: number }> = [
  // More specific prefixes first: the first match wins.
  { prefix: 'claude-opus-4-5', input: 5, output: 25 },
  { prefix: 'claude-opus-4', input: 15, output: 75 },
  { prefix: 'claude-sonnet-4', input: 3, output: 15 },
  { prefix: 'claude-3-7-sonnet', input: 3, output: 15 },
  { prefix: 'claude-3-5-sonnet', input: 3, output: 15 },
  { prefix: 'claude-haiku-4', input: 1, output: 5 },
  { prefix: 'claude-3-5-haiku', input: 0.8, output: 4 },
  { prefix: 'opus', input: 15, output: 75 },
  { prefix: 'sonnet', input: 3, output: 15 },
  { prefix: 'haiku', input: 1, output: 5 },
  { prefix: 'gpt-5-mini', input: 0.25, output: 2 },
  { prefix: 'gpt-5-nano', input: 0.05, output: 0.4 },
  { prefix: 'gpt-5', input: 1.25, output: 10 },
  { prefix: 'gpt-4.1-mini', input: 0.4, output: 1.6 },
  { prefix: 'gpt-4.1', input: 2, output: 8 },
  { prefix: 'gpt-4o-mini', input: 0.15, output: 0.6 },
  { prefix: 'gpt-4o', input: 2.5, output: 10 },
  { prefix: 'o4-mini', input: 1.1, output: 4.4 },
  { prefix: 'o3-mini', input: 1.1, output: 4.4 },
  { prefix: 'o3', input: 2, output: 8 },
  { prefix: 'gemini-2.5-pro', input: 1.25, output: 10 },
  { prefix: 'gemini-2.5-flash-lite', input: 0.1, output: 0.4 },
  { prefix: 'gemini-2.5-flash', input: 0.3, output: 2.5 },
];

/**
 * The cost of a run from the price table, or undefined for a model it does not know (local
 * models, new models): an unknown cost is reported as unknown, never as free.
 */
export function priceTokens(model: string | undefined, inputTokens: number, outputTokens: number): number | undefined {
  if (!model) return undefined;
  const name = model.toLowerCase().replace(/^(anthropic|openai|google|models)\//, '');
  const price = PRICES.find((entry) => name.startsWith(entry.prefix));
  if (!price) return undefined;
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}
