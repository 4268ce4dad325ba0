'use strict';
// What the server benchmarks (preview, memory) share: a free loopback port,
// a GET that never throws, and polling until a condition holds.
const net = require('net');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function get(url) {
  try {
    const res = await fetch(url);
    return { status: res.status, html: await res.text() };
  } catch {
    return { status: 0, html: '' };
  }
}

/** until(fn, what, ms, every) for one benchmark: its errors start with `label`. */
function poller(label, defaultMs, defaultEvery) {
  return async function until(fn, what, ms = defaultMs, every = defaultEvery) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const v = await fn();
      if (v) return v;
      await sleep(every);
    }
    throw new Error(`${label}: timed out waiting for ${what}`);
  };
}

module.exports = { sleep, freePort, get, poller };
