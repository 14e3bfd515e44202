/**
 * Every file a job names (materials, music, backgrounds, stickers, fonts), with the JSON path of
 * the field that names it, and what kind of reference it is. Pure: nothing here touches the disk,
 * so a policy decided on these (e.g. the service refusing local paths) reveals nothing about it.
 */
import type { Job } from './job.js';

export type RefKind = 'url' | 'media-id' | 'local';

export interface NamedRef {
  ref: string;
  /** The field that names it, e.g. `InputConfig.MediaGroupArray[0].MediaArray[1]`. */
  path: string;
  kind: RefKind;
  /** A font file (`FontUrl`), resolved apart from the media. */
  font: boolean;
}

/** Library media IDs are 32 hex digits; a bare word without `/` or `.` is taken as an ID too. */
const MEDIA_ID_LIKE = /^[0-9a-f]{32}$|^[^/\\.]+$/i;

export function refKind(ref: string): RefKind {
  if (/^(https?|s3):\/\//i.test(ref)) return 'url';
  if (/^file:\/\//i.test(ref)) return 'local';
  return MEDIA_ID_LIKE.test(ref) ? 'media-id' : 'local';
}

export function namedRefs(job: Job): NamedRef[] {
  const out: { ref: string; path: string; font?: boolean }[] = [];
  const list = (refs: string[], path: (j: number) => string) => {
    for (const [j, ref] of refs.entries()) out.push({ ref, path: path(j) });
  };
  for (const [i, g] of job.groups.entries()) list(g.media, (j) => `InputConfig.MediaGroupArray[${i}].MediaArray[${j}]`);
  list(job.media, (j) => `InputConfig.MediaArray[${j}]`);
  list(job.music, (j) => `InputConfig.BackgroundMusicArray[${j}]`);
  list(job.backgroundImages, (j) => `InputConfig.BackgroundImageArray[${j}]`);
  list(
    job.stickers.map((s) => s.media),
    (j) => `InputConfig.StickerArray[${j}]`,
  );
  if (job.speech.captions.fontUrl)
    out.push({ ref: job.speech.captions.fontUrl, path: 'EditingConfig.SpeechConfig.AsrConfig.FontUrl', font: true });
  if (job.title.fontUrl) out.push({ ref: job.title.fontUrl, path: 'EditingConfig.TitleConfig.FontUrl', font: true });
  return out.map((r) => ({ ...r, kind: refKind(r.ref), font: !!r.font }));
}
