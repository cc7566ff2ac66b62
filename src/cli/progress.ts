// The scan's progress on a terminal: one line, redrawn in place at most ten times a second, that says how many
// subscriptions and HSMs are done out of those known, and how many log queries are answered. Logs and pipes get none.
import type { ScanProgress } from "../azure/progress.js";

export interface ProgressView {
  update(progress: ScanProgress): void;
  /** Draws the last state and ends the line. */
  finish(): void;
}

/** The line for one state: `hsm-audit: 120/200 subscriptions · 450/1000 HSMs · 35/140 log queries · <stage>`. */
export function progressLine(p: ScanProgress): string {
  const parts = [
    `${p.subscriptions.done}/${p.subscriptions.total} subscriptions`,
    `${p.hsms.done}/${p.hsms.total} HSMs`,
    ...(p.queries.total > 0 ? [`${p.queries.done}/${p.queries.total} log queries`] : []),
    p.stage,
  ];
  return `hsm-audit: ${parts.join(" · ")}`;
}

export function terminalProgress(
  stream: { write(text: string): unknown; columns?: number },
  now: () => number = Date.now,
  intervalMs = 100,
): ProgressView {
  let last: ScanProgress | undefined;
  let drawnAt = -Infinity;
  let drawn = false;
  const draw = () => {
    if (!last) return;
    const width = Math.max(20, (stream.columns || 120) - 1);
    const line = progressLine(last);
    // Carriage return and erase-line: the line is redrawn where it stands, cut to the terminal's width.
    stream.write(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    drawn = true;
    drawnAt = now();
  };
  return {
    update(progress) {
      last = progress;
      if (now() - drawnAt >= intervalMs) draw();
    },
    finish() {
      draw();
      if (drawn) stream.write("\n");
    },
  };
}
