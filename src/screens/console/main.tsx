/** The agent's console page. Stylesheets are linked from index.html. */
import { render } from 'preact';

// First: the console's strings join the dictionary before anything is drawn.
import './strings.js';

import { ConsoleApp } from './ConsoleApp.js';

const root = document.getElementById('app');
if (root) render(<ConsoleApp />, root);
