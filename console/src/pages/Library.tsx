import { useEffect, useState } from 'preact/hooks';
import type { Api, MediaItem } from '../api';

interface Upload {
  name: string;
  file: File;
  /** The service's upload (pieces already sent are not sent again on a retry). */
  upload: { id?: string };
  progress: number;
  state: 'uploading' | 'done' | 'failed';
  error?: string;
}

export function useLibrary(api: Api) {
  const [items, setItems] = useState<MediaItem[]>([]);
  const [error, setError] = useState('');
  const load = async () => {
    try {
      const r = await api.call<{ MediaInfos: MediaItem[] }>('GET', '/api/v1/media?includeFileBasicInfo=true&maxResults=100');
      setItems(r.MediaInfos);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  useEffect(() => {
    void load();
  }, []);
  return { items, error, reload: load };
}

export function Thumb({ api, item }: { api: Api; item: MediaItem }) {
  const [src, setSrc] = useState('');
  useEffect(() => {
    // A thumbnail asked for an item this element no longer shows is dropped (answers come in any order).
    let current = true;
    setSrc('');
    api.thumbnail(item.MediaId).then(
      (url) => current && setSrc(url),
      () => current && setSrc(''),
    );
    return () => {
      current = false;
    };
  }, [item.MediaId]);
  return src ? <img src={src} alt="" loading="lazy" /> : <div class="thumb-empty" aria-hidden="true" />;
}

const fmtSize = (s?: string) =>
  !s ? '' : Number(s) < 1e6 ? `${Math.max(1, Math.round(Number(s) / 1e3))} kB` : `${(Number(s) / 1e6).toFixed(1)} MB`;
const fmtDuration = (d?: string) => (d && Number(d) > 0 ? `${Number(d).toFixed(1)} s` : '');

/** An item's title, description and tags, edited in place. */
function EditItem({ api, item, onDone }: { api: Api; item: MediaItem; onDone: () => void }) {
  const [title, setTitle] = useState(item.MediaBasicInfo.Title);
  const [description, setDescription] = useState(item.MediaBasicInfo.Description ?? '');
  const [tags, setTags] = useState(item.MediaBasicInfo.MediaTags ?? '');
  const [error, setError] = useState('');
  return (
    <form
      class="edit-item"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await api.call('PUT', `/api/v1/media/${item.MediaId}`, { Title: title, Description: description, MediaTags: tags });
          onDone();
        } catch (err) {
          setError((err as Error).message);
        }
      }}
    >
      <label>
        Title
        <input value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label>
        Description
        <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </label>
      <label>
        Tags (comma-separated)
        <input value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
      </label>
      {error && <p class="error">{error}</p>}
      <button type="submit">Save</button>
    </form>
  );
}

