/** Ambient declarations for the webview bundle. */

/** SVG files are bundled as text (esbuild loader "text") */
declare module '*.svg' {
  const text: string;
  export default text;
}

/** the API VS Code injects into a webview */
interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

declare module 'cytoscape-edgehandles' {
  import type cytoscape from 'cytoscape';
  const ext: cytoscape.Ext;
  export default ext;
}
declare module 'cytoscape-fcose' {
  import type cytoscape from 'cytoscape';
  const ext: cytoscape.Ext;
  export default ext;
}
declare module 'cytoscape-svg' {
  import type cytoscape from 'cytoscape';
  const ext: cytoscape.Ext;
  export default ext;
}
