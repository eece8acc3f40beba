/** A timed piece of a transcript, as verbose_json segments give it (seconds). */
export interface Cue {
  start: number;
  end: number;
  text: string;
}

/** The cues of a verbose_json transcript; one cue over `duration` when the model gave no segments. */
export function cuesOf(body: unknown, duration: number | null): Cue[] {
  const { segments, text } = (body ?? {}) as { segments?: unknown; text?: unknown };
  if (Array.isArray(segments) && segments.length > 0) {
    return segments
      .map((s: { start?: unknown; end?: unknown; text?: unknown }) => ({
        start: Number(s.start) || 0,
        end: Number(s.end) || 0,
        text: String(s.text ?? '').trim(),
      }))
      .filter((c) => c.text !== '');
  }
  const whole = String(typeof body === 'string' ? body : (text ?? '')).trim();
  if (whole === '') return [];
  return [
    { start: 0, end: duration && duration > 0 ? duration : Math.max(1, whole.split(/\s+/).length / 2.5), text: whole },
  ];
}

function timestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line after each. */
export function toSrt(cues: Cue[]): string {
  return cues
    .map((c, i) => `${i + 1}\n${timestamp(c.start, ',')} --> ${timestamp(c.end, ',')}\n${c.text}\n`)
    .join('\n');
}

/** WebVTT: the `WEBVTT` header, then cues with `.` before the milliseconds. */
export function toVtt(cues: Cue[]): string {
  return `WEBVTT\n\n${cues.map((c) => `${timestamp(c.start, '.')} --> ${timestamp(c.end, '.')}\n${c.text}\n`).join('\n')}`;
}
