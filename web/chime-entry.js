// Entry point of the test bundle: the real amazon-chime-sdk-js, exposed to test pages as
// window.ChimeSDK. Built by tests/integration/chime_bundle.js with esbuild.
import * as ChimeSDK from 'amazon-chime-sdk-js';

window.ChimeSDK = ChimeSDK;
