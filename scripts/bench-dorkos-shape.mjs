// A spec-decomposition workspace shaped like dork-labs/dorkos's `specs/*/03-tasks.json` (263
// files, 3,149 tasks, 2 to 48 tasks a file in about 4 phases, descriptions of about 3 KB of
// markdown, 1.26 dependencies a task, the top-level fields generatedAt/mode/lastDecomposeDate),
// synthesized to the same grammar with its own text: nothing is copied from that repository.
import { seededRandom } from './bench-dag-shapes.mjs';

const PHASE_NAMES = ['Foundation', 'Core', 'Integration', 'Interface', 'Testing', 'Documentation'];
const SIZES = ['small', 'medium', 'large'];
const PRIORITIES = ['high', 'medium', 'low'];

/** About `length` characters of task-description markdown: steps, a code block, acceptance criteria. */
function description(random, subject, length) {
  const parts = [`Implement ${subject.toLowerCase()} following the existing patterns of the package.\n\n**Implementation Steps:**\n`];
  for (let step = 1; parts.join('').length < length * 0.7; step++) {
    parts.push(
      `\n${step}. Edit \`packages/module-${Math.floor(random() * 40)}/src/part-${step}.ts\` so that it handles case ${step}:\n\n\`\`\`typescript\nexport function handleCase${step}(input: Input): Output {\n  return transform(input, { step: ${step} });\n}\n\`\`\`\n`,
    );
  }
  parts.push('\n**Acceptance Criteria:**\n');
  while (parts.join('').length < length) parts.push(`- [ ] behaviour ${parts.length} holds and \`pnpm vitest run\` passes\n`);
  return parts.join('');
}

/**
 * The files, path -> JSON object: `specs/<slug>/03-tasks.json` with `taskCount` tasks over
 * `fileCount` files. `foreignFields: false` leaves out the top-level fields this plugin does not
 * read yet (the format it reads today).
 */
export function dorkosShapedSpecs({ fileCount = 263, taskCount = 3000, foreignFields = true } = {}) {
  const random = seededRandom(263);
  // Skewed counts (many small files, a few of 40+) scaled to exactly taskCount.
  const weights = Array.from({ length: fileCount }, () => 2 + Math.floor(60 * random() ** 2.5));
  const scale = taskCount / weights.reduce((sum, weight) => sum + weight, 0);
  const counts = weights.map((weight) => Math.max(2, Math.round(weight * scale)));
  // Rounding leaves a few over or under: take them from (or give them to) the largest files.
  for (let left = taskCount - counts.reduce((sum, count) => sum + count, 0); left !== 0; left -= Math.sign(left)) {
    const largest = counts.indexOf(Math.max(...counts));
    counts[largest] += Math.sign(left);
  }
  const files = {};
  counts.forEach((count, fileIndex) => {
    const slug = `feature-${String(fileIndex).padStart(3, '0')}-${['api', 'ui', 'sync', 'auth', 'mesh'][fileIndex % 5]}`;
    const phases = Math.min(count, 2 + Math.floor(random() * 4));
    const tasks = [];
    for (let index = 0; index < count; index++) {
      const phase = 1 + Math.floor((index * phases) / count);
      const inPhase = tasks.filter((task) => task.phase === phase).length + 1;
      const earlier = tasks.map((task) => task.id);
      const dependencyCount = earlier.length ? Math.min(earlier.length, Math.round(random() * 3)) : 0;
      const dependencies = [...new Set(Array.from({ length: dependencyCount }, () => earlier[Math.floor(random() * earlier.length)]))];
      const subject = `[${slug}] [P${phase}] Build part ${inPhase} of ${PHASE_NAMES[(phase - 1) % PHASE_NAMES.length].toLowerCase()}`;
      tasks.push({
        id: `${phase}.${inPhase}`,
        phase,
        phaseName: PHASE_NAMES[(phase - 1) % PHASE_NAMES.length],
        subject,
        description: description(random, subject, 1500 + Math.floor(random() * 3500)),
        activeForm: `Building part ${inPhase} of phase ${phase}`,
        size: SIZES[Math.floor(random() * SIZES.length)],
        priority: PRIORITIES[Math.floor(random() * PRIORITIES.length)],
        dependencies,
        parallelWith: [],
      });
    }
    // parallelWith: same-phase tasks with no edge between them, as a decomposer claims them.
    for (const task of tasks) {
      task.parallelWith = tasks
        .filter((other) => other !== task && other.phase === task.phase && !other.dependencies.includes(task.id) && !task.dependencies.includes(other.id))
        .slice(0, 3)
        .map((other) => other.id);
    }
    const header = foreignFields ? { generatedAt: '2026-03-22T00:00:00.000Z', mode: 'full', lastDecomposeDate: null } : {};
    files[`specs/${slug}/03-tasks.json`] = { spec: `specs/${slug}/02-specification.md`, slug, ...header, tasks };
  });
  return files;
}
