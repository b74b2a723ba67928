/** Where each value of a JSON text starts: a map entry by its key, a list item by the item. */
export interface JsonPosition {
  offset: number;
  children?: Map<string, JsonPosition>;
}

/**
 * The positions of every value in valid JSON text, in one linear pass with an explicit stack
 * (no recursion): what a spec's problems need to name their lines, at a fraction of the cost of
 * re-parsing the file as YAML. Keys are strings; list indexes are written as numbers in decimal.
 */
export function jsonPositions(text: string): JsonPosition {
  const root: JsonPosition = { offset: 0 };
  const stack: Array<{ node: JsonPosition; list: boolean; index: number; key?: { name: string; offset: number } }> = [];
  let index = 0;
  const attach = (offset: number): JsonPosition => {
    const parent = stack[stack.length - 1];
    if (!parent) {
      root.offset = offset;
      return root;
    }
    const node: JsonPosition = { offset: parent.list ? offset : (parent.key?.offset ?? offset) };
    parent.node.children ??= new Map();
    const name = parent.list ? String(parent.index++) : (parent.key?.name ?? '');
    if (!parent.node.children.has(name)) parent.node.children.set(name, node);
    parent.key = undefined;
    return node;
  };
  const readString = (): string => {
    const start = index++;
    let escaped = false;
    while (index < text.length && text[index] !== '"') {
      if (text[index] === '\\') {
        escaped = true;
        index++;
      }
      index++;
    }
    index++;
    const raw = text.slice(start, index);
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  while (index < text.length) {
    const character = text[index];
    if (character === ' ' || character === '\n' || character === '\r' || character === '\t' || character === ',' || character === ':') {
      index++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (character === '}' || character === ']') {
      stack.pop();
      index++;
      continue;
    }
    if (top && !top.list && !top.key && character === '"') {
      const offset = index;
      top.key = { name: readString(), offset };
      continue;
    }
    const node = attach(index);
    if (character === '{' || character === '[') {
      stack.push({ node, list: character === '[', index: 0 });
      index++;
    } else if (character === '"') {
      readString();
    } else {
      while (index < text.length && !' \n\r\t,]}'.includes(text[index])) index++;
    }
  }
  return root;
}
