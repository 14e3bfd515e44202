import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api';

/**
 * In/out points of one clip in one scene: the clip plays in the page (a signed link), and each
 * range's In and Out are typed or taken from the playhead.
 */
export function CutEditor({
  api,
  media,
  title,
  ranges,
  onChange,
  onClose,
}: {
  api: Api;
  media: string;
  title: string;
  ranges: { in: number; out: number }[];
  onChange: (r: { in: number; out: number }[]) => void;
  onClose: () => void;
}) {
  const [src, setSrc] = useState('');
  const [duration, setDuration] = useState(0);
  const video = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    api.call<{ URL: string }>('GET', `/api/v1/media/${media}/link`).then((r) => setSrc(r.URL));
  }, [media]);
  const here = () => Math.round((video.current?.currentTime ?? 0) * 10) / 10;
  const set = (k: number, patch: Partial<{ in: number; out: number }>) =>
    onChange(ranges.map((r, i) => (i === k ? { ...r, ...patch } : r)));
  return (
    <fieldset class="cut-editor" aria-label={`In and out points of ${title}`}>
      <div class="row">
        <strong>{title}</strong>
        <button type="button" class="link" onClick={onClose}>
          Done
        </button>
      </div>
      {src && (
        <video
          ref={video}
          src={src}
          controls
          muted
          preload="metadata"
          aria-label={`${title} preview`}
          onLoadedMetadata={(e) => setDuration(e.currentTarget.duration)}
        />
      )}
      {duration > 0 && <p class="muted">{duration.toFixed(1)} s long</p>}
      <ol class="ranges">
        {ranges.map((r, k) => (
          <li>
            <label>
              In (s)
              <input type="number" min={0} step={0.1} value={r.in} onChange={(e) => set(k, { in: Number(e.currentTarget.value) })} />
            </label>
            <button type="button" onClick={() => set(k, { in: here() })}>
              In here
            </button>
            <label>
              Out (s)
              <input type="number" min={0} step={0.1} value={r.out} onChange={(e) => set(k, { out: Number(e.currentTarget.value) })} />
            </label>
            <button type="button" onClick={() => set(k, { out: here() })}>
              Out here
            </button>
            <button type="button" class="link" onClick={() => onChange(ranges.filter((_, i) => i !== k))}>
              Remove
            </button>
            {duration > 0 && (
              <div class="range-bar" aria-hidden="true">
                <span style={{ left: `${(r.in / duration) * 100}%`, width: `${(Math.max(0, r.out - r.in) / duration) * 100}%` }} />
              </div>
            )}
          </li>
        ))}
      </ol>
      <button type="button" onClick={() => onChange([...ranges, { in: here(), out: Math.min(duration || here() + 2, here() + 2) }])}>
        Add a range
      </button>
    </fieldset>
  );
}
