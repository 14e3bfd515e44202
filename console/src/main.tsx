/**
 * The reelsmith web console: sign in with an access key, then the media library, the job builder
 * and the jobs with their outputs — every one through the public API (api.ts).
 */
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, type Key } from './api';
import { Create } from './pages/Create';
import { JobDetail, Jobs } from './pages/Jobs';
import { Library } from './pages/Library';
import { Settings } from './pages/Settings';
import { SignIn } from './pages/SignIn';
import './style.css';

const STORED = 'reelsmith.key';

function useRoute(): string {
  const [hash, setHash] = useState(location.hash || '#/library');
  useEffect(() => {
    const on = () => setHash(location.hash || '#/library');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash.slice(1);
}

function App() {
  const [key, setKey] = useState<Key | undefined>(() => {
    const s = sessionStorage.getItem(STORED);
    return s ? (JSON.parse(s) as Key) : undefined;
  });
  const route = useRoute();
  // One client per key: its thumbnails are fetched once, not again on every page change.
  const api = useMemo(() => (key ? new Api(key) : undefined), [key]);
  if (!key || !api)
    return (
      <SignIn
        onSignedIn={(k) => {
          sessionStorage.setItem(STORED, JSON.stringify(k));
          setKey(k);
        }}
      />
    );
  const job = /^\/jobs\/([0-9a-f]+)$/.exec(route);
  const nav = [
    ['#/library', 'Library'],
    ['#/create', 'Create'],
    ['#/jobs', 'Jobs'],
    ['#/settings', 'Settings'],
  ];
  return (
    <div class="shell">
      <header>
        <strong class="brand">reelsmith</strong>
        <nav aria-label="main">
          {nav.map(([href, label]) => (
            <a href={href} aria-current={route.startsWith(href.slice(1)) ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <button
          type="button"
          class="link"
          onClick={() => {
            sessionStorage.removeItem(STORED);
            setKey(undefined);
          }}
        >
          Sign out
        </button>
      </header>
      <main>
        {job ? (
          <JobDetail api={api} id={job[1]} />
        ) : route.startsWith('/create') ? (
          <Create api={api} />
        ) : route.startsWith('/settings') ? (
          <Settings api={api} />
        ) : route.startsWith('/jobs') ? (
          <Jobs api={api} />
        ) : (
          <Library api={api} />
        )}
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
