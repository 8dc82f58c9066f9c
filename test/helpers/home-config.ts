// The little home the natural-language tests talk to: two areas, a zigbee2mqtt living-room light and
// a Tasmota kitchen light, named in English and French.
export const homeConfig = {
  areas: [
    { id: 'salon', names: { en: ['living room', 'lounge'], fr: ['salon', 'séjour'] } },
    { id: 'cuisine', names: { en: ['kitchen'], fr: ['cuisine'] } },
  ],
  devices: [
    { id: 'salon.light', names: { en: ['living room light', 'living room lights'], fr: ['lumière du salon'] }, area: 'salon', domain: 'light', preset: 'zigbee2mqtt', target: 'salon_lamp' },
    { id: 'cuisine.light', names: { en: ['kitchen light'], fr: ['lumière de la cuisine'] }, area: 'cuisine', domain: 'light', preset: 'tasmota', target: 'kitchen' },
  ] as Array<Record<string, unknown>>,
};
