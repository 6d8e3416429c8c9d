// The `detailedErrorCode`s the journey acts on, from the API's one table
// (README, "Error codes"); a Rust test holds each number to it.
export const ErrorCode = {
  consentRequired: 40303,
  signedLinkRequired: 40305,
  invitationEnded: 40309,
  companyNotFound: 40402,
  journeyLinkNotFound: 40409,
  journeyLinkUsed: 40908,
  journeyLinkEnded: 41001,
  rateLimited: 42901,
  emailLimitReached: 42902,
  storeUnavailable: 50301,
} as const;
