'use strict';
// The source filter's rewriting on its own: which `<% nat_trace %>` spellings
// become the tag, which are left alone because they are code, and the line
// marker every opening tag receives.
const assert = require('assert');
const { rewriteSource } = require('../../dist/hexo/scan');
const { parseBlockArgs } = require('../../dist/hexo/args');

const rw = (text, firstLine = 1, angle = true) => rewriteSource(text, { run: 7, firstLine, angle }).text;
const sources = (text, firstLine = 1, angle = true) => rewriteSource(text, { run: 7, firstLine, angle }).sources;

describe('hexo source rewriting', () => {
  it('turns the <% %> spelling into the tag, marks its line, and takes its arguments and body out', () => {
    const src = 'para\n\n<% nat_trace hairpin step:2 %>\nrouter: {}\n<% endnat_trace %>\n';
    const out = rw(src, 5);
    assert.strictEqual(out, 'para\n\n{% nat_trace __at:7:7:1 %}\n\n{% endnat_trace %}\n', 'the body\'s newlines stay, its text goes');
    const [b] = sources(src, 5);
    assert.deepStrictEqual(b, { line: 7, args: ['hairpin', 'step:2'], body: 'router: {}', lineOffset: 7, indent: 0, firstColumn: 0 });
  });

  it('keeps where an indented or same-line body stands, as Hexo strips it', () => {
    const [a, b] = sources('- item\n\n  {% nat_trace a %}\n  router:\n    x: 1\n  {% endnat_trace %}\n\n{% nat_trace b %}trace: x{% endnat_trace %}\n', 10);
    assert.strictEqual(a.body, 'router:\n  x: 1');
    assert.strictEqual(a.indent, 2);
    assert.strictEqual(a.lineOffset, 12, 'body line 1 is file line 13');
    assert.strictEqual(b.body, 'trace: x');
    assert.strictEqual(b.lineOffset, 16);
    assert.strictEqual(b.firstColumn, '{% nat_trace b %}'.length);
  });

  it('an unclosed block takes the rest of the post', () => {
    const res = rewriteSource('a\n{% nat_trace x %}\nlabel: <img src=x onerror=alert(1)>\n', { run: 1, firstLine: 1, angle: true });
    assert.ok(!res.text.includes('onerror'));
    assert.strictEqual(res.sources[0].unclosed, true);
  });

  it('marks each of two identical blocks with its own line', () => {
    const block = '{% nat_trace from:a %}\n{% endnat_trace %}\n';
    const out = rw('x\n' + block + '\n' + block);
    assert.deepStrictEqual([...out.matchAll(/__at:7:(\d+):(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]), [[2, 1], [5, 2]]);
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
    assert.match(out, /\{% nat_trace __at:7:3:1 %\}/);
  });

  it('keeps quoted arguments whole', () => {
    const src = '<% nat_trace caption:"50% of a %> b" x:\'c d\' %>\n<% endnat_trace %>\n';
    assert.match(rw(src), /^\{% nat_trace __at:7:1:1 %\}/);
    assert.deepStrictEqual(sources(src)[0].args, ['caption:50% of a %> b', 'x:c d']);
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
