import test from 'ava';
import { parseAsk, isInputError } from '../../src/mqtt/index.js';

const limit = 16 * 1024;

test('plain text is an ask', (t) => {
  t.deepEqual(parseAsk(Buffer.from('  turn on the light \n'), limit), { text: 'turn on the light' });
});

test('a JSON object with text, id and lang is an ask', (t) => {
  t.deepEqual(parseAsk(Buffer.from('{"text":"bonjour","id":"a1","lang":"fr","extra":1}'), limit), { text: 'bonjour', id: 'a1', lang: 'fr' });
});

test('refusals carry a code', (t) => {
  const code = (b: Buffer) => {
    const r = parseAsk(b, limit);
    return isInputError(r) ? r.code : 'accepted';
  };
  t.is(code(Buffer.alloc(0)), 'empty');
  t.is(code(Buffer.from('   ')), 'empty');
  t.is(code(Buffer.alloc(limit + 1, 'a')), 'too_large');
  t.is(code(Buffer.alloc(limit, 'a')), 'accepted');
  t.is(code(Buffer.from([0xc3, 0x28])), 'bad_utf8');
  t.is(code(Buffer.from('{"text":')), 'bad_json');
  t.is(code(Buffer.from('{"text":""}')), 'bad_request');
  t.is(code(Buffer.from('{"text":"x","lang":"de"}')), 'bad_request');
  t.is(code(Buffer.from('{"text":"x","id":"has space"}')), 'bad_request');
  t.is(code(Buffer.from('{"text":42}')), 'bad_request');
});

test('a refused JSON request keeps its id so the error can be matched', (t) => {
  const r = parseAsk(Buffer.from('{"id":"q7"}'), limit);
  t.true(isInputError(r));
  t.is(isInputError(r) ? r.id : undefined, 'q7');
});
