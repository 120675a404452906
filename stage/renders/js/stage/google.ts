// @stage/google: Google sign-in for an app's users. Not configured on this platform: every call says so.
const NOT_CONFIGURED =
  "@stage/google: Google sign-in is not configured on this Stage platform. Read Google Sheets from a workflow " +
  "(sheets.read, with the app's Google credentials) instead.";

function refuse(): Promise<never> {
  return Promise.reject(new Error(NOT_CONFIGURED));
}

export const google = {
  configured: false,
  signIn: refuse,
  signOut: refuse,
  getUser: refuse,
  getAccessToken: refuse,
};

export const signIn = refuse;
export const signOut = refuse;
export const getUser = refuse;
export const getAccessToken = refuse;
export default google;
