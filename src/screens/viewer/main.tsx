/**
 * The buyer's page. The server embeds the first frame into the HTML, so the agent's view is
 * drawn before any connection opens; the connection then keeps it live. Stylesheets are linked
 * from index.html.
 */
import { render } from 'preact';

import { readBootstrap, tokenFromPath } from './bootstrap.js';
import { ViewerApp } from './ViewerApp.js';

const root = document.getElementById('app');
if (root) {
  render(
    <ViewerApp
      bootstrap={readBootstrap(document)}
      token={tokenFromPath(window.location.pathname)}
    />,
    root,
  );
}
