// Small tools about Wulf itself and the clock: `clock_time`, `clock_date`, `clear_memory`,
// `voice_on`, `voice_off`.
import { z } from 'zod';
import { defineTool } from './types.js';

export const clockTime = defineTool({
  name: 'clock_time',
  description: 'the current time',
  args: z.strictObject({}),
  async run(_a, ctx) {
    const d = new Date(ctx.now());
    const en = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
    const fr = d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' }).replace(':', ' h ');
    return { ok: true, say: { en: `It is ${en}.`, fr: `Il est ${fr}.` }, data: { iso: d.toISOString() } };
  },
});

export const clockDate = defineTool({
  name: 'clock_date',
  description: "today's date",
  args: z.strictObject({}),
  async run(_a, ctx) {
    const d = new Date(ctx.now());
    const opts = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' } as const;
    return { ok: true, say: { en: `Today is ${d.toLocaleDateString('en-GB', opts)}.`, fr: `Nous sommes le ${d.toLocaleDateString('fr-FR', opts)}.` }, data: { iso: d.toISOString() } };
  },
});

export const clearMemory = defineTool({
  name: 'clear_memory',
  description: 'forget notes and knowledge bins (keeps the conversation, lists and settings)',
  args: z.strictObject({}),
  async run(_a, ctx) {
    const c = await ctx.store.clearKnowledge();
    return {
      ok: true,
      say: {
        en: `Cleared ${c.notes} notes and ${c.bins} knowledge bins. Conversation history, lists and settings are kept.`,
        fr: `J’ai effacé ${c.notes} notes et ${c.bins} paquets de connaissance. L’historique, les listes et les réglages sont conservés.`,
      },
      effects: [{ tool: 'clear_memory', ...c }],
      data: c,
    };
  },
});

export const voiceOn = defineTool({
  name: 'voice_on',
  description: 'speak replies aloud',
  args: z.strictObject({}),
  async run(_a, ctx) {
    await ctx.store.setVoiceEnabled(true);
    return { ok: true, say: { en: 'Voice replies are on.', fr: 'Les réponses vocales sont activées.' }, effects: [{ tool: 'voice_on' }] };
  },
});

export const voiceOff = defineTool({
  name: 'voice_off',
  description: 'stop speaking replies',
  args: z.strictObject({}),
  async run(_a, ctx) {
    await ctx.store.setVoiceEnabled(false);
    return { ok: true, say: { en: 'Voice replies are off.', fr: 'Les réponses vocales sont désactivées.' }, effects: [{ tool: 'voice_off' }] };
  },
});
