/** The agent's console page. Stylesheets are linked from index.html. */
import { render } from 'preact';

import { ConsoleApp } from './ConsoleApp.js';

const root = document.getElementById('app');
if (root) render(<ConsoleApp />, root);
