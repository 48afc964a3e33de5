#!/usr/bin/env node
// Builds the shipped form of trainsafe into dist/, run by plain node: dist/trainsafe.cjs (the entry the
// installed launcher runs, cli/launch.cts) runs a local command from its own CommonJS script with a V8
// code cache, and every other command from the ES module CLI (dist/trainsafe.mjs and its chunks).
// Development runs the TypeScript through tsx (bin/trainsafe.js); an installed agent runs this bundle
// instead, which saves the ~28 MB the tsx loader costs (docs/benchmarks.md, agent footprint). Files
// the code reads next to its modules are copied beside the bundle.
//   node deploy/build.mjs [ROOT]   (ROOT: the program folder, default: this repository)
import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import zlib from "node:zlib";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";

/**
 * zod's `z.locales` re-exports its error messages in some 50 languages (about 0.4 MB of the 0.76 MB zod
 * chunk), which every command compiled at start; trainsafe prints English only (zod's default, which
 * zod imports from locales/en.js directly), so `z.locales` is cut down to `en`.
 */
const englishZodLocaleOnly = {
  name: "english-zod-locale-only",
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
      contents: 'export { default as en } from "./en.js";\n',
      loader: "js",
      resolveDir: path.join(root, "node_modules", "zod", "v4", "locales"),
    }));
  },
};

/**
 * commander requires node:child_process at load (for executable subcommands, which trainsafe has none
 * of); loading it pulls in net, stream and dgram, ~8 ms of every command's start. Required on first use.
 */
const commanderLazyChildProcess = {
  name: "commander-lazy-child-process",
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (a) => {
      const text = fs.readFileSync(a.path, "utf8");
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) {
        process.stderr.write(`warning: ${a.path}: no "${eager}" to make lazy (commander changed?)\n`);
        return undefined;
      }
      return { contents: text.replace(eager, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };"), loader: "js" };
    });
  },
};

/**
 * In the local commands' scripts, zod is loaded on first use, not at start: the sources' `import { z }
 * from "zod"` resolves to a facade whose `z` requires zod, bundled as a script of its own (dist/zod.cjs,
 * through node's module loader, without a code cache), the first time a member is read. The local
 * commands build their schemas on first use and check the common case of their input by hand, so a run
 * that meets nothing unusual never loads zod (~13-19 ms of a command's start, plus its share of the
 * garbage collection), and zod's 0.4 MB are neither read nor in any code cache (a further 10-20 ms:
 * docs/benchmarks.md, start-up). zod's JIT is turned off on load: a one-shot command parses each schema
 * once or twice, and generating and compiling a parser per object schema with new Function costs more
 * than it saves there (~15 ms in config validate).
 */
const lazyZod = {
  name: "lazy-zod",
  setup(b) {
    b.onResolve({ filter: /^zod$/ }, (a) => (a.importer.includes(`${path.sep}node_modules${path.sep}`) ? undefined : { path: "zod", namespace: "lazy-zod" }));
    b.onLoad({ filter: /.*/, namespace: "lazy-zod" }, () => ({
      contents: [
        "let real;",
        "function zod() {",
        "  if (real === undefined) {",
        // __dirname: dist/, as the launcher runs every script (cli/launch.cts).
        '    real = require(require("node:path").join(__dirname, "zod.cjs")).z;',
        "    real.config({ jitless: true });",
        "  }",
        "  return real;",
        "}",
        "export const z = new Proxy({}, { get: (_, key) => zod()[key], has: (_, key) => key in zod(), ownKeys: () => Reflect.ownKeys(zod()), getOwnPropertyDescriptor: (_, key) => { const d = Reflect.getOwnPropertyDescriptor(zod(), key); return d && { ...d, configurable: true }; } });",
      ].join("\n"),
      loader: "js",
    }));
  },
};

