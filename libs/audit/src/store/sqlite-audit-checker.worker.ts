import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type CheckedRecord, checkRecord } from '../domain/chain';
import { scanRecords } from './sqlite-audit-rows';

/** Check the records with afterSeq < seq <= toSeq. */
export interface CheckRequest {
  readonly afterSeq: number;
  readonly toSeq: number;
}

export type CheckReply =
  | { readonly afterSeq: number; readonly checked: readonly CheckedRecord[] }
  | { readonly afterSeq: number; readonly error: string };

/*
 * A verification thread: checks each record of the ranges it is sent on its own (content hash, chain
 * hash, filter columns) on a read-only connection of its own, and answers with what it found.
 */
const db = new Database((workerData as { file: string }).file, { readonly: true, fileMustExist: true });
const port = parentPort!;
port.on('message', ({ afterSeq, toSeq }: CheckRequest) => {
  let reply: CheckReply;
  try {
    reply = { afterSeq, checked: scanRecords(db, afterSeq, toSeq, toSeq - afterSeq).map(checkRecord) };
  } catch (error) {
    reply = { afterSeq, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply);
});
