/** The Dark Modern theme's colours as the webview reads them: the stylesheet tests draw with it. */
import type { Theme } from '../../webview/style.js';

export const DARK_THEME: Theme = {
  kind: 'dark', background: 'rgb(31, 31, 31)', foreground: 'rgb(204, 204, 204)', muted: 'rgb(157, 157, 157)',
  nodeBackground: 'rgb(32, 32, 32)', nodeBorder: 'rgb(69, 69, 69)', selection: 'rgb(0, 120, 212)', error: 'rgb(241, 76, 76)',
  warning: 'rgb(204, 167, 0)', passed: '#73c991', edge: 'rgb(204, 204, 204)',
  accent: { namespace: 'rgb(55, 148, 255)', router: 'rgb(177, 128, 215)', bridge: 'rgb(137, 209, 133)', host: 'rgb(209, 134, 22)' },
  hosts: ['rgb(17, 168, 205)', 'rgb(188, 63, 188)', 'rgb(229, 229, 16)', 'rgb(36, 114, 200)', 'rgb(13, 188, 121)', 'rgb(205, 49, 49)'],
  font: 'system-ui, sans-serif', monoFont: 'monospace',
};
