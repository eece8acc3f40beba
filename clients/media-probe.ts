import { execFile } from 'node:child_process';

/**
 * Duration in seconds of an audio or video file, read by ffprobe from a (presigned) URL; null
 * when ffprobe is missing or cannot tell. Metering must never fail a request that succeeded.
 */
export function probeDurationSeconds(url: string, timeoutMs = 8000): Promise<number | null> {
  const args = ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1', url];
  return new Promise((resolve) => {
    execFile(process.env.FFPROBE_PATH ?? 'ffprobe', args, { timeout: timeoutMs }, (err, stdout) => {
      const seconds = Number.parseFloat(String(stdout).trim());
      resolve(err || !Number.isFinite(seconds) ? null : Math.round(seconds * 1000) / 1000);
    });
  });
}
