// The `detailedErrorCode`s the journey acts on, from the API's one table
// (README, "Error codes"); a Rust test holds each number to it.
export const ErrorCode = {
  invalidInvitationToken: 40105,
  invitationEnded: 40309,
  journeyLinkNotFound: 40409,
  journeyLinkUsed: 40908,
  journeyLinkEnded: 41001,
  rateLimited: 42901,
  emailLimitReached: 42902,
  credentialsVerifierUnavailable: 50201,
} as const;
