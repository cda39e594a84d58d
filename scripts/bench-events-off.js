// Preloaded (`--require`) by `npm run bench` into a second instance of the built service, for the
// "events: … with events against without" scenarios only: `EventRecorder.record` does nothing, so
// that instance makes the same changes on the same database (the outbox table present) and records
// no event. Never used outside the bench: the contract has no change without its event.
'use strict';
const path = require('path');

const { EventRecorder } = require(
  path.resolve(__dirname, '../dist/src/modules/event/application/event-recorder.js'),
);
EventRecorder.prototype.record = function recordNothing() {};
