import { formatDuration } from '../task-spec/duration';
import type { SummaryOutcome } from './run-summary';

/** One task of the run, as the report shows it. */
export interface ReportTask {
  /** `project:task`. */
  task: string;
  outcome: SummaryOutcome;
  cache?: 'local' | 'remote';
  /** Epoch milliseconds of the bar; absent for a task that never started (skipped). */
  startedAt?: number;
  endedAt?: number;
  agent?: string;
  model?: string;
  attempts?: number;
  tokens: { input: number; output: number };
  costUsd: number | null;
  summary?: string;
  error?: string;
  /** The tasks of the run it waited for (`project:task`). */
  upstream: string[];
  /** Why the plugin skipped it (`budget`), and the figures; none when Nx skipped it. */
  skipped?: { reason: string; details?: string };
}

export interface RunReportInput {
  startedAt: number;
  endedAt: number;
  tasks: ReportTask[];
  totals: {
    ran: number;
    cached: number;
    failed: number;
    skipped: number;
    spent: { tokens: { input: number; output: number }; costUsd: number; unpricedTasks: number };
    saved: { tokens: { input: number; output: number }; costUsd: number; durationMs: number };
  };
}

/** A task placed on the timeline. */
export interface PlacedTask extends ReportTask {
  lane: number;
  critical: boolean;
}

/**
 * Places the tasks that ran (or were replayed) in lanes, first fit by start time, so tasks
 * that overlap in time sit in different lanes and the number of lanes is the run's peak
 * concurrency. The critical path is the chain that decided when the run ended: from the task
 * that ended last, back through the upstream task that ended last, and so on.
 */
export function layOutTimeline(tasks: readonly ReportTask[]): PlacedTask[] {
  const timed = tasks.filter((task) => task.startedAt !== undefined && task.endedAt !== undefined);
  const sorted = [...timed].sort((a, b) => a.startedAt! - b.startedAt! || a.endedAt! - b.endedAt! || (a.task < b.task ? -1 : 1));
  const laneEnds: number[] = [];
  const lanes = new Map<string, number>();
  for (const task of sorted) {
    let lane = laneEnds.findIndex((end) => end <= task.startedAt!);
    if (lane < 0) lane = laneEnds.push(0) - 1;
    laneEnds[lane] = task.endedAt!;
    lanes.set(task.task, lane);
  }
  const byTask = new Map(timed.map((task) => [task.task, task]));
  const critical = new Set<string>();
  let current = [...timed].sort((a, b) => b.endedAt! - a.endedAt!)[0];
  while (current && !critical.has(current.task)) {
    critical.add(current.task);
    current = current.upstream
      .map((name) => byTask.get(name))
      .filter((task): task is ReportTask => task !== undefined)
      .sort((a, b) => b.endedAt! - a.endedAt!)[0];
  }
  return sorted.map((task) => ({ ...task, lane: lanes.get(task.task)!, critical: critical.has(task.task) }));
}

const escape = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
const money = (value: number | null) => (value === null ? '?' : `$${value.toFixed(4)}`);
const tokens = (value: { input: number; output: number }) => `${value.input} in / ${value.output} out`;

/**
 * `.agent-runs/report.html`: one self-contained page (inline style and script, a
 * Content-Security-Policy that forbids every load) with the run's totals and what the cache
 * saved, a timeline with one bar per task from its start to its end, in lanes by concurrency,
 * cache hits marked, failures in red, the critical path outlined; hovering a bar shows its
 * details, clicking it pins them. Every text from a task is escaped. Pure.
 */
