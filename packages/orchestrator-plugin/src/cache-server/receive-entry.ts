import { createWriteStream, existsSync, linkSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { temporaryEntryPath } from './temporary-entry-files';

/** How an upload ended: stored, refused because the entry exists or is too large, or cut off by the client. */
export type ReceiveEntryOutcome = 'stored' | 'exists' | 'too-large' | 'aborted';

export interface ReceiveEntryRequest {
  /** The PUT request; its body is the entry. */
  request: IncomingMessage;
  /** Where the entry is published. */
  entryPath: string;
  /** Largest body accepted, in bytes, counted as they arrive (chunked bodies declare no length). */
  maxEntryBytes: number;
  /** Temporary files being written, so closing the server can remove any still there. */
  temporaryFiles: Set<string>;
}

/**
 * Streams an upload into a temporary file, counting bytes as they arrive, and publishes it at
 * `entryPath` only if it is complete, within the limit, and no entry exists there yet. On
 * 'too-large' the request is left paused, so nothing more is read: the caller answers and
 * closes the connection. Whatever the outcome, no temporary file remains.
 */
export async function receiveEntry({ request, entryPath, maxEntryBytes, temporaryFiles }: ReceiveEntryRequest): Promise<ReceiveEntryOutcome> {
  const temporary = temporaryEntryPath(entryPath, process.pid);
  temporaryFiles.add(temporary);
  try {
    const streamed = await streamBody(request, createWriteStream(temporary, { flags: 'wx', flush: true }), maxEntryBytes);
    if (streamed !== 'complete') return streamed;
    return publishOnce(temporary, entryPath) ? 'stored' : 'exists';
  } finally {
    rmSync(temporary, { force: true });
    temporaryFiles.delete(temporary);
  }
}

/**
 * Copies the body into `file` with backpressure. Settles only once the file is closed, so the
 * caller can remove or publish it. The request is never destroyed here: destroying it would
 * destroy the socket before a 413 could be sent.
 */
async function streamBody(request: IncomingMessage, file: WriteStream, maxEntryBytes: number): Promise<'complete' | 'too-large' | 'aborted'> {
  // A client that disconnects mid-body makes the request emit 'error' as well as 'close'; 'close' is what is handled.
  request.on('error', () => undefined);
  let fileError: Error | undefined;
  const outcome = await new Promise<'complete' | 'too-large' | 'aborted' | 'failed'>((resolve) => {
    let received = 0;
    const settle = (result: 'complete' | 'too-large' | 'aborted' | 'failed') => {
      request.off('data', onData).off('end', onEnd).off('close', onClose);
      file.off('drain', onDrain).off('error', onFileError);
      if (result !== 'complete') request.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxEntryBytes) return settle('too-large');
      if (!file.write(chunk)) {
        request.pause();
        file.once('drain', onDrain);
      }
    };
    const onDrain = () => request.resume();
    const onEnd = () => settle('complete');
    const onClose = () => settle(request.complete ? 'complete' : 'aborted');
    const onFileError = (error: Error) => {
      fileError = error;
      settle('failed');
    };
    request.on('data', onData).once('end', onEnd).once('close', onClose);
    file.once('error', onFileError);
  });
  if (outcome === 'complete') await closeFile(file, 'keep');
  else await closeFile(file, 'discard');
  if (fileError) throw fileError;
  return outcome as 'complete' | 'too-large' | 'aborted';
}

/**
 * Resolves once `file` is closed: after its data is flushed to disk ('keep', flush: true), or
 * at once with pending writes dropped ('discard', whose write errors mean nothing).
 */
function closeFile(file: WriteStream, how: 'keep' | 'discard'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (file.closed) return resolve();
    file.once('close', () => resolve());
    if (how === 'discard') {
      file.on('error', () => undefined);
      file.destroy();
      return;
    }
    file.once('error', reject);
    file.end();
  });
}

/** Error codes of file systems that cannot make hard links (FAT, some network and FUSE mounts). */
const HARD_LINKS_UNSUPPORTED = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Publishes the complete temporary file at `entryPath` unless an entry is already there. A hard
 * link fails atomically when the name exists, so two uploads of one hash (in one server, or in
 * two servers sharing the folder) can never both win, and a reader only ever sees a whole entry.
 * Where hard links are unsupported, falls back to check-then-rename, which is atomic within
 * this process (both steps are synchronous) but not across processes.
 */
function publishOnce(temporary: string, entryPath: string): boolean {
  try {
    linkSync(temporary, entryPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!HARD_LINKS_UNSUPPORTED.has(code)) throw error;
  }
  if (existsSync(entryPath)) return false;
  renameSync(temporary, entryPath);
  return true;
}
