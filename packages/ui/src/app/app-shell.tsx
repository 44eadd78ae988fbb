import { type FormEvent, useState } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useSession } from '../session/session-context.js';
import { SessionControls } from '../session/session-controls.js';
import { applyTheme, initialTheme, type Theme } from './theme.js';
import './app-shell.css';

/** Top bar on every page: the name, the search, and a box to jump straight to a trace id. */
export function AppShell() {
  const { pathname } = useLocation();
  const tenant = useSession()?.tenant ?? '';
  const onSearch = pathname === '/' || pathname.startsWith('/search');
  const links: [string, string][] = [
    ['/compare', 'Compare'],
    ['/dependencies', 'Service map'],
    ['/monitor', 'Monitor'],
    ['/live', 'Live'],
    ['/open', 'Open file'],
  ];
  return (
    <div className="app">
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Ariadne home">
          <ThreadMark />
          <span>Ariadne</span>
        </Link>
        <nav className="topnav" aria-label="Main">
          <Link to="/search" className={onSearch ? 'active' : undefined} aria-current={onSearch ? 'page' : undefined}>
            Search
          </Link>
          {links.map(([to, label]) => {
            const active = pathname.startsWith(to);
            return (
              <Link
                key={to}
                to={to}
                className={active ? 'active' : undefined}
                aria-current={active ? 'page' : undefined}
              >
                {label}
              </Link>
            );
          })}
        </nav>
        <TraceIdJump />
        <SessionControls />
        <ThemeToggle />
      </header>
      {/* Keyed by tenant: switching remounts the page, which then asks for the new tenant's data (and reopens live tail). */}
      <main className="app-main" key={tenant}>
        <Outlet />
      </main>
    </div>
  );
}

function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(() => (document.documentElement.dataset.theme as Theme) ?? initialTheme());
  const next: Theme = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="theme-toggle"
      data-testid="theme-toggle"
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      onClick={() => {
        applyTheme(next, true);
        setTheme(next);
      }}
    >
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  );
}

function TraceIdJump() {
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const id = text.trim().toLowerCase();
    if (id === '') return;
    setText('');
    navigate(`/trace/${encodeURIComponent(id)}`);
  };
  return (
    <form className="trace-jump" onSubmit={onSubmit}>
      <input
        type="text"
        value={text}
        onChange={(event) => setText(event.target.value)}
        placeholder="Go to trace id…"
        aria-label="Trace id"
        spellCheck={false}
        data-testid="trace-id-jump"
      />
    </form>
  );
}

/** Ariadne's thread: a line that winds and finds its way out. */
function ThreadMark() {
  return (
    <svg width="22" height="22" viewBox="0 0 24 24" fill="none" aria-hidden="true">
      <path
        d="M4 20c0-6 4-6 4-10s-3-4-3-6M8 10c3 0 4 3 7 3s4-4 4-7M15 13c0 3 2 4 5 7"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
      />
    </svg>
  );
}
