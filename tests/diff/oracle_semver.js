// oracle_semver.js MODULE_DIR — the semver reference: reads "A B" lines on stdin and prints,
// per line, how the npm `semver` package at MODULE_DIR orders them in strict mode (<, =, >),
// or ! when `new SemVer()` throws for either. Lines are split as `vigil vercmp -` splits them.
'use strict'
const fs = require('fs')
const path = require('path')
const SemVer = require(path.join(process.argv[2], 'classes', 'semver.js'))
const compare = require(path.join(process.argv[2], 'functions', 'compare.js'))

const input = fs.readFileSync(0)
const lines = []
let start = 0
for (let i = 0; i < input.length; i++) {
  if (input[i] === 0x0a) {
    lines.push(input.subarray(start, i))
    start = i + 1
  }
}
if (start < input.length) {
  lines.push(input.subarray(start))
}
const out = []
for (const raw of lines) {
  const line = raw.toString('utf8').replace(/[\r\n]+$/, '')
  const f = line.split(/[ \t]+/).filter((s) => s !== '')
  if (f.length !== 2) {
    out.push('!')
    continue
  }
  let c
  try {
    new SemVer(f[0])
    new SemVer(f[1])
    c = compare(f[0], f[1])
  } catch (e) {
    out.push('!')
    continue
  }
  out.push(c < 0 ? '<' : c > 0 ? '>' : '=')
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '')
