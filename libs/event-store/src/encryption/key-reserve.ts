import type { DataKey } from './subject-key-store';

/**
 * How many keys a process makes ahead of use at first, and at most at a time: each refill makes
 * twice as many as the last, so a process that seals little makes few, and one that ingests a
 * partnership's data pays one durable commit for thousands of new scopes.
 */
const FIRST_REFILL = 256;
const LARGEST_REFILL = 4096;

/**
 * The keys a process has made durable and not yet given to a scope. Only the process that made a
 * key gives it out, so two processes never give the same one.
 */
export class KeyReserve {
  private keys: DataKey[] = [];
  private refill = FIRST_REFILL;

  /** How many keys to make so that `needed` can be given: none, or at least a refill's worth. */
  toMake(needed: number): number {
    if (this.keys.length >= needed) return 0;
    const count = Math.max(this.refill, needed - this.keys.length);
    this.refill = Math.min(this.refill * 2, LARGEST_REFILL);
    return count;
  }

  /** Keys to give out in the order listed (their ids' order: see `newDataKeys`). */
  add(keys: readonly DataKey[]): void {
    for (let index = keys.length - 1; index >= 0; index -= 1) this.keys.push(keys[index]!);
  }

  /**
   * Runs the write that gives keys out; when it fails (and rolls back), the reserve is as it was
   * before, since none of the keys it took was given.
   */
  giving<T>(write: () => T): T {
    const before = this.keys.slice();
    try {
      return write();
    } catch (error) {
      this.keys = before;
      throw error;
    }
  }

  take(): DataKey {
    const key = this.keys.pop();
    if (!key) throw new Error('the key reserve is empty: refill it before giving keys out');
    return key;
  }

  /** A key taken but not given (the scope had one already): offered again. */
  putBack(key: DataKey): void {
    this.keys.push(key);
  }

  /** Empties the reserve, returning what it held. */
  drain(): DataKey[] {
    const keys = this.keys;
    this.keys = [];
    return keys;
  }
}
