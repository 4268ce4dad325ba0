'use strict';
// Preloaded (node -r) into the `hexo generate` of theme sites: a theme's
// script that phones home (Redefine checks its latest version on every run)
// gets an immediate error instead of network traffic; loopback stays open.
const http = require('http');
const https = require('https');
const { EventEmitter } = require('events');

function guard(mod) {
  for (const name of ['get', 'request']) {
    const orig = mod[name];
    mod[name] = function (...args) {
      const a = args[0];
      const host = typeof a === 'string' || a instanceof URL ? new URL(a).hostname : (a && (a.hostname || a.host)) || 'localhost';
      if (/^(127\.|localhost$|::1$|\[::1\]$)/.test(host)) return orig.apply(this, args);
      const req = new EventEmitter();
      req.end = () => req; req.on = EventEmitter.prototype.on.bind(req); req.setTimeout = () => req; req.destroy = () => req; req.abort = () => req; req.write = () => true;
      process.nextTick(() => req.emit('error', new Error(`offline test: no request to ${host}`)));
      return req;
    };
  }
}
guard(http);
guard(https);
