export { generateDemo, startEndingToday } from './generate-demo';
export {
  loadDemoPartnership,
  recordDemoMeetings,
  type DemoLoadProgress,
  type DemoLoadResult,
} from './load-demo';
export { DEMO_SOURCES } from './sources';
export { Rng } from './prng';
export type {
  DemoCloudEvent,
  DemoMeeting,
  DemoOptions,
  DemoPartnership,
  DemoPlatformRecord,
  DemoPublication,
} from './types';
