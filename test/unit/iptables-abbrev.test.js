'use strict';
// iptables parses its options with getopt_long, which takes any unambiguous
// abbreviation of a loaded extension's long option; tutorials rely on it
// (`-j DNAT --to`, `-j REDIRECT --to-port`).
const assert = require('assert');
const { parseRules } = require('../../dist/rules');
const { toIptablesSave } = require('../../dist/rules/iptables/serialize');

function save(text) {
  const rs = parseRules({ dialect: 'iptables', text, line: 1 }, { interfaces: [], interfaceLists: {} });
  return toIptablesSave(rs, {}).split('\n').filter((l) => l.startsWith('-A')).join('\n');
}

describe('iptables option abbreviations (getopt_long)', function () {
  it('expands a unique prefix of a target option', function () {
    assert.match(save('-t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to 10.0.0.1'), /--to-destination 10\.0\.0\.1$/);
    assert.match(save('-t nat -A POSTROUTING -j SNAT --to 192.0.2.1'), /--to-source 192\.0\.2\.1$/);
    assert.match(save('-t nat -A PREROUTING -p tcp -j REDIRECT --to-port 8080'), /--to-ports 8080$/);
  });
  it('prefers a loaded match to the protocol match, as getopt sees the loaded options first', function () {
    assert.match(save('-A INPUT -p tcp -m multiport --dport 80,443 -j ACCEPT'), /-m multiport --dports 80,443/);
  });
  it('keeps exact names exact', function () {
    assert.match(save('-A INPUT -p tcp --dport 22 -j ACCEPT'), /-m tcp --dport 22 /);
  });
  it('refuses an ambiguous abbreviation and names the candidates', function () {
    assert.match(save('-t nat -A POSTROUTING -p tcp -j MASQUERADE --random'), /MASQUERADE --random$/);
    assert.throws(() => save('-t nat -A POSTROUTING -p tcp -j MASQUERADE --rand'), (e) => /ambiguous/.test(e.message) && /--random-fully/.test(e.expected));
  });
});