/**
 * A package or built-in module the local commands' scripts require on first use instead of at load,
 * through a facade whose exports call into the real module (each a Proxy over a function, so that
 * calls, `new` and property reads all reach it): yaml (read only for a YAML training config; `check`
 * evaluated it at every start) and node:child_process (only to run nvidia-smi and lspci, which a host
 * without them never does; loading it compiles net, dgram and child_process's internals). Together
 * ~13 ms of `check`'s CPU (docs/benchmarks.md, start-up). An import of a name not listed here fails
 * the build ("No matching export").
 */
const LAZY_MODULES = {
  yaml: ["LineCounter", "parseAllDocuments", "visit", "isMap", "isScalar"],
  "node:child_process": ["spawn"],
  // Hashes, UUIDs and temporary names only where a command writes or hashes something: crypto's module
  // and OpenSSL's digest table cost ~4-5 ms (docs/benchmarks.md, start-up, 2026-12-06 02:40).
  "node:crypto": ["createHash", "randomBytes", "randomUUID", "createPrivateKey", "X509Certificate"],
};
const lazyModules = {
  name: "lazy-modules",
  setup(b) {
    const filter = new RegExp(`^(${Object.keys(LAZY_MODULES).map((m) => m.replace(/[.:]/g, "\\$&")).join("|")})$`);
    // The facade's own require() of the module, and the packages' imports, resolve as usual.
    b.onResolve({ filter }, (a) => (a.namespace === "lazy-module" || a.importer.includes(`${path.sep}node_modules${path.sep}`) ? undefined : { path: a.path, namespace: "lazy-module" }));
    b.onLoad({ filter: /.*/, namespace: "lazy-module" }, (a) => ({
      contents: [
        "let real;",
        `const get = (name) => (real ??= require(${JSON.stringify(a.path)}))[name];`,
        "const lazy = (name) => new Proxy(function () {}, { apply: (_, self, args) => Reflect.apply(get(name), self, args), construct: (_, args) => Reflect.construct(get(name), args), get: (_, key) => get(name)[key] });",
        ...LAZY_MODULES[a.path].map((name) => `export const ${name} = lazy(${JSON.stringify(name)});`),
      ].join("\n"),
      loader: "js",
      resolveDir: root,
    }));
  },
};

/**
 * node:zlib in the local commands' scripts: what they use of it is zlib.crc32 (agent/crash/rules.ts checks
 * that rules.json is the file the bundle was built from), which zlib's binding has without node:zlib's
 * module, whose load also loads node:stream (~1.4 ms of every local command's start with the launcher's
 * own CRC-32: agent/lib/crc32.ts). The facade's default export answers `crc32` from agent/lib/crc32.ts and
 * any other member from the real module, required then; a named import fails the build.
 */
const zlibCrc32Only = {
  name: "zlib-crc32-only",
  setup(b) {
    b.onResolve({ filter: /^node:zlib$/ }, (a) => (a.namespace === "zlib-facade" || a.importer.includes(`${path.sep}node_modules${path.sep}`) ? undefined : { path: "node:zlib", namespace: "zlib-facade" }));
    b.onLoad({ filter: /.*/, namespace: "zlib-facade" }, () => ({
      contents: [
        `import { crc32Function } from ${JSON.stringify(path.join(root, "agent", "lib", "crc32.ts"))};`,
        "let real;",
        'const zlib = () => (real ??= require("node:zlib"));',
        'export default new Proxy({}, { get: (_, key) => (key === "crc32" ? crc32Function() ?? undefined : zlib()[key]), has: (_, key) => key in zlib() });',
      ].join("\n"),
      loader: "js",
      resolveDir: root,
    }));
  },
};

/**
 * node:module in the launcher and the local commands' scripts: what they use of it is createRequire,
 * which is the CommonJS loader's Module.createRequire; node:module's own module is that class with more
 * attached, and loading it compiles node's ES module loader and source map modules. Under the V8 options
 * the launcher gives `check` and `crash scan`, node refuses its built-in code cache for a module loaded
 * after start, so those cost ~1 ms of CPU at every run (docs/benchmarks.md, start-up, 2026-12-07 09:40).
 * The facade takes the class from the main module, the launcher (`require.main.constructor`), and
 * requires node:module only where there is none (a script loaded as a module in a worker thread). A named
 * import other than createRequire fails the build.
 */
