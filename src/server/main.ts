/**
 * The process entry: read the configuration, start one node, print where it is, and shut down
 * gracefully on SIGINT or SIGTERM (clients are told to reconnect).
 */
import { startServer } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { DEMO_AGENTS } from './inventory/demo.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  const server = await startServer({ config });
  const base = config.publicUrl ?? server.url;
  const lines = [
    '',
    `  Remote Presentation is running: ${base}/`,
    `  Storage: ${server.store.kind === 'sqlite' ? `SQLite in ${config.dataDir}` : 'PostgreSQL'}`,
  ];
  const demo = DEMO_AGENTS[0];
  if (config.seedDemo && demo) {
    lines.push(`  Demo login: ${demo.email} / ${demo.password}`);
  }
  lines.push('');
  process.stderr.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
