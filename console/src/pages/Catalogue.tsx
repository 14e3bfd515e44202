import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Api } from '../api';

/**
 * Names chosen from a catalogue (transitions, effects), each with a strip of frames showing what
 * it looks like (drawn by the service on sample clips). None chosen: any of the catalogue.
 */
export function CatalogueChoice({
  api,
  kind,
  names,
  chosen,
  onChange,
  summary,
  children,
}: {
  api: Api;
  kind: 'transitions' | 'effects';
  names: string[];
  chosen: string[];
  onChange: (chosen: string[]) => void;
  summary: ComponentChildren;
  /** Shown below the names: more controls, errors. */
  children?: ComponentChildren;
}) {
  const [strip, setStrip] = useState<{ name: string; src: string }>();
  return (
    <details class="transition-list">
      <summary>{summary}</summary>
      <ul class="names">
        {names.map((n) => (
          <li key={n}>
            <label class="inline">
              <input
                type="checkbox"
                checked={chosen.includes(n)}
                onChange={(e) => onChange(e.currentTarget.checked ? [...chosen, n] : chosen.filter((x) => x !== n))}
              />
              {n}
            </label>
            <button
              type="button"
              class="link"
              aria-label={`Show ${n}`}
              onClick={async () => setStrip({ name: n, src: await api.image(`/api/v1/previews/${kind}/${n}.png`) })}
            >
              show
            </button>
          </li>
        ))}
      </ul>
      {strip && <img class="strip" src={strip.src} alt={`${strip.name}: frames across it`} />}
      {children}
    </details>
  );
}
