import { statSync } from 'node:fs';
import { join } from 'node:path';
import { AuditService, SqliteAuditStore } from '@throughline/audit';
import { loadConfig } from '@throughline/platform';
import { DisclosureRecords } from './disclosure-records';
import type { Scratch } from './scratch';

export const VERIFY_RECORDS = 1_000_000;
const APPEND_BATCH = 10_000;
/**
 * The API signs a checkpoint every 256 records; 3,906 signatures would only lengthen the build, and
 * verification checks each one once at the end, so a checkpoint per 100,000 records is enough to
 * make verify walk its signature path.
 */
const CHECKPOINT_EVERY = 100_000;
/** Content bytes are counted on one batch in ten: serialising every record again costs 20 s. */
const SIZE_SAMPLE_EVERY = 10;

export interface VerifyRun {
  readonly records: number;
  readonly checkpoints: number;
  readonly appendMs: number;
  readonly verifyMs: number;
  /** Stored content (estimated from a sample), so the rate can be read against other record sizes. */
  readonly contentBytes: number;
  readonly fileBytes: number;
  readonly ok: boolean;
  readonly fault: string | null;
}

const fileSize = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** Appends the synthetic log, a batch at a time, and returns how long the store took and its size. */
async function appendLog(
  store: SqliteAuditStore,
  service: AuditService,
  records: number,
  progress: (text: string) => void,
): Promise<{ readonly appendMs: number; readonly meanBytes: number }> {
  const generator = new DisclosureRecords();
  let appendMs = 0;
  let sampledBytes = 0;
  let sampledRecords = 0;
  for (let appended = 0, batch = 0; appended < records; batch++) {
    const contents = generator.batch(Math.min(APPEND_BATCH, records - appended));
    // Only the store's work is timed: generating the synthetic contents is not part of auditing.
    const started = performance.now();
    await store.append(contents);
    appendMs += performance.now() - started;
    if (batch % SIZE_SAMPLE_EVERY === 0) {
      for (const content of contents) sampledBytes += Buffer.byteLength(JSON.stringify(content));
      sampledRecords += contents.length;
    }
    appended += contents.length;
    if (appended % CHECKPOINT_EVERY === 0 || appended === records) {
      await service.checkpoint();
      progress(`${appended.toLocaleString('en-GB')} records appended`);
    }
  }
  return { appendMs, meanBytes: sampledRecords > 0 ? sampledBytes / sampledRecords : 0 };
}

/**
 * Builds a log of a million disclosure records in a fresh SQLite audit store (the embedded
 * default), then times `AuditService.verify`, the walk behind `GET /v1/audit/verify` and
 * `npx throughline audit verify`. Records are generated a batch at a time so memory stays flat.
 */
export async function measureVerify(
  scratch: Scratch,
  progress: (text: string) => void,
  records = VERIFY_RECORDS,
): Promise<VerifyRun> {
  const dir = await scratch.tempDir('audit');
  const file = join(dir, 'audit.db');
  const store = new SqliteAuditStore(file);
  const service = new AuditService(store, loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }));
  const close = (open: SqliteAuditStore): Promise<void> => open.close();
  return scratch.using('audit store', store, close, async () => {
    const { appendMs, meanBytes } = await appendLog(store, service, records, progress);
    const started = performance.now();
    const result = await service.verify();
    const verifyMs = performance.now() - started;
    return {
      records: result.records,
      checkpoints: result.checkpoints,
      appendMs,
      verifyMs,
      contentBytes: meanBytes * result.records,
      fileBytes: fileSize(file) + fileSize(`${file}-wal`),
      ok: result.ok,
      fault: result.firstFault ? `${result.firstFault.kind} at ${result.firstFault.seq}` : null,
    };
  });
}
