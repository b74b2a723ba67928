import { parseTaskReference, taskKey } from './task-key';

describe('parseTaskReference', () => {
  it.each([
    { reference: 'design', project: 'api', id: 'design' },
    { reference: 'shared:schema', project: 'shared', id: 'schema' },
    { reference: 'api:1.2', project: 'api', id: '1.2' },
    // Project names may contain ":" (npm scopes do not, but Nx allows it); ids never do.
    { reference: 'tools:gen:seed', project: 'tools:gen', id: 'seed' },
    { reference: '@org/web:build-ui', project: '@org/web', id: 'build-ui' },
  ])('$reference', ({ reference, project, id }) => {
    expect(parseTaskReference(reference, 'api')).toEqual({ project, id });
  });

  it('round-trips a task key', () => {
    expect(parseTaskReference(taskKey('@org/web', 'a.b'), 'other')).toEqual({ project: '@org/web', id: 'a.b' });
  });
});
