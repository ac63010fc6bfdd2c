/** Names VS Code knows the extension's contributions by (package.json), for the activation shell and the rest. */
export const VIEW_TYPE = 'netnsLab.topology';
export const EDITOR_OPTIONS = { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true } as const;
export const TREE_VIEWS = { namespaces: 'netnsLab.namespaces', bridges: 'netnsLab.bridges', topologies: 'netnsLab.topologies' } as const;
export const TERMINAL_PROFILE = 'netnsLab.namespaceShell';
