// Browser tests hand functions to page.evaluate; they run in Chromium, but are
// compiled with Node's types. Adding the DOM library would retype fetch and
// Uint8Array bodies for the whole program, so the few browser globals those
// callbacks use are declared loosely here instead.
/* biome-ignore-all lint/suspicious/noExplicitAny: loosely typed browser globals */
declare const document: any;
declare const window: any;
type HTMLElement = any;