const moduleClassOnly = {
  name: "module-class-only",
  setup(b) {
    // The facade's own require() of node:module, and the packages' imports, resolve as usual.
    b.onResolve({ filter: /^node:module$/ }, (a) => (a.namespace === "module-class-only" || a.importer.includes(`${path.sep}node_modules${path.sep}`) ? undefined : { path: a.path, namespace: "module-class-only" }));
    b.onLoad({ filter: /.*/, namespace: "module-class-only" }, () => ({
      contents: [
        "const main = require.main?.constructor;",
        'const Module = typeof main?.createRequire === "function" ? main : require("node:module");',
        "export const createRequire = (from) => Module.createRequire(from);",
      ].join("\n"),
      loader: "js",
      resolveDir: root,
    }));
  },
};

/**
 * node:fs, node:path and node:os once per local script: esbuild turns each source file's import of a
 * built-in into a copy of the module's namespace (`__toESM`, a getter per member: node:fs has 104), made
 * when that file's module is first used; the checks' script made 25 of them at every `check` (~0.75 ms of
 * cold code in a fresh process). Each script's files import these from one module of its own that
 * re-exports the built-in (one copy each); members are still read through getters, so fs.promises is
 * still loaded only when used. Without side effects, as node's built-ins are to esbuild: an import that
 * tree-shaking leaves unused loads nothing (node:os stays out of `check`).
 */
const builtinsOnce = {
  name: "builtins-once",
  setup(b) {
    b.onResolve({ filter: /^node:(fs|path|os)$/ }, (a) => (a.namespace === "builtin-once" || a.importer.includes(`${path.sep}node_modules${path.sep}`) ? undefined : { path: a.path, namespace: "builtin-once", sideEffects: false }));
    b.onLoad({ filter: /.*/, namespace: "builtin-once" }, (a) => ({
      contents:
        a.path === "node:path"
          ? // node:path with a shortcut for absolute paths in normal form (agent/lib/fast-path.ts): node's
            // normalizeString, called ~200 times by a `check`, was compiled with TurboFan at every run.
            `import real from "node:path";\nimport { fastPath } from ${JSON.stringify(path.join(root, "agent", "lib", "fast-path.ts"))};\nexport * from "node:path";\nexport default /* @__PURE__ */ fastPath(real);\n`
          : `export * from ${JSON.stringify(a.path)};\nexport { default } from ${JSON.stringify(a.path)};\n`,
      loader: "js",
      resolveDir: root,
    }));
  },
};

const root = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), ".."));
const dist = path.join(root, "dist");
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist);

/**
 * The shipped crash rules, validated here with the code that loads them (agent/crash/rules.ts,
 * precompileRules: the same zod schemas and errors) and put into the bundle as TRAINSAFE_BUILTIN_RULES
 * with each rule's anchors: a command then neither validates them nor derives the anchors at every
 * start (~25 ms of `crash scan`). They carry the SHA-1 of dist/rules.json as copied here: an edited
 * copy is read and validated at run time instead. A rules file with an error fails the build, naming
 * the file, rule and field.
 */
