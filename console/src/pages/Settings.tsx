import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';

interface Callback {
  CallbackURL?: string;
  EventTypeList?: string;
  AuthSwitch?: string;
  AuthKey?: string;
}

/** The event callback (SetEventCallback): where completion events go, and their signing key. */
export function Settings({ api }: { api: Api }) {
  // The form appears once the current settings are read (typing never races their arrival).
  const [cb, setCb] = useState<Callback>();
  const [saved, setSaved] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    api.call<Callback>('GET', '/api/v1/event-callback').then(
      (r) => setCb({ CallbackURL: r.CallbackURL ?? '', EventTypeList: r.EventTypeList ?? 'BatchProduceMediaComplete', AuthSwitch: r.AuthSwitch ?? 'off', AuthKey: r.AuthKey ?? '' }),
      () => setCb({ CallbackURL: '', EventTypeList: 'BatchProduceMediaComplete', AuthSwitch: 'off', AuthKey: '' }),
    );
  }, []);
  if (!cb) return <p>Loading…</p>;
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <form
        class="settings"
        onSubmit={async (e) => {
          e.preventDefault();
          setSaved('');
          setError('');
          try {
            await api.call('PUT', '/api/v1/event-callback', {
              CallbackType: 'HTTP',
              CallbackURL: cb.CallbackURL,
              EventTypeList: cb.EventTypeList,
              AuthSwitch: cb.AuthSwitch,
              ...(cb.AuthSwitch === 'on' ? { AuthKey: cb.AuthKey } : {}),
            });
            setSaved('Saved.');
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <label>
          Callback address
          <input type="url" value={cb.CallbackURL} onInput={(e) => setCb({ ...cb, CallbackURL: e.currentTarget.value })} placeholder="https://…/ims-events" />
        </label>
        <label>
          Events (comma-separated)
          <input value={cb.EventTypeList} onInput={(e) => setCb({ ...cb, EventTypeList: e.currentTarget.value })} />
        </label>
        <label class="inline">
          <input type="checkbox" checked={cb.AuthSwitch === 'on'} onChange={(e) => setCb({ ...cb, AuthSwitch: e.currentTarget.checked ? 'on' : 'off' })} />
          Sign callbacks (X-ICE-SIGNATURE)
        </label>
        {cb.AuthSwitch === 'on' && (
          <label>
            Signing key
            <input value={cb.AuthKey} onInput={(e) => setCb({ ...cb, AuthKey: e.currentTarget.value })} />
          </label>
        )}
        <button type="submit" class="primary">
          Save
        </button>
        {saved && (
          <p class="ok" role="status">
            {saved}
          </p>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
