// Builds the console's static assets: our modules from src/ and the pinned libraries' ES
// modules from node_modules, flat in one folder, each with a gzip twin. No compile step: the
// browser loads the modules as they are. Usage: node build.mjs [out-dir] (default dist).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, 'dist');
const modules = join(here, 'node_modules');

const vendor = {
  'preact.js': 'preact/dist/preact.module.js',
  'hooks.js': 'preact/hooks/dist/hooks.module.js',
  'htm.js': 'htm/dist/htm.module.js',
  'uplot.js': 'uplot/dist/uPlot.esm.js',
  'uplot.css': 'uplot/dist/uPlot.min.css',
};

const files = new Map();
for (const [name, path] of Object.entries(vendor)) {
  let text = readFileSync(join(modules, path), 'utf8');
  // Bare specifiers need an import map, which would be an inline script: point at the file.
  text = text.replace(/from\s*["']preact["']/g, 'from"./preact.js"');
  text = text.replace(/\/\/# sourceMappingURL=\S+/g, '');
  files.set(name, text);
}
for (const name of readdirSync(join(here, 'src')).sort()) {
  if (files.has(name)) throw new Error(`src/${name} shadows a library file`);
  files.set(name, readFileSync(join(here, 'src', name), 'utf8'));
}

// Assets live under a path named after their content, so that browsers may cache them for
// good; only index.html is revalidated.
const hash = createHash('sha256');
for (const [name, text] of [...files].sort()) hash.update(name).update('\0').update(text).update('\0');
const version = hash.digest('hex').slice(0, 16);
files.set('index.html', files.get('index.html').replaceAll('%BASE%', `/console/${version}`));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const [name, text] of files) {
  const bytes = Buffer.from(text, 'utf8');
  writeFileSync(join(out, name), bytes);
  const gz = gzipSync(bytes, { level: 9 });
  if (gz.length < bytes.length) writeFileSync(join(out, `${name}.gz`), gz);
}
writeFileSync(join(out, 'VERSION'), version);
console.log(`console ${version}: ${files.size} files in ${out}`);
