import { readNxJson, updateNxJson, writeJson, type ExpandedPluginConfiguration, type PluginConfiguration, type Tree } from '@nx/devkit';
import { PLUGIN_NAME } from '../../task-spec/plugin-options';
import type { InitGeneratorSchema } from './schema';

/** The plugin options `init` writes into nx.json: every flag resolved to its value. */
export interface InitPluginOptions {
  targetPrefix: string;
  aggregateTarget: string;
  defaultAgent?: string;
}

/**
 * Registers the plugin in nx.json as `{ plugin: "nx-agent-orchestrator", options }` and
 * gitignores `.agent-runs` (run records are task outputs, restored from the cache, like dist).
 * Running it again with options updates those options in the existing registration (the
 * others, and include/exclude, are kept); running it again with the same options, or none,
 * changes nothing. The package itself is for the user to install. Nothing is formatted, because
 * Nx 24's default formatter (oxfmt) is often not installed.
 */
export function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): void {
  const pluginOptions = normalizeOptions(options);
  ignoreRunRecords(tree);
  const nxJson = readNxJson(tree);
  const registration: ExpandedPluginConfiguration<InitPluginOptions> = { plugin: PLUGIN_NAME, options: pluginOptions };
  if (!nxJson) {
    // updateNxJson silently does nothing without an nx.json, which would report success for a no-op.
    writeJson(tree, 'nx.json', { plugins: [registration] });
    return;
  }
  const plugins = nxJson.plugins ?? [];
  const existing = plugins.findIndex(isThisPlugin);
  if (existing < 0) {
    updateNxJson(tree, { ...nxJson, plugins: [...plugins, registration] });
    return;
  }
  // Only the flags given on this run change anything: defaults never overwrite what the user chose.
  const given = Object.fromEntries(Object.entries(pluginOptions).filter(([name]) => options[name as keyof InitGeneratorSchema] !== undefined));
  const current = plugins[existing];
  const currentOptions = (typeof current === 'string' ? {} : (current.options ?? {})) as Record<string, unknown>;
  if (Object.entries(given).every(([name, value]) => currentOptions[name] === value)) return;
  const updatedOptions = { ...currentOptions, ...given };
  if (
    typeof updatedOptions.aggregateTarget === 'string' &&
    typeof updatedOptions.targetPrefix === 'string' &&
    updatedOptions.aggregateTarget.startsWith(updatedOptions.targetPrefix)
  ) {
    throw new Error(
      `--aggregateTarget "${updatedOptions.aggregateTarget}" would start with targetPrefix "${updatedOptions.targetPrefix}" in nx.json: choose names that do not overlap`,
    );
  }
  const updated = typeof current === 'string' ? { plugin: current, options: updatedOptions } : { ...current, options: updatedOptions };
  updateNxJson(tree, { ...nxJson, plugins: plugins.map((entry, index) => (index === existing ? updated : entry)) });
}

/** Resolves defaults and rejects values that would give a broken task graph. */
function normalizeOptions(options: InitGeneratorSchema): InitPluginOptions {
  const targetPrefix = options.targetPrefix ?? 'agent--';
  const aggregateTarget = options.aggregateTarget ?? 'agent';
  const defaultAgent = options.defaultAgent?.trim() || undefined;
  for (const [flag, value] of [
    ['targetPrefix', targetPrefix],
    ['aggregateTarget', aggregateTarget],
  ] as const) {
    if (!value || /\s/.test(value)) {
      throw new Error(`--${flag} "${value}" is not a usable target name: give a non-empty name without spaces`);
    }
  }
  // The aggregate depends on the glob `<targetPrefix>*`; if its own name matched, it would depend on itself.
  if (aggregateTarget.startsWith(targetPrefix)) {
    throw new Error(
      `--aggregateTarget "${aggregateTarget}" starts with --targetPrefix "${targetPrefix}", so the aggregate would count as one of its own tasks: choose names that do not overlap (defaults: "agent" and "agent--")`,
    );
  }
  return defaultAgent === undefined ? { targetPrefix, aggregateTarget } : { targetPrefix, aggregateTarget, defaultAgent };
}

/** Adds `.agent-runs` to .gitignore unless a line already ignores it. */
function ignoreRunRecords(tree: Tree): void {
  const current = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf-8')! : '';
  if (current.split(/\r?\n/).some((line) => /^\/?\.agent-runs\/?(\*\*)?$/.test(line.trim()))) return;
  const separator = current && !current.endsWith('\n') ? '\n' : '';
  tree.write('.gitignore', `${current}${separator}# nx-agent-orchestrator run records: task outputs, restored from the cache\n.agent-runs\n`);
}

function isThisPlugin(entry: PluginConfiguration): boolean {
  return (typeof entry === 'string' ? entry : entry.plugin) === PLUGIN_NAME;
}

export default initGenerator;
