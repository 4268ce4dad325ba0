'use strict';
// nft rulesets in figures and captions: rule tables show nft rules as written, with table, chain,
// hook and priority in each heading, base chains of one hook in priority order, the acting rule marked;
// captions name rules the nft way ("rule 1 of chain prerouting in table ip nat") in every language.
const assert = require('assert');
const { JSDOM } = require('jsdom');
const { runScenario } = require('../../dist/index');
const { renderFigures } = require('../../dist/render');

const { window } = new JSDOM('');
const parseXml = (svg) => new window.DOMParser().parseFromString(svg, 'image/svg+xml');

const HAIRPIN = `router:
  interfaces:
    eth0: { address: 203.0.113.2/24 }
    eth1: { address: 192.168.1.1/24 }
  routes: ["default via 203.0.113.1"]
hosts:
  pc:  { interface: eth1, address: 192.168.1.10, gateway: 192.168.1.1 }
  nas: { interface: eth1, address: 192.168.1.20, gateway: 192.168.1.1, listen: [tcp/443] }
trace: pc -> 203.0.113.2:443
nftables: |
  table inet filter {
  	chain forward {
  		type filter hook forward priority filter; policy drop;
  		ct state established,related accept
  		ct status dnat accept comment "<b>port forwards</b> & co"
  	}
  	chain early {
  		type filter hook forward priority filter - 10; policy accept;
  		counter
  	}
  }
  table ip nat {
  	chain prerouting {
  		type nat hook prerouting priority dstnat; policy accept;
  		fib daddr type local tcp dport 443 dnat to 192.168.1.20
  	}
  	chain postrouting {
  		type nat hook postrouting priority srcnat; policy accept;
  		ip saddr 192.168.1.0/24 ip daddr 192.168.1.20 tcp dport 443 masquerade
  		oifname "eth0" masquerade
  	}
  }
`;

describe('nftables in figures and captions', function () {
  this.timeout(60000);
  const sim = runScenario(HAIRPIN);

  it('the hairpin with its fix connects', () => {
    assert.strictEqual(sim.trace.outcome, 'established');
    assert.strictEqual(sim.trace.server_saw, '192.168.1.1:40000');
  });

  it('rule tables: headings name table, chain, hook and priority as written; base chains in priority order', () => {
    const [f] = renderFigures(sim, { lang: 'en', show: ['rules'] });
    const heads = f.textSteps.filter((l) => l.startsWith('table '));
    assert.deepStrictEqual(heads, [
      'table ip nat · chain prerouting · type nat hook prerouting priority dstnat · policy accept',
      'table inet filter · chain early · type filter hook forward priority filter - 10 · policy accept',
      'table inet filter · chain forward · type filter hook forward priority filter · policy drop',
      'table ip nat · chain postrouting · type nat hook postrouting priority srcnat · policy accept',
    ]);
    assert.ok(f.textSteps.includes('1. prerouting: fib daddr type local tcp dport 443 dnat to 192.168.1.20 [acted: DNAT]'), f.textSteps.join('\n'));
    assert.ok(f.textSteps.some((l) => l.startsWith('1. postrouting: ip saddr 192.168.1.0/24 ip daddr 192.168.1.20 tcp dport 443 masquerade [acted: MASQUERADE]')));
    assert.ok(f.textSteps.some((l) => l.startsWith('2. forward: ct status dnat accept (<b>port forwards</b> & co) [acted: ACCEPT]')));
  });

  it('rule tables escape rule comments', () => {
    const [f] = renderFigures(sim, { lang: 'en', show: ['rules'] });
    assert.ok(!f.svg.includes('<b>port'));
    assert.ok(f.svg.includes('&lt;b&gt;port forwards&lt;/b&gt; &amp;'));
    assert.strictEqual(parseXml(f.svg).getElementsByTagName('parsererror').length, 0);
  });

  const NAMES = {
    en: ['rule 1 of chain prerouting in table ip nat', 'rule 2 of chain forward in table inet filter'],
    'zh-TW': ['table ip nat 中 chain prerouting 的第 1 條規則', 'table inet filter 中 chain forward 的第 2 條規則'],
    'zh-CN': ['table ip nat 中 chain prerouting 的第 1 条规则', 'table inet filter 中 chain forward 的第 2 条规则'],
    ja: ['table ip nat の chain prerouting の 1 番目のルール', 'table inet filter の chain forward の 2 番目のルール'],
  };
  for (const [lang, names] of Object.entries(NAMES)) {
    it(`captions name rules the nft way (${lang})`, () => {
      const figs = renderFigures(sim, { lang, show: ['steps'] });
      const text = figs.map((f) => f.svg).join('\n');
      // (A name that opens a sentence starts with a capital in English.)
      for (const n of names) assert.ok(text.includes(n) || text.includes(n[0].toUpperCase() + n.slice(1)), `${lang}: ${n}`);
      assert.ok(!/PREROUTING rule|FORWARD rule/.test(text), 'no iptables-style names');
    });
  }

  it('same input, byte-identical figures', () => {
    const a = renderFigures(runScenario(HAIRPIN), { lang: 'en', show: ['rules', 'steps', 'sequence', 'summary'] }).map((f) => f.svg);
    const b = renderFigures(runScenario(HAIRPIN), { lang: 'en', show: ['rules', 'steps', 'sequence', 'summary'] }).map((f) => f.svg);
    assert.deepStrictEqual(a, b);
  });

  it('a policy that decides is named with its chain and table', () => {
    const blocked = runScenario(HAIRPIN.replace('\t\tct status dnat accept comment "<b>port forwards</b> & co"\n', ''));
    assert.strictEqual(blocked.trace.outcome, 'timeout');
    const text = renderFigures(blocked, { lang: 'en', show: ['steps'] }).map((f) => f.svg).join('\n');
    assert.ok(/[Tt]he policy drop of chain forward in table inet filter/.test(text));
  });

  it('an English sentence that opens with an nft rule name starts with a capital; other languages and names the user wrote are left as they are', () => {
    const { t } = require('../../dist/story/i18n');
    assert.strictEqual(t('en', 'drop.filtered', { rule: 'rule 2 of chain forward in table inet filter', text: '“drop”' }).slice(0, 6), 'Rule 2');
    assert.strictEqual(t('en', 'drop.filtered', { rule: 'the policy drop of chain forward in table inet filter', text: '' }).slice(0, 4), 'The ');
    assert.strictEqual(t('en', 'drop.filtered', { rule: 'srcnat rule #1', text: '' }).slice(0, 6), 'srcnat');
    assert.strictEqual(t('en', 'explain.cause.policy-drop', { chain: 'forward', rule: 'the policy drop of chain forward in table inet filter' }).slice(0, 3), 'No ');
  });
});
