import type { Api, MediaItem } from '../api';
import { Thumb } from './Library';

export interface Preview {
  Count: number;
  Outputs: {
    Index: number;
    Duration?: number;
    ErrorMessage?: string;
    Shots?: { Material: string; Group: string | null; Start: number; Duration: number; In: number; Out: number; Effect: string | null }[];
    Transitions?: { Name: string; Start: number; Duration: number }[];
    Captions?: { Text: string; Start: number; End: number }[];
    Title?: string | null;
  }[];
  Uniqueness: { possibleSequences: number; duplicates: number };
  Warnings: string[];
  Estimate: { RenderSeconds: number; Basis: 'measured' | 'reference'; Parallel: number };
}

const s = (x: number) => `${x.toFixed(1)} s`;

/** The plans of the first outputs: a thumbnail per shot (as wide as it lasts), transitions, captions. */
export function Storyboard({ api, preview, items }: { api: Api; preview: Preview; items: MediaItem[] }) {
  const item = (ref: string) => items.find((m) => m.MediaId === ref);
  return (
    <section aria-labelledby="preview-title" class="storyboards">
      <h2 id="preview-title">Preview</h2>
      <p data-testid="preview-summary">
        {preview.Count} videos; the materials allow {preview.Uniqueness.possibleSequences.toLocaleString()} distinct sequences
        {preview.Uniqueness.duplicates > 0 ? ` (${preview.Uniqueness.duplicates} repeat an earlier one)` : ''}; about{' '}
        {preview.Estimate.RenderSeconds < 90
          ? `${Math.max(1, preview.Estimate.RenderSeconds)} s`
          : `${Math.round(preview.Estimate.RenderSeconds / 60)} min`}{' '}
        to render
        {preview.Estimate.Parallel > 1 ? ` (${preview.Estimate.Parallel} renders at once)` : ''}
        {preview.Estimate.Basis === 'reference' ? ' — from the reference speed: nothing rendered here yet' : ''}.
      </p>
      {preview.Warnings.length > 0 && (
        <ul class="warnings">
          {preview.Warnings.map((w) => (
            <li>{w}</li>
          ))}
        </ul>
      )}
      {preview.Outputs.map((o) => (
        <article class="storyboard" aria-label={`video ${o.Index + 1}`}>
          <h3>
            Video {o.Index + 1} {o.Duration !== undefined && <span class="muted">{s(o.Duration)}</span>}
          </h3>
          {o.ErrorMessage ? (
            <p class="error">{o.ErrorMessage}</p>
          ) : (
            <>
              <ol class="shots">
                {o.Shots?.map((shot) => {
                  const m = item(shot.Material);
                  return (
                    <li
                      style={{ flexGrow: shot.Duration }}
                      title={`${m?.MediaBasicInfo.Title ?? shot.Material} ${s(shot.In)}–${s(shot.Out)}`}
                    >
                      {m ? <Thumb api={api} item={m} /> : <div class="thumb-empty" />}
                      <span>
                        {s(shot.Start)} {shot.Group ?? ''}
                      </span>
                    </li>
                  );
                })}
              </ol>
              {o.Transitions && o.Transitions.length > 0 && (
                <p class="muted">Transitions: {o.Transitions.map((t) => `${t.Name} at ${s(t.Start)}`).join(', ')}</p>
              )}
              <ol class="captions">
                {o.Captions?.map((c) => (
                  <li>
                    <span class="muted">
                      {s(c.Start)}–{s(c.End)}
                    </span>{' '}
                    {c.Text}
                  </li>
                ))}
              </ol>
            </>
          )}
        </article>
      ))}
    </section>
  );
}
