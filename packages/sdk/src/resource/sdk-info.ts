/** Kept by hand in step with package.json: importing JSON would need a build-time setting we do not own. */
export const SDK_NAME = '@ariadne/sdk';
export const SDK_VERSION = '0.1.0';
