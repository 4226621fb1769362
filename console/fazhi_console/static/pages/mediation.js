// placeholder until this part of the console lands
import { h } from '../ui.js';

export async function render() {
  return h('p', { class: 'muted' }, '此功能正在建设中。');
}
