import { mount } from 'svelte';
import App from './App.svelte';
import { AppState } from './state/app.svelte.ts';
import './ui/theme.css';
import { registerServiceWorker } from './offline/register.ts';

const app = new AppState();
// The headless runner and the end-to-end tests drive the page through the same state object the UI uses.
(globalThis as unknown as { ssgnet: AppState }).ssgnet = app;
mount(App, { target: document.getElementById('app')!, props: { app } });
void app.start();
void registerServiceWorker();
