import { redirectionTargets, unwrapShell } from './shell-words';

describe('unwrapShell', () => {
  it.each([
    [`/bin/bash -lc "printf '%s' 'hello codex' > 'out.txt'"`, `printf '%s' 'hello codex' > 'out.txt'`],
    [`bash -lc 'echo "a b" > x'`, `echo "a b" > x`],
    [`/bin/zsh -c "echo \\"quoted\\" \\$HOME"`, `echo "quoted" $HOME`],
    ['ls -la', 'ls -la'],
    ['/bin/bash -lc echo two words', '/bin/bash -lc echo two words'],
  ])('%s', (command, expected) => expect(unwrapShell(command)).toBe(expected));
});

describe('redirectionTargets', () => {
  it.each<[string, string[]]>([
    [`printf '%s' 'hello codex' > 'out.txt'`, ['out.txt']],
    ['echo a >> log.txt; echo b 2> err.txt && cat x &> all.txt', ['log.txt', 'err.txt', 'all.txt']],
    ['echo a>b.txt', ['b.txt']],
    ['npm test > /dev/null 2>&1', []],
    ['echo "a > b" > "my file.txt"', ['my file.txt']],
    ['cd src/app && echo x > main.ts', ['src/app/main.ts']],
    ['echo x | tee -a one.txt two.txt', ['one.txt', 'two.txt']],
    ["cat > notes.md <<'EOF'\nline with > not-a-file\nEOF\necho done > done.txt", ['notes.md', 'done.txt']],
    ['cat <<-END > tabbed.txt\n\tx > y\n\tEND', ['tabbed.txt']],
    ['echo $HOME > $OUT; echo x > ~/a; echo y > /abs/path.txt', ['/abs/path.txt']],
    ['# a comment > not.txt\necho x > real.txt', ['real.txt']],
    ['cat <<< "here > string" > hs.txt', ['hs.txt']],
    ['echo x > a.txt; echo y > a.txt', ['a.txt']],
    ['grep -c x file.txt', []],
  ])('%j -> %j', (script, expected) => expect(redirectionTargets(script)).toEqual(expected));
});
