/**
 * The few codicons the canvas uses, bundled from @vscode/codicons' SVG sources (CC-BY-4.0) so
 * they need no icon font and no resource load. They are drawn with fill="currentColor".
 */
import add from '@vscode/codicons/src/icons/add.svg';
import check from '@vscode/codicons/src/icons/check.svg';
import clearAll from '@vscode/codicons/src/icons/clear-all.svg';
import close from '@vscode/codicons/src/icons/close.svg';
import error from '@vscode/codicons/src/icons/error.svg';
import fileCode from '@vscode/codicons/src/icons/file-code.svg';
import fileMedia from '@vscode/codicons/src/icons/file-media.svg';
import listOrdered from '@vscode/codicons/src/icons/list-ordered.svg';
import link from '@vscode/codicons/src/icons/link.svg';
import play from '@vscode/codicons/src/icons/play.svg';
import pulse from '@vscode/codicons/src/icons/pulse.svg';
import screenFull from '@vscode/codicons/src/icons/screen-full.svg';
import tag from '@vscode/codicons/src/icons/tag.svg';
import terminal from '@vscode/codicons/src/icons/terminal.svg';
import trash from '@vscode/codicons/src/icons/trash.svg';
import typeHierarchy from '@vscode/codicons/src/icons/type-hierarchy-sub.svg';
import warning from '@vscode/codicons/src/icons/warning.svg';
import zoomIn from '@vscode/codicons/src/icons/zoom-in.svg';
import zoomOut from '@vscode/codicons/src/icons/zoom-out.svg';

const ICONS = {
  add, check, 'clear-all': clearAll, close, error, 'file-code': fileCode, 'file-media': fileMedia, 'list-ordered': listOrdered, link, play, pulse,
  'screen-full': screenFull, tag, terminal, trash, layout: typeHierarchy, warning, 'zoom-in': zoomIn, 'zoom-out': zoomOut,
} as const;
export type IconName = keyof typeof ICONS;

/** an inline <svg> element for a codicon (aria-hidden: the button carries the label) */
export function codicon(name: IconName): SVGSVGElement {
  const tpl = document.createElement('template');
  tpl.innerHTML = ICONS[name].trim();
  const svg = tpl.content.firstElementChild as SVGSVGElement;
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('codicon-svg');
  return svg;
}
