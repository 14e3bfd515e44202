import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Api, MediaItem } from '../api';
import { emptyJob, fieldOf, type Form, type ImsJob, jobFromJson, readForm, SIZE_PRESETS, toSubmission, writeForm } from '../job-model';
import { Thumb, useLibrary } from './Library';
import { type Preview, Storyboard } from './Storyboard';
import { CatalogueChoice } from './Catalogue';
import { CutEditor } from './Cuts';
import { StickerPlacer } from './Stickers';

interface Issue {
  Path: string;
  Reason: string;
}

const DRAFT = 'reelsmith.draft';
const TOKEN = 'reelsmith.draft-token';
const newToken = () => crypto.randomUUID();
const lines = (s: string) =>
  s
    .split('\n')
    .map((x) => x.trim())
    .filter(Boolean);

/** The first `enum` found inside a JSON Schema node (depth first). */
function firstEnum(n: unknown): string[] | undefined {
  if (!n || typeof n !== 'object') return undefined;
  const o = n as Record<string, unknown>;
  if (Array.isArray(o.enum)) return o.enum as string[];
  for (const v of Object.values(o)) {
    const r = firstEnum(v);
    if (r) return r;
  }
  return undefined;
}

/** Names of a catalogue in the job's JSON Schema (e.g. the caption animations), found by property name. */
function enumOf(schema: unknown, property: string): string[] {
  const walk = (n: unknown): string[] | undefined => {
    if (!n || typeof n !== 'object') return undefined;
    const o = n as Record<string, unknown>;
    const hit = (o.properties as Record<string, unknown> | undefined)?.[property];
    if (hit) return firstEnum(hit);
    for (const v of Object.values(o)) {
      const r = walk(v);
      if (r) return r;
    }
    return undefined;
  };
  return walk(schema) ?? [];
}

function FieldError({ issues, id }: { issues: Issue[]; id: string }) {
  const mine = issues.filter((i) => fieldOf(i.Path) === id);
  if (mine.length === 0) return null;
  return (
    <p class="error field-error" id={`${id}-error`} role="alert">
      {mine.map((i) => `${i.Path}: ${i.Reason}`).join('; ')}
    </p>
  );
}

