// What recording a hot hold batch's events costs the request's thread: EventRecorder.record for a
// batch of twelve holds, with the real presenter and outbox, and the write statement's composition
// (withSideWrites), in a compiled build. Prints the median and the fastest of 15 runs of 5,000
// batches (the twelve holds made for each batch included). One build a process (two in one process
// slow the second); to compare two, alternate them:
//
//   node scripts/bench-recording.js [<build dir>]     (default: this checkout, `npm run build` first)
'use strict';
const path = require('path');
const { randomUUID } = require('crypto');

function measure(root) {
  const dist = (file) => require(path.resolve(root, 'dist/src', file));
  const { EventRecorder } = dist('modules/event/application/event-recorder.js');
  const { SqlEventOutbox } = dist('modules/event/infrastructure/sql-event-outbox.js');
  const { HoldResponse } = dist('modules/inventory/api/dto/hold.response.js');
  const { collectingSideWrites, withSideWrites } = dist('shared/database/side-write.js');
  const recorder = new EventRecorder(new SqlEventOutbox());
  recorder.presentWith('hold', (hold) => HoldResponse.from(hold));
  // The unit of work's connection, as the side-writes know it: only its identity counts.
  const em = { queryRunner: {} };
  const accounts = Array.from({ length: 12 }, () => randomUUID());
  const productId = randomUUID();
  return collectingSideWrites(em.queryRunner, async () => {
    const runs = [];
    for (let run = 0; run < 15; run++) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 5000; i++) {
        const now = new Date();
        const expiresAt = new Date(now.getTime() + 120_000);
        const holds = accounts.map((accountId) => ({
          id: randomUUID(),
          productId,
          accountId,
          quantity: 1,
          status: 'active',
          expiresAt,
          createdAt: now,
          updatedAt: now,
        }));
        recorder.record(
          em,
          holds.map((hold) => ({
            type: 'hold.created',
            accountId: hold.accountId,
            resourceId: hold.id,
            resource: hold,
          })),
        );
        withSideWrites(em, 'WITH p AS (SELECT 1) SELECT 1', []);
      }
      runs.push(Number(process.hrtime.bigint() - started) / 1000 / 5000);
    }
    runs.sort((a, b) => a - b);
    console.log(`${root}: ${runs[7].toFixed(1)} µs a batch of twelve (fastest ${runs[0].toFixed(1)})`);
  });
}

measure(process.argv[2] || path.resolve(__dirname, '..'));
