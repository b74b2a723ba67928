import type { SpecProblem } from './spec-error';

/** Words with which spec-kit files state an order in prose: `T014 depends on T012`, `(after T018)`. */
const KEYWORDS = ['depends on', 'blocked by', 'requires', 'after'] as const;

/**
 * Task ids (`T012`, `T-012`) in `text`, in order, ranges (`T016-T034`, `T016–T034`) expanded
 * by the caller. With `leadingOnly`, only an id at the very start counts. A character scan,
 * no regular expression: lines come from user files.
 */
export function taskIdsIn(text: string, options: { leadingOnly?: boolean } = {}): string[] {
  const ids: string[] = [];
  for (let index = 0; index < text.length; index++) {
    if (text[index] !== 'T' || (index > 0 && isWordCharacter(text[index - 1]))) {
      if (options.leadingOnly) break;
      continue;
    }
    let end = index + 1;
    if (text[end] === '-' && isDigit(text[end + 1])) end++;
    const digitsStart = end;
    while (end < text.length && isDigit(text[end])) end++;
    if (end > digitsStart && !isWordCharacter(text[end] ?? ' ')) ids.push(text.slice(index, end));
    if (options.leadingOnly) break;
    index = end - 1;
  }
  return ids;
}

/**
 * Adds the edges that prose notes state, in place: a note in a task's own text (`(depends on
 * T012, T013)`) or a line whose leading ids are the subjects (`- T014 depends on T012`,
 * `T019-T020 can run in parallel after T018`). Ids the file lacks are prose, not tasks, and are
 * ignored; a note that would close a cycle with the phase order is not applied, and is reported.
 */
export function readDependencyNotes(request: {
  file: string;
  tasks: ReadonlyArray<{ id: string; line: number; text: string }>;
  proseLines: ReadonlyArray<{ number: number; text: string }>;
  ids: ReadonlySet<string>;
  dependsOn: Map<string, string[]>;
  notes: SpecProblem[];
}): void {
  const { file, tasks, proseLines, ids, dependsOn, notes } = request;
  const order = [...ids];
  const apply = (subjects: string[], dependencies: string[], line: number) => {
    for (const subject of subjects) {
      for (const dependency of dependencies) {
        if (dependency === subject || dependsOn.get(subject)?.includes(dependency)) continue;
        if (reaches(dependsOn, dependency, subject)) {
          const message = `the note "${subject} depends on ${dependency}" contradicts the phase order (${dependency} comes after ${subject}): not applied`;
          notes.push({ code: 'dependency-note', file, line, taskId: subject, message });
          continue;
        }
        dependsOn.set(subject, [...(dependsOn.get(subject) ?? []), dependency]);
      }
    }
  };
  for (const task of tasks) {
    const after = textAfterKeyword(task.text);
    if (after !== undefined) apply([task.id], expand(taskIdsIn(after), after, order, ids), task.line);
  }
  for (const line of proseLines) {
    const text = line.text.replace(/^[\s>*+-]+/, '').replace(/^\*\*/, '');
    const after = textAfterKeyword(text);
    if (after === undefined) continue;
    const before = text.slice(0, text.length - after.length);
    const leading = before.trimStart();
    if (!leading.startsWith('T')) continue;
    const subjects = expand(taskIdsIn(before), before, order, ids);
    const dependencies = expand(taskIdsIn(after), after, order, ids);
    if (!subjects.length || !dependencies.length) continue;
    apply(subjects, dependencies, line.number);
  }
}

/** The text after the first keyword, or undefined when the text states no order. */
function textAfterKeyword(text: string): string | undefined {
  const lower = text.toLowerCase();
  let best: number | undefined;
  let length = 0;
  for (const keyword of KEYWORDS) {
    const at = lower.indexOf(keyword);
    if (at >= 0 && (best === undefined || at < best) && (at === 0 || !isWordCharacter(lower[at - 1]))) {
      best = at;
      length = keyword.length;
    }
  }
  return best === undefined ? undefined : text.slice(best + length);
}

/** Ids found in `text`, with `A-B` / `A–B` ranges expanded to every id of the file between them. */
function expand(found: string[], text: string, order: readonly string[], ids: ReadonlySet<string>): string[] {
  const normalized = (id: string) => id.replace('-', '');
  const result: string[] = [];
  for (let index = 0; index < found.length; index++) {
    const id = normalized(found[index]);
    const next = found[index + 1];
    const between = next === undefined ? '' : text.slice(text.indexOf(found[index]) + found[index].length, text.indexOf(next, text.indexOf(found[index]) + 1));
    if (next !== undefined && /^\s*[-–]\s*$/.test(between) && ids.has(id) && ids.has(normalized(next))) {
      const from = order.indexOf(id);
      const to = order.indexOf(normalized(next));
      if (from >= 0 && to >= from) result.push(...order.slice(from, to + 1));
      index++;
      continue;
    }
    if (ids.has(id)) result.push(id);
  }
  return [...new Set(result)];
}

function reaches(edges: ReadonlyMap<string, readonly string[]>, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const next = stack.pop()!;
    if (next === to) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(edges.get(next) ?? []));
  }
  return false;
}

function isDigit(character: string | undefined): boolean {
  return character !== undefined && character >= '0' && character <= '9';
}

function isWordCharacter(character: string): boolean {
  return /[A-Za-z0-9_]/.test(character);
}
