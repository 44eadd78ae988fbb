export * from './ui-model.js';
