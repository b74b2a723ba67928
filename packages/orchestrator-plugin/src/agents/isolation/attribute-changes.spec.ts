import type { ActivityEntry } from './activity-journal';
import { attributeChanges } from './attribute-changes';
import { createWriteScope } from './write-scope';

const other = (task: string, writes: string[]): ActivityEntry => ({ project: 'web', task, writes, isolation: 'shared', pid: 1, hostname: 'h', startedAt: 0 });

describe('attributeChanges', () => {
  const scope = createWriteScope(['apps/api/**']);

  it('attributes every out-of-scope change to a task that ran alone', () => {
    expect(attributeChanges({ changed: ['apps/api/a.ts', 'README.md'], scope, reportedByAgent: [], overlapping: [] })).toEqual({
      inScope: ['apps/api/a.ts'],
      outOfScope: [{ path: 'README.md', attribution: 'alone' }],
      presumedOthers: [],
    });
  });

  it('with overlapping runs: what the agent reported is its own; what another may write is presumed theirs; the rest is unattributed', () => {
    const findings = attributeChanges({
      changed: ['apps/api/a.ts', 'apps/web/b.ts', 'package.json', 'tsconfig.json'],
      scope,
      reportedByAgent: ['tsconfig.json', 'apps/api/a.ts'],
      overlapping: [other('styles', ['apps/web/**']), other('docs', ['docs/**']), other('styles', ['apps/web/**'])],
    });
    expect(findings).toEqual({
      inScope: ['apps/api/a.ts'],
      outOfScope: [
        { path: 'package.json', attribution: 'unattributed', candidates: ['web:styles', 'web:docs'] },
        { path: 'tsconfig.json', attribution: 'reported' },
      ],
      presumedOthers: [{ path: 'apps/web/b.ts', tasks: ['web:styles'] }],
    });
  });
});
