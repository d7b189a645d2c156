// GraphiQL built from the pinned npm package into our own assets (no CDN). Requests go to /graphql with the
// session cookie and the CSRF header read from the cookie at each request; subscriptions use
// graphql-transport-ws on the same origin.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';
import 'graphiql/style.css';
import { CSRF_COOKIE, CSRF_HEADER, readCookie } from '../lib/cookies';

/** Where subscriptions connect: the same origin's /graphql/ws, over wss when the page is https. */
export const SUBSCRIPTIONS_PATH = '/graphql/ws';

const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${SUBSCRIPTIONS_PATH}`;

const fetcher = createGraphiQLFetcher({
  url: '/graphql',
  fetch: (input, init) => {
    const headers = new Headers(init?.headers);
    const csrf = readCookie(document.cookie, CSRF_COOKIE);
    if (csrf) headers.set(CSRF_HEADER, csrf);
    return fetch(input, { ...init, headers, credentials: 'same-origin' });
  },
  wsClient: createClient({ url: wsUrl, lazy: true, retryAttempts: 0 }),
});

const target = document.getElementById('graphiql');
if (target) {
  createRoot(target).render(
    createElement(GraphiQL, {
      fetcher,
      defaultQuery: '# Welcome to datatracker. Your browser session is used when you are signed in.\n{\n  me { id name permissions }\n  datasets(first: 5) { totalCount nodes { id title } }\n}\n',
    }),
  );
}
