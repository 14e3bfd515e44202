import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api';

interface Callback {
  CallbackURL?: string;
  EventTypeList?: string;
  AuthSwitch?: string;
  AuthKey?: string;
}

interface KeyInfo {
  AccessKeyId: string;
  Description: string;
  UserId: number | null;
  CreateTime: string | null;
  Source: 'configuration' | 'console';
}

/** Access keys, for operators: listed, made (the secret shown once), deleted. */
function AccessKeysSection({ api }: { api: Api }) {
  const [keys, setKeys] = useState<KeyInfo[]>();
  const [denied, setDenied] = useState(false);
  const [description, setDescription] = useState('');
  const [userId, setUserId] = useState('');
  const [made, setMade] = useState<{ AccessKeyId: string; AccessKeySecret: string }>();
  const [error, setError] = useState('');
  const load = () =>
    api.call<{ AccessKeys: KeyInfo[] }>('GET', '/api/v1/access-keys').then(
      (r) => setKeys(r.AccessKeys),
      () => setDenied(true),
    );
  useEffect(() => void load(), []);
  if (denied) return <p class="muted">Access keys are managed by an operator.</p>;
  if (!keys) return null;
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">Access keys</h2>
      <table class="jobs">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Description</th>
            <th scope="col">Account</th>
            <th scope="col" />
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr>
              <td>
                <code>{k.AccessKeyId}</code>
              </td>
              <td>{k.Description}</td>
              <td>{k.UserId ?? ''}</td>
              <td>
                {k.Source === 'console' && (
                  <button
                    type="button"
                    class="link"
                    aria-label={`Delete ${k.AccessKeyId}`}
                    onClick={async () => {
                      await api.call('DELETE', `/api/v1/access-keys/${k.AccessKeyId}`);
                      await load();
                    }}
                  >
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        class="row"
        onSubmit={async (e) => {
          e.preventDefault();
          setError('');
          try {
            setMade(
              await api.call('POST', '/api/v1/access-keys', { Description: description, ...(userId ? { UserId: Number(userId) } : {}) }),
            );
            setDescription('');
            setUserId('');
            await load();
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <label>
          Description
          <input value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <label>
          Account (UserId)
          <input inputMode="numeric" value={userId} onInput={(e) => setUserId(e.currentTarget.value)} />
        </label>
        <button type="submit">Make a key</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {made && (
        <p class="new-key" role="status">
          New key <code>{made.AccessKeyId}</code>, secret <code data-testid="new-secret">{made.AccessKeySecret}</code> — copy it now: it is
          not shown again.
        </p>
      )}
    </section>
  );
}

/** The event callback (SetEventCallback): where completion events go, and their signing key. */
export function Settings({ api }: { api: Api }) {
  // The form appears once the current settings are read (typing never races their arrival).
  const [cb, setCb] = useState<Callback>();
  const [saved, setSaved] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    api.call<Callback>('GET', '/api/v1/event-callback').then(
      (r) =>
        setCb({
          CallbackURL: r.CallbackURL ?? '',
          EventTypeList: r.EventTypeList ?? 'BatchProduceMediaComplete',
          AuthSwitch: r.AuthSwitch ?? 'off',
          AuthKey: r.AuthKey ?? '',
        }),
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
          <input
            type="url"
            value={cb.CallbackURL}
            onInput={(e) => setCb({ ...cb, CallbackURL: e.currentTarget.value })}
            placeholder="https://…/ims-events"
          />
        </label>
        <label>
          Events (comma-separated)
          <input value={cb.EventTypeList} onInput={(e) => setCb({ ...cb, EventTypeList: e.currentTarget.value })} />
        </label>
        <label class="inline">
          <input
            type="checkbox"
            checked={cb.AuthSwitch === 'on'}
            onChange={(e) => setCb({ ...cb, AuthSwitch: e.currentTarget.checked ? 'on' : 'off' })}
          />
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
      <AccessKeysSection api={api} />
    </section>
  );
}
