// Scenarios for scripts/bench.js. Each returns one round's figures; report() prints medians.
'use strict';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

module.exports = [
  {
    name: 'authenticated read',
    async run(http) {
      const key = await http.customer('bench');
      const latencies = await Promise.all(
        Array.from({ length: 200 }, () => http.call('GET', '/api/accounts/me', { key }).then((r) => r.ms)),
      );
      return { p50: median(latencies) };
    },
    report(rounds, { median: m }) {
      console.log(
        `GET /api/accounts/me, 200 concurrent: median of per-round p50 latency ${m(rounds.map((r) => r.p50)).toFixed(1)} ms`,
      );
    },
  },
];
