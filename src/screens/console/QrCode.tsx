import { useMemo } from 'preact/hooks';
import { create } from 'qrcode';

/** The blank margin scanners need around a code, in modules. */
const QUIET_ZONE = 4;

/** One <rect> per run of dark modules in a row: a few hundred elements instead of thousands. */
function darkRuns(url: string): { size: number; runs: { x: number; y: number; w: number }[] } {
  const { modules } = create(url, { errorCorrectionLevel: 'M' });
  const runs: { x: number; y: number; w: number }[] = [];

  for (let y = 0; y < modules.size; y += 1) {
    let start = -1;
    for (let x = 0; x <= modules.size; x += 1) {
      const dark = x < modules.size && Boolean(modules.get(y, x));
      if (dark && start < 0) start = x;
      if (!dark && start >= 0) {
        runs.push({ x: start, y, w: x - start });
        start = -1;
      }
    }
  }
  return { size: modules.size, runs };
}

interface QrCodeProps {
  url: string;
  label: string;
}

/**
 * The buyer's link as a QR code, drawn as SVG by Preact: no canvas, no data: URL and no
 * innerHTML, so it renders under the page's strict content security policy.
 */
export function QrCode({ url, label }: QrCodeProps) {
  const { size, runs } = useMemo(() => darkRuns(url), [url]);
  const side = size + QUIET_ZONE * 2;

  return (
    <svg
      class="rp-console-qr"
      viewBox={`0 0 ${side} ${side}`}
      role="img"
      aria-label={label}
      shape-rendering="crispEdges"
    >
      <rect width={side} height={side} fill="#fff" />
      {runs.map((run) => (
        <rect
          key={`${run.x}-${run.y}`}
          x={run.x + QUIET_ZONE}
          y={run.y + QUIET_ZONE}
          width={run.w}
          height={1}
          fill="#000"
        />
      ))}
    </svg>
  );
}
