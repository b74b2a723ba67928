import type { SpecFormat, TaskSpec } from './schema';
import type { SpecProblem } from './spec-error';

/** The outcome of parsing one spec file: its valid tasks and every problem found. */
export interface ParsedSpecFile {
  file: string;
  format: SpecFormat;
  /** A decomposition's `slug`: names the project when no project encloses the file. */
  slug?: string;
  tasks: TaskSpec[];
  problems: SpecProblem[];
  /** Reported, but nothing fails: a file at a task-master path that is another tool's, a dependency note that could not be applied. */
  notes?: SpecProblem[];
}