/** The job builder: a form over the IMS job, its JSON both ways, validated as typed. */
export function Create({ api }: { api: Api }) {
  const { items } = useLibrary(api);
  const [job, setJob] = useState<ImsJob>(() => {
    const s = localStorage.getItem(DRAFT);
    return s ? jobFromJson(JSON.parse(s)) : emptyJob();
  });
  const form = useMemo(() => readForm(job), [job]);
  const [jsonText, setJsonText] = useState(() => JSON.stringify(job, null, 2));
  const [jsonError, setJsonError] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [voices, setVoices] = useState<string[]>([]);
  const [animations, setAnimations] = useState<string[]>([]);
  const [transitionNames, setTransitionNames] = useState<string[]>([]);
  const [effectNames, setEffectNames] = useState<string[]>([]);
  const [alignments, setAlignments] = useState<string[]>([]);
  const [voiceQuery, setVoiceQuery] = useState('');
  const [musicStyles, setMusicStyles] = useState<string[]>([]);
  const [captionPng, setCaptionPng] = useState('');
  const [captionBusy, setCaptionBusy] = useState(false);
  const asrConfig = JSON.stringify((job.EditingConfig.SpeechConfig as { AsrConfig?: unknown } | undefined)?.AsrConfig ?? null);
  /** The clip whose in/out points are being edited: its scene's name and the media. */
  const [cutting, setCutting] = useState<{ group: string; media: string }>();
  const [submitError, setSubmitError] = useState('');
  const [sample, setSample] = useState('');
  // The ClientToken the job will be submitted with: its preview shows the very plans it makes.
  const [token, setToken] = useState(() => localStorage.getItem(TOKEN) ?? newToken());
  const [preview, setPreview] = useState<Preview>();
  const [previewError, setPreviewError] = useState('');
  const [previewing, setPreviewing] = useState(false);
  useEffect(() => localStorage.setItem(TOKEN, token), [token]);
  const audio = useRef<HTMLAudioElement>(null);

  useEffect(() => {
    api
      .call<{ VoiceGroups: { VoiceList: { Voice: string }[] }[] }>('GET', '/api/v1/voices')
      .then((r) => setVoices(r.VoiceGroups.flatMap((g) => g.VoiceList.map((v) => v.Voice))));
    fetch('/api/v1/job.schema.json')
      .then((r) => r.json())
      .then((s) => {
        setAnimations(enumOf(s, 'AaiMotionInEffect'));
        setTransitionNames(enumOf(s, 'TransitionList'));
        setEffectNames(enumOf(s, 'VfxNotFirstClipEffectList'));
        setAlignments(enumOf(s, 'Alignment'));
        setMusicStyles(enumOf(s, 'BackgroundMusicConfig'));
      });
  }, []);

  // Every change: kept as a draft, shown as JSON, validated by the service (debounced).
  useEffect(() => {
    localStorage.setItem(DRAFT, JSON.stringify(job));
    const t = setTimeout(async () => {
      try {
        const r = await api.call<{ Valid: boolean; Issues: Issue[] }>('POST', '/api/v1/jobs/validate', toSubmission(job));
        setIssues(r.Issues);
      } catch {
        /* the next change validates again */
      }
    }, 300);
    return () => clearTimeout(t);
  }, [job]);

  const drawCaption = async () => {
    setCaptionBusy(true);
    try {
      const speech = (job.EditingConfig.SpeechConfig ?? {}) as { AsrConfig?: unknown };
      const text = (form.speechTexts[0] ?? form.scenes.find((x) => x.texts.length > 0)?.texts[0] ?? '').split(/(?<=[.!?。！？])\s*/)[0];
      setCaptionPng(
        await api.imagePost('/api/v1/previews/caption', {
          Text: text.slice(0, 200),
          AsrConfig: speech.AsrConfig,
          Voice: form.voice || undefined,
          Width: form.width,
          Height: form.height,
        }),
      );
    } catch (err) {
      setSubmitError((err as Error).message);
    } finally {
      setCaptionBusy(false);
    }
  };
  // Shown once, the caption is drawn again when its style changes (after a pause in typing).
  useEffect(() => {
    if (!captionPng) return;
    const t = setTimeout(() => void drawCaption(), 800);
    return () => clearTimeout(t);
  }, [asrConfig]);

  const set = (patch: Partial<Form>) => {
    setPreview(undefined);
    const next = writeForm(job, { ...form, ...patch });
    setJob(next);
    setJsonText(JSON.stringify(next, null, 2));
  };
  const setScene = (k: number, patch: Partial<Form['scenes'][number]>) =>
    set({ scenes: form.scenes.map((s, i) => (i === k ? { ...s, ...patch } : s)) });
  const moveScene = (k: number, to: number) => {
    if (to < 0 || to >= form.scenes.length) return;
    const scenes = [...form.scenes];
    const [s] = scenes.splice(k, 1);
    scenes.splice(to, 0, s);
    set({ scenes });
  };
  const title = (id: string) => items.find((m) => m.MediaId === id)?.MediaBasicInfo.Title ?? id;
  const described = (id: string) => (issues.some((i) => fieldOf(i.Path) === id) ? `${id}-error` : undefined);
  const preset = SIZE_PRESETS.find((p) => p.width === form.width && p.height === form.height);
  const videos = items.filter((m) => m.MediaBasicInfo.MediaType !== 'audio');
  const music = items.filter((m) => m.MediaBasicInfo.MediaType === 'audio');

  const cutOf = (group: string, media: string) => form.cuts.find((c) => c.media === media && c.group === group);
  const setCut = (group: string, media: string, ranges: { in: number; out: number }[]) => {
    const others = form.cuts.filter((c) => !(c.media === media && c.group === group));
    const at = form.cuts.findIndex((c) => c.media === media && c.group === group);
    const cuts =
      ranges.length === 0
        ? others
        : at >= 0
          ? form.cuts.map((c, i) => (i === at ? { ...c, ranges } : c))
          : [...form.cuts, { media, group, ranges }];
    set({ cuts });
  };
  const mediaPicker = (id: string, label: string, list: string[], onChange: (l: string[]) => void, from: MediaItem[], group?: string) => (
    // biome-ignore lint/a11y/useSemanticElements: a drop target around the field's own labelled controls
    <div
      role="group"
      aria-label={label}
      class="media-field"
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        const m = e.dataTransfer?.getData('text/x-media-id');
        if (m) onChange([...list, m]);
      }}
    >
      <span class="label">{label}</span>
      <ul class="chips">
        {list.map((m, i) => (
          <li>
            {title(m)}
            {group !== undefined && items.find((x) => x.MediaId === m)?.MediaBasicInfo.MediaType === 'video' && (
              <button
                type="button"
                class="link"
                aria-label={`In and out points of ${title(m)}`}
                onClick={() => setCutting({ group, media: m })}
              >
                {cutOf(group, m)
                  ? `✂ ${cutOf(group, m)
                      ?.ranges.map((r) => `${r.in}–${r.out} s`)
                      .join(', ')}`
                  : '✂'}
              </button>
            )}
            <button type="button" class="link" aria-label={`Remove ${title(m)}`} onClick={() => onChange(list.filter((_, j) => j !== i))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      {group !== undefined && cutting && cutting.group === group && list.includes(cutting.media) && (
        <CutEditor
          api={api}
          media={cutting.media}
          title={title(cutting.media)}
          ranges={cutOf(group, cutting.media)?.ranges ?? []}
          onChange={(r) => setCut(group, cutting.media, r)}
          onClose={() => setCutting(undefined)}
        />
      )}
      <label>
        Add
        <select
          id={id}
          aria-describedby={described(id)}
          value=""
          onChange={(e) => {
            if (e.currentTarget.value) onChange([...list, e.currentTarget.value]);
          }}
        >
          <option value="">choose from the library…</option>
          {from.map((m) => (
            <option value={m.MediaId}>{m.MediaBasicInfo.Title}</option>
          ))}
        </select>
      </label>
      <FieldError issues={issues} id={id} />
    </div>
  );

  return (
    <section aria-labelledby="create-title" class="create">
      <h1 id="create-title">Create a batch</h1>
      <div class="builder">
        <form
          class="job-form"
          onSubmit={async (e) => {
            e.preventDefault();
            setSubmitError('');
            try {
              const r = await api.call<{ JobId: string }>('POST', '/api/v1/jobs', { ...toSubmission(job), ClientToken: token });
              setToken(newToken());
              location.hash = `#/jobs/${r.JobId}`;
            } catch (err) {
              setSubmitError((err as Error).message);
            }
          }}
        >
          <fieldset>
            <legend>Mode</legend>
            {(['Script', 'Smart_Mix'] as const).map((m) => (
              <label class="inline">
                <input
                  type="radio"
                  name="mode"
                  checked={form.mode === m}
                  onChange={() =>
                    set({
                      mode: m,
                      scenes: m === 'Script' && form.scenes.length === 0 ? [{ name: 'scene 1', media: [], texts: [] }] : form.scenes,
                    })
                  }
                />
                {m === 'Script' ? 'Script (scenes in order)' : 'Smart mix (materials matched to the text)'}
              </label>
            ))}
          </fieldset>
          {form.mode === 'Script' ? (
            <fieldset>
              <legend>Scenes</legend>
              <ol class="scenes">
                {form.scenes.map((s, k) => (
                  <li
                    draggable
                    onDragStart={(e) => e.dataTransfer?.setData('text/x-scene', String(k))}
                    onDragOver={(e) => e.preventDefault()}
                    onDrop={(e) => {
                      const from = e.dataTransfer?.getData('text/x-scene');
                      if (from) {
                        e.preventDefault();
                        moveScene(Number(from), k);
                      }
                    }}
                  >
                    <label>
                      Scene name
                      <input value={s.name} onInput={(e) => setScene(k, { name: e.currentTarget.value })} />
                    </label>
                    {mediaPicker(`scene-${k}-media`, `Media of scene ${k + 1}`, s.media, (media) => setScene(k, { media }), videos, s.name)}
                    <label>
                      Scene texts (one per line)
                      <textarea
                        id={`scene-${k}-texts`}
                        rows={2}
                        value={s.texts.join('\n')}
                        onChange={(e) => setScene(k, { texts: lines(e.currentTarget.value) })}
                      />
                    </label>
                    <FieldError issues={issues} id={`scene-${k}-texts`} />
                    <div class="row">
                      <button type="button" onClick={() => moveScene(k, k - 1)} aria-label={`Move scene ${k + 1} up`}>
                        ↑
                      </button>
                      <button type="button" onClick={() => moveScene(k, k + 1)} aria-label={`Move scene ${k + 1} down`}>
                        ↓
                      </button>
                      <button type="button" onClick={() => set({ scenes: form.scenes.filter((_, i) => i !== k) })}>
                        Remove scene
                      </button>
                    </div>
                  </li>
                ))}
              </ol>
              <button
                type="button"
                onClick={() => set({ scenes: [...form.scenes, { name: `scene ${form.scenes.length + 1}`, media: [], texts: [] }] })}
              >
                Add scene
              </button>
              <FieldError issues={issues} id="cuts" />
            </fieldset>
          ) : (
            mediaPicker('media', 'Materials', form.media, (media) => set({ media }), videos)
          )}
          <label>
            Voice-over texts (one per line; one is used per video)
            <textarea
              id="speech-texts"
              rows={3}
              aria-describedby={described('speech-texts')}
              value={form.speechTexts.join('\n')}
              onChange={(e) => set({ speechTexts: lines(e.currentTarget.value) })}
            />
          </label>
          <FieldError issues={issues} id="speech-texts" />
          <label>
            Titles (one per line)
            <textarea id="titles" rows={2} value={form.titles.join('\n')} onChange={(e) => set({ titles: lines(e.currentTarget.value) })} />
          </label>
          <fieldset>
            <legend>Sub-headings</legend>
            <ol class="sub-headings">
              {form.subHeadings.map((h, k) => (
                <li>
                  <label>
                    Level
                    <select
                      value={h.level}
                      onChange={(e) =>
                        set({ subHeadings: form.subHeadings.map((x, i) => (i === k ? { ...x, level: Number(e.currentTarget.value) } : x)) })
                      }
                    >
                      {[1, 2, 3, 4, 5].map((l) => (
                        <option value={l}>{l}</option>
                      ))}
                    </select>
                  </label>
                  <label>
                    Texts of level {h.level} (one per line)
                    <textarea
                      rows={2}
                      value={h.titles.join('\n')}
                      onChange={(e) =>
                        set({ subHeadings: form.subHeadings.map((x, i) => (i === k ? { ...x, titles: lines(e.currentTarget.value) } : x)) })
                      }
                    />
                  </label>
                  <button type="button" class="link" onClick={() => set({ subHeadings: form.subHeadings.filter((_, i) => i !== k) })}>
                    Remove
                  </button>
                </li>
              ))}
            </ol>
            <button
              type="button"
              onClick={() => set({ subHeadings: [...form.subHeadings, { level: Math.min(5, form.subHeadings.length + 1), titles: [] }] })}
            >
              Add a sub-heading
            </button>
            <FieldError issues={issues} id="sub-headings" />
          </fieldset>
          <div class="row">
            <label>
              Find a voice
              <input type="search" value={voiceQuery} onInput={(e) => setVoiceQuery(e.currentTarget.value)} placeholder="name" />
            </label>
            <label>
              Voice
              <select
                id="voice"
                aria-describedby={described('voice')}
                value={form.voice}
                onChange={(e) => set({ voice: e.currentTarget.value })}
              >
                <option value="">(default)</option>
                {voices
                  .filter((v) => v === form.voice || v.toLowerCase().includes(voiceQuery.toLowerCase()))
                  .map((v) => (
                    <option value={v}>{v}</option>
                  ))}
              </select>
            </label>
            <label>
              Speaking style
              <select id="speech-style" value={form.speechStyle} onChange={(e) => set({ speechStyle: e.currentTarget.value })}>
                <option value="">(the voice's own)</option>
                {['Gentle', 'Serious', 'Entertainment'].map((x) => (
                  <option value={x}>{x}</option>
                ))}
              </select>
            </label>
            <label>
              Speech rate
              <input
                id="speech-rate"
                type="number"
                min={-500}
                max={500}
                value={form.speechRate}
                onChange={(e) => set({ speechRate: Number(e.currentTarget.value) })}
              />
            </label>
            <button
              type="button"
              onClick={async () => {
                const url = await api.sample(
                  form.voice || 'cally',
                  form.speechRate,
                  form.speechTexts[0]?.slice(0, 120),
                  form.speechStyle || undefined,
                );
                setSample(url);
                setTimeout(() => void audio.current?.play(), 0);
              }}
            >
              Listen
            </button>
            {sample && (
              // biome-ignore lint/a11y/useMediaCaption: a spoken sample of the line typed above
              <audio ref={audio} src={sample} controls aria-label="voice sample" />
            )}
          </div>
          <FieldError issues={issues} id="voice" />
          <label>
            Caption animation
            <select
              id="caption-in"
              aria-describedby={described('caption-in')}
              value={form.captionIn}
              onChange={(e) => set({ captionIn: e.currentTarget.value })}
            >
              <option value="">(none)</option>
              {animations.map((a) => (
                <option value={a}>{a}</option>
              ))}
            </select>
          </label>
          <div class="row">
            <label>
              Caption size (px)
              <input
                id="caption-size"
                type="number"
                min={0}
                value={form.captionSize || ''}
                placeholder="auto"
                onChange={(e) => set({ captionSize: Number(e.currentTarget.value) || 0 })}
              />
            </label>
            <label>
              Caption colour
              <input type="color" value={form.captionColor || '#ffffff'} onInput={(e) => set({ captionColor: e.currentTarget.value })} />
            </label>
            <label>
              Caption place
              <select value={form.captionAlignment} onChange={(e) => set({ captionAlignment: e.currentTarget.value })}>
                <option value="">(default)</option>
                {alignments.map((a) => (
                  <option value={a}>{a}</option>
                ))}
              </select>
            </label>
          </div>
          <FieldError issues={issues} id="caption-style" />
          <div class="row">
            <button type="button" disabled={captionBusy} onClick={() => void drawCaption()}>
              {captionBusy ? 'Drawing…' : 'Show the caption'}
            </button>
          </div>
          {captionPng && <img class="caption-still" src={captionPng} alt="the caption as it will be drawn" />}
          <FieldError issues={issues} id="caption-in" />
          <label class="inline">
            <input type="checkbox" checked={form.transitions} onChange={(e) => set({ transitions: e.currentTarget.checked })} />
            Transitions between shots
          </label>
          {form.transitions && (
            <CatalogueChoice
              api={api}
              kind="transitions"
              names={transitionNames}
              chosen={form.transitionList}
              onChange={(transitionList) => set({ transitionList })}
              summary={`Transitions: ${form.transitionList.length === 0 ? 'any' : form.transitionList.join(', ')}`}
            >
              <FieldError issues={issues} id="transition-list" />
            </CatalogueChoice>
          )}
          <label class="inline">
            <input type="checkbox" checked={form.effects} onChange={(e) => set({ effects: e.currentTarget.checked })} />
            Effects on shots
          </label>
          {form.effects && (
            <CatalogueChoice
              api={api}
              kind="effects"
              names={effectNames}
              chosen={form.effectList}
              onChange={(effectList) => set({ effectList })}
              summary={`Effects: ${form.effectList.length === 0 ? 'any' : form.effectList.join(', ')}, on ${form.effectProbability}% of shots`}
            >
              <label>
                Share of shots with an effect (%)
                <input
                  type="range"
                  min={0}
                  max={100}
                  step={5}
                  value={form.effectProbability}
                  onInput={(e) => set({ effectProbability: Number(e.currentTarget.value) })}
                />
              </label>
              <FieldError issues={issues} id="effects" />
            </CatalogueChoice>
          )}
          <StickerPlacer
            api={api}
            stickers={form.stickers}
            items={items}
            width={form.width}
            height={form.height}
            onChange={(stickers) => set({ stickers })}
          />
          <FieldError issues={issues} id="stickers" />
          <fieldset>
            <legend>Background (for materials of another shape)</legend>
            <div class="row">
              {(
                [
                  ['', 'default'],
                  ['Blur', 'blurred picture'],
                  ['Color', 'colour'],
                ] as const
              ).map(([v, label]) => (
                <label class="inline">
                  <input type="radio" name="background" checked={form.background === v} onChange={() => set({ background: v })} />
                  {label}
                </label>
              ))}
              {form.background === 'Color' && (
                <label>
                  Colour
                  <input
                    type="color"
                    value={form.backgroundColor || '#000000'}
                    onInput={(e) => set({ backgroundColor: e.currentTarget.value })}
                  />
                </label>
              )}
            </div>
            {mediaPicker(
              'background-images',
              'Background images',
              form.backgroundImages,
              (l) => set({ backgroundImages: l }),
              items.filter((m) => m.MediaBasicInfo.MediaType === 'image'),
            )}
            <FieldError issues={issues} id="background" />
          </fieldset>
          {mediaPicker('music', 'Music', form.music, (m) => set({ music: m }), music)}
          <div class="row">
            <label>
              Music style (when no track is chosen)
              <select id="music-style" value={form.musicStyle} onChange={(e) => set({ musicStyle: e.currentTarget.value })}>
                <option value="">(none)</option>
                {musicStyles.map((m) => (
                  <option value={m}>{m}</option>
                ))}
              </select>
            </label>
            <label>
              Music volume
              <input
                type="range"
                min={0}
                max={2}
                step={0.05}
                value={form.musicVolume}
                onInput={(e) => set({ musicVolume: Number(e.currentTarget.value) })}
              />
            </label>
          </div>
          <FieldError issues={issues} id="music-style" />
          <div class="row">
            <label>
              Size
              <select
                value={preset ? preset.label : ''}
                onChange={(e) => {
                  const p = SIZE_PRESETS.find((x) => x.label === e.currentTarget.value);
                  if (p) set({ width: p.width, height: p.height });
                }}
              >
                {!preset && <option value="">{`${form.width}x${form.height}`}</option>}
                {SIZE_PRESETS.map((p) => (
                  <option value={p.label}>{p.label}</option>
                ))}
              </select>
            </label>
            <label>
              Width
              <input
                id="width"
                type="number"
                aria-describedby={described('width')}
                value={form.width}
                onChange={(e) => set({ width: Number(e.currentTarget.value) })}
              />
            </label>
            <label>
              Height
              <input
                id="height"
                type="number"
                aria-describedby={described('height')}
                value={form.height}
                onChange={(e) => set({ height: Number(e.currentTarget.value) })}
              />
            </label>
            <label>
              Count
              <input
                id="count"
                type="number"
                min={1}
                max={100}
                aria-describedby={described('count')}
                value={form.count}
                onChange={(e) => set({ count: Number(e.currentTarget.value) })}
              />
            </label>
          </div>
          <FieldError issues={issues} id="width" />
          <FieldError issues={issues} id="height" />
          <FieldError issues={issues} id="count" />
          <label>
            Output names
            <input id="media-url" value={form.mediaURL} onChange={(e) => set({ mediaURL: e.currentTarget.value })} />
          </label>
          <FieldError issues={issues} id="media-url" />
          {submitError && (
            <p class="error" role="alert">
              {submitError}
            </p>
          )}
          <div class="row">
            <button
              type="button"
              disabled={previewing}
              onClick={async () => {
                setPreviewing(true);
                setPreviewError('');
                try {
                  setPreview(await api.call<Preview>('POST', '/api/v1/jobs/preview', { ...toSubmission(job), ClientToken: token }));
                } catch (err) {
                  setPreview(undefined);
                  setPreviewError((err as Error).message);
                } finally {
                  setPreviewing(false);
                }
              }}
            >
              {previewing ? 'Planning…' : 'Preview'}
            </button>
            <button type="submit" class="primary">
              Submit
            </button>
          </div>
          {previewError && (
            <p class="error" role="alert">
              {previewError}
            </p>
          )}
          {preview && <Storyboard api={api} preview={preview} items={items} />}
        </form>
        <aside class="json-view">
          <label>
            Job JSON
            <textarea
              id="job-json"
              spellcheck={false}
              rows={30}
              value={jsonText}
              onInput={(e) => {
                const text = e.currentTarget.value;
                setJsonText(text);
                try {
                  setJob(jobFromJson(JSON.parse(text)));
                  setJsonError('');
                } catch (err) {
                  setJsonError((err as Error).message);
                }
              }}
            />
          </label>
          {jsonError && <p class="error">{jsonError}</p>}
          <ul class="issues" aria-label="problems">
            {issues.map((i) => (
              <li class="error">
                <code>{i.Path}</code>: {i.Reason}
              </li>
            ))}
          </ul>
          <div class="row">
            <label>
              Import a job file
              <input
                type="file"
                accept=".json,.jsonc,application/json"
                onChange={async (e) => {
                  const f = e.currentTarget.files?.[0];
                  if (!f) return;
                  const next = jobFromJson(JSON.parse(await f.text()));
                  setJob(next);
                  setJsonText(JSON.stringify(next, null, 2));
                }}
              />
            </label>
            <a href={`data:application/json,${encodeURIComponent(JSON.stringify(job, null, 2))}`} download="job.json">
              Export
            </a>
            <button
              type="button"
              onClick={() => {
                const next = emptyJob();
                setJob(next);
                setJsonText(JSON.stringify(next, null, 2));
              }}
            >
              New
            </button>
          </div>
          <h2>Library</h2>
          <ul class="grid small" aria-label="drag media into a scene">
            {videos.map((m) => (
              <li class="card" key={m.MediaId} draggable onDragStart={(e) => e.dataTransfer?.setData('text/x-media-id', m.MediaId)}>
                <Thumb api={api} item={m} />
                <span>{m.MediaBasicInfo.Title}</span>
              </li>
            ))}
          </ul>
        </aside>
      </div>
    </section>
  );
}
