// Tools `list_add`, `list_remove`, `list_read`: the shopping list, the to-do list, or any named list.
import { z } from 'zod';
import { defineTool, pickVariant, type Lang } from './types.js';

const listName = z.string().regex(/^[a-z0-9_-]{1,32}$/).default('shopping');
const item = z.string().trim().min(1).max(200);

const listWord: Record<string, Record<Lang, string>> = { shopping: { en: 'the shopping list', fr: 'la liste de courses' }, todo: { en: 'the to-do list', fr: 'la liste des tâches' } };
const named = (list: string) => listWord[list] ?? { en: `the ${list} list`, fr: `la liste ${list}` };

export const listAdd = defineTool({
  name: 'list_add',
  description: 'add an item to a list',
  args: z.strictObject({ list: listName, item }),
  async run(a, ctx) {
    const saved = await ctx.store.addListItem(a.list, a.item);
    const say = pickVariant({ en: [`Added ${a.item} to ${named(a.list).en}.`, `${cap(a.item)} is on ${named(a.list).en}.`, `OK, ${a.item} goes on ${named(a.list).en}.`], fr: [`J’ai ajouté ${a.item} à ${named(a.list).fr}.`, `${cap(a.item)} est sur ${named(a.list).fr}.`, `D’accord, ${a.item} va sur ${named(a.list).fr}.`] });
    return { ok: true, say, effects: [{ tool: 'list_add', list: a.list, item: a.item, id: saved.id }] };
  },
});

export const listRemove = defineTool({
  name: 'list_remove',
  description: 'remove an item from a list',
  args: z.strictObject({ list: listName, item }),
  async run(a, ctx) {
    const removed = await ctx.store.removeListItem(a.list, a.item);
    if (!removed.length) return { ok: false, say: { en: `${a.item} is not on ${named(a.list).en}.`, fr: `${a.item} n’est pas sur ${named(a.list).fr}.` } };
    return { ok: true, say: { en: `Removed ${a.item} from ${named(a.list).en}.`, fr: `J’ai retiré ${a.item} de ${named(a.list).fr}.` }, effects: [{ tool: 'list_remove', list: a.list, item: a.item }] };
  },
});

export const listRead = defineTool({
  name: 'list_read',
  description: 'read a list',
  args: z.strictObject({ list: listName }),
  async run(a, ctx) {
    const items = (ctx.store.data.lists[a.list] ?? []).map((i) => i.text);
    if (!items.length) return { ok: true, say: { en: `${cap(named(a.list).en)} is empty.`, fr: `${cap(named(a.list).fr)} est vide.` }, data: { items } };
    return { ok: true, say: { en: `On ${named(a.list).en}: ${items.join(', ')}.`, fr: `Sur ${named(a.list).fr} : ${items.join(', ')}.` }, data: { items } };
  },
});

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
