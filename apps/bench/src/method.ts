import { REBUILD_PAGE } from '@throughline/projections';
import { fmt } from './report';

/**
 * How each figure is measured, written into docs/benchmarks.md after the figures. Kept beside the
 * code that does the measuring so the two change together.
 */
export const METHOD = `
## Method

\`npm run build && node bin/bench.js\` (what \`npm run bench\` runs) starts everything it measures in
its own process (apart from the Kafka broker of figures 7 and 8, a JVM), on 127.0.0.1 only, in
temporary directories and PostgreSQL databases of its own, and removes them all at the end. The
code is in \`apps/bench/src\`, one module per figure. PostgreSQL is reached at
\`postgres://postgres@127.0.0.1:5432/test\` (set \`BENCH_POSTGRES_URL\` to use another server).

**Data.** The demo partnership (\`generateDemo({ seed: 1 })\`): six agencies, 320 subjects and about
42,000 CloudEvents over two years. The events are shipped the way agency systems batch their own
output: identity first (every registration, then every link, in time order, since an event about
an unknown subject is refused), then each agency's events in time order, sent whenever that agency
has 500 ready. The demo loader's four-week windows give batches of about 120 events instead.

**The API under test** is the production one (\`createApi\`) in the bench process, with projections
running on their own thread of the API's process as on the embedded default, the configuration coming from the same environment
variables a deployment sets (\`DATA_DIR\`, and \`DATABASE_URL\` for PostgreSQL), and logging off. The
load generator runs in a worker thread over keep-alive \`node:http\` connections, so it takes no time
from the API's event loop; request bodies are serialised and encoded before the clock starts.

**1 and 4, HTTP batch ingestion.** Each batch is a \`POST /v1/events\` as
\`application/cloudevents-batch+json\` with the publishing agency's system token, one at a time,
each sent when the previous one is acknowledged. The figure is acknowledged events per second
(validated, authorized, appended, answered); how long the API's projections took to reach the head
is reported beside it, and so is a second run of the same ingestion into fresh storage with the
API's projections switched off (\`projections: 'off'\`, left to a worker as a scaled deployment runs
them), which shows how much the projections running beside ingestion, on the other core, cost it.
The HTTP side runs five times, each into a fresh API on fresh storage, and the raw side five
times, each into an empty store; each side keeps its median and every round is listed, since one
pass takes seconds and a burst of other work on a shared machine moves it by a fifth either way.
The first HTTP round's log is the one the later figures read. *Raw store:* the same events as stored (read back from the API's log:
same ids, data and metadata) appended with \`appendMany\` into an empty store of the same kind
(a fresh SQLite file with the same schema and pragmas, \`synchronous = FULL\`; a fresh PostgreSQL
schema), 500 events per call, grouped by stream as the ingestion service groups them. Ratio = HTTP /
raw, of the medians. The raw rounds run after the HTTP rounds, on the same machine state.

**2 and 5, full projection rebuild.** \`rebuildProjection\` of the subject views (what
\`npx throughline rebuild\` runs) over the log the API wrote, into empty read-model storage, read in
pages of ${fmt(REBUILD_PAGE)} and written once per 250,000 events (so once, for the demo log). *Raw
store:* \`readAll\` of the same log in the same pages, each let go once read, which is the part of a
rebuild that is not projection work (it keeps no copy of the log, which the rebuild timed after it
would otherwise pay to collect). Both run seven times, taking turns, in a Node process of their own that holds only
the stores and what the rebuild builds, as the process \`npx throughline rebuild\` starts does, rather
than in the bench's, which still holds the demo batches it posted. The medians are reported; every
round is listed, and the first of each pays for compiling the code it runs.

**3, subject reads.** \`GET /v1/subjects/{id}\` with \`X-Purpose-Of-Use: case-management\` as a police
\`iom-officer\`, cycling over every subject the officer may see (the same set is checked in-process
first, so every request should answer 200), 32 connections in a closed loop (each sends its next
request when the previous answer arrives), 2 s of warm-up and then 10 s measured. Latency is per
request, from sending to the last byte of the answer. The read is measured as the API serves it,
with everything it does per read: authentication, the ability, and the durable disclosure record
the audit log (issue 4) writes before answering. *Raw store:* loading the same subjects' whole
documents in-process: \`ReadModelStore.get\` of the stored document and the timeline folded from the
subject's stream (what every read starts with when a document is new to it).

*Cost of the policy step.* With the load stopped, in the API's process, over the same subjects:
\`buildReadPolicy\` (the CASL ability for the request) and \`discloseSubject\` (each entry decided and
cut to its permitted fields) on documents loaded beforehand, the whole \`SubjectReader.read\` (the
read path behind the endpoint, without HTTP) and the whole-document load. The steps take turns in
300 ms slices over five rounds and each keeps its median, so bursts of other work on a shared
machine fall on all of them alike. The read path keeps each cut it makes (per document version,
agency and purpose) and serves it to later reads until the document or the sharing state changes,
so in the load above the step runs once per subject; its share is reported as it would be were it
computed on every read, against the API's time per served read over HTTP, 1 / throughput, since the
API answers on one thread and 32 connections keep it busy.

**6, the cost of auditing reads, and verifying the audit log.** *Reads:* in the API of figure 3,
right after it, the same load (the same officer, view, subjects and 32 connections) runs ten
times, 1.5 s of warm-up and 4 s measured each: as served, where every read appends its disclosure
record and waits for it to be durable before answering, then with auditing switched off, taking
turns; each side keeps the median of its five rounds. Ratio = audited / unaudited reads per
second. Auditing is switched off by shadowing \`record\` on the API's \`AuditService\` instance
with a function that answers at once with a record that was never written, and removing the
shadow afterwards. That switch exists only inside the bench: the API has no setting, header or
code path that serves a read without its disclosure record. Each round checks the log's length:
the audited rounds grow it by at least one record per read, the unaudited ones not at all. With
the load stopped, the API's own log (the records those reads wrote) is verified too, to show the
rate for records as the API writes them. *Verification:* a fresh \`SqliteAuditStore\` (the
embedded default) gets 1,000,000 synthetic disclosure records through \`append\`, 10,000 per call,
generated a batch at a time, with a signed checkpoint (\`AuditService.checkpoint\`) every 100,000;
then \`AuditService.verify\` (what \`GET /v1/audit/verify\` and \`npx throughline audit verify\` run)
walks the whole log and is timed. On SQLite it checks each record on its own (content hash, chain
hash, filter columns) in ranges of 5,000 on up to four threads, and links the records in order on
the calling thread. The records are shaped as the API writes them: about half views and timelines
of one subject naming 20 to 290 events by log position (as the demo's views do), a fifth lists and
tasking boards of 2 to 10 subjects, a fifth alerts, a tenth refusals; 5,000 subjects, 60 users in
each of the six agencies, the agreement's clauses and legal bases, five purposes. The figure also
gives the bytes verified per second and the rate over the API's own log. This part runs after the other SQLite figures, with
their API and stores closed.

**7 and 8, Kafka topic ingestion.** Run last, after the other figures' APIs and stores are closed.
A broker comes from \`KAFKA_BROKERS\` when it is set; otherwise \`infra/kafka/kafka.sh\` starts a
single-node KRaft broker on 127.0.0.1:9092 (as the integration tests do) and the run stops it at
the end. Each backend gets fresh storage (a new SQLite directory, a new PostgreSQL database) and
topics of its own (a random prefix, deleted at the end), the six ingest topics and six alert topics
with 3 partitions each. The demo's events are produced as structured CloudEvents
(\`application/cloudevents+json\`) keyed by subject reference, so one subject's events stay in order
on one partition, to their publishers' \`<prefix>.ingest.<agency>\` topics. Kafka orders records only
within a partition and an event about a subject not yet registered is refused, so the events go in
three waves: every registration, then every identifier link, then everything else. One
production worker (\`createWorker\`, what \`throughline worker\` runs, configured from the same
environment variables a deployment sets) runs in the bench process with projections (on their own
thread), Kafka ingestion and the alerts relay, as deployed, and logging off. Each wave is produced while no ingest
consumer runs; then a consumer of the worker's \`KafkaIngestion\` is started and timed from its start
(connecting and joining the group included) until the log's head, polled every 10 ms, holds the
wave's last event. The figure is all events over the three waves' times; the rate without the
consumer starts, and how long the projections and the relay (which sends an alert for every
alerting demo event) took to catch up, are reported beside it. *Baseline:* HTTP batch ingestion of
the same events in the same run, with the API's projections running (figures 1 and 4). Ratio = Kafka /
HTTP. The 15,000 events/s target is issue 5's for SQLite; PostgreSQL is set against it for
comparison. *Alert latency:* with the worker caught up and still running, 200 new arrests (copies of
the demo's, about the same subjects, with new ids) are produced to the police topic one every 40 ms.
Each alert the relay sends for them on \`<prefix>.alerts.<agency>\` is timed from the event's
\`recordedAt\` (taken by the store as the append's transaction begins, and carried as the alert's
\`time\`) to its arrival at a consumer of the alert topics in the bench process, whose offsets were
set to the topics' ends before it joined; p50 and p99 over every alert that arrived within 60 s.
The relay sends an event's alerts once the subject-views projection has applied it; once live,
that projection pauses after each batch for four times what the batch took, up to 500 ms, but only
while events arrive at 200 a second or faster; the arrests here come 25 a second.

**Fair use limits.** Every figure but 9 drives the API with one credential per agency (and one
officer for the reads) as fast as it answers, so it measures what the API can do rather than what
one credential is allowed: those APIs and the worker start with the per-credential limits and the
per-subject ceiling raised out of the way (\`RATE_LIMIT_*\`, \`SUBJECT_EVENTS_PER_DAY\`). Figure 9
keeps the defaults, since they are part of what it measures.

**9, health-check p99 while one subject takes a sustained flood.** A fresh API on fresh SQLite
storage, projections on their own thread, the default limits. The police system credential
registers one subject, then floods it over loopback from a worker thread: batch after batch of
${fmt(1000)} arrests with fresh ids, each sent when the previous one is answered, for 15 s or
3,000 batches, whichever comes first. Meanwhile four police officers (a credential each) read the
subject, its view and its newest timeline page in turn, each once every 100 ms, and
\`GET /health/live\` is asked every 10 ms on a connection of its own; the figure is the p99 of the
health check's latency, from sending to the last byte. *Baseline:* the same reads and health
checks for 3 s before the flood starts. Ratio = flooded p99 / baseline p99 (lower is better). The
same is then run once more on fresh storage with every limit raised, the flood stopping at 100
batches, so the subject grows to about 100,000 events: it shows what the read path makes of a
subject that long with nothing refused, and is reported beside the figure, not set against the
target.

**10, the same bench at the demo size and at ten times it.** How cost grows with the partnership.
The demo partnership is generated at its own size (320 subjects) and at ten times its subjects
(\`generateDemo({ seed: 1, subjects: 3200 })\`, about 409,000 events: each person lives the same
kind of two years, so events grow with subjects), and each size runs on fresh SQLite storage in an
API of its own, as in figures 1, 2 and 3: HTTP batch ingestion of the demo's batches (three rounds at
the demo size, each into a fresh API, keeping the median; one at ten times, long enough to ride out
a burst of other work) against the raw \`appendMany\` of the log it wrote (as many rounds); then, in
the first API, audited subject reads (\`GET /v1/subjects/{id}\` as figure 3's officer over every
subject they may see, each read once in-process first so that every cut is made before the clock
starts, 16 connections as the issue sets them, three rounds of 1 s warm-up and 4 s measured, the
median round by reads per second kept) against whole-document loads in-process (figure 3's raw
side); and, with the API closed, the rebuild against raw \`readAll\` (figure 2's method, three rounds
each). The figure is the audited read rate at ten times the size, set against the issue's target;
the baseline is the same bench at the demo size, and the ratio the growth of the read rate (ten
times over the demo size). The growth of every part is printed beside it. Each read round also
reports what the API's thread (the one answering requests) and the load generator's thread spent:
CPU time per read, the share of a core, and how long each was ready to run but waited for a core,
from Linux's per-thread scheduler statistics (\`/proc/thread-self/schedstat\`). Two cores carry the
API's thread, the load generator, the projections' and audit writer's threads and whatever else
runs on the machine; a wait of seconds means other work held the cores.

**11, HTTP batch ingestion on PostgreSQL through two API processes against one.** The same demo
batches into PostgreSQL (event log, read models and audit log in one fresh database per round),
through API processes spawned from the built CLI (\`node bin/throughline.js serve\`, configured by
environment variables as a deployment is: \`DATABASE_URL\`, one shared \`DATA_DIR\` for the keys,
127.0.0.1 on a free port, logging off, fair use limits raised). *One process:* one \`serve\` with
\`RUN_PROJECTIONS=true\` (projections on its thread). *Two processes:* that same process and a
second with \`RUN_PROJECTIONS=false\`, so both shapes do the same projection work in one process and
differ only in how many processes take the batches. The load comes from one worker thread of the
bench as agency systems send it: the identity batches (registrations, then links) from one client
in order, then each agency's other batches from a client of its own, the six at once, each sending
its next batch when the previous one is answered; each client's batches take turns over the
processes, as behind a round-robin balancer. The figure is acknowledged events per second with two
processes, set against one process measured in the same run (ratio = two / one); the shapes take
turns, five rounds each, each keeping its median. While the batches are sent, and after until every
projection has reached the head, \`GET /v1/projections\` is asked every 100 ms on the process that
runs them: the most any projection lagged (positions behind the head of the log, about as many
events), its lag when the last batch was acknowledged, and how long after that it caught up. On
PostgreSQL every append takes one advisory lock (decision 0001), so the processes' appends queue for
the same lock whatever their number: a second process can only add the work around the append
(parsing, validation, planning) that runs beside it, on a machine whose cores the database, the
projections and the load generator share.

**12 and 13, encryption at rest on and off.** What sealing the events' data (decision 0026) costs.
The demo batches go into a fresh API on fresh SQLite storage as in figure 1, with \`EVENT_ENCRYPTION\`
on (the default: each subject's event data sealed with ChaCha20-Poly1305 under a key per subject,
agency and category kept in \`keys.db\`) and off, the two taking turns, five rounds each, each side
keeping its median (figure 12: acknowledged events per second, sealed over unsealed). Then the
subject-views rebuild (figure 2's method, in a process of its own, seven rounds each) over the
first log of each side, the sealed one opened with its keys as the CLI opens it (figure 13: sealed
over unsealed). The target is a ratio of at least 0.8 for each. Figures 1 to 3 run with the
default, so their logs are sealed too, and their raw baselines (\`appendMany\` into an empty store of
the backend itself) are not.

**Reading the figures.** The machine may be shared; the load average at the start and end of the
run is printed with the figures. Absolute numbers move with the load, ratios against a baseline
of the same run much less. Targets are reported as met or not, never asserted.
`;
