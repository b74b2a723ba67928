import type { AgentRunRequest } from '../agent-adapter';

type Setting = 'model' | 'systemPrompt' | 'tools' | 'maxTurns' | 'permissionMode';

/** Says, in the task's output, which settings this client cannot honour (never silently dropped). */
export function warnUnsupported(request: AgentRunRequest, provider: string, settings: readonly Setting[]): void {
  const ignored = settings.filter((setting) => {
    const value = request[setting];
    return value !== undefined && !(Array.isArray(value) && value.length === 0);
  });
  if (ignored.length) {
    request.onEvent({
      type: 'status',
      message: `warning: provider "${provider}" cannot honour ${ignored.map((setting) => `"${setting}"`).join(', ')}; ignored`,
    });
  }
}
