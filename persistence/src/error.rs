use domain::ports::RepoError;

/// Sorts a driver error into what the service can do about it: an
/// unreachable store is worth retrying, anything else is a failure. The
/// driver's text stays in the log, never in a response.
pub(crate) fn repo_error(error: sqlx::Error) -> RepoError {
    if crate::pool::note_error(&error) {
        return RepoError::Unavailable(error.to_string());
    }
    match error {
        sqlx::Error::RowNotFound => RepoError::NotFound,
        sqlx::Error::Database(ref db) if db.is_unique_violation() => {
            RepoError::Conflict(db.message().to_owned())
        }
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => {
            RepoError::Unavailable(error.to_string())
        }
        other => RepoError::Failure(other.to_string()),
    }
}
