import { minimatch } from 'minimatch';
import type { TaskSpec } from '../task-spec/schema';
import type { SpecProblem } from '../task-spec/spec-error';
import { GlobIndex } from './glob-index';
import { hasMagic, intersectGlobs, parseGlob, type ParsedGlob } from './glob-intersection';
import type { TaskKey } from './task-key';
import { resolvePattern } from './upstream-outputs';

/** What to do with two tasks that can write the same file and that nothing orders. */
export type ConflictMode = 'serialize' | 'error';

/** One task as the check sees it. */
export interface WriteCheckTask {
  key: TaskKey;
  task: Pick<TaskSpec, 'id' | 'file' | 'line' | 'writes' | 'inputs'>;
  projectRoot: string;
}

export interface WriteConflictRequest {
  /** Valid tasks, in declaration order (spec files by path, then tasks as written). */
  tasks: readonly WriteCheckTask[];
  /** Dependency edges (a task -> the tasks it depends on). */
  edges: ReadonlyMap<TaskKey, readonly TaskKey[]>;
  mode: ConflictMode;
}

/** Two tasks that can write one path. `first` is declared before `second`. */
export interface WriteConflict {
  first: TaskKey;
  second: TaskKey;
  /** A path both may write. */
  path: string;
}

/** A task reading a path that an unordered task may write. */
export interface WriteRace {
  reader: TaskKey;
  writer: TaskKey;
  path: string;
}

export interface WriteConflictCheck {
  conflicts: WriteConflict[];
  /** serialize: edges to add, `task` depends on `after` (the task declared first runs first). */
  serializations: Array<{ task: TaskKey; after: TaskKey }>;
  races: WriteRace[];
  /** error: both tasks of every conflict fail with these. */
  problems: Array<{ key: TaskKey; problem: SpecProblem }>;
  /** Reported once each: what was serialized, and every race. */
  warnings: SpecProblem[];
}

interface Patterns {
  positive: ParsedGlob[];
  negative: string[];
}

/**
 * Finds tasks whose `writes` can overlap (glob intersection, see globIntersection) and that no
 * dependency path orders, across projects and formats. With `serialize`, each such pair is
 * ordered as declared (the later task depends on the earlier); an edge is only ever added
 * between tasks nothing orders, so no cycle can appear. With `error`, both tasks fail naming
 * each other. Then, on the resulting order, a task whose `inputs` overlap what an unordered task
 * writes is reported as a race. Pure.
 */
export function checkWriteConflicts({ tasks, edges, mode }: WriteConflictRequest): WriteConflictCheck {
  const graph = new Map<TaskKey, TaskKey[]>([...edges].map(([key, targets]) => [key, [...targets]]));
  const reach = new Reachability(graph);
  const ordered = (a: TaskKey, b: TaskKey) => reach.reaches(a, b) || reach.reaches(b, a);
  const writes = tasks.map((entry) => patternsOf(entry.task.writes, entry.projectRoot));
  // Candidates by literal folder, so a thousand tasks writing their own files cost no million pair checks.
  const writers = new GlobIndex<number>();
  writes.forEach((patterns, index) => patterns.positive.forEach((glob) => writers.add(index, glob)));
  const result: WriteConflictCheck = { conflicts: [], serializations: [], races: [], problems: [], warnings: [] };
  const conflicting = new Set<string>();

  for (let later = 0; later < tasks.length; later++) {
    const candidates = new Set<number>();
    for (const glob of writes[later].positive) for (const index of writers.candidates(glob)) if (index < later) candidates.add(index);
    // Nearest first: once a task is ordered after its closest conflicting predecessor, the older ones are ordered through it.
    for (const earlier of [...candidates].sort((a, b) => b - a)) {
      const [first, second] = [tasks[earlier], tasks[later]];
      // Ordering first: it is a memoised look-up, the intersection is not.
      if (ordered(first.key, second.key)) continue;
      const path = overlap(writes[earlier], writes[later]);
      if (path === undefined) continue;
      result.conflicts.push({ first: first.key, second: second.key, path });
      conflicting.add(`${first.key}\0${second.key}`).add(`${second.key}\0${first.key}`);
      const both = `tasks "${first.key}" and "${second.key}" can both write "${path}" and no dependsOn orders them`;
      if (mode === 'serialize') {
        graph.set(second.key, [...(graph.get(second.key) ?? []), first.key]);
        reach.edgeAdded();
        result.serializations.push({ task: second.key, after: first.key });
        result.warnings.push({
          ...at(second, 'write-conflict'),
          message: `${both}: "${second.key}" runs after "${first.key}" (conflicts: serialize, in declaration order). Add a dependsOn to choose the order, or narrow their writes.`,
        });
      } else {
        for (const [own, other] of [
          [first, second],
          [second, first],
        ]) {
          result.problems.push({
            key: own.key,
            problem: {
              ...at(own, 'write-conflict'),
              message: `${both} (conflicts: error; "${other.key}" fails too). Add a dependsOn between them, or narrow their writes.`,
            },
          });
        }
      }
    }
  }

  tasks.forEach((reader, readerIndex) => {
    const inputs = patternsOf(reader.task.inputs, reader.projectRoot);
    const candidates = new Set<number>();
    for (const glob of inputs.positive) for (const index of writers.candidates(glob)) candidates.add(index);
    for (const index of [...candidates].sort((a, b) => a - b)) {
      const writer = tasks[index];
      if (index === readerIndex || conflicting.has(`${reader.key}\0${writer.key}`)) continue;
      if (ordered(reader.key, writer.key)) continue;
      const path = overlap(inputs, writes[index]);
      if (path === undefined) continue;
      result.races.push({ reader: reader.key, writer: writer.key, path });
      result.warnings.push({
        ...at(reader, 'write-race'),
        message: `task "${reader.key}" reads "${path}", which "${writer.key}" may write, and no dependsOn orders them: it may read it before or after the write. Add a dependsOn.`,
      });
    }
  });
  return result;
}

