import type { ParsedGlob, Segment } from './glob-intersection';

/**
 * Values filed under parsed patterns, for finding the ones that may overlap a pattern without
 * trying every pair: two patterns can only meet when the literal folders one starts with lead
 * into (or out of) the other's, so each alternative is filed under its literal leading segments
 * in a tree, and a look-up walks one path of it plus the subtree below.
 */
export class GlobIndex<Value> {
  private readonly root: IndexNode<Value> = { values: [], children: new Map() };

  add(value: Value, glob: ParsedGlob): void {
    for (const alternative of glob.alternatives) {
      let node = this.root;
      for (const segment of literalPrefix(alternative)) {
        let child = node.children.get(segment);
        if (!child) node.children.set(segment, (child = { values: [], children: new Map() }));
        node = child;
      }
      node.values.push(value);
    }
  }

  /** Every value whose pattern may overlap `glob` (a superset: check each with intersectGlobs). */
  candidates(glob: ParsedGlob): Set<Value> {
    const found = new Set<Value>();
    for (const alternative of glob.alternatives) {
      let node: IndexNode<Value> | undefined = this.root;
      for (const segment of literalPrefix(alternative)) {
        for (const value of node.values) found.add(value);
        node = node.children.get(segment);
        if (!node) break;
      }
      const stack = node ? [node] : [];
      while (stack.length) {
        const next = stack.pop()!;
        for (const value of next.values) found.add(value);
        stack.push(...next.children.values());
      }
    }
    return found;
  }
}

interface IndexNode<Value> {
  values: Value[];
  children: Map<string, IndexNode<Value>>;
}

/** The literal segments an alternative starts with, up to its first glob segment. */
function literalPrefix(alternative: readonly Segment[]): string[] {
  const prefix: string[] = [];
  for (const segment of alternative) {
    if (typeof segment !== 'string') break;
    prefix.push(segment);
  }
  return prefix;
}
