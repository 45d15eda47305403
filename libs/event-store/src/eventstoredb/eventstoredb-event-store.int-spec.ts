import { describeEventStoreContract } from '../testing/event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

const url = process.env.EVENTSTORE_URL;
const skipped = 'EventStoreDB contract suite skipped: EVENTSTORE_URL is not set';

if (url) {
  describeEventStoreContract('EventStoreDbEventStore', () => EventStoreDbEventStore.connect(url), {
    atomicAppendMany: false,
    uniqueIdsAcrossStreams: false,
    findByIdsWithoutStream: false,
    atomicClaims: false,
  });
} else {
  // Written past Jest's console capture, which hides the output of a file whose tests all skip.
  process.stderr.write(`${skipped}\n`);
  describe('EventStoreDbEventStore', () => {
    it.skip(skipped, () => undefined);
  });
}
