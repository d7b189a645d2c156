// The current location as reactive state; links inside the app navigate without reloading.

/** Path and query of the current page. */
export const location_ = $state({ path: window.location.pathname, search: window.location.search });

function sync(): void {
  location_.path = window.location.pathname;
  location_.search = window.location.search;
}

/** Goes to a path inside the app (pushes history unless `replace`). */
export function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  sync();
  if (!replace) window.scrollTo(0, 0);
}

/** Replaces the query string of the current page (keeps history short while editing filters). */
export function setSearch(search: string): void {
  const url = window.location.pathname + (search ? `?${search}` : '');
  history.replaceState(null, '', url);
  sync();
}

/** Starts listening to back/forward and to clicks on same-origin links. */
export function startRouter(): void {
  window.addEventListener('popstate', sync);
  document.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.target || a.hasAttribute('download') || a.getAttribute('rel') === 'external') return;
    const url = new URL(a.href, window.location.href);
    if (url.origin !== window.location.origin) return;
    if (/^\/(graphql|graphiql|login|logout|health|ready|assets)(\/|$)/.test(url.pathname)) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}