export function buildRunReport(input: RunReportInput): string {
  const placed = layOutTimeline(input.tasks);
  const start = Math.min(input.startedAt, ...placed.map((task) => task.startedAt!));
  const end = Math.max(input.endedAt, ...placed.map((task) => task.endedAt!), start + 1);
  const span = end - start;
  const laneCount = Math.max(1, ...placed.map((task) => task.lane + 1));
  const { totals } = input;
  const bars = placed.map((task, index) => {
    const left = ((task.startedAt! - start) / span) * 100;
    const width = Math.max(((task.endedAt! - task.startedAt!) / span) * 100, 0.4);
    const classes = [...new Set(['bar', task.outcome, ...(task.cache ? ['cached'] : []), ...(task.critical ? ['critical'] : [])])].join(' ');
    const label = `${task.task} · ${task.cache ? `cached (${task.cache})` : task.outcome} · ${formatDuration(task.endedAt! - task.startedAt!)}`;
    return (
      `<button class="${classes}" data-index="${index}" style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%;top:${task.lane * 34}px" title="${escape(label)}">` +
      `<span>${escape(task.task)}</span></button>`
    );
  });
  const details = placed.map((task, index) => detailsOf(task, index));
  const notRun = input.tasks.filter((task) => task.startedAt === undefined || task.endedAt === undefined);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>Agent run ${escape(new Date(input.startedAt).toISOString())}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328; background: #fff; }
h1 { font-size: 20px; margin: 0 0 12px; }
.totals { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 20px; }
.totals div { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; }
.totals b { display: block; font-size: 18px; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 14px; height: 10px; margin-right: 4px; border-radius: 2px; vertical-align: middle; }
.timeline { position: relative; border-left: 1px solid #d0d7de; border-bottom: 1px solid #d0d7de; margin: 12px 0 4px; }
.bar { position: absolute; height: 28px; border: 0; border-radius: 4px; padding: 0 6px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; font: 12px system-ui, sans-serif; color: #fff; background: #2da44e; cursor: pointer; text-align: left; }
.bar span { pointer-events: none; }
.bar.cached { background: repeating-linear-gradient(45deg, #8c959f, #8c959f 6px, #afb8c1 6px, #afb8c1 12px); color: #1f2328; }
.bar.failed { background: #cf222e; }
.bar.stopped { background: #bf8700; }
.bar.critical { outline: 3px solid #8250df; outline-offset: 1px; }
.bar.selected { box-shadow: 0 0 0 3px #0969da; }
.axis { display: flex; justify-content: space-between; color: #57606a; font-size: 12px; }
#details { margin-top: 16px; border: 1px solid #d0d7de; border-radius: 6px; padding: 12px; min-height: 60px; }
#details dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
#details dt { color: #57606a; }
#details pre { white-space: pre-wrap; margin: 0; font: 12px ui-monospace, monospace; }
table { border-collapse: collapse; margin-top: 16px; font-size: 13px; }
th, td { text-align: left; padding: 3px 12px 3px 0; border-bottom: 1px solid #eaeef2; }
td.failed { color: #cf222e; }
</style>
</head>
<body>
<h1>Agent run: ${placed.length + notRun.length} task${placed.length + notRun.length === 1 ? '' : 's'}, ${escape(formatDuration(input.endedAt - input.startedAt))}</h1>
<div class="totals">
<div><b>${totals.ran}</b>ran</div>
<div><b>${totals.cached}</b>cached</div>
<div><b>${totals.failed}</b>failed</div>
<div><b>${totals.skipped}</b>skipped</div>
<div><b>${escape(money(totals.spent.costUsd))}</b>spent, ${escape(tokens(totals.spent.tokens))} tokens${totals.spent.unpricedTasks ? ` (+ ${totals.spent.unpricedTasks} of unknown price)` : ''}</div>
<div id="saved"><b>${escape(money(totals.saved.costUsd))}</b>saved by the cache: ${escape(tokens(totals.saved.tokens))} tokens, ${escape(formatDuration(totals.saved.durationMs))} of agent time</div>
</div>
<div class="legend"><span><i style="background:#2da44e"></i>ran</span><span><i style="background:#8c959f"></i>cached</span><span><i style="background:#cf222e"></i>failed</span><span><i style="outline:3px solid #8250df"></i>critical path</span></div>
<div class="timeline" style="height:${laneCount * 34}px">
${bars.join('\n')}
</div>
<div class="axis"><span>0s</span><span>${escape(formatDuration(span / 2))}</span><span>${escape(formatDuration(span))}</span></div>
${notRun.length ? `<p>Not run: ${notRun.map((task) => `${escape(task.task)} (${escape(notRunReason(task))})`).join(', ')}</p>` : ''}
<div id="details"><p>Hover over a bar for its details; click it to keep them here.</p></div>
${details.join('\n')}
<table>
<thead><tr><th>task</th><th>result</th><th>duration</th><th>agent</th><th>attempts</th><th>tokens</th><th>cost</th></tr></thead>
<tbody>
${input.tasks.map(tableRow).join('\n')}
</tbody>
</table>
<script>
(function () {
  var panel = document.getElementById('details');
  var pinned = null;
  function show(index) {
    var template = document.getElementById('task-' + index);
    if (template) panel.innerHTML = template.innerHTML;
  }
  document.querySelectorAll('.bar').forEach(function (bar) {
    var index = bar.getAttribute('data-index');
    bar.addEventListener('mouseenter', function () { if (pinned === null) show(index); });
    bar.addEventListener('click', function () {
      document.querySelectorAll('.bar.selected').forEach(function (other) { other.classList.remove('selected'); });
      pinned = index;
      bar.classList.add('selected');
      show(index);
    });
  });
})();
</script>
</body>
</html>
`;
}

function detailsOf(task: PlacedTask, index: number): string {
  const rows: Array<[string, string]> = [
    ['task', task.task],
    ['result', task.cache ? `cached (${task.cache})` : task.outcome],
    ['duration', formatDuration(task.endedAt! - task.startedAt!)],
    ['agent', `${task.agent ?? '?'}${task.model ? ` (${task.model})` : ''}`],
    ['attempts', String(task.attempts ?? '?')],
    ['tokens', tokens(task.tokens)],
    ['cost', money(task.costUsd)],
    ['critical path', task.critical ? 'yes' : 'no'],
    ...(task.upstream.length ? ([['after', task.upstream.join(', ')]] as Array<[string, string]>) : []),
    ...(task.error ? ([['error', task.error]] as Array<[string, string]>) : []),
  ];
  return (
    `<template id="task-${index}"><dl>${rows.map(([name, value]) => `<dt>${escape(name)}</dt><dd>${escape(value)}</dd>`).join('')}` +
    `<dt>summary</dt><dd><pre>${escape(task.summary ?? '')}</pre></dd></dl></template>`
  );
}

/** `skipped: budget (spent $0.31 of $0.30)` for a task the plugin skipped, else the outcome. */
function notRunReason(task: ReportTask): string {
  if (!task.skipped) return task.outcome;
  return `${task.outcome}: ${task.skipped.reason}${task.skipped.details ? ` (${task.skipped.details})` : ''}`;
}

function tableRow(task: ReportTask): string {
  const duration = task.startedAt !== undefined && task.endedAt !== undefined ? formatDuration(task.endedAt - task.startedAt) : '-';
  const cells = [
    task.task,
    task.cache ? `cached (${task.cache})` : task.skipped ? `${task.outcome} (${task.skipped.reason})` : task.outcome,
    duration,
    task.agent ?? '-',
    String(task.attempts ?? '-'),
    tokens(task.tokens),
    money(task.costUsd),
  ];
  return `<tr>${cells.map((cell, index) => `<td${index === 1 && task.outcome === 'failed' ? ' class="failed"' : ''}>${escape(cell)}</td>`).join('')}</tr>`;
}
