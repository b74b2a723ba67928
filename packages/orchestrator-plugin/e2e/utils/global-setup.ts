import { installPackedPlugin } from './packed-plugin';

/** Packs the built plugin once per run; every test workspace installs that copy. */
export default function globalSetup(): void {
  process.env.E2E_PLUGIN_MODULES = installPackedPlugin();
}
