import { useState } from 'preact/hooks';
import { Api, type Key } from '../api';

/** Sign in with an access key pair (checked by one authenticated call). */
export function SignIn({ onSignedIn }: { onSignedIn: (k: Key) => void }) {
  const [id, setId] = useState('');
  const [secret, setSecret] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [password, setPassword] = useState('');
  const [passwordError, setPasswordError] = useState('');
  return (
    <main class="signin">
      <h1>reelsmith</h1>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          try {
            await new Api({ id, secret }).call('GET', '/api/v1/voices');
            onSignedIn({ id, secret });
          } catch (err) {
            setError((err as Error).message || 'sign-in failed');
          } finally {
            setBusy(false);
          }
        }}
      >
        <label>
          Access key ID
          <input name="key-id" autocomplete="username" required value={id} onInput={(e) => setId(e.currentTarget.value)} />
        </label>
        <label>
          Access key secret
          <input
            name="key-secret"
            type="password"
            autocomplete="current-password"
            required
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <form
        class="password-sign-in"
        onSubmit={async (e) => {
          e.preventDefault();
          setPasswordError('');
          const r = await fetch('/api/v1/console/sign-in', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ Password: password }),
          });
          const data = (await r.json().catch(() => ({}))) as { AccessKeyId?: string; AccessKeySecret?: string; Message?: string };
          if (r.ok && data.AccessKeyId && data.AccessKeySecret) onSignedIn({ id: data.AccessKeyId, secret: data.AccessKeySecret });
          else setPasswordError(data.Message ?? `sign-in failed (${r.status})`);
        }}
      >
        <label>
          or the console password
          <input
            name="console-password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {passwordError && (
          <p role="alert" class="error">
            {passwordError}
          </p>
        )}
        <button type="submit">Sign in with the password</button>
      </form>
    </main>
  );
}
