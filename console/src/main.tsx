import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './mantine.css';
import './styles.css';
import { App, queryClient } from './app/App';
import { prefetchOverview } from './pages/Overview';

// Opening the Overview: its data starts loading before the first render.
prefetchOverview(queryClient, window.location);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
