import { parseVerifyCheck } from './verify-check';
import { quote } from './bounded-text';
import { foreignPrompt, foreignTask } from './foreign-task';
import type { ParsedSpecFile } from './parsed-spec-file';
import type { TaskSpec } from './schema';
import type { SpecProblem } from './spec-error';
import { readDependencyNotes, taskIdsIn } from './spec-kit-notes';

/** Lines longer than this are prose nobody writes as a task; they are skipped, which keeps every pattern bounded. */
const MAX_LINE_LENGTH = 4_000;

interface Line {
  number: number;
  text: string;
}

interface KitTask {
  id: string;
  line: number;
  parallel: boolean;
  story?: string;
  checked: boolean;
  text: string;
  phase: number;
}

interface Phase {
  index: number;
  name: string;
  story: boolean;
  tasks: KitTask[];
}

/**
 * Parses GitHub spec-kit's `specs/<feature>/tasks.md`: checklist lines `- [ ] T001 [P] [US1] text`
 * under phase headings. Edges follow its template's rules: phases run in order; user-story phases
 * (a heading naming a user story, or tasks labelled `[US1]`) run in parallel with one another
 * after the phases before them, and the next other phase waits for all of them; inside a phase a
 * task without `[P]` waits for everything before it, a `[P]` task only for the last task without
 * it. Notes such as `(depends on T012, T013)` or `- T014 depends on T012` add edges. Checked tasks
 * (`- [x]`) are done: shown, never run. Paths in a task's text are its `writes`.
 */
export function parseSpecKit(file: string, content: string): ParsedSpecFile {
  const result: ParsedSpecFile = { file, format: 'spec-kit', tasks: [], problems: [] };
  const lines = splitLines(content.replace(/^\uFEFF/, ''));
  let feature: string | undefined;
  const phases: Phase[] = [{ index: 0, name: '', story: false, tasks: [] }];
  const proseLines: Line[] = [];
  let inFence = false;
  for (const line of lines) {
    if (line.text.length > MAX_LINE_LENGTH) continue;
    const trimmed = line.text.trim();
    if (trimmed.startsWith('```') || trimmed.startsWith('~~~')) inFence = !inFence;
    const heading = inFence ? undefined : readHeading(trimmed);
    if (heading) {
      if (heading.level === 1 && feature === undefined) feature = heading.text.replace(/^tasks:\s*/i, '').trim();
      else if (heading.level === 2 || (heading.level > 2 && /^phase\b/i.test(heading.text))) {
        phases.push({ index: phases.length, name: heading.text, story: /user stor(y|ies)|\bUS\d/i.test(heading.text), tasks: [] });
      }
      continue;
    }
    const task = inFence ? undefined : readTaskLine(trimmed, line.number, phases.length - 1);
    if (task) phases[phases.length - 1].tasks.push(task);
    else proseLines.push(line);
  }
  // A phase whose tasks are mostly labelled with a user story is a story phase even if its heading does not say so.
  for (const phase of phases) {
    const labelled = phase.tasks.filter((task) => task.story && /^US\d+$/i.test(task.story)).length;
    if (labelled && labelled * 2 >= phase.tasks.length) phase.story = true;
  }
  const dependsOn = structuralEdges(phases);
  const all = phases.flatMap((phase) => phase.tasks);
  const ids = new Set(all.map((task) => task.id));
  const notes: SpecProblem[] = [];
  readDependencyNotes({ file, tasks: all, proseLines, ids, dependsOn, notes });
  const folder = file.split('/').slice(0, -1).join('/');
  for (const task of all) {
    const phase = phases[task.phase];
    const description = task.text;
    const context = `This task is ${task.id} of the spec-kit feature ${quote(feature ?? folder, 200)} (${file}${phase.name ? `, ${phase.name}` : ''}). The feature's spec.md and plan.md are beside that file.`;
    const spec: TaskSpec = foreignTask({
      id: task.id,
      prompt: foreignPrompt({ body: description, context }),
      description,
      dependsOn: dependsOn.get(task.id) ?? [],
      // A command named as the task's check is not a file it writes.
      writes: pathsIn(task.text.replace(VERIFY_NOTE, ' ')),
      own: verifyNotes(task.text, (message) => notes.push({ code: 'invalid-field', file, line: task.line, taskId: task.id, message })),
      file,
      line: task.line,
      format: 'spec-kit',
      closed: task.checked ? 'checked' : undefined,
      extra: { ...(task.parallel ? { parallel: true } : {}), ...(task.story ? { story: task.story } : {}) },
      ...(phase.name ? { phase: String(task.phase), phaseName: phase.name } : {}),
    });
    if (spec.extra && !Object.keys(spec.extra).length) delete spec.extra;
    result.tasks.push(spec);
  }
  if (notes.length) result.notes = notes;
  return result;
}

