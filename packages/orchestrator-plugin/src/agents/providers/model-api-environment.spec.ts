import { AgentError } from '../agent-adapter';
import { displayUrl, isLocalUrl, mergedEnvironment, readVariable, requireSdk } from './model-api-environment';

describe('isLocalUrl', () => {
  it.each([
    ['http://127.0.0.1:11434/v1', true],
    ['http://localhost:8080/v1', true],
    ['http://LOCALHOST:1234', true],
    ['http://[::1]:8000/v1', true],
    ['http://0.0.0.0:8000', true],
    ['http://127.1.2.3', true],
    ['http://ollama.localhost/v1', true],
    ['https://api.openai.com/v1', false],
    ['http://192.168.1.20:11434/v1', false],
    ['http://localhost.example.com', false],
    ['not a url', false],
    [undefined, false],
  ])('%s -> %s', (url, local) => {
    expect(isLocalUrl(url)).toBe(local);
  });
});

describe('mergedEnvironment', () => {
  it('lays the profile env over the base without changing either', () => {
    const base = { A: '1', B: '2' };
    expect(mergedEnvironment({ env: { B: '3', C: '4' } }, base)).toEqual({ A: '1', B: '3', C: '4' });
    expect(base).toEqual({ A: '1', B: '2' });
  });
});

describe('readVariable', () => {
  it.each([
    [{ K: 'v' }, 'v'],
    [{ K: '  v  ' }, 'v'],
    [{ K: '' }, undefined],
    [{ K: '   ' }, undefined],
    [{}, undefined],
  ])('%j -> %s', (environment, value) => {
    expect(readVariable(environment, 'K')).toBe(value);
  });
});

describe('requireSdk', () => {
  it('loads an installed SDK and fails with the install command for a missing one', () => {
    expect(typeof requireSdk<{ default: unknown }>('openai', process.cwd(), 'openai').default).toBe('function');
    expect(() => requireSdk('@example/not-installed-sdk', process.cwd(), 'example')).toThrow(AgentError);
    expect(() => requireSdk('@example/not-installed-sdk', process.cwd(), 'example')).toThrow('npm i -D @example/not-installed-sdk');
  });
});

describe('displayUrl', () => {
  it.each([
    ['https://api.openai.com/v1', 'https://api.openai.com/v1'],
    ['http://127.0.0.1:11434/v1', 'http://127.0.0.1:11434/v1'],
    ['https://user:secret@gateway.example.com/v1', 'https://gateway.example.com/v1'],
    ['https://gateway.example.com/v1?key=secret', 'https://gateway.example.com/v1'],
    ['not a url://user:secret@x?key=1', 'not a url://x'],
  ])('%s -> %s', (url, shown) => {
    expect(displayUrl(url)).toBe(shown);
  });
});
