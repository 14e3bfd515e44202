import { useRef } from 'preact/hooks';
import type { Api, MediaItem } from '../api';
import { type Sticker, stickerBox } from '../job-model';
import { Thumb } from './Library';

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const r4 = (v: number) => Math.round(v * 10000) / 10000;

/**
 * Stickers placed on a preview frame of the output's shape: dragged to move, the corner handle to
 * resize, or with the keyboard (arrows move by 1 %, shift+arrows resize). Positions are written as
 * fractions of the frame (IMS's 0–0.9999 convention).
 */
export function StickerPlacer({
  api,
  stickers,
  items,
  width,
  height,
  onChange,
}: {
  api: Api;
  stickers: Sticker[];
  items: MediaItem[];
  width: number;
  height: number;
  onChange: (s: Sticker[]) => void;
}) {
  const frame = useRef<HTMLDivElement>(null);
  const images = items.filter((m) => m.MediaBasicInfo.MediaType === 'image');
  const setAt = (k: number, patch: Partial<Sticker>) => onChange(stickers.map((s, i) => (i === k ? { ...s, ...patch } : s)));
  const drag = (k: number, mode: 'move' | 'size') => (e: PointerEvent) => {
    e.preventDefault();
    const el = frame.current;
    if (!el) return;
    const rect = el.getBoundingClientRect();
    const start = { x: e.clientX, y: e.clientY, box: stickerBox(stickers[k], width, height) };
    const move = (m: PointerEvent) => {
      const dx = (m.clientX - start.x) / rect.width;
      const dy = (m.clientY - start.y) / rect.height;
      if (mode === 'move')
        setAt(k, {
          x: r4(clamp(start.box.x + dx, 0, 0.9999 - start.box.width)),
          y: r4(clamp(start.box.y + dy, 0, 0.9999 - start.box.height)),
          width: r4(start.box.width),
          height: r4(start.box.height),
        });
      else
        setAt(k, {
          x: r4(start.box.x),
          y: r4(start.box.y),
          width: r4(clamp(start.box.width + dx, 0.02, 0.9999 - start.box.x)),
          height: r4(clamp(start.box.height + dy, 0.02, 0.9999 - start.box.y)),
        });
    };
    const up = () => {
      removeEventListener('pointermove', move);
      removeEventListener('pointerup', up);
    };
    addEventListener('pointermove', move);
    addEventListener('pointerup', up);
  };
  const key = (k: number) => (e: KeyboardEvent) => {
    const d = { ArrowLeft: [-0.01, 0], ArrowRight: [0.01, 0], ArrowUp: [0, -0.01], ArrowDown: [0, 0.01] }[e.key];
    if (!d) return;
    e.preventDefault();
    const b = stickerBox(stickers[k], width, height);
    if (e.shiftKey)
      setAt(k, { ...b, width: r4(clamp(b.width + d[0], 0.02, 0.9999 - b.x)), height: r4(clamp(b.height + d[1], 0.02, 0.9999 - b.y)) });
    else setAt(k, { ...b, x: r4(clamp(b.x + d[0], 0, 0.9999 - b.width)), y: r4(clamp(b.y + d[1], 0, 0.9999 - b.height)) });
  };
  return (
    <fieldset>
      <legend>Stickers (one per video, shown throughout)</legend>
      {/* biome-ignore lint/a11y/useSemanticElements: a frame stickers are positioned in, named for screen readers */}
      <div class="sticker-frame" ref={frame} style={{ aspectRatio: `${width} / ${height}` }} role="group" aria-label="preview frame">
        {stickers.map((s, k) => {
          const b = stickerBox(s, width, height);
          const m = items.find((x) => x.MediaId === s.media);
          return (
            <button
              type="button"
              class="sticker"
              aria-label={`Sticker ${k + 1}: arrows move it, shift+arrows resize it`}
              style={{
                left: `${b.x * 100}%`,
                top: `${b.y * 100}%`,
                width: `${b.width * 100}%`,
                height: `${b.height * 100}%`,
                opacity: s.opacity,
              }}
              onPointerDown={drag(k, 'move')}
              onKeyDown={key(k)}
            >
              {m ? <Thumb api={api} item={m} /> : <span>{s.media}</span>}
              <span
                class="handle"
                aria-hidden="true"
                onPointerDown={(e) => {
                  e.stopPropagation();
                  drag(k, 'size')(e);
                }}
              />
            </button>
          );
        })}
      </div>
      <ol class="sticker-list">
        {stickers.map((s, k) => (
          <li>
            Sticker {k + 1}: {items.find((x) => x.MediaId === s.media)?.MediaBasicInfo.Title ?? s.media}
            <label>
              Opacity
              <input
                type="range"
                min={0}
                max={1}
                step={0.05}
                value={s.opacity}
                onInput={(e) => setAt(k, { opacity: Number(e.currentTarget.value) })}
              />
            </label>
            <button type="button" class="link" onClick={() => onChange(stickers.filter((_, i) => i !== k))}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      <label>
        Add a sticker
        <select
          id="stickers"
          value=""
          onChange={(e) => {
            const v = e.currentTarget.value;
            if (v) onChange([...stickers, { media: v, x: 0.05, y: 0.05, width: 0.25, height: r4((0.25 * width) / height), opacity: 1 }]);
          }}
        >
          <option value="">choose an image from the library…</option>
          {images.map((m) => (
            <option value={m.MediaId}>{m.MediaBasicInfo.Title}</option>
          ))}
        </select>
      </label>
    </fieldset>
  );
}
