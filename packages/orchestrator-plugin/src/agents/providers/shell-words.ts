/**
 * Reading shell scripts the way an agent's commands are logged (`/bin/bash -lc "…"`), to tell
 * which files a command wrote. A small POSIX tokenizer: quotes, escapes, operators and heredoc
 * bodies; no expansions. Best effort by design: callers check what it finds against the disk.
 */

/**
 * The script inside codex's shell wrapper: `/bin/bash -lc "printf … > 'out.txt'"` becomes
 * `printf … > 'out.txt'`. Anything else comes back unchanged.
 */
export function unwrapShell(command: string): string {
  const match = /^\s*(?:\S*\/)?(?:bash|sh|zsh|dash)\s+-l?c\s+([\s\S]*)$/.exec(command);
  if (!match) return command;
  const words = shellWords(match[1]);
  return words.length === 1 && words[0].kind === 'word' ? words[0].text : command;
}

/**
 * Files a shell script writes through `>`, `>>`, `&>` or `tee` (heredoc bodies skipped, `cd`
 * followed), relative to where the script starts. Targets with expansions (`$`, `~`, backticks)
 * and devices are left out: this is a best-effort reading, checked against the disk afterwards.
 */
export function redirectionTargets(script: string): string[] {
  const targets: string[] = [];
  let directory = '';
  let commandWords: string[] = [];
  const words = shellWords(script);
  for (let index = 0; index < words.length; index++) {
    const word = words[index];
    if (word.kind === 'operator') {
      if (/^(?:\d*>>?|&>>?|>\|)$/.test(word.text) && words[index + 1]?.kind === 'word') {
        add(words[++index].text);
        continue;
      }
      if (/^[;&|]+$|^\n$|^[()]$/.test(word.text)) commandWords = [];
      continue;
    }
    commandWords.push(word.text);
    if (commandWords.length === 2 && commandWords[0] === 'cd') directory = joinDirectory(directory, word.text);
    if (commandWords[0] === 'tee' && commandWords.length > 1 && !word.text.startsWith('-')) add(word.text);
  }
  return targets;

  function add(target: string) {
    if (!target || /[$`~*?]/.test(target) || target.startsWith('/dev/') || target.startsWith('&')) return;
    const path = directory && !target.startsWith('/') ? `${directory}/${target}` : target;
    if (!targets.includes(path)) targets.push(path);
  }
}

function joinDirectory(current: string, next: string): string {
  if (/[$`~]/.test(next)) return current;
  return next.startsWith('/') || !current ? next : `${current}/${next}`;
}

type ShellWord = { kind: 'word' | 'operator'; text: string };

/** A small POSIX shell tokenizer: quotes, escapes, operators and heredoc bodies; no expansions. */
function shellWords(script: string): ShellWord[] {
  const words: ShellWord[] = [];
  const heredocs: Array<{ delimiter: string; stripTabs: boolean }> = [];
  let index = 0;
  while (index < script.length) {
    const character = script[index];
    if (character === '\n') {
      words.push({ kind: 'operator', text: '\n' });
      index++;
      // Skip the bodies of heredocs opened on the line just ended.
      for (const heredoc of heredocs.splice(0)) {
        while (index < script.length) {
          const end = script.indexOf('\n', index);
          const line = script.slice(index, end < 0 ? script.length : end);
          index = end < 0 ? script.length : end + 1;
          if ((heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter) break;
        }
      }
      continue;
    }
    if (character === ' ' || character === '\t') {
      index++;
      continue;
    }
    if (character === '#' && (index === 0 || /\s/.test(script[index - 1]))) {
      while (index < script.length && script[index] !== '\n') index++;
      continue;
    }
    const operator = /^(?:<<<|<<-?|\d*>>|\d*>&|&>>|&>|>\||\d*>|<&|<|&&|\|\||[|&;()])/.exec(script.slice(index));
    if (operator) {
      index += operator[0].length;
      if (operator[0] === '<<' || operator[0] === '<<-') {
        const [delimiter, next] = readWord(script, skipBlanks(script, index));
        heredocs.push({ delimiter, stripTabs: operator[0] === '<<-' });
        index = next;
        continue;
      }
      if (/>&$|^<&$/.test(operator[0])) {
        // A descriptor duplication (2>&1): its operand is a descriptor, not a file.
        index = readWord(script, skipBlanks(script, index))[1];
        continue;
      }
      words.push({ kind: 'operator', text: operator[0] });
      continue;
    }
    const [text, next] = readWord(script, index);
    words.push({ kind: 'word', text });
    index = next;
  }
  return words;
}

function skipBlanks(script: string, index: number): number {
  while (script[index] === ' ' || script[index] === '\t') index++;
  return index;
}

/** One word from `index`, quotes removed, ending at a blank, a newline or an operator character. */
function readWord(script: string, index: number): [string, number] {
  let text = '';
  while (index < script.length && !/[\s|&;()<>]/.test(script[index])) {
    const character = script[index];
    if (character === "'") {
      const end = script.indexOf("'", index + 1);
      text += script.slice(index + 1, end < 0 ? script.length : end);
      index = end < 0 ? script.length : end + 1;
    } else if (character === '"') {
      index++;
      while (index < script.length && script[index] !== '"') {
        if (script[index] === '\\' && /["\\$`\n]/.test(script[index + 1] ?? '')) index++;
        text += script[index++];
      }
      index++;
    } else if (character === '\\') {
      text += script[index + 1] ?? '';
      index += 2;
    } else {
      text += character;
      index++;
    }
  }
  return [text, index];
}