function at(entry: WriteCheckTask, code: 'write-conflict' | 'write-race'): Omit<SpecProblem, 'message'> {
  return { code, file: entry.task.file, line: entry.task.line, taskId: entry.task.id };
}

function patternsOf(patterns: readonly string[], projectRoot: string): Patterns {
  const positive: ParsedGlob[] = [];
  const negative: string[] = [];
  for (const pattern of patterns) {
    if (pattern.startsWith('!')) negative.push(resolvePattern(pattern.slice(1), projectRoot));
    else positive.push(parseGlob(resolvePattern(pattern, projectRoot)));
  }
  return { positive, negative };
}

/** A path both pattern sets may cover, or undefined. */
function overlap(first: Patterns, second: Patterns): string | undefined {
  for (const a of first.positive) {
    for (const b of second.positive) {
      if (excluded(b, first.negative) || excluded(a, second.negative)) continue;
      const path = intersectGlobs(a, b);
      if (path !== undefined) return path;
    }
  }
  return undefined;
}

/**
 * Whether everything `pattern` covers is inside one of the negations: exact for a literal
 * path; for a glob, when a negation is a whole folder (`dir/**` or `dir`) the glob stays inside.
 * Anything subtler is not excluded, so an overlap is never missed.
 */
function excluded({ pattern, magic }: ParsedGlob, negations: readonly string[]): boolean {
  return negations.some((negation) => {
    if (!magic) return minimatch(pattern, negation, { dot: true }) || isBelow(pattern, folderOf(negation));
    return isBelow(pattern, folderOf(negation));
  });
}

/** The folder a negation removes whole (`dir/**` or a literal `dir`), if it is one. */
function folderOf(negation: string): string | undefined {
  const folder = negation.endsWith('/**') ? negation.slice(0, -3) : negation;
  return hasMagic(folder) ? undefined : folder;
}

function isBelow(pattern: string, folder: string | undefined): boolean {
  return folder !== undefined && (pattern === folder || pattern.startsWith(`${folder}/`));
}

/** Which tasks each task reaches along dependency edges, worked out once per task until an edge is added. */
class Reachability {
  private readonly memo = new Map<TaskKey, Set<TaskKey>>();
  constructor(private readonly edges: ReadonlyMap<TaskKey, readonly TaskKey[]>) {}

  reaches(from: TaskKey, to: TaskKey): boolean {
    let reached = this.memo.get(from);
    if (!reached) {
      reached = new Set<TaskKey>();
      const stack = [...(this.edges.get(from) ?? [])];
      while (stack.length) {
        const next = stack.pop()!;
        if (reached.has(next)) continue;
        reached.add(next);
        stack.push(...(this.edges.get(next) ?? []));
      }
      this.memo.set(from, reached);
    }
    return reached.has(to);
  }

  /** An edge changes what tasks reach: forget everything (edges are only added for real conflicts, which are few). */
  edgeAdded(): void {
    this.memo.clear();
  }
}

/** What a task's target metadata says about the check: whom it was serialized after, what it races with. */
export interface WriteFacts {
  serializedAfter?: Array<{ task: TaskKey; path: string }>;
  races?: Array<{ writer: TaskKey; path: string }>;
}

/** The facts of one task, for its target's metadata (empty when there are none). */
export function writeFactsOf(check: WriteConflictCheck, key: TaskKey): WriteFacts {
  const serializedAfter = check.conflicts.filter((conflict) => conflict.second === key).map(({ first, path }) => ({ task: first, path }));
  const races = check.races.filter((race) => race.reader === key).map(({ writer, path }) => ({ writer, path }));
  return { ...(serializedAfter.length ? { serializedAfter } : {}), ...(races.length ? { races } : {}) };
}
