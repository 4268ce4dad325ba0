'use strict';
// RouterOS input mistakes: one NatTraceError naming the line, the token, what was expected and a near spelling.
const assert = require('assert');
const { parseRouterOS } = require('../../dist/rules/routeros/parse');
const { NatTraceError } = require('../../dist/errors');

function fails(text, check) {
  let err;
  try {
    parseRouterOS(text);
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'expected an error for:\n' + text);
  assert.ok(err instanceof NatTraceError, `not a NatTraceError: ${err && err.stack}`);
  for (const [k, v] of Object.entries(check)) {
    if (v instanceof RegExp) assert.match(String(err[k]), v, `${k}: ${err[k]}`);
    else assert.strictEqual(err[k], v, `${k} of ${err.format()}`);
  }
  return err;
}

describe('RouterOS parser: errors', () => {
  it('names an unknown property with its line, column and the nearest property', () => {
    const e = fails('# rules\n/ip firewall nat\nadd chain=dstnat dst-adress=203.0.113.22 action=dst-nat to-addresses=10.0.0.2', {
      line: 3, column: 18, token: 'dst-adress', suggestion: 'dst-address',
    });
    assert.match(e.format(), /^line 3:18: unknown property dst-adress/);
  });

  it('reports a property on a continuation line at the line where add began, without a column', () => {
    fails('/ip firewall filter\nadd chain=forward \\\n    protocol=tcp dst-prot=80', {
      line: 2, column: undefined, token: 'dst-prot', suggestion: 'dst-port',
    });
  });

  it('refuses ports without a tcp or udp protocol, as RouterOS does', () => {
    fails('/ip firewall filter\nadd chain=forward dst-port=80', { line: 2, token: 'dst-port=80', message: /protocol=tcp or protocol=udp/ });
    fails('/ip firewall filter\nadd chain=forward protocol=icmp src-port=80', { token: 'src-port=80' });
    fails('/ip firewall filter\nadd chain=forward protocol=!tcp dst-port=80', { token: 'dst-port=80' });
    fails('/ip firewall nat\nadd chain=dstnat action=dst-nat to-addresses=10.0.0.1 to-ports=80', { token: 'to-ports=80' });
    fails('/ip firewall filter\nadd chain=input icmp-options=8:0', { token: 'icmp-options=8:0', message: /protocol=icmp/ });
    fails('/ip firewall filter\nadd chain=input action=reject reject-with=tcp-reset', { token: 'reject-with=tcp-reset' });
  });

  it('suggests actions, and says which section an action belongs to', () => {
    fails('/ip firewall nat\nadd chain=srcnat action=masquerde', { token: 'action=masquerde', suggestion: 'masquerade' });
    fails('/ip firewall nat\nadd chain=dstnat action=drop', { message: /not available in \/ip firewall nat/ });
    fails('/ip firewall filter\nadd chain=forward action=dst-nat to-addresses=1.2.3.4', { message: /not available in \/ip firewall filter/ });
    fails('/ip firewall filter\nadd chain=forward action=tarpit', { message: /not simulated/ });
  });

  it('refuses NAT actions in chains the kernel refuses them in, also through jumps', () => {
    fails('/ip firewall nat\nadd chain=dstnat action=masquerade', { line: 2, message: /masquerade cannot run in chain dstnat/ });
    fails('/ip firewall nat\nadd chain=srcnat action=dst-nat to-addresses=10.0.0.1', { message: /dst-nat cannot run in chain srcnat/ });
    fails('/ip firewall nat\nadd chain=dstnat action=jump jump-target=mine\nadd chain=mine action=src-nat to-addresses=1.2.3.4', {
      line: 3, message: /chain mine \(reached from dstnat\)/,
    });
  });

  it('refuses jump loops and jumps to built-in chains', () => {
    fails('/ip firewall filter\nadd chain=forward action=jump jump-target=a\nadd chain=a action=jump jump-target=b\nadd chain=b action=jump jump-target=a', {
      line: 4, message: /loop: a -> b -> a/,
    });
    fails('/ip firewall filter\nadd chain=forward action=jump jump-target=input', { token: 'jump-target=input' });
    fails('/ip firewall filter\nadd chain=forward action=jump', { message: /needs jump-target/ });
  });

  it('refuses interfaces a single-hook chain has no use for', () => {
    fails('/ip firewall nat\nadd chain=srcnat in-interface=ether1 action=masquerade', { token: 'in-interface=ether1', message: /POSTROUTING/ });
    fails('/ip firewall filter\nadd chain=input out-interface-list=WAN', { token: 'out-interface-list=WAN' });
    fails('/ip firewall nat\nadd chain=dstnat in-interface=a out-interface=b action=accept', { message: /never match/ });
    fails('/ip firewall nat\nadd chain=output in-interface=a action=accept', { token: 'in-interface=a' });
    fails('/ip firewall nat\nadd chain=input action=masquerade', { message: /masquerade cannot run in chain input/ });
  });

  it('checks values: addresses, ports, lists, states, types', () => {
    fails('/ip firewall filter\nadd chain=forward src-address=10.0.0.300', { token: 'src-address=10.0.0.300', expected: /IPv4/ });
    fails('/ip firewall filter\nadd chain=forward dst-address=10.0.0.9-10.0.0.1', { expected: /not above/ });
    fails('/ip firewall filter\nadd chain=forward protocol=tcp dst-port=70000', { token: 'dst-port=70000' });
    fails('/ip firewall filter\nadd chain=forward protocol=tcp dst-port=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16', { message: /15/ });
    fails('/ip firewall filter\nadd chain=forward connection-state=establised', { suggestion: 'established' });
    fails('/ip firewall filter\nadd chain=forward connection-nat-state=dstnta', { suggestion: 'dstnat' });
    fails('/ip firewall filter\nadd chain=forward dst-address-type=locl', { suggestion: 'local' });
    fails('/ip firewall filter\nadd chain=forward protocol=tpc', { suggestion: 'tcp' });
    fails('/ip firewall filter\nadd chain=forward action=reject reject-with=icmp-host-unreachble', { suggestion: 'icmp-host-unreachable' });
    fails('/ip firewall nat\nadd chain=dstnat action=netmap to-addresses=10.0.0.1-10.0.0.6', { message: /netmap/ });
    fails('/ip firewall filter\nadd chain=forward protocol=tcp tcp-flags=syn,ak', { suggestion: 'ack' });
  });

  it('refuses ! where RouterOS does not allow it, repeated properties and a missing chain', () => {
    fails('/ip firewall filter\nadd chain=forward action=!drop', { message: /action cannot be negated/ });
    fails('/ip firewall filter\nadd chain=forward chain=input', { message: /given twice/ });
    fails('/ip firewall filter\nadd action=drop', { message: /needs chain=/ });
    fails('/ip firewall filter\nadd chain=forward disabled=maybe', { expected: 'yes or no' });
  });

  it('names unsupported properties and sections instead of ignoring them', () => {
    fails('/ip firewall filter\nadd chain=forward connection-mark=web', { token: 'connection-mark', message: /not simulated/ });
    fails('/ip firewall mangle\nadd chain=prerouting action=mark-connection', { line: 1, token: '/ip firewall mangle' });
    fails('/ip firewall nta\nadd chain=srcnat', { line: 1, suggestion: '/ip firewall nat' });
    fails('/ip firewall filter\nset 0 disabled=yes', { token: 'set', expected: 'add' });
    fails('add chain=forward', { message: /before any section/ });
    fails('/ip firewall filter\nadd chain=forward comment=[/system identity get name]', { message: /scripting/ });
    fails(':foreach i in=[/ip firewall filter find] do={}', { message: /scripting/ });
  });

  it('refuses quoting mistakes and DNS names in address lists', () => {
    fails('/ip firewall filter\nadd chain=forward comment="never closed', { message: /not closed/, line: 2 });
    fails('/ip firewall address-list\nadd list=x address=example.com', { message: /DNS/ });
    fails('/ip firewall address-list\nadd list=x', { message: /needs address=/ });
  });

  it('refuses place-before beyond the list and chain names the kernel cannot load', () => {
    fails('/ip firewall filter\nadd chain=forward place-before=3', { token: 'place-before=3' });
    fails('/ip firewall filter\nadd chain=forward action=jump jump-target=a-chain-name-longer-than-the-kernel-allows', { message: /28/ });
    fails('/ip firewall filter\nadd chain=DROP', { message: /clashes/ });
  });
});
