/** Shot candidates: the pieces of each material that a plan may use. */
import { ReelsmithError } from '../errors.js';
import type { Job } from '../job/job.js';
import type { MaterialInfo, Materials } from './inputs.js';
import type { MaterialRef } from './timeline.js';

/** A material left out of the shot pool, why, and whether it is missing (rather than unusable). */
export interface Unusable {
  ref: string;
  reason: string;
  missing?: boolean;
}

export interface ShotCandidate {
  key: string;
  material: MaterialRef;
  group?: string;
  /** Preferred source range (the piece). */
  in: number;
  out: number;
  /** The allowed window the piece lies in (a TimeRange, or the whole file). */
  windowIn: number;
  windowOut: number;
  /** Natural length on the timeline. */
  nominal: number;
  hasAudio: boolean;
  info: MaterialInfo;
}

/** Keep clear of the very end of a file, whose last frame timing is often imprecise. */
const END_GUARD = 0.05;

export function candidatesFor(
  job: Job,
  materials: Materials,
  refs: string[],
  group: string | undefined,
  split: boolean,
): { candidates: ShotCandidate[]; unusable: Unusable[] } {
  const S = job.process.singleShotDuration;
  const candidates: ShotCandidate[] = [];
  const unusable: Unusable[] = [];
  for (const ref of refs) {
    const info = materials.get(ref);
    if (!info || info instanceof Error) {
      unusable.push({
        ref,
        reason: info instanceof Error ? info.message : 'not resolved',
        missing: !info || (info instanceof ReelsmithError && info.code === 'InvalidMaterial.NotFound'),
      });
      continue;
    }
    if (info.kind === 'audio') {
      unusable.push({ ref, reason: 'has no picture (audio only)' });
      continue;
    }
    if (info.kind === 'image') {
      candidates.push({
        key: ref,
        material: { ref, kind: 'image' },
        group,
        in: 0,
        out: 0,
        windowIn: 0,
        windowOut: 0,
        nominal: job.process.imageDuration,
        hasAudio: false,
        info,
      });
      continue;
    }
    const end = Math.max(0, info.duration - END_GUARD);
    const restrictions = job.mediaRanges.filter((m) => m.media === ref && (m.group === undefined || m.group === group));
    const ranges = restrictions.length > 0 ? restrictions.flatMap((m) => m.ranges) : [{ in: 0, out: end }];
    let usable = 0;
    ranges.forEach((r, ri) => {
      const a = Math.min(r.in, end);
      const b = Math.min(r.out, end);
      if (b - a < 0.2) return;
      usable++;
      const len = b - a;
      const pieces = split ? Math.max(1, Math.floor(len / S) + (len % S >= S / 2 && len > S ? 1 : 0)) : 1;
      for (let k = 0; k < pieces; k++) {
        const pin = split ? a + k * S : a;
        const pout = split ? Math.min(a + (k + 1) * S, b) : b;
        candidates.push({
          key: `${ref}#${ri}.${k}`,
          material: { ref, kind: 'video', ...(info.seekSafe === false ? { seek: 'decode' as const } : {}) },
          group,
          in: pin,
          out: pout,
          windowIn: a,
          windowOut: b,
          nominal: pout - pin,
          hasAudio: info.hasAudio,
          info,
        });
      }
    });
    if (usable === 0) unusable.push({ ref, reason: `no usable footage in its time ranges (duration ${info.duration.toFixed(2)} s)` });
  }
  return { candidates, unusable };
}
