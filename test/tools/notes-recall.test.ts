// Notes: 200 remembered facts, 20 questions asked in other words; the right fact must come back
// for at least 18. Keyword recall alone here (no model embedding), through the real store.
import test from 'ava';
import pino from 'pino';
import { MemoryStore } from '../../src/memory/index.js';
import { rankNotes } from '../../src/tools/index.js';
import { tempDir } from '../helpers/paths.js';

const targets: Array<[string, string]> = [
  ['the gate code is 4521', "what's the code for the gate?"],
  ['the wifi password is blue-falcon-77', 'do you remember the password of the wifi'],
  ["my sister Anna's birthday is on March 3", 'when is Anna’s birthday?'],
  ["le code de l'alarme est 9087", "quel est le code de l'alarme ?"],
  ['the spare key is under the blue flower pot', 'where is the spare key'],
  ["the plumber's phone number is 06 12 34 56 78", 'what is the number of the plumber'],
  ['le vétérinaire du chat s’appelle docteur Morel', 'comment s’appelle le vétérinaire du chat'],
  ['the boiler was serviced in October 2025', 'when was the boiler last serviced?'],
  ['la poubelle jaune sort le mardi soir', 'quel jour sort la poubelle jaune'],
  ['my passport expires in June 2029', 'when does my passport expire'],
  ['the bike lock combination is 3-1-4', "what's the combination of the bike lock"],
  ['le mot de passe de la box est soleil42', 'tu te souviens du mot de passe de la box ?'],
  ["grandma's recipe uses three eggs and a pinch of salt", 'how many eggs in grandma’s recipe'],
  ['the car insurance renews on 12 February', 'when does the car insurance renew'],
  ['le rendez-vous chez le dentiste est jeudi à 10 heures', 'quand est le rendez-vous chez le dentiste'],
  ['the fuse box is behind the coats in the hallway', 'where is the fuse box'],
  ['la clé de la cave est accrochée dans le garage', 'où est la clé de la cave'],
  ['the water meter reading was 1532 in January', 'what was the water meter reading'],
  ['Tom is allergic to peanuts', 'who is allergic to peanuts'],
  ['le code wifi des invités est bienvenue2024', 'quel est le code wifi pour les invités'],
];

function distractors(n: number): string[] {
  const people = ['Paul', 'Marie', 'Lucas', 'Chloé', 'Hugo', 'Léa', 'Noah', 'Emma', 'Louis', 'Jade'];
  const things = ['garage code', 'locker number', 'shoe size', 'favourite colour', 'school', 'doctor', 'train time', 'parking spot', 'phone model', 'gym day', 'bank branch', 'bus line'];
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) out.push(`the ${things[i % things.length]} of ${people[Math.floor(i / things.length) % people.length]} is ${1000 + i * 37}`);
  return out;
}

test('200 facts, 20 paraphrased questions: at least 18 recall the right fact', async (t) => {
  const { store } = await MemoryStore.open(await tempDir(), pino({ level: 'silent' }));
  const facts = [...distractors(180), ...targets.map(([fact]) => fact)].sort((a, b) => (a.length * 31) % 7 - (b.length * 31) % 7);
  for (const f of facts) await store.addNote(f, null);
  t.is(store.data.notes.length, 200);
  const ctx = { embed: async () => null };
  let right = 0;
  const misses: string[] = [];
  for (const [fact, question] of targets) {
    const best = (await rankNotes(question, store.data.notes, ctx))[0];
    if (best?.note.text === fact) right += 1;
    else misses.push(`${question} → ${best?.note.text}`);
  }
  t.log(`${right}/20 recalled; misses: ${misses.join(' | ') || 'none'}`);
  t.true(right >= 18, `${right}/20`);
});

test('a question about something never noted gets no note back, even when the model embeddings look alike', async (t) => {
  const { store } = await MemoryStore.open(await tempDir(), pino({ level: 'silent' }));
  await store.addNote('the alarm code is 4521', [1, 0, 0]);
  await store.addNote('the keys are in the blue bowl', [0.9, 0.1, 0]);
  // An embedding that calls every question close to every note, as an intent model's does.
  const ctx = { embed: async () => [1, 0.05, 0] };
  const ranked = await rankNotes('the wifi password', store.data.notes, ctx);
  t.true(ranked.every((r) => r.score === 0), JSON.stringify(ranked.map((r) => [r.note.text, r.score])));
  const alarm = await rankNotes('what is the alarm code', store.data.notes, ctx);
  t.is(alarm[0]!.note.text, 'the alarm code is 4521');
  t.true(alarm[0]!.score > 0.5);
});
