'use strict';
// The source filter's rewriting on its own: which `<% nat_trace %>` spellings
// become the tag, which are left alone because they are code, and the line
// marker every opening tag receives.
const assert = require('assert');
const { rewriteSource } = require('../../dist/hexo/scan');
const { parseBlockArgs } = require('../../dist/hexo/args');

const rw = (text, firstLine = 1, angle = true) => rewriteSource(text, { run: 7, firstLine, angle }).text;

describe('hexo source rewriting', () => {
  it('turns the <% %> spelling into the tag and marks its line', () => {
    const src = 'para\n\n<% nat_trace hairpin step:2 %>\nrouter: {}\n<% endnat_trace %>\n';
    const out = rw(src, 5);
    assert.strictEqual(out, 'para\n\n{% nat_trace hairpin step:2 __at:7:7 %}\nrouter: {}\n{% endnat_trace %}\n');
  });

  it('marks each of two identical blocks with its own line', () => {
    const block = '{% nat_trace from:a %}\n{% endnat_trace %}\n';
    const out = rw('x\n' + block + '\n' + block);
    assert.deepStrictEqual([...out.matchAll(/__at:7:(\d+)/g)].map((m) => Number(m[1])), [2, 5]);
  });

  it('leaves fenced (``` and ~~~), indented and inline code alone', () => {
    const fenced = '```\n<% nat_trace a %>\nx\n<% endnat_trace %>\n```\n';
    const tilde = '~~~yaml\n{% nat_trace a %}\n{% endnat_trace %}\n~~~\n';
    const indented = 'text\n\n    <% nat_trace a %>\n    <% endnat_trace %>\n';
    const inline = 'Write `<% nat_trace a %>` and `{% nat_trace %}` like this.\n';
    for (const src of [fenced, tilde, indented, inline]) assert.strictEqual(rw(src), src, src);
  });

  it('leaves {% raw %}, {% codeblock %} and HTML comments alone', () => {
    const raw = '{% raw %}\n<% nat_trace a %>\n<% endnat_trace %>\n{% endraw %}\n';
    const cb = '{% codeblock demo %}\n<% nat_trace a %><% endnat_trace %>\n{% endcodeblock %}\n';
    const comment = '<!-- <% nat_trace a %> -->\n';
    for (const src of [raw, cb, comment]) assert.strictEqual(rw(src), src, src);
  });

  it('does not rewrite the angle spelling outside Markdown, but still marks tags', () => {
    const src = '<% nat_trace a %>\n<% endnat_trace %>\n{% nat_trace b %}\n{% endnat_trace %}\n';
    const out = rw(src, 1, false);
    assert.ok(out.startsWith('<% nat_trace a %>'));
    assert.match(out, /\{% nat_trace b __at:7:3 %\}/);
  });

  it('keeps quoted arguments whole', () => {
    const out = rw('<% nat_trace caption:"50% of a %> b" %>\n<% endnat_trace %>\n');
    assert.match(out, /^\{% nat_trace caption:"50% of a %> b" __at:7:1 %\}/);
  });

  it('parses block arguments and refuses unknown ones with a suggestion', () => {
    assert.deepStrictEqual(parseBlockArgs(['hairpin', 'from:base', 'steps:1-3', 'show:steps,rules', 'caption:a b', 'output:file']), {
      name: 'hairpin', from: 'base', steps: [1, 2, 3], show: ['steps', 'rules'], caption: 'a b', output: 'file',
    });
    assert.deepStrictEqual(parseBlockArgs(['show:all']).show, ['steps', 'rules', 'sequence', 'summary']);
    assert.throws(() => parseBlockArgs(['captoin:x']), (e) => e.suggestion === 'caption' && /unknown option/.test(e.message));
    assert.throws(() => parseBlockArgs(['show:rule']), (e) => e.suggestion === 'rules');
    assert.throws(() => parseBlockArgs(['steps:3-1']), /upwards/);
    assert.throws(() => parseBlockArgs(['a', 'b']), /one name/);
  });
});
