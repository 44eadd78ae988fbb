import type { ReactNode } from 'react';
import './page-message.css';

export interface PageMessageProps {
  readonly title: string;
  readonly tone?: 'info' | 'error' | 'loading';
  /** What to do next. */
  readonly children?: ReactNode;
  readonly testId?: string;
}

/** The one way a page says "loading", "nothing here" or "failed": a title and what to do next. */
export function PageMessage({ title, tone = 'info', children, testId }: PageMessageProps) {
  return (
    <div
      className={`page-message page-message-${tone}`}
      role={tone === 'error' ? 'alert' : 'status'}
      aria-busy={tone === 'loading'}
      data-testid={testId}
    >
      {tone === 'loading' && <span className="spinner" aria-hidden="true" />}
      <div>
        <h2 className="page-message-title">{title}</h2>
        {children !== undefined && <div className="page-message-body">{children}</div>}
      </div>
    </div>
  );
}