/** The media library: uploads (progress per file, retry), a URL to register, the items with thumbnails. */
export function Library({ api }: { api: Api }) {
  const { items, error, reload } = useLibrary(api);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [query, setQuery] = useState('');
  const [url, setUrl] = useState('');
  const [urlError, setUrlError] = useState('');
  const [over, setOver] = useState(false);
  const [musicStyle, setMusicStyle] = useState('');
  const [editing, setEditing] = useState('');
  const [kind, setKind] = useState('');
  const [styles, setStyles] = useState<string[]>([]);
  useEffect(() => {
    fetch('/api/v1/job.schema.json')
      .then((r) => r.json())
      .then((schema) => {
        const m = JSON.stringify(schema).match(/"bgm-[a-z-]+"/g) ?? [];
        setStyles([...new Set(m.map((x) => x.slice(1, -1)))]);
      })
      .catch(() => {});
  }, []);

  const send = async (u: Upload) => {
    const update = (patch: Partial<Upload>) => setUploads((list) => list.map((x) => (x.file === u.file ? { ...x, ...patch } : x)));
    update({ state: 'uploading', progress: 0, error: undefined });
    // A cut-off transfer resumes by itself (twice) from where the service has it; then the user may retry.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await api.upload(u.file, (progress) => update({ progress }), musicStyle || undefined, u.upload);
        update({ state: 'done', progress: 1 });
        await reload();
        return;
      } catch (err) {
        const e = err as Error & { status?: number };
        if (attempt === 2 || (e.status ?? 0) >= 400) {
          update({ state: 'failed', error: e.message });
          return;
        }
      }
    }
  };
  const add = (files: FileList | null) => {
    const list = [...(files ?? [])].map((file) => ({ name: file.name, file, upload: {}, progress: 0, state: 'uploading' as const }));
    setUploads((u) => [...list, ...u]);
    for (const u of list) void send(u);
  };
  const shown = items.filter((m) =>
    `${m.MediaBasicInfo.Title} ${m.MediaBasicInfo.MediaTags ?? ''}`.toLowerCase().includes(query.toLowerCase()),
  );
  return (
    <section aria-labelledby="library-title">
      <h1 id="library-title">Media library</h1>
      <label class="inline">
        Music uploaded also goes to the music library as
        <select value={musicStyle} onChange={(e) => setMusicStyle(e.currentTarget.value)}>
          <option value="">(no style)</option>
          {styles.map((x) => (
            <option value={x}>{x}</option>
          ))}
        </select>
      </label>
      <section
        aria-label="drop files here"
        class={`dropzone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          add(e.dataTransfer?.files ?? null);
        }}
      >
        <label>
          Drop videos, images and music here, or choose files
          <input type="file" multiple accept="video/*,image/*,audio/*" onChange={(e) => add(e.currentTarget.files)} />
        </label>
      </section>
      {uploads.length > 0 && (
        <ul class="uploads" aria-label="uploads">
          {uploads.map((u) => (
            <li>
              <span>{u.name}</span>
              <progress max={1} value={u.progress} aria-label={`${u.name} upload`} />
              {u.state === 'done' && <span class="ok">uploaded</span>}
              {u.state === 'failed' && (
                <>
                  <span class="error">{u.error}</span>
                  <button type="button" onClick={() => void send(u)}>
                    Retry
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <form
        class="row"
        onSubmit={async (e) => {
          e.preventDefault();
          setUrlError('');
          try {
            await api.call('POST', '/api/v1/media', { InputURL: url });
            setUrl('');
            await reload();
          } catch (err) {
            setUrlError((err as Error).message);
          }
        }}
      >
        <label>
          Register a URL
          <input type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://…/clip.mp4" />
        </label>
        <button type="submit">Register</button>
        {urlError && <span class="error">{urlError}</span>}
      </form>
      <div class="row">
        <label class="search">
          Search (title, description, tags)
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="">all</option>
            <option value="video">videos</option>
            <option value="image">images</option>
            <option value="audio">audio</option>
          </select>
        </label>
      </div>
      {error && <p class="error">{error}</p>}
      <ul class="grid" aria-label="media">
        {shown.map((m) => {
          const f = m.FileInfoList?.[0]?.FileBasicInfo;
          return (
            <li class="card" key={m.MediaId} data-media-id={m.MediaId}>
              <Thumb api={api} item={m} />
              <div class="meta">
                <strong>{m.MediaBasicInfo.Title}</strong>
                <span>
                  {m.MediaBasicInfo.MediaType} {fmtDuration(f?.Duration)} {fmtSize(f?.FileSize)}
                </span>
              </div>
              {editing === m.MediaId ? (
                <EditItem
                  api={api}
                  item={m}
                  onDone={() => {
                    setEditing('');
                    void reload();
                  }}
                />
              ) : (
                <button type="button" class="link" aria-label={`Edit ${m.MediaBasicInfo.Title}`} onClick={() => setEditing(m.MediaId)}>
                  Edit
                </button>
              )}
              <button
                type="button"
                class="link"
                aria-label={`Delete ${m.MediaBasicInfo.Title}`}
                onClick={async () => {
                  await api.call('DELETE', `/api/v1/media/${m.MediaId}`);
                  await reload();
                }}
              >
                Delete
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
