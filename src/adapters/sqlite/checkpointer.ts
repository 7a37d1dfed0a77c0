import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the checkpointer copies the WAL back. */
const EVERY_MS = 100;
/**
 * The writer's own automatic checkpoint, in WAL pages (4 KB). SQLite restarts the WAL from its
 * start only when a write begins after a checkpoint that copied every frame, which a thread
 * running beside a steady writer never quite does; at this threshold the writer's checkpoint
 * copies the last ~100 ms of frames the thread has not, and the WAL restarts, every 16 MB.
 */
export const WRITER_CHECKPOINT_PAGES = 4000;

/**
 * The thread's whole program (CommonJS, evaluated): its own connection to the database file and
 * a PASSIVE checkpoint every EVERY_MS. PASSIVE never waits for, nor blocks, the writer or the
 * readers; with nothing new in the WAL it only reads the WAL index.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('cache_size = -1024');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort.postMessage({ error: String(e && e.message || e) });
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT
 * that crosses its threshold: on the writer, in the request's turn, with an fsync of the
 * database file. Here a worker thread copies the WAL back instead, on the other core, and the
 * writer's own checkpoint (at `WRITER_CHECKPOINT_PAGES`) has little left to copy.
 */
export function startCheckpointer(file: string, onError: (message: string) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(PROGRAM, { eval: true, workerData: { file, driver, everyMs: EVERY_MS } });
  worker.unref();
  worker.on('message', (m: { error?: string }) => m.error && onError(m.error));
  worker.on('error', (e) => onError(e.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    async stop() {
      // Unreferenced while it runs, so it never keeps a process alive; referenced while it closes,
      // so a process awaiting this does not end (with status 0) before the thread has.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
