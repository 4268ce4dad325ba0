'use strict';
// RouterOS keeps disabled rules in their place (print flags them X); the rule
// table shows them there, dimmed, and never as the rule that acted.
const assert = require('assert');
const fs = require('fs');
const { runScenario } = require('../../dist');
const { renderFigures } = require('../../dist/render');

const base = fs.readFileSync(require.resolve('../../docs/figures/hairpin.yml'), 'utf8');

describe('rule table: RouterOS disabled rules', function () {
  const text = `router:
  interfaces:
    ether1: { address: 203.0.113.22/24 }
    bridge: { address: 10.30.9.1/24 }
hosts:
  pc:  { interface: bridge, address: 10.30.9.70/24, gateway: 10.30.9.1 }
  web: { interface: bridge, address: 10.30.9.77/24, gateway: 10.30.9.1, listen: [tcp/5000] }
routeros: |
  /ip firewall nat
  add chain=dstnat dst-address=203.0.113.22 protocol=tcp dst-port=5000 action=dst-nat to-addresses=10.30.9.77
  add chain=srcnat src-address=10.30.9.0/24 dst-address=10.30.9.0/24 action=masquerade disabled=yes comment="the fix, off"
  /ip firewall filter
  add chain=input action=drop disabled=yes
trace: pc -> 203.0.113.22:5000
`;
  const sim = runScenario(text);
  const [fig] = renderFigures(sim, { lang: 'en', show: ['rules'] });

  it('the disabled rule does not act: the hairpin still fails', function () {
    assert.strictEqual(sim.trace.outcome, 'timeout');
  });
  it('lists each disabled rule at its print number with the X flag, dimmed', function () {
    assert.match(fig.svg, /<text[^>]*class="mu"[^>]*>1 X<\/text>/);
    assert.match(fig.svg, /<text[^>]*class="mu"[^>]*>0 X<\/text>/, 'a chain with only disabled rules is shown too');
    assert.match(fig.svg, />action=masquerade \(disabled\)</);
    assert.ok(!/1 X[\s\S]*acted/.test(fig.svg.split('>0 X<')[0].split('>1 X<')[1] || ''), 'not marked as acted');
  });
  it('keeps enabled-only tables unchanged (no X rows)', function () {
    const [plain] = renderFigures(runScenario(base), { lang: 'en', show: ['rules'] });
    assert.ok(!/ X<\/text>/.test(plain.svg));
  });
});
