import { AgentError, type AgentRunRequest } from '../agent-adapter';

/** The environment a run sees: the adapter's (injected), with the profile's `env` over it. */
export function mergedEnvironment(request: Pick<AgentRunRequest, 'env'>, base: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return { ...base, ...request.env };
}

/** A variable's value, or undefined when unset or blank. */
export function readVariable(environment: Record<string, string | undefined>, name: string): string | undefined {
  const value = environment[name]?.trim();
  return value ? value : undefined;
}

/** Whether a base URL points at this machine (a local model server that may need no key). */
export function isLocalUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
    return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

/** A base URL fit for messages: any user name, password or query (which may carry a key) left out. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password && !parsed.search) return url;
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//').replace(/\?.*$/, '');
  }
}

/**
 * Loads an SDK only when its provider runs (start-up cost), from the workspace first, then
 * from wherever the plugin is installed. A missing SDK fails at once with the install command.
 */
export function requireSdk<T>(packageName: string, workspaceRoot: string, provider: string): T {
  let resolved: string;
  try {
    resolved = require.resolve(packageName, { paths: [workspaceRoot, __dirname] });
  } catch (error) {
    throw new AgentError(`provider "${provider}" needs the ${packageName} package, which is not installed: npm i -D ${packageName}`, {
      isRetryable: false,
      cause: error,
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(resolved) as T;
}
