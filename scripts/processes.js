// What the scripts ask about processes: whether one runs, and which `npm start` runs in this checkout.
'use strict';
const fs = require('fs');
const path = require('path');

/** Whether `pid` runs; a zombie (killed, not yet reaped by its parent) does not. */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true;
  }
}

/** The `npm start` of this checkout as it recorded itself in .data/instance.json, while it runs; else null. */
function runningInstance() {
  let instance;
  try {
    instance = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.data', 'instance.json'), 'utf8'));
  } catch {
    return null;
  }
  return instance.pid && alive(instance.pid) ? instance : null;
}

module.exports = { alive, runningInstance };
