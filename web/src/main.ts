import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { startRouter } from './lib/router.svelte';
import { loadSession } from './lib/session.svelte';

startRouter();
void loadSession();
const target = document.getElementById('app');
if (target) mount(App, { target });