async function precompiledRules() {
  const source = path.join(root, "agent", "crash", "rules.json");
  const shipped = path.join(dist, "rules.json");
  fs.copyFileSync(source, shipped);
  // Bundled into dist/ (rules.ts finds rules.json beside its module), imported, then removed.
  const tmp = path.join(dist, `.precompile-rules-${process.pid}.mjs`);
  try {
    await build({
      stdin: { contents: 'export { precompileRules, compilePrecompiledRules } from "./agent/crash/rules.ts";\nexport { prefilterData } from "./agent/crash/prefilter.ts";\nexport { settingsSchema } from "./agent/config/settings.ts";', resolveDir: root, loader: "ts" },
      outfile: tmp,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      logLevel: "warning",
      plugins: [englishZodLocaleOnly],
    });
    const { precompileRules, compilePrecompiledRules, prefilterData, settingsSchema } = await import(pathToFileURL(tmp).href);
    const pre = await precompileRules(source, shipped);
    // The whole-file prefilter's tables for these rules as the bundle loads them (agent/crash/prefilter.ts,
    // prefilterData): read beside the bundle by a scan whose rules have the same patterns' factors
    // instead of built at its start (~0.1 s of CPU), and checked there by size and CRC-32 (this build's
    // file) and by the fingerprint of those factors (another rules file: built at run time as before).
    const prefilter = shipPrefilterData(prefilterData, compilePrecompiledRules(pre, shipped));
    // What was validated must be what ships (the source could change in between).
    if (!fs.readFileSync(source).equals(fs.readFileSync(shipped))) throw Object.assign(new Error(`${source}: changed during the build; build again`), { code: "RULES_CHANGED" });
    // The settings' defaults (what the schema gives for no settings), the base of the local commands'
    // check of their settings without zod (agent/config/settings.ts, fastSettings); they must survive JSON.
    const defaults = settingsSchema().parse({});
    const settingsDefaults = JSON.stringify(defaults);
    if (!isDeepStrictEqual(JSON.parse(settingsDefaults), defaults)) throw new Error("the settings' defaults do not survive JSON (agent/config/settings.ts)");
    // ASCII JSON (\uXXXX escapes): a few non-ASCII characters in the rules (a Chinese kill message)
    // made V8 hold the whole 132 KB string as two bytes a character, twice the size in every crash
    // code cache and in the heap (docs/benchmarks.md, start-up, 2026-12-06 02:40).
    // The rules' bodies (each rule's JSON text, ASCII, parsed when the rule is first tried) go into a
    // string of their own, one a line: nested in the table's JSON, each would be escaped twice and copied
    // out of it by the JSON.parse of every start.
    const { bodies, ...table } = pre;
    const rules = JSON.stringify(table).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    if (bodies.some((b) => /[\n\u0080-\uffff]/.test(b))) throw new Error("a precompiled rule body is not one line of ASCII (agent/crash/rules.ts, precompileRules)");
    return { rules, ruleBodies: bodies.join("\n"), settingsDefaults, prefilter };
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    // An error of the rules file (file, rule and field) is the user's to fix: its message, no stack.
    if (err?.name !== "TrainsafeError" && err?.code !== "RULES_CHANGED") throw err;
    process.stderr.write(`build failed: ${err.message}\n`);
    process.exit(1);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
/**
 * Writes the prefilter's data for `compiled` to dist/prefilter.bin; its name, size and CRC-32 (the bundle
 * reads only that file), or null where the building node has no zlib.crc32 (the scan builds its tables).
 */
function shipPrefilterData(prefilterData, compiled) {
  if (typeof zlib.crc32 !== "function") {
    process.stderr.write("warning: this node has no zlib.crc32 (Node 20.15 or later): no prefilter data shipped, scans build it\n");
    return null;
  }
  const data = prefilterData(compiled);
  const file = "prefilter.bin";
  fs.writeFileSync(path.join(dist, file), data);
  return { file, bytes: data.length, crc32: zlib.crc32(data) };
}
/** The options every CommonJS script of dist shares (the local commands' scripts, zod, the launcher). */
const CJS_SCRIPT = { outdir: dist, outExtension: { ".js": ".cjs" }, bundle: true, platform: "node", format: "cjs", target: "node20" };
const precompiled = await precompiledRules();
const builtinRules = { TRAINSAFE_BUILTIN_RULES: JSON.stringify(precompiled.rules), TRAINSAFE_BUILTIN_RULE_BODIES: JSON.stringify(precompiled.ruleBodies), TRAINSAFE_SETTINGS_DEFAULTS: JSON.stringify(precompiled.settingsDefaults), ...(precompiled.prefilter ? { TRAINSAFE_PREFILTER_DATA: JSON.stringify(JSON.stringify(precompiled.prefilter)) } : {}) };

await build({
  // The health checks' worker thread (agent/checks/worker.ts) is an entry of its own: the agent's worker
  // loads the checks and what they use, not the whole CLI.
  entryPoints: { trainsafe: path.join(root, "cli", "main.ts"), "checks-worker": path.join(root, "agent", "checks", "worker.ts") },
  outdir: dist,
  outExtension: { ".js": ".mjs" },
  // Each command stays its own chunk, loaded only when run: the agent does not load the controller's
  // SQLite, gRPC server and metrics packages.
  splitting: true,
  // Chunks sit beside the entry: code that reads files next to its module (rules.json, static/) finds them.
  chunkNames: "[name]-[hash]",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Packages are bundled too: resolving and compiling zod's, commander's and the others' files one by
  // one through node's module loader was most of a command's start-up (crash scan of a small log: 433
  // -> 306 ms CPU, docs/benchmarks.md, start-up). Only native addons stay in node_modules.
  external: ["better-sqlite3"],
  define: { ...builtinRules, TRAINSAFE_CHECKS_WORKER: JSON.stringify("./checks-worker.mjs") },
  // Bundled CommonJS packages call require() for node's built-ins; an ES module has none of its own.
  banner: { js: 'import { createRequire as __trainsafeCreateRequire } from "node:module"; const require = __trainsafeCreateRequire(import.meta.url);' },
  logLevel: "warning",
  plugins: [englishZodLocaleOnly, commanderLazyChildProcess],
});

// The local commands, each also as one CommonJS script that dist/trainsafe.cjs (cli/launch.cts) runs
// through vm.Script with a V8 code cache: ES modules get no code cache on Node 20, and compiling the
// ~0.6 MB a local command loads was a third of its start-up (docs/benchmarks.md, start-up). One script
// per command, not one for all: a script holding every command made each run deserialise and
// pre-parse all of them (tried: no faster than the ES modules).
const LOCAL_COMMANDS = { check: [], crash: ["scan", "history"], config: ["validate", "lock"], resume: ["verify"] };
// Scripts loaded only as modules (cli/launch.cts, loadModule), never run as a command: the health checks'
// worker thread, which `check` starts, gets a script of its own with only the checks and what they use
// (agent/checks/in-worker.ts); `check`'s own script holds none of them.
const LOCAL_MODULES = { "checks-worker": path.join(root, "agent", "checks", "worker.ts") };
const localEntry = {
  name: "local-command-entry",
  setup(b) {
    b.onResolve({ filter: /^local-command:/ }, (a) => ({ path: a.path.slice("local-command:".length), namespace: "local-command" }));
    b.onLoad({ filter: /.*/, namespace: "local-command" }, (a) => ({
      contents: [
        'import { runCli } from "./cli/run.ts";',
        `import * as command from "./cli/commands/${a.path}.ts";`,
        `export function main(argv) { return runCli(argv, [{ name: ${JSON.stringify(a.path)}, load: async () => command }]); }`,
      ].join("\n"),
      loader: "js",
      resolveDir: root,
    }));
  },
};
await build({
  entryPoints: { ...Object.fromEntries(Object.keys(LOCAL_COMMANDS).map((c) => [c, `local-command:${c}`])), ...LOCAL_MODULES },
  ...CJS_SCRIPT,
  external: ["better-sqlite3"],
  // Strings escaped to ASCII: a script that is all ASCII is read as latin1 (faster than utf8).
  charset: "ascii",
  // import.meta.url of the sources is dist/<command>.module.cjs (written below): files next to the
  // module resolve beside it, and the checks' worker loads its script (checks-worker.module.cjs)
  // through the launcher and its code cache.
  define: { "import.meta": "__trainsafeImportMeta", ...builtinRules, TRAINSAFE_CHECKS_WORKER: JSON.stringify("./checks-worker.module.cjs") },
  banner: { js: 'var __trainsafeImportMeta = { get url() { return require("node:url").pathToFileURL(__filename.replace(/\\.cjs$/, ".module.cjs")).href; } };' },
  logLevel: "warning",
  plugins: [englishZodLocaleOnly, commanderLazyChildProcess, lazyZod, lazyModules, zlibCrc32Only, builtinsOnce, moduleClassOnly, localEntry],
});
// zod for the local commands' scripts, loaded only when one needs it (lazyZod above); English only.
await build({
  entryPoints: { zod: path.join(root, "node_modules", "zod", "index.js") },
  ...CJS_SCRIPT,
  logLevel: "warning",
  plugins: [englishZodLocaleOnly],
});
/**
 * esbuild's charset "ascii" escapes strings, templates and names but leaves comments, regex literals and
 * String.raw templates as written (a traceback parser matches box-drawing characters, and MLflow's
 * emoji in a String.raw). Escaping those too is exact (in a regex, \uXXXX matches the character it
 * names; a comment is not code; in a String.raw template a character becomes a substitution of a string
 * holding it, `${"\uXXXX"}`, which String.raw puts back where it was), and an all-ASCII script is read
 * as latin1, ~8 ms faster than utf8 for 0.6 MB, and held one byte a character (a single emoji made V8
 * hold the whole 0.98 MB checks' script two bytes a character). A small lexer of esbuild's output finds
 * them; a non-ASCII character anywhere else (a template of another tag, whose strings the tag reads as
 * written), or a lexer that loses its way, leaves the script as it is: read as utf8.
 */
function asciiOnly(src) {
  const out = [];
  const templates = []; // each open ${ of a template: the brace depth there and whether the template is a String.raw
  let depth = 0;
  let i = 0;
  let last = 0;
  let prev = ""; // last significant character of code, or a keyword after which a regex may come
  const esc = (from, to) => {
    for (let k = from; k < to; k++) {
      const c = src.charCodeAt(k);
      if (c > 0x7f) {
        out.push(src.slice(last, k), `\\u${c.toString(16).padStart(4, "0")}`);
        last = k + 1;
      }
    }
  };
  const regexMayStart = () => prev === "" || /[(,=:[!&|?{};+\-*%<>~^]$/.test(prev) || /^(return|typeof|case|do|else|in|of|new|delete|void|throw|instanceof|yield|await)$/.test(prev);
  const skipString = (q) => {
    for (i++; i < src.length && src[i] !== q; i++) if (src[i] === "\\") i++;
    i++;
  };
  // Returns true at the end of the template, false at a ${. In a String.raw template (raw), a character
  // above ASCII becomes a substitution of a string of it (an escape would be read raw, as written).
  const skipTemplate = (raw) => {
    for (; i < src.length; i++) {
      const c = src.charCodeAt(i);
      if (raw && c > 0x7f) {
        out.push(src.slice(last, i), `\${"\\u${c.toString(16).padStart(4, "0")}"}`);
        last = i + 1;
      } else if (src[i] === "\\") i++;
      else if (src[i] === "`") return (i++, true);
      else if (src[i] === "$" && src[i + 1] === "{") return ((i += 2), false);
    }
    return true;
  };
  while (i < src.length) {
    const ch = src[i];
    if (ch === "/" && src[i + 1] === "/") {
      const end = src.indexOf("\n", i);
      const to = end < 0 ? src.length : end;
      esc(i, to);
      i = to;
    } else if (ch === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      if (end < 0) return null;
      esc(i, end + 2);
      i = end + 2;
    } else if (ch === "/" && regexMayStart()) {
      const from = i;
      let cls = false;
      for (i++; i < src.length && (cls || src[i] !== "/"); i++) {
        if (src[i] === "\\") i++;
        else if (src[i] === "[") cls = true;
        else if (src[i] === "]") cls = false;
        else if (src[i] === "\n") return null;
      }
      for (i++; /[a-z]/.test(src[i] ?? ""); i++);
      esc(from, i);
      prev = "x";
    } else if (ch === '"' || ch === "'") {
      skipString(ch);
      prev = "x";
    } else if (ch === "`") {
      const raw = prev === "String.raw";
      i++;
      if (!skipTemplate(raw)) templates.push({ depth, raw });
      prev = "x";
    } else if (ch === "}" && templates.length && templates[templates.length - 1].depth === depth) {
      const { raw } = templates.pop();
      i++;
      if (!skipTemplate(raw)) templates.push({ depth, raw });
      prev = "x";
    } else if (/[A-Za-z0-9_$]/.test(ch)) {
      const m = /[A-Za-z0-9_$.]+/y;
      m.lastIndex = i;
      const word = m.exec(src)[0];
      i += word.length;
      prev = word;
    } else {
      if (ch === "{") depth++;
      else if (ch === "}") depth--;
      if (!/\s/.test(ch)) prev = ch;
      i++;
    }
  }
  if (templates.length || depth !== 0) return null;
  out.push(src.slice(last));
  const text = out.join("");
  if (/[^\x00-\x7f]/.test(text)) return null;
  try {
    new vm.Script(text);
  } catch {
    return null;
  }
  return text;
}

const encodingOf = (c) => {
  const file = path.join(dist, `${c}.cjs`);
  const src = fs.readFileSync(file, "utf8");
  if (!/[^\x00-\x7f]/.test(src)) return "latin1";
  const ascii = asciiOnly(src);
  if (ascii === null) return "utf8";
  fs.writeFileSync(file, ascii);
  return "latin1";
};
// CommonJS's function wrapper, written around each local script here so that the launcher compiles the
// file's text as read (cli/launch.cts, CJS_WRAPPER: the same text): wrapping it at run time copied the
// whole source into a second string at every start (~1 ms of `check` for the 0.94 MB checks' script).
// The wrapper opens on the first line, as node's own does, so line and column numbers are unchanged.
const CJS_WRAPPER = ["(function (exports, require, module, __filename, __dirname) {", "\n})"];
const wrapScript = (c) => {
  const file = path.join(dist, `${c}.cjs`);
  fs.writeFileSync(file, `${CJS_WRAPPER[0]}${fs.readFileSync(file, "utf8")}${CJS_WRAPPER[1]}`);
  return true;
};
const localScript = (c, extra) => {
  const encoding = encodingOf(c);
  return { file: `${c}.cjs`, encoding, ...extra, wrapped: wrapScript(c) };
};
await build({
  entryPoints: { trainsafe: path.join(root, "cli", "launch.cts") },
  ...CJS_SCRIPT,
  plugins: [moduleClassOnly],
  define: {
    TRAINSAFE_LOCAL_SCRIPTS: JSON.stringify({
      ...Object.fromEntries(Object.entries(LOCAL_COMMANDS).map(([c, subcommands]) => [c, localScript(c, { subcommands })])),
      ...Object.fromEntries(Object.keys(LOCAL_MODULES).map((m) => [m, localScript(m, { subcommands: [], command: false })])),
    }),
  },
  logLevel: "warning",
});
for (const c of [...Object.keys(LOCAL_COMMANDS), ...Object.keys(LOCAL_MODULES)]) {
  fs.writeFileSync(path.join(dist, `${c}.module.cjs`), `// The ${c} script as a module, with its code cache (cli/launch.cts, loadModule).\nmodule.exports = require("./trainsafe.cjs").loadModule(${JSON.stringify(c)});\n`);
}
// new URL("./rules.json" | "./static/" | "./training_daemon.mjs", import.meta.url) in the sources
// (rules.json was copied by precompiledRules).
fs.cpSync(path.join(root, "controller", "http", "static"), path.join(dist, "static"), { recursive: true });
fs.copyFileSync(path.join(root, "cli", "demo", "training_daemon.mjs"), path.join(dist, "training_daemon.mjs"));
process.stderr.write(`built ${path.relative(process.cwd(), path.join(dist, "trainsafe.cjs")) || dist}\n`);
