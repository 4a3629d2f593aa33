/**
 * Minimal SVG charts for the HTML report: a line chart and a state band, over minutes.
 *
 * Written by hand: the report must be one self-contained file with no script, font or network
 * request, and charting libraries either render in a browser with JavaScript or pull in a DOM
 * implementation; two chart kinds take less code than wiring one in.
 */

export interface LineSeries {
  readonly label: string;
  readonly color: string;
  /** y per minute (index = minute). */
  readonly values: readonly number[];
  readonly dashed?: boolean;
  /** Draw as steps (the value holds until the next minute), e.g. weights. */
  readonly step?: boolean;
  /** @default 2 */
  readonly strokeWidth?: number;
}

export interface LineChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  /** @default - the largest value, rounded up */
  readonly yMax?: number;
  readonly width?: number;
  readonly height?: number;
}

export interface BandSegment {
  readonly label: string;
  readonly color: string;
}

export interface BandChartOptions {
  readonly title: string;
  /** One state per minute. */
  readonly states: readonly string[];
  readonly colors: Readonly<Record<string, string>>;
  /** Markers above the band: minute → text (e.g. `shed`). */
  readonly markers: readonly {
    readonly minute: number;
    readonly label: string;
    readonly color: string;
  }[];
  readonly width?: number;
}

const MARGIN = { left: 64, right: 16, top: 36, bottom: 36 };

/** Escapes text for HTML and SVG content and attributes. */
export function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A round step for about `count` ticks up to `max` (1, 2 or 5 times a power of ten). */
export function niceStep(max: number, count = 5): number {
  if (max <= 0) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

const fmt = (n: number): string => String(Math.round(n * 100) / 100);

function xAxis(minutes: number, x: (m: number) => number, bottom: number): string {
  const step = niceStep(minutes, 8);
  const ticks: string[] = [];
  for (let m = 0; m <= minutes; m += step) {
    ticks.push(
      `<line x1="${fmt(x(m))}" y1="${bottom}" x2="${fmt(x(m))}" y2="${bottom + 4}" stroke="#555"/>` +
        `<text x="${fmt(x(m))}" y="${bottom + 16}" text-anchor="middle">${m}</text>`,
    );
  }
  return ticks.join('');
}

/** A line chart over minutes 0..n (n = the longest series). */
export function lineChart(options: LineChartOptions): string {
  const width = options.width ?? 960;
  const height = options.height ?? 260;
  const minutes = Math.max(1, ...options.series.map((s) => s.values.length));
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const dataMax = Math.max(0, ...options.series.flatMap((s) => s.values));
  const yStep = niceStep(options.yMax ?? dataMax);
  const yMax = options.yMax ?? Math.max(yStep, Math.ceil(dataMax / yStep) * yStep);
  const x = (m: number): number => left + ((right - left) * m) / minutes;
  const y = (v: number): number => bottom - ((bottom - top) * Math.min(v, yMax)) / yMax;

  const grid: string[] = [];
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    grid.push(
      `<line x1="${left}" y1="${fmt(y(v))}" x2="${right}" y2="${fmt(y(v))}" stroke="#e3e3e3"/>` +
        `<text x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  const paths = options.series.map((series) => {
    const points: string[] = [];
    series.values.forEach((v, m) => {
      if (series.step) {
        points.push(`${fmt(x(m))},${fmt(y(v))}`, `${fmt(x(m + 1))},${fmt(y(v))}`);
      } else {
        points.push(`${fmt(x(m + 0.5))},${fmt(y(v))}`);
      }
    });
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    const width = series.strokeWidth ?? 2;
    return `<polyline fill="none" stroke="${series.color}" stroke-width="${width}"${dash} points="${points.join(' ')}"><title>${escapeXml(series.label)}</title></polyline>`;
  });
  const legend = options.series.map((series, i) => {
    const lx = left + i * 170;
    const dash = series.dashed ? ' stroke-dasharray="6 4"' : '';
    return (
      `<line x1="${lx}" y1="22" x2="${lx + 18}" y2="22" stroke="${series.color}" stroke-width="2"${dash}/>` +
      `<text x="${lx + 24}" y="26">${escapeXml(series.label)}</text>`
    );
  });
  return [
    `<svg class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<text x="${left}" y="11" font-size="13" font-weight="bold">${escapeXml(options.title)}</text>`,
    ...legend,
    ...grid,
    `<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#555"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#555"/>`,
    xAxis(minutes, x, bottom),
    `<text x="${(left + right) / 2}" y="${height - 4}" text-anchor="middle">minutes</text>`,
    `<text x="14" y="${(top + bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(top + bottom) / 2})">${escapeXml(options.yLabel)}</text>`,
    ...paths,
    '</svg>',
  ].join('\n');
}

/** A band of colored minutes (e.g. the alarm state) with markers above it. */
export function bandChart(options: BandChartOptions): string {
  const width = options.width ?? 960;
  const height = 150;
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const minutes = Math.max(1, options.states.length);
  const x = (m: number): number => left + ((right - left) * m) / minutes;
  const bandTop = 80;
  const bandBottom = 112;
  const cells = options.states.map(
    (state, m) =>
      `<rect x="${fmt(x(m))}" y="${bandTop}" width="${fmt(x(m + 1) - x(m))}" height="${bandBottom - bandTop}" fill="${options.colors[state] ?? '#999'}"><title>minute ${m}: ${escapeXml(state)}</title></rect>`,
  );
  const rows = new Map<number, number>();
  const markers = options.markers.map((marker) => {
    const row = rows.get(marker.minute) ?? 0;
    rows.set(marker.minute, row + 1);
    const mx = fmt(x(marker.minute + 0.5));
    const my = bandTop - 8 - row * 10;
    return `<circle cx="${mx}" cy="${my}" r="3.5" fill="${marker.color}"><title>minute ${marker.minute}: ${escapeXml(marker.label)}</title></circle>`;
  });
  const legendItems = [
    ...Object.entries(options.colors).map(([label, color]) => ({ label, color, shape: 'rect' })),
    ...[...new Map(options.markers.map((m) => [m.label, m.color])).entries()].map(
      ([label, color]) => ({ label, color, shape: 'circle' }),
    ),
  ];
  // Advance by each label's length (about 6.5 px a character at 11 px) so that all fit.
  let next = left;
  const legend = legendItems.map((item) => {
    const lx = next;
    next += 34 + Math.ceil(item.label.length * 6.5);
    const swatch =
      item.shape === 'rect'
        ? `<rect x="${lx}" y="16" width="14" height="10" fill="${item.color}"/>`
        : `<circle cx="${lx + 7}" cy="21" r="4" fill="${item.color}"/>`;
    return `${swatch}<text x="${lx + 20}" y="25">${escapeXml(item.label)}</text>`;
  });
  return [
    `<svg class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<text x="${left}" y="11" font-size="13" font-weight="bold">${escapeXml(options.title)}</text>`,
    ...legend,
    ...cells,
    ...markers,
    xAxis(minutes, x, bandBottom),
    `<text x="${(left + right) / 2}" y="${height - 4}" text-anchor="middle">minutes</text>`,
    '</svg>',
  ].join('\n');
}
