import { Link } from 'react-router-dom';
import { PageMessage } from '../components/page-message.js';

export function NotFoundPage() {
  return (
    <PageMessage title="No such page">
      <p>
        Start from <Link to="/search">Search</Link>, or paste a trace id in the box at the top.
      </p>
    </PageMessage>
  );
}
