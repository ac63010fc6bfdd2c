/**
 * The routes of a namespace or of the host in the properties panel: a grid of to / via / dev
 * with a row per route, new rows kept as drafts until they are complete, each change checked
 * (fields.ts checkRoute) and posted as one 'set' of the whole list.
 */
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import type { Target } from '../src/shared/protocol.js';
import { codicon } from './codicons.js';
import { checkRoute, type RouteDraft } from './fields.js';
import type { JsonPath } from './model.js';
import { button, h, isObj, type Form } from './panel-widgets.js';

export function routes(f: Form, parent: HTMLElement, base: JsonPath, raw: Record<string, unknown>, target: Target): void {
  const list = (Array.isArray(raw.routes) ? raw.routes : []) as unknown[];
  const draftKey = JSON.stringify(base);
  const drafts = f.drafts.get(draftKey) ?? [];
  const rowOf = (r: unknown): RouteDraft => {
    const o = isObj(r) ? r : {};
    const d: RouteDraft = { to: typeof o.to === 'string' ? o.to : '', via: typeof o.via === 'string' ? o.via : '', dev: typeof o.dev === 'string' ? o.dev : '' };
    if (typeof o.metric === 'number') d.metric = o.metric;
    return d;
  };
  f.section(parent, 'Routes', (body) => {
    const grid = h('div', { className: 'routes', attrs: { role: 'table', 'aria-label': 'Routes' } });
    grid.append(h('div', { className: 'routes-head', attrs: { role: 'row' } },
      h('span', { text: 'To', attrs: { role: 'columnheader' } }), h('span', { text: 'Via', attrs: { role: 'columnheader' } }),
      h('span', { text: 'Dev', attrs: { role: 'columnheader' } }), h('span')));
    const rows: RouteDraft[] = [...list.map(rowOf), ...drafts];
    rows.forEach((row, k) => {
      const isDraft = k >= list.length;
      const cells: Record<'to' | 'via' | 'dev', VscodeTextfield> = {} as never;
      const r = h('div', { className: `routes-row${isDraft ? ' draft' : ''}`, attrs: { role: 'row' } });
      const msgs: HTMLElement[] = [];
      for (const col of ['to', 'via', 'dev'] as const) {
        const key = `routes.${k}.${col}`;
        const el = h('vscode-textfield', { props: { value: row[col] }, className: 'mono' });
        el.placeholder = col === 'to' ? 'default' : col === 'via' ? 'gateway' : 'iface';
        el.setAttribute('aria-label', `Route ${k + 1} ${col}`);
        msgs.push(f.register(key, [...base, 'routes', k, col], el, row[col]));
        cells[col] = el;
        el.addEventListener('change', () => {
          const next: RouteDraft = { to: cells.to.value, via: cells.via.value, dev: cells.dev.value };
          if (row.metric !== undefined) next.metric = row.metric;
          const checked = checkRoute(next);
          for (const c of ['to', 'via', 'dev']) f.clearLocal(`routes.${k}.${c}`);
          if (!checked.ok) {
            // an unfinished new row is not an error yet
            if (isDraft && /needs/.test(checked.error)) { drafts[k - list.length] = next; f.drafts.set(draftKey, drafts); f.paint(); return; }
            f.fail(key, checked.error);
            return;
          }
          f.paint();
          const routes = [...list];
          if (isDraft) {
            drafts.splice(k - list.length, 1);
            f.drafts.set(draftKey, drafts);
            routes.push(checked.value);
          } else routes[k] = checked.value;
          f.host.edit({ kind: 'set', target, field: 'routes', value: routes }, key);
        });
        r.append(el);
      }
      const remove = h('button', {
        className: 'icon-button', attrs: { type: 'button', 'aria-label': `Remove route ${k + 1}`, title: 'Remove this route' },
        on: {
          click: () => {
            if (isDraft) { drafts.splice(k - list.length, 1); f.drafts.set(draftKey, drafts); f.redraw(); return; }
            const routes = list.filter((_, i) => i !== k);
            f.host.edit({ kind: 'set', target, field: 'routes', value: routes.length ? routes : null }, `routes.${k}.to`);
          },
        },
      }, codicon('close'));
      r.append(remove);
      grid.append(r);
      const msgRow = h('div', { className: 'routes-messages' }, ...msgs);
      grid.append(msgRow);
    });
    body.append(grid);
    body.append(h('div', { className: 'row-actions' }, button('Add route', () => {
      drafts.push({ to: list.some((x) => isObj(x) && x.to === 'default') ? '' : 'default', via: '', dev: '' });
      f.drafts.set(draftKey, drafts);
      f.redraw();
      f.field(`routes.${list.length + drafts.length - 1}.via`)?.el.focus();
    }, { secondary: true, icon: 'add' })));
    if (!rows.length) body.prepend(h('p', { className: 'hint', text: 'No static routes. A namespace on a bridge LAN usually needs a default route via the bridge\'s address.' }));
  }, true, list.length ? String(list.length) : undefined);
}
