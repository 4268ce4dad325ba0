'use strict';
/**
 * The kernel conformance corpus: one YAML file per scenario (NN-short-slug.yml).
 * Each file is an ordinary nat-trace scenario plus corpus keys (about, covers,
 * only, why, known) and, usually, the rules in both dialects (iptables: and
 * routeros:), or in nftables: alone (300 on). loadCorpus() turns every file into one ordinary scenario text per
 * dialect, by blanking the lines of the keys that do not belong in it, so line
 * numbers in errors still point into the file.
 */
const fs = require('fs');
const path = require('path');
const YAML = require('yaml');

const DIR = __dirname;
const FILE_RE = /^(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*\.yml$/;
/** Keys the corpus adds on top of the scenario format. */
const META_KEYS = ['about', 'covers', 'only', 'why', 'known', 'known_limits'];
const DIALECTS = ['iptables', 'routeros', 'nftables'];

/** Blank the lines of the given top-level keys (their block included); keep the line count. */
function dropTopKeys(text, keys) {
  const lines = text.split('\n');
  let current = null;
  return lines.map((line) => {
    const m = /^([A-Za-z_][\w-]*)\s*:/.exec(line);
    if (m) current = m[1];
    else if (/^[^\s#]/.test(line)) current = null;
    return current !== null && keys.includes(current) ? '' : line;
  }).join('\n');
}

function listFiles(dir = DIR) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yml')).sort();
}

/**
 * Every scenario of the corpus:
 * { file, path, nn, slug, meta: {about, covers, only, why, known}, dialects: { iptables?: text, routeros?: text, nftables?: text } }
 */
function loadCorpus(dir = DIR) {
  return listFiles(dir).map((file) => {
    const full = path.join(dir, file);
    const text = fs.readFileSync(full, 'utf8');
    let doc = {};
    let error;
    try {
      doc = YAML.parse(text) || {};
    } catch (e) {
      error = e; // reported by the corpus test, file by file
    }
    const meta = {};
    for (const k of META_KEYS) if (doc[k] !== undefined) meta[k] = doc[k];
    const dialects = {};
    for (const d of DIALECTS) {
      if (doc[d] === undefined) continue;
      const other = DIALECTS.filter((x) => x !== d);
      dialects[d] = dropTopKeys(text, [...META_KEYS, ...other]);
    }
    const m = FILE_RE.exec(file);
    return {
      file, path: full, nn: m ? Number(m[1]) : null, slug: file.replace(/^\d\d-|\.yml$/g, ''), meta, dialects, keys: Object.keys(doc), error,
    };
  });
}

module.exports = { loadCorpus, listFiles, dropTopKeys, FILE_RE, META_KEYS, DIALECTS, DIR };
