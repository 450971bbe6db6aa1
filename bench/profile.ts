/**
 * Prints where CPU profiles' busy time went:
 *   node --import tsx bench/profile.ts <file.cpuprofile>… [top]
 */
import { summariseProfile } from './lib/profile.js';

const args = process.argv.slice(2);
const top = /^\d+$/.test(args[args.length - 1] ?? '') ? Number(args.pop()) : 30;
if (args.length === 0) {
  console.error('usage: node --import tsx bench/profile.ts <file.cpuprofile>… [top]');
  process.exit(2);
}
for (const file of args) {
  const summary = summariseProfile(file, top);
  console.log(`${file}: ${summary.busyMs} ms busy of ${summary.totalMs} ms sampled\n`);
  console.log('self time by package (% of busy)');
  for (const e of summary.byPackage)
    console.log(`  ${String(e.selfPercent).padStart(5)}  ${e.name}`);
  console.log('\nself time by function');
  for (const e of summary.byFunction) {
    console.log(`  ${String(e.selfPercent).padStart(5)}  ${e.name}  ${e.where}`);
  }
  console.log('\ninclusive time by function (itself and everything it called)');
  for (const e of summary.inclusive) {
    console.log(`  ${String(e.selfPercent).padStart(5)}  ${e.name}  ${e.where}`);
  }
  console.log('');
}
