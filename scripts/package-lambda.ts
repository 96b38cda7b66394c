/**
 * `npm run package`: bundles the Lambda entry (src/lambda/index.ts) with esbuild into one ES module,
 * packs it with the base schemas into dist/lambda.zip (nodejs22.x; arm64 by default, `--arch x86_64`
 * also works: the bundle is plain JavaScript, so the same zip runs on both) and prints its size.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { build, type Plugin } from 'esbuild';
import { zipSync } from 'fflate';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * zod re-exports every message translation as `z.locales`, about 60 languages that the bundle would
 * compile at every cold start; the pipeline only ever uses English (zod's default), so the barrel is
 * replaced by one that offers English alone.
 */
const englishOnlyZodLocales: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}zod${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), args.path), namespace: 'zod-locales' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(path.join(path.dirname(args.path), 'en.js'))};`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

export interface PackageResult {
  zipPath: string;
  zipBytes: number;
  /** lambda.mjs plus the chunks it imports on demand, unzipped. */
  bundleBytes: number;
}

export async function packageLambda(
  options: { outDir?: string; arch?: 'arm64' | 'x86_64' } = {},
): Promise<PackageResult> {
  const outDir = options.outDir ?? path.join(root, 'dist');
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string })
    .version;
  mkdirSync(outDir, { recursive: true });
  const bundle = await build({
    entryPoints: { lambda: path.join(root, 'src/lambda/index.ts') },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    // Libraries tell their errors apart by constructor.name (the Confluent client's 404 is only
    // recognisable that way); minified names would turn a missing subject into a hard failure.
    keepNames: true,
    // What src/ imports on demand (the registry client not chosen, the MSK IAM signer) goes into chunks
    // that are only read when used; the ES builds of the AWS SDK packages tree-shake better.
    splitting: true,
    mainFields: ['module', 'main'],
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    sourcemap: false,
    legalComments: 'none',
    write: false,
    outdir: outDir,
    define: { 'process.env.SES_KAFKA_BUNDLED_VERSION': JSON.stringify(version) },
    // Some bundled CommonJS dependencies call require(); ES modules have none unless we make one.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    plugins: [englishOnlyZodLocales],
    logLevel: 'warning',
  });
  const files: Record<string, Uint8Array> = {};
  for (const output of bundle.outputFiles) {
    files[path.relative(outDir, output.path).split(path.sep).join('/')] = output.contents;
  }
  if (files['lambda.mjs'] === undefined) throw new Error('esbuild produced no lambda.mjs');
  const bundleBytes = bundle.outputFiles.reduce((sum, output) => sum + output.contents.byteLength, 0);
  const schemaDir = path.join(root, 'schemas/ses-email-event');
  for (const name of readdirSync(schemaDir).filter((file) => file.endsWith('.avsc'))) {
    files[`schemas/ses-email-event/${name}`] = readFileSync(path.join(schemaDir, name));
  }
  const zip = zipSync(files, { level: 9, mtime: new Date('2026-01-01T00:00:00Z') });
  const zipPath = path.join(outDir, options.arch === 'x86_64' ? 'lambda-x86_64.zip' : 'lambda.zip');
  writeFileSync(zipPath, zip);
  rmSync(path.join(outDir, 'chunks'), { recursive: true, force: true });
  for (const output of bundle.outputFiles) {
    mkdirSync(path.dirname(output.path), { recursive: true });
    writeFileSync(output.path, output.contents);
  }
  return { zipPath, zipBytes: statSync(zipPath).size, bundleBytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const options = new Command()
    .description('bundle the Lambda handlers into dist/lambda.zip')
    .option('--arch <arch>', 'arm64 or x86_64 (same code; only the file name differs)', 'arm64')
    .option('--out-dir <dir>', 'output folder', path.join(root, 'dist'))
    .parse()
    .opts<{ arch: string; outDir: string }>();
  if (options.arch !== 'arm64' && options.arch !== 'x86_64') {
    console.error(`--arch: expected arm64 or x86_64, got "${options.arch}"`);
    process.exit(2);
  }
  const result = await packageLambda({ arch: options.arch, outDir: options.outDir });
  console.log(
    `${path.relative(process.cwd(), result.zipPath)}: ${(result.zipBytes / 1024).toFixed(0)} KiB zipped (bundle ${(result.bundleBytes / 1024).toFixed(0)} KiB)`,
  );
  console.log(
    'handlers: lambda.snsHandler (SNS trigger), lambda.sqsHandler (SQS trigger, fed by SNS or EventBridge), lambda.eventBridgeHandler (EventBridge rule trigger)',
  );
}