/** The edges the template's rules give, by task id, in file order. */
function structuralEdges(phases: readonly Phase[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  let beforeStories: string[] = [];
  let frontier: string[] = [];
  let storyFrontiers: string[] = [];
  let inStories = false;
  for (const phase of phases) {
    if (!phase.tasks.length) continue;
    if (phase.story && !inStories) {
      inStories = true;
      beforeStories = frontier;
      storyFrontiers = [];
    } else if (!phase.story && inStories) {
      inStories = false;
      frontier = storyFrontiers;
    }
    const entry = phase.story ? beforeStories : frontier;
    let last = entry;
    let open: string[] = [];
    for (const task of phase.tasks) {
      edges.set(task.id, task.parallel ? last : open.length ? open : last);
      if (task.parallel) open.push(task.id);
      else {
        last = [task.id];
        open = [];
      }
    }
    const phaseFrontier = open.length ? open : last;
    if (phase.story) storyFrontiers = [...storyFrontiers, ...phaseFrontier];
    else frontier = phaseFrontier;
  }
  return edges;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (let number = 1; start <= text.length; number++) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    lines.push({ number, text: text.slice(start, stop).replace(/\r$/, '') });
    if (end < 0) break;
    start = end + 1;
  }
  return lines;
}

function readHeading(line: string): { level: number; text: string } | undefined {
  let level = 0;
  while (line[level] === '#') level++;
  if (level === 0 || level > 6 || line[level] !== ' ') return undefined;
  return { level, text: line.slice(level).trim() };
}

/** `- [ ] T001 [P] [US1] text`, the id possibly in bold (`**T001**`), `*` bullets too. */
function readTaskLine(line: string, number: number, phase: number): KitTask | undefined {
  if (!(line.startsWith('- [') || line.startsWith('* [')) || line[4] !== ']') return undefined;
  const mark = line[3];
  if (mark !== ' ' && mark !== 'x' && mark !== 'X') return undefined;
  let rest = line.slice(5).trim();
  const bold = rest.startsWith('**');
  if (bold) rest = rest.slice(2);
  const id = taskIdsIn(rest.slice(0, 12), { leadingOnly: true })[0];
  if (!id) return undefined;
  rest = rest.slice(id.length);
  if (bold && rest.startsWith('**')) rest = rest.slice(2);
  rest = rest.replace(/^:/, '').trim();
  let parallel = false;
  let story: string | undefined;
  while (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || close > 40) break;
    const label = rest.slice(1, close).trim();
    if (label.toUpperCase() === 'P') parallel = true;
    else story ??= label;
    rest = rest.slice(close + 1).trim();
  }
  return { id: id.replace('-', ''), line: number, parallel, story, checked: mark !== ' ', text: rest || id, phase };
}

/** Workspace paths written in a task's text (`src/models/user.py`, `backend/src/`), as its writes. */
/** `verify: \`npm test\``: a check named in a task's own text (spec-kit has no field for it). */
const VERIFY_NOTE = /\bverify:\s*`([^`]+)`/gi;

/** The task's checks from its `verify: \`command\`` notes, as a `verify` field; one that is not a runnable check is reported and left out. */
function verifyNotes(text: string, report: (message: string) => void): { verify?: string[] } {
  const verify = [...text.matchAll(VERIFY_NOTE)].flatMap((match) => {
    const parsed = parseVerifyCheck(match[1]);
    if (!parsed.ok) report(parsed.message);
    return parsed.ok ? [parsed.check.written] : [];
  });
  return verify.length ? { verify } : {};
}

function pathsIn(text: string): string[] {
  const paths: string[] = [];
  for (const raw of text.split(/[\s,;()]+/)) {
    const token = raw.replace(/^[`'"*]+|[`'"*.:]+$/g, '');
    if (token.length < 3 || token.length > 300 || !token.includes('/') || token.includes('://') || token.startsWith('/') || token.includes('..')) continue;
    if (!/^[\w@.{}[\]/*-]+$/.test(token) || !/[\w*]\.[A-Za-z0-9]+$|\/$|\*\*$/.test(token)) continue;
    paths.push(`{workspaceRoot}/${token.replace(/^\.\//, '')}`);
  }
  return [...new Set(paths)];
}
