/**
 * The canvas webview's entry point. It runs nothing and trusts nothing: app.ts draws the
 * 'document' the host sends (validated with the shared schemas) and answers every user gesture
 * with a message (also validated before it leaves).
 */
import './zod-setup.js';
import { App } from './app.js';

new App();
