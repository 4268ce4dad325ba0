'use strict';
// The neutral model's hooks: base chains by priority, of type filter or nat
// (nf_hook_ops). iptables' tables are base chains at fixed priorities; an
// accept ends one base chain, a drop ends the packet; nat chains run from the
// NAT core in priority order until one binds.
const assert = require('assert');
const { parseScenario, parseRules, simulate } = require('../../dist');
const { attachTableHooks, baseChainsAt, hooksOf, tableBaseChain } = require('../../dist/rules/model');

const NET = `
router:
  interfaces:
    wan: { address: 203.0.113.1/24 }
    lan: { address: 10.0.0.1/24 }
hosts:
  pc:  { interface: lan, address: 10.0.0.2, gateway: 10.0.0.1 }
  web: { interface: lan, address: 10.0.0.3, gateway: 10.0.0.1, listen: [tcp/80] }
  out: { interface: wan, address: 203.0.113.9, gateway: 203.0.113.1, listen: [tcp/80, tcp/8080] }
`;

function build(iptables, trace) {
  const sc = parseScenario(`${NET}iptables: |\n${iptables.split('\n').map((l) => `  ${l}`).join('\n')}\ntrace: ${trace}\n`);
  const rs = parseRules(sc.rules, { interfaces: sc.router.interfaces.map((i) => i.name), interfaceLists: sc.router.interfaceLists });
  return { sc, rs };
}

/** Hang one more base chain on a hook, as an nft table would. */
function addBase(rs, table, name, base, rules) {
  rs.tables[table] = rs.tables[table] || {};
  const chain = { table, name, builtin: true, policy: 'ACCEPT', rules: [], base };
  rs.tables[table][name] = chain;
  rules.forEach((r, i) => chain.rules.push({ table, chain: name, matches: [], target: r, source: { dialect: 'iptables', text: `rule ${i + 1}`, line: i + 1, number: i + 1, chainDisplay: name } }));
  const all = Object.values(rs.tables).flatMap((t) => Object.values(t)).filter((c) => c.base);
  rs.hooks = hooksOf(all);
  return chain;
}

describe('hooks: base chains by priority', () => {
  it('iptables tables hang at raw -300, mangle -150, nat -100/100, filter 0', () => {
    assert.deepStrictEqual(tableBaseChain('raw', 'PREROUTING'), { hook: 'PREROUTING', priority: -300, type: 'filter' });
    assert.deepStrictEqual(tableBaseChain('mangle', 'FORWARD'), { hook: 'FORWARD', priority: -150, type: 'filter' });
    assert.deepStrictEqual(tableBaseChain('nat', 'PREROUTING'), { hook: 'PREROUTING', priority: -100, type: 'nat' });
    assert.deepStrictEqual(tableBaseChain('nat', 'POSTROUTING'), { hook: 'POSTROUTING', priority: 100, type: 'nat' });
    assert.deepStrictEqual(tableBaseChain('filter', 'INPUT'), { hook: 'INPUT', priority: 0, type: 'filter' });
    const { rs } = build('-A FORWARD -j ACCEPT', 'pc -> 203.0.113.9:80');
    assert.deepStrictEqual(baseChainsAt(rs, 'INPUT').map((c) => `${c.table} ${c.name}`), ['filter INPUT', 'nat INPUT']);
    assert.deepStrictEqual(baseChainsAt(rs, 'OUTPUT').map((c) => `${c.table} ${c.name}`), ['raw OUTPUT', 'nat OUTPUT', 'filter OUTPUT']);
    assert.deepStrictEqual(baseChainsAt(rs, 'FORWARD').map((c) => c.base.priority), [0]);
  });

  it('ties keep load order; lower priority runs first', () => {
    const a = { table: 't', name: 'a', rules: [], base: { hook: 'INPUT', priority: 10, type: 'filter' } };
    const b = { table: 't', name: 'b', rules: [], base: { hook: 'INPUT', priority: -5, type: 'filter' } };
    const c = { table: 't', name: 'c', rules: [], base: { hook: 'INPUT', priority: 10, type: 'filter' } };
    assert.deepStrictEqual(hooksOf([a, b, c]).INPUT.map((x) => x.name), ['b', 'a', 'c']);
    assert.throws(() => baseChainsAt({ tables: {} }, 'INPUT'), /without hooks/);
    const rs = { tables: { filter: { INPUT: { table: 'filter', name: 'INPUT', builtin: true, rules: [] } } } };
    attachTableHooks(rs);
    assert.strictEqual(rs.hooks.INPUT.length, 1);
  });

  it('an accept in one base chain does not stop the next one from dropping', () => {
    const { sc, rs } = build('-A FORWARD -j ACCEPT', 'pc -> 203.0.113.9:80');
    assert.strictEqual(simulate(sc, rs).outcome, 'established');
    addBase(rs, 'late', 'forward', { hook: 'FORWARD', priority: 10, type: 'filter' }, [{ module: 'DROP', opts: {} }]);
    const tr = simulate(sc, rs);
    assert.strictEqual(tr.outcome, 'timeout');
    const chains = tr.steps.filter((e) => e.kind === 'chain' && e.hook === 'FORWARD').slice(0, 2);
    assert.deepStrictEqual(chains.map((e) => `${e.table}:${e.verdict}:${e.priority}`), ['filter:ACCEPT:0', 'late:DROP:10']);
  });

  it('a drop before it ends the packet: the later chain never sees it', () => {
    const { sc, rs } = build('-A FORWARD -j ACCEPT', 'pc -> 203.0.113.9:80');
    addBase(rs, 'early', 'forward', { hook: 'FORWARD', priority: -10, type: 'filter' }, [{ module: 'DROP', opts: {} }]);
    const tr = simulate(sc, rs);
    assert.strictEqual(tr.outcome, 'timeout');
    assert.ok(!tr.steps.some((e) => e.kind === 'chain' && e.table === 'filter'), 'filter FORWARD ran after a drop');
  });

  it('nat chains: an accept passes to the next nat chain, the first binding ends the walk', () => {
    const { sc, rs } = build('-t nat -A PREROUTING -j ACCEPT', 'out -> 203.0.113.1:80');
    const dnat = (ip) => ({ module: 'DNAT', opts: { minIp: ip } });
    addBase(rs, 'n2', 'pre', { hook: 'PREROUTING', priority: -90, type: 'nat' }, [dnat('10.0.0.3')]);
    addBase(rs, 'n3', 'pre', { hook: 'PREROUTING', priority: -80, type: 'nat' }, [dnat('10.0.0.2')]);
    const tr = simulate(sc, rs);
    assert.strictEqual(tr.outcome, 'established');
    assert.strictEqual(tr.server_saw, '203.0.113.9:' + sc.trace.sport);
    assert.ok(tr.conntrack[0].includes('src=10.0.0.3 dst=203.0.113.9'), tr.conntrack[0]);
    const nat = tr.steps.filter((e) => e.kind === 'chain' && e.hook === 'PREROUTING').map((e) => `${e.table}:${e.verdict}`);
    assert.deepStrictEqual(nat, ['nat:ACCEPT', 'n2:DNAT'], 'n3 never runs: n2 bound the connection');
  });
});
