import { open, readFile } from 'node:fs/promises';
import type { AuditCheckpoint } from '../domain/disclosure';
import { type AuditWitness, parseWitnessLine, witnessLine } from './audit-witness';

/**
 * An append-only JSON lines file, one signed checkpoint a line, meant for storage the holder of
 * DATA_DIR cannot rewrite (another host's mount, a WORM bucket's file gateway). Its directory is
 * never created: a missing mount is a failure to publish, not a new file on the wrong disk.
 */
export class FileWitness implements AuditWitness {
  readonly name: string;

  constructor(private readonly file: string) {
    this.name = `file ${file}`;
  }

  async publish(checkpoint: AuditCheckpoint): Promise<void> {
    // O_APPEND: each line lands whole at the end, however many processes publish.
    const handle = await open(this.file, 'a', 0o644);
    try {
      await handle.write(`${witnessLine(checkpoint)}\n`);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async read(): Promise<{ checkpoints: AuditCheckpoint[]; unreadable: number }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], unreadable: 0 };
      throw error;
    }
    const checkpoints: AuditCheckpoint[] = [];
    let unreadable = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const checkpoint = parseWitnessLine(line);
      if (checkpoint) checkpoints.push(checkpoint);
      else unreadable++;
    }
    return { checkpoints, unreadable };
  }

  async close(): Promise<void> {}
}
